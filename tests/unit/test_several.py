"""Several subjects in one reply: sections in order, warnings named first, and what does not fit one
Telegram message left out whole and said, never cut off mid-section or disclosed unseen."""

from __future__ import annotations

from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st

from knowledge.answers.disclosure import Choice, Disclosed, Draft
from knowledge.answers.several import combine
from knowledge.matching.clean import utf16_length
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.intents import Intent
from knowledge.understanding.parse import ParsedQuery


def _subject(n: int) -> ParsedQuery:
    return ParsedQuery(Intent.VEHICLE_CHECK, MappingProxyType({"vrm": f"AB{n:02d}CDE"}))


def _draft(n: int, lines: int, flagged: bool = False) -> Draft:
    reply = "\n".join(
        [*(["⚠ REPORTED STOLEN"] if flagged else []), *[f"Vehicle line {k} " * 4 for k in range(lines)]]
    )
    vehicle = Disclosed(RecordKind.VEHICLE, f"AB{n:02d}CDE")
    return Draft(Outcome.ANSWERED, reply, [vehicle], [Choice("pick", RecordKind.VEHICLE, vehicle.id)])


def test_sections_keep_the_order_asked_and_the_top_line_names_those_with_warnings() -> None:
    combined = combine(
        [_subject(1), _subject(2), _subject(3)], [_draft(1, 2), _draft(2, 2, True), _draft(3, 1)], 0
    )
    lines = combined.reply.splitlines()
    assert lines[0] == "⚠ 3 checks in one message; warnings in 2:"
    assert [line for line in lines if line.startswith("— ")] == [
        "— 1. AB01CDE —",
        "— 2. AB02CDE —",
        "— 3. AB03CDE —",
    ]
    assert [r.id for r in combined.records] == ["AB01CDE", "AB02CDE", "AB03CDE"]
    assert [c.label for c in combined.choices] == ["1: pick", "2: pick", "3: pick"]
    assert not combined.followable and combined.more is None  # one Follow or More could not say which


def test_sections_that_would_not_fit_one_message_are_left_out_whole_and_counted() -> None:
    drafts = [_draft(n, 20, flagged=n == 5) for n in range(1, 6)]  # about 1,200 characters each
    combined = combine([_subject(n) for n in range(1, 6)], drafts, 2)
    kept = [line for line in combined.reply.splitlines() if line.startswith("— ")]
    assert 1 <= len(kept) < 5
    assert (
        f"You asked about 7; this answers the first {len(kept)}. Send the other {7 - len(kept)} again."
        in (combined.reply.splitlines())
    )
    assert [r.id for r in combined.records] == [f"AB{n:02d}CDE" for n in range(1, len(kept) + 1)]
    assert "AB05CDE" not in combined.reply and not combined.reply.startswith("⚠")


@given(st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=2, max_size=5))
def test_a_combined_reply_always_fits_one_telegram_message(sizes: list[tuple[int, bool]]) -> None:
    drafts = [_draft(n, lines, flagged) for n, (lines, flagged) in enumerate(sizes, start=1)]
    combined = combine([_subject(n) for n in range(1, len(sizes) + 1)], drafts, 0)
    shown = [line for line in combined.reply.splitlines() if line.startswith("— ")]
    assert utf16_length(combined.reply) <= 4096 or len(shown) == 1
    assert len(combined.records) == len(shown)
