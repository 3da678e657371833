"""What Telegram refuses, and the error shape it answers with: HTML parse_mode, text length, button data."""

from __future__ import annotations

import html
import re
from typing import Any

JSONDict = dict[str, Any]

# fmt: off
_HTML_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span", "tg-spoiler",
    "tg-emoji", "blockquote",
})
# fmt: on
_HTML_TOKEN = re.compile(r"<(/?)([^\s>/]*)[^>]*>?|&(?:#\d+|#x[0-9a-f]+|lt|gt|amp|quot);", re.I)
MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
MAX_CALLBACK_DATA_BYTES = 64


class ApiError(Exception):
    """An answer in Telegram's error shape."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def body(self) -> JSONDict:
        """The JSON Telegram sends with this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def _unparsable(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def utf16_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """Check text the way Telegram's HTML parse_mode does; return what the recipient reads."""
    plain, open_tags, pos = [], [], 0
    for token in _HTML_TOKEN.finditer(text):
        plain.append(text[pos : token.start()])
        pos = token.end()
        closing, tag = token.group(1), token.group(2)
        offset = len(text[: token.start()].encode())
        if tag is None:
            plain.append(html.unescape(token.group(0)))
        elif not token.group(0).endswith(">"):
            raise _unparsable(f"Unclosed start tag at byte offset {offset}")
        elif closing:
            if not open_tags or open_tags[-1] != tag.lower():
                raise _unparsable(f"Unmatched end tag at byte offset {offset}")
            open_tags.pop()
        elif tag.lower() in _HTML_TAGS:
            open_tags.append(tag.lower())
        else:
            raise _unparsable(f'Unsupported start tag "{tag}" at byte offset {offset}')
    if open_tags:
        raise _unparsable(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(plain) + text[pos:]


def text_content(params: JSONDict) -> JSONDict:
    """The text and keyboard of a sendMessage or editMessageText, checked as Telegram checks them."""
    text = params.get("text", "")
    if (params.get("parse_mode") or "").upper() == "HTML":
        text = parse_html(text)
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_length(text) > MAX_TEXT_UTF16:
        raise bad_request("message is too long")
    return {"text": text, **markup_content(params)}


def markup_content(params: JSONDict) -> JSONDict:
    """The inline keyboard of a call, checked: callback_data is at most 64 bytes."""
    markup = params.get("reply_markup") or {}
    buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
    if any(len(b.get("callback_data", "").encode()) > MAX_CALLBACK_DATA_BYTES for b in buttons):
        raise bad_request("BUTTON_DATA_INVALID")
    # A Message carries only an inline keyboard; reply keyboards are not echoed back.
    return {"reply_markup": markup} if "inline_keyboard" in markup else {}
