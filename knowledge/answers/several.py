"""Several subjects in one message ("ab12 cde and nl72 byd"): one reply, a section for each, none dropped.

Each subject is answered as if asked alone; the sections keep the officer's order, and a line at the
top says which of them carry warnings, so a danger in the fifth section is not read past. The
records of every section are disclosed (and so audited) together, each once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from knowledge.answers import render
from knowledge.answers.disclosure import Disclosed, Draft
from knowledge.store.vocabulary import Outcome
from knowledge.understanding.parse import MAX_SUBJECTS, ParsedQuery

__all__ = ["combine", "title"]


def title(subject: ParsedQuery) -> str:
    """The subject as the officer gave it, in the records' forms: "COATES, Jack 26/09/1978", "AB12CDE"."""
    slots = subject.slots
    if "vrm" in slots:
        return str(slots["vrm"])
    if "incident_ref" in slots:
        return str(slots["incident_ref"])
    if "surname" in slots:
        name = render.surname_first(str(slots.get("forenames", "")).title(), str(slots["surname"]))
        dob = slots.get("dob")
        born = render.uk_date(dt.date.fromisoformat(str(dob))) if dob else slots.get("birth_year", "")
        return f"{name.rstrip(', ')} {born}".strip()
    parts = [slots.get("house_number", ""), slots.get("street", ""), slots.get("postcode", "")]
    return " ".join(str(part) for part in parts if part).upper()


def _flagged(reply: str) -> bool:
    # Every warning line starts with ⚠ and no record's text can start a line (render's rule).
    return any(line.lstrip().startswith("⚠") for line in reply.splitlines())


def _outcome(drafts: Sequence[Draft]) -> Outcome:
    """Answered if any subject was; a list to choose from if any was; else what the first got."""
    outcomes = {draft.outcome for draft in drafts}
    for outcome in (Outcome.ANSWERED, Outcome.AMBIGUOUS):
        if outcome in outcomes:
            return outcome
    return drafts[0].outcome


def _unique(records: Sequence[Disclosed]) -> list[Disclosed]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for record in records:
        if (record.kind, record.id) not in seen:
            seen.add((record.kind, record.id))
            kept.append(record)
    return kept


def combine(subjects: Sequence[ParsedQuery], drafts: Sequence[Draft], left_out: int) -> Draft:
    """One draft of the subjects' drafts: numbered sections, warnings counted first, the rest said."""
    count = len(drafts)
    flagged = [n for n, draft in enumerate(drafts, start=1) if _flagged(draft.reply)]
    top = f"{count} checks in one message"
    if flagged:
        top = f"⚠ {top}; warnings in {', '.join(str(n) for n in flagged)}"
    lines = [top + ":"]
    if left_out:
        lines.append(
            f"You asked about {count + left_out}; I answer the first {MAX_SUBJECTS} at a time. "
            f"Send the other {left_out} in another message."
        )
    choices = []
    for n, (subject, draft) in enumerate(zip(subjects, drafts, strict=True), start=1):
        lines.append(f"— {n}. {render.field(title(subject), 80)} —")
        lines.append(draft.reply)
        choices += [replace(choice, label=f"{n}: {choice.label}") for choice in draft.choices]
    return Draft(
        _outcome(drafts),
        "\n".join(lines),
        _unique([record for draft in drafts for record in draft.records]),
        choices,
        more=None,  # one More button cannot say which section it details: ask for that one alone
        counted=_unique([record for draft in drafts for record in draft.counted]),
    )
