"""clean_text: the one cleaning step every officer message goes through; and length as Telegram counts it."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from knowledge.matching.clean import clean_text, utf16_length


def test_zero_width_and_bidi_controls_are_removed() -> None:
    assert clean_text("jo\u200bn sm\u202eyth\u2066\ufeff") == "jon smyth"


def test_control_characters_are_dropped_but_tabs_and_newlines_become_spaces() -> None:
    assert clean_text("jon\tsmyth\r\ndob\x00 3/4/85\x07") == "jon smyth dob 3/4/85"


def test_whitespace_is_collapsed_and_stripped() -> None:
    assert clean_text("   any   warnings \u00a0 on  jon  ") == "any warnings on jon"


def test_compatibility_forms_are_normalised() -> None:
    assert clean_text("ＡＢ１２ ＣＤＥ") == "AB12 CDE"


def test_accents_survive_and_are_composed() -> None:
    assert clean_text("jose\u0301") == "josé"


def test_long_messages_are_truncated() -> None:
    assert len(clean_text("a" * 10_000)) == 500
    assert clean_text("abc def", max_chars=4) == "abc"


def test_non_string_input_is_cleaned_to_nothing() -> None:
    assert clean_text(None) == ""  # type: ignore[arg-type]


@given(st.text(), st.integers(min_value=0, max_value=600))
def test_clean_text_is_idempotent_and_bounded(text: str, limit: int) -> None:
    cleaned = clean_text(text, limit)
    assert len(cleaned) <= limit
    assert clean_text(cleaned, limit) == cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


@given(st.text())
def test_clean_text_keeps_no_invisible_characters(text: str) -> None:
    assert all(unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in clean_text(text))


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)), st.integers(0, 600))
def test_plain_ascii_takes_the_short_way_to_the_same_result(text: str, limit: int) -> None:
    # A zero-width space is dropped by the full cleaning, and sends the text the long way round.
    assert clean_text(text, limit) == clean_text(text + "\u200b", limit)


def test_length_counts_utf16_units_as_telegram_does() -> None:
    assert utf16_length("AB12 CDE") == 8
    assert utf16_length("👮 é") == 4  # an emoji outside the BMP is two units, é one
