"""What counts as checking a record, read from an audit entry: one rule for follows, teamwork and review.

A record is checked when an answer showed it (outcome `answered`): a person named, a plate whose keeper
they are, an address they live at, a pick from a shortlist. A shortlist itself (`ambiguous`) shows
many people in passing and checks none of them; records only counted (`counted:`) were not shown.
"""

from __future__ import annotations

from collections.abc import Iterator

from knowledge.store.vocabulary import Outcome, RecordKind

__all__ = ["CHECK_INTENTS", "FOLLOWABLE", "checked_records"]

CHECK_INTENTS = ("person_check", "warrant_check", "vehicle_check", "address_check", "incident_lookup")
FOLLOWABLE = (RecordKind.PERSON, RecordKind.VEHICLE)


def checked_records(outcome: str, record_ids: str) -> Iterator[tuple[str, str]]:
    """(kind, id) of each person and vehicle an entry with this outcome and `record_ids` checked."""
    if outcome != Outcome.ANSWERED:
        return
    for token in record_ids.split():
        kind, _, record_id = token.partition(":")
        if kind in FOLLOWABLE and record_id:
            yield kind, record_id
