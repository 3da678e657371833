"""Why an officer checks: the force's reason codes, data in the `reason_codes` table.

Migration 0008 seeds the contract's default set; a force adds codes or relabels them with
`beatline reasons set CODE LABEL`. The codes are read when they are needed (a code to check, a list to
offer), not cached: the read is a few rows (docs/benchmarks.md, "Reason codes"), and so a change made
in one process holds at once in every other. The audit entry stores the code in upper case.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.errors import BeatlineError
from knowledge.matching.clean import clean_text
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import ReasonCode
from knowledge.store.vocabulary import Outcome

__all__ = ["CODE", "DEFAULT_REASONS", "Reasons", "check_code", "codes_sentence", "reason_codes", "set_reason"]

Reasons = dict[str, str]  # code -> label, in the force's order

DEFAULT_REASONS: Reasons = {  # what migration 0008 seeds; the table is the truth after that
    "STOP": "stop and account / stop and search",
    "ARREST": "arrest or detention",
    "INV": "investigation",
    "WELFARE": "welfare or safeguarding",
    "RTC": "road traffic",
    "INTEL": "intelligence",
    "TRAINING": "training (synthetic records only)",
}
CODE = re.compile(r"[A-Z][A-Z0-9_]{1,15}")  # fits the audit's column and a button's 64 bytes
_LABEL_CHARS = 120


async def reason_codes(db: Database | AsyncSession) -> Reasons:
    """The force's reason codes and their labels, in order."""
    stmt = select(ReasonCode.code, ReasonCode.label).order_by(ReasonCode.position, ReasonCode.code)
    if isinstance(db, AsyncSession):
        return {code: label for code, label in await db.execute(stmt)}
    async with db.reads() as session:
        return {code: label for code, label in await session.execute(stmt)}


def codes_sentence(known: Reasons) -> str:
    return ", ".join(f"{code} ({label})" for code, label in known.items())


def check_code(text: str, known: Reasons) -> str:
    """The code `text` names, in upper case ('' for none given); BeatlineError listing the codes otherwise."""
    code = text.strip().upper()
    if code and code not in known:
        named = clean_text(text, 24)
        raise BeatlineError(f"'{named}' is not a reason code. Use one of: {codes_sentence(known)}.")
    return code


async def set_reason(db: Database, code: str, label: str, *, by: Caller) -> bool:
    """Add the code, or give it a new label; audited in the same transaction. True if it is new."""
    code = code.strip().upper()
    if not CODE.fullmatch(code):
        raise BeatlineError(
            f"'{clean_text(code, 24)}' cannot be a reason code: 2 to 16 letters, digits or _, "
            "starting with a letter."
        )
    label = clean_text(label, _LABEL_CHARS + 1)
    if not label or len(label) > _LABEL_CHARS:
        raise BeatlineError(f"A reason's label must be 1 to {_LABEL_CHARS} characters.")
    async with db.sessions() as session, session.begin():
        row = await session.get(ReasonCode, code)
        if row is None:
            last = await session.scalar(select(func.max(ReasonCode.position)))
            session.add(ReasonCode(code=code, label=label, position=(last or 0) + 1))
        else:
            row.label = label
        outcome = Outcome.CREATED if row is None else Outcome.CHANGED
        await audit.record(session, by, query=f"reason {code}: {label}", intent="reasons", outcome=outcome)
    return row is None
