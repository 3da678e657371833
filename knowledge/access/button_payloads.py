"""What a button asks for, as the short payload that buttons.py signs: one codec per kind of button.

The payloads are the wire format of buttons already sitting in officers' chats, so they never change:
`r` + `o` (open) or `m` (more) + a kind letter + `:` + the record id for a record; `b` + an action
letter + the briefing id for a briefing; `q` + a held question's id + `:` + a reason code for a
reason; `f` + a kind letter + `:` + the record id to follow a record; `ln` + how many of a shortlist
were shown, for its next page. A payload that does not decode
is refused as "invalid", as a tampered one is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from knowledge.access.buttons import ButtonRefused
from knowledge.access.reasons import CODE

__all__ = ["BriefingButton", "FollowButton", "PageButton", "ReasonButton", "RecordButton"]

_KIND_LETTERS = {"person": "p", "vehicle": "v", "address": "a", "incident": "i", "warrant": "w"}
_KINDS = {letter: kind for kind, letter in _KIND_LETTERS.items()}


@dataclass(frozen=True)
class RecordButton:
    """Open a shortlisted record, or (detail) show more of one."""

    kind: str  # person, vehicle, address, incident or warrant
    record_id: str
    detail: bool = False

    PATTERN: ClassVar[str] = r"^r[om][pvaiw]:"  # what a handler matches before checking the signature

    def encode(self) -> str:
        return f"r{'m' if self.detail else 'o'}{_KIND_LETTERS[self.kind]}:{self.record_id}"

    @classmethod
    def decode(cls, payload: str) -> RecordButton:
        prefix, colon, record_id = payload[:3], payload[3:4], payload[4:]
        if len(prefix) < 3 or prefix[0] != "r" or prefix[1] not in "om" or colon != ":" or not record_id:
            raise ButtonRefused("invalid")
        if (kind := _KINDS.get(prefix[2])) is None:
            raise ButtonRefused("invalid")
        return cls(kind, record_id, detail=prefix[1] == "m")


@dataclass(frozen=True)
class BriefingButton:
    """An action on a briefing: s(end) or x (cancel) a draft, o(utstanding), r(emind), a(cknowledge)."""

    action: str
    briefing_id: int

    ACTIONS: ClassVar[str] = "sxora"

    def encode(self) -> str:
        return f"b{self.action}{self.briefing_id}"

    @classmethod
    def decode(cls, payload: str) -> BriefingButton:
        action, digits = payload[1:2], payload[2:]
        if payload[:1] != "b" or not action or action not in cls.ACTIONS:
            raise ButtonRefused("invalid")
        if not (digits.isascii() and digits.isdigit()) or digits != str(int(digits)):
            raise ButtonRefused("invalid")  # only what encode() writes: no sign, no leading zero
        return cls(action, int(digits))


@dataclass(frozen=True)
class FollowButton:
    """Follow the person or vehicle an answer showed."""

    kind: str  # person or vehicle
    record_id: str

    PATTERN: ClassVar[str] = r"^f[pv]:"

    def encode(self) -> str:
        return f"f{_KIND_LETTERS[self.kind]}:{self.record_id}"

    @classmethod
    def decode(cls, payload: str) -> FollowButton:
        prefix, colon, record_id = payload[:2], payload[2:3], payload[3:]
        if prefix not in ("fp", "fv") or colon != ":" or not record_id:
            raise ButtonRefused("invalid")
        return cls(_KINDS[prefix[1]], record_id)


@dataclass(frozen=True)
class ReasonButton:
    """The reason tapped for a held question (knowledge/access/pending_questions.py)."""

    question_id: int
    code: str

    PATTERN: ClassVar[str] = r"^q[0-9]+:"

    def encode(self) -> str:
        return f"q{self.question_id}:{self.code}"

    @classmethod
    def decode(cls, payload: str) -> ReasonButton:
        digits, colon, code = payload[1:].partition(":")
        if payload[:1] != "q" or not colon or not code or not (digits.isascii() and digits.isdigit()):
            raise ButtonRefused("invalid")
        if digits != str(int(digits)) or not CODE.fullmatch(code):
            raise ButtonRefused("invalid")  # only what encode() writes
        return cls(int(digits), code)


@dataclass(frozen=True)
class PageButton:
    """The next page of the shortlist it was sent under; `shown` (how far that list had been shown) tells
    a tap on an old list's button from one on the list the officer is paging now."""

    shown: int

    PATTERN: ClassVar[str] = r"^ln\d"

    def encode(self) -> str:
        return f"ln{self.shown}"

    @classmethod
    def decode(cls, payload: str) -> PageButton:
        digits = payload[2:]
        if payload[:2] != "ln" or not (digits.isascii() and digits.isdigit()) or digits != str(int(digits)):
            raise ButtonRefused("invalid")
        return cls(int(digits))
