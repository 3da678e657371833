"""The exceptions knowledge/ raises; the edges (CLI, handlers) turn each into one plain sentence.

BeatlineError
├── AuditUnusable         the audit log cannot be signed or checked: no key, another key, no head row
├── DatabaseUnavailable   the configured database cannot be reached or opened
├── ImportRejected        an import failed validation; carries "file:line: reason" problems
├── InviteRefused         an invite code that cannot enrol anyone; `why` is for the audit log only
├── NotAllowed            the caller's role does not permit the action
"""

from __future__ import annotations

__all__ = [
    "AuditUnusable", "BeatlineError", "DatabaseUnavailable", "ImportRejected", "InviteRefused", "NotAllowed",
    "RecordsUnavailable",
]  # fmt: skip


class BeatlineError(Exception):
    """Base of every error that should reach a user as a sentence rather than a traceback."""


class AuditUnusable(BeatlineError):
    """The audit log cannot be written or checked as it stands; the message says why and what to do."""


class DatabaseUnavailable(BeatlineError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "The records database cannot be reached; try again shortly or tell the force administrator."
        )
        self.detail = detail


class ImportRejected(BeatlineError):
    def __init__(self, problems: list[str], total: int) -> None:
        shown = problems[:20]
        more = total - len(shown)
        lines = [*shown, f"... and {more} more problems" if more > 0 else ""]
        super().__init__("\n".join(line for line in lines if line))
        self.problems = problems
        self.total = total


class InviteRefused(BeatlineError):
    """The code is unknown, used, expired or withdrawn, or its issuer may no longer grant it.

    The message is what the person who sent the code is told: the same whatever the cause, so that
    nobody learns which codes exist. `why` says which, for the audit log.
    """

    def __init__(self, why: str) -> None:
        super().__init__(
            "That invite link cannot be used: it has been used, it has expired, or it was withdrawn."
        )
        self.why = why


class NotAllowed(BeatlineError):
    """The user may not do this; the message says so politely."""


class RecordsUnavailable(BeatlineError):
    """The records system is down, slow, or answered something unusable; `detail` is for the log only."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("The records system is not answering; try again, or ask control.")
        self.detail = detail
