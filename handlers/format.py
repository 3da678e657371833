"""The one place that turns plain text into Telegram HTML.

Every reply is sent with parse_mode HTML, so every character an officer, a record or an exception could
have put into the text is escaped here, once. Record text never becomes markup, whatever it contains.
"""

from __future__ import annotations

import html as _html

from knowledge.matching.clean import utf16_length as length

__all__ = ["MAX_MESSAGE", "html"]

MAX_MESSAGE = 4096  # Telegram's limit, counted in UTF-16 code units after entities are parsed
_CUT = "\n… (cut short: ask for less at a time)"


def html(text: str) -> str:
    """Plain text as HTML that shows exactly that text, cut to fit one message."""
    if length(text) <= MAX_MESSAGE:
        return _html.escape(text, quote=False)
    # Cut the plain text, never the escaped text: a cut entity would break the whole message.
    keep = MAX_MESSAGE - length(_CUT)
    while length(text[:keep]) > MAX_MESSAGE - length(_CUT):
        keep -= 1
    return _html.escape(text[:keep] + _CUT, quote=False)
