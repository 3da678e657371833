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
from knowledge.matching.clean import utf16_length
from knowledge.store.vocabulary import Outcome
from knowledge.understanding.parse import ParsedQuery

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


MESSAGE = 3800  # characters of sections in one reply: Telegram holds 4096, less the lines above them


def _fitting(sections: Sequence[str]) -> int:
    """How many sections, from the first, fit one message; always at least the first."""
    used = 0
    for n, section in enumerate(sections):
        used += utf16_length(section) + 1
        if used > MESSAGE and n:
            return n
    return len(sections)


def combine(subjects: Sequence[ParsedQuery], drafts: Sequence[Draft], left_out: int) -> Draft:
    """One draft of the subjects' drafts: numbered sections, warnings counted first, the rest said.

    Sections that would not fit one message are left out whole, like subjects beyond the fifth: not
    disclosed, and counted in a sentence, never cut off mid-warning.
    """
    sections = [
        f"— {n}. {render.field(title(subject), 80)} —\n{draft.reply}"
        for n, (subject, draft) in enumerate(zip(subjects, drafts, strict=True), start=1)
    ]
    kept = _fitting(sections)
    asked, drafts, left = len(sections) + left_out, drafts[:kept], len(sections) - kept + left_out
    flagged = [n for n, draft in enumerate(drafts, start=1) if _flagged(draft.reply)]
    top = f"{kept} checks in one message"
    if flagged:
        top = f"⚠ {top}; warnings in {', '.join(str(n) for n in flagged)}"
    lines = [top + ":"]
    if left:
        lines.append(f"You asked about {asked}; this answers the first {kept}. Send the other {left} again.")
    lines += sections[:kept]
    choices = [
        replace(choice, label=f"{n}: {choice.label}")
        for n, draft in enumerate(drafts, start=1)
        for choice in draft.choices
    ]
    return Draft(
        _outcome(drafts),
        "\n".join(lines),
        _unique([record for draft in drafts for record in draft.records]),
        choices,
        more=None,  # one More button cannot say which section it details: ask for that one alone
        counted=_unique([record for draft in drafts for record in draft.counted]),
        followable=False,  # nor can one Follow button
    )
