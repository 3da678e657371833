"""Record ids as an import may write them, and as the audit log lists them: always one token.

The grammar, for persons, addresses, incident and warrant references and every reference to them:
1 to N ASCII letters, digits and the separators `-` `_` `.` `/`, the first a letter or digit, where N
is the column's length (32 for person and address ids, 40 for incident and warrant references).
So no spaces, commas, semicolons or colons (the import's lists and the audit's list of ids use
them as separators), no control or direction characters, and nothing outside ASCII: look-alike
letters would make two ids that read the same, and a Telegram button holds 64 bytes, not
64 characters. A vehicle's id is its registration mark, which must be a UK one (`knowledge/vrm.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote

from knowledge.matching.vrm import normalise_vrm

__all__ = ["audit_token", "id_matcher", "id_problem", "vrm_problem"]

_ID_RULE = "use letters, digits and - _ . / only, starting with a letter or digit"


@lru_cache
def id_matcher(limit: int) -> Callable[[str], object]:
    """A test, true for an id of at most `limit` characters: one regular expression, at C speed."""
    # The classes are ASCII, so no look-alike letter from another script matches them.
    return re.compile(rf"[A-Za-z0-9][A-Za-z0-9._/-]{{0,{limit - 1}}}").fullmatch


def id_problem(value: str, column: str, limit: int) -> str | None:
    """Why `value` is not an id of at most `limit` characters, as a reason for `file:line: reason`."""
    if id_matcher(limit)(value):
        return None
    if not value:
        return f"{column} is empty"
    if len(value) > limit:
        return f"{column} is longer than {limit} characters"
    return f"{column} {value!r} is not a valid id: {_ID_RULE}"


def vrm_problem(value: str, column: str) -> str | None:
    """Why a compacted registration mark is not one a vehicle may be recorded under."""
    if not value:
        return f"{column} is empty"
    if normalise_vrm(value) is None:
        return f"{column} {value!r} is not a UK registration mark (such as AB12CDE)"
    return None


def audit_token(record_id: str) -> str:
    """The id as one space-free token: an id that fits the grammar is unchanged; any other (written
    to the database by another path) is percent-encoded, so the audit log can never split it."""
    return quote(record_id, safe="/")
