"""Why an officer checks: the reason codes, in the one place every channel reads them from.

The audit entry stores the code in upper case. (A force will be able to extend the set once it
becomes a table, like the marker vocabulary; until then this mapping is the whole vocabulary.)
"""

from __future__ import annotations

from knowledge.errors import BeatlineError
from knowledge.matching.clean import clean_text

__all__ = ["REASONS", "REASON_CODES", "reason_code"]

REASONS: dict[str, str] = {
    "STOP": "stop and account / stop and search",
    "ARREST": "arrest or detention",
    "INV": "investigation",
    "WELFARE": "welfare or safeguarding",
    "RTC": "road traffic",
    "INTEL": "intelligence",
    "TRAINING": "training (synthetic records only)",
}
REASON_CODES: tuple[str, ...] = tuple(REASONS)


def reason_code(text: str) -> str:
    """The code `text` names, in upper case ('' for none given); BeatlineError listing the codes otherwise."""
    code = text.strip().upper()
    if code and code not in REASONS:
        codes = ", ".join(f"{known} ({why})" for known, why in REASONS.items())
        raise BeatlineError(f"'{clean_text(text, 24)}' is not a reason code. Use one of: {codes}.")
    return code
