"""The briefings' vocabulary: where a briefing and each copy stand, and what became of a copy.

The values are the strings stored in the `briefings` and `briefing_deliveries` rows and written to
the audit log, so they never change.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["BriefingStatus", "CopyOutcome", "CopyStatus", "SendOutcome"]


class BriefingStatus(StrEnum):
    """A briefing's row: draft -> scheduled -> sending -> sent (-> sending again for a Remind)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class CopyStatus(StrEnum):
    """One recipient's copy: pending -> sending -> sent | failed | blocked; skipped if revoked first."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # not confirmed as delivered: Remind tries it again
    BLOCKED = "blocked"  # the officer has blocked the bot
    SKIPPED = "skipped"  # no longer enrolled when its turn came


class CopyOutcome(StrEnum):
    """What became of one copy handed over; each but SENT is also the outcome of an audit entry."""

    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"  # refused for good
    UNCONFIRMED = "unconfirmed"  # no answer came: it may have arrived
    REQUEUED = "requeued"  # asked for later (a 429, or a 5xx to retry after a back-off)


class SendOutcome(StrEnum):
    """What the port says to one send."""

    SENT = "sent"
    RETRY = "retry"  # a 429: later, after retry_after
    ERROR = "error"  # a 5xx or no connection: not taken; again after a back-off
    BLOCKED = "blocked"
    FAILED = "failed"  # refused for good
    UNCONFIRMED = "unconfirmed"  # no answer came: it may have arrived
