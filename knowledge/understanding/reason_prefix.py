"""A reason given in the message itself: `stop: check plate ab12cde` is the check, made for STOP.

Pure: it finds what looks like a code and a colon at the start. Whether that word is one of the force's
codes is for the caller to say (the codes are data); a word that is not stays part of the question.
"""

from __future__ import annotations

import re

__all__ = ["leading_code"]

# Letters first, then letters, digits or _, as reason codes are written; spaces, zero-width and
# direction marks before it are no disguise. Only `CODE:` counts: `STOP -` could be part of a name.
_INVISIBLE = r"\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_PREFIX = re.compile(rf"[{_INVISIBLE}]*([A-Za-z][A-Za-z0-9_]{{1,15}})[ \t]*:(.*)", re.DOTALL)


def leading_code(text: str) -> tuple[str, str] | None:
    """The upper-cased word before a leading colon and the rest of the text, or None."""
    found = _PREFIX.match(text)
    if found is None:
        return None
    return found.group(1).upper(), found.group(2).strip()
