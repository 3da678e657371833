"""A reason typed with the message, its button's payload, and the settings that govern reasons."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.settings import Settings, SettingsError
from knowledge.access.button_payloads import ReasonButton
from knowledge.access.buttons import ButtonRefused, ButtonSigner
from knowledge.understanding.reason_prefix import leading_code


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("stop: check plate ab12cde", ("STOP", "check plate ab12cde")),
        ("STOP:check plate ab12cde", ("STOP", "check plate ab12cde")),
        ("  Inv :  jon smith 3/4/85 ", ("INV", "jon smith 3/4/85")),
        ("\u200b\u202estop: x", ("STOP", "x")),  # invisible characters first are no disguise
        ("welfare:", ("WELFARE", "")),
        ("my_code2: x", ("MY_CODE2", "x")),
        ("stop:\nline two", ("STOP", "line two")),
    ],
)
def test_a_leading_code_and_colon_are_split_off(text: str, found: tuple[str, str]) -> None:
    assert leading_code(text) == found


@pytest.mark.parametrize(
    "text",
    ["check plate ab12cde", "stop - check plate", "stop check plate", "10:30 at the station", ": stop",
     "s: x", "1STOP: x", "st op: x", "a" * 17 + ": x", "", "ＳＴＯＰ: x", "<b>stop</b>: x", "stop\n: x"],
)  # fmt: skip
def test_anything_else_is_no_code(text: str) -> None:
    assert leading_code(text) is None


@given(st.text(max_size=200))
def test_it_never_raises_and_a_code_found_is_upper_case_ascii(text: str) -> None:
    found = leading_code(text)
    if found is not None:
        code, rest = found
        assert code.isascii() and code == code.upper() and 2 <= len(code) <= 16
        assert rest in text


def test_a_reason_button_fits_telegram_and_decodes_to_what_was_encoded() -> None:
    signer = ButtonSigner(b"k" * 32)
    button = ReasonButton(2**31, "A" * 16)  # the largest held id and code
    data = signer.sign(button.encode(), 2**40)
    assert len(data.encode()) <= 64
    assert ReasonButton.decode(signer.verify(data, 2**40)) == button


@pytest.mark.parametrize(
    "payload",
    ["q:STOP", "q12", "q12:", "q012:STOP", "q-1:STOP", "q1:stop", "q１:STOP", "x1:STOP", "q1:ST OP"],
)
def test_a_reason_payload_that_encode_never_writes_is_refused(payload: str) -> None:
    with pytest.raises(ButtonRefused) as refused:
        ReasonButton.decode(payload)
    assert refused.value.reason == "invalid"


def test_reasons_are_required_for_ten_minutes_unless_the_force_says_otherwise() -> None:
    assert (Settings.from_env({}).reasons_required, Settings.from_env({}).reason_minutes) == (True, 10)
    off = Settings.from_env({"BEATLINE_REASONS_REQUIRED": "false", "BEATLINE_REASON_MINUTES": "30"})
    assert off.reason_rule().required is False and off.reason_rule().minutes == 30
    assert Settings.from_env({"BEATLINE_REASONS_REQUIRED": "TRUE"}).reasons_required is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BEATLINE_REASONS_REQUIRED", "maybe"),
        ("BEATLINE_REASON_MINUTES", "0"),
        ("BEATLINE_REASON_MINUTES", "ten"),
        ("BEATLINE_REASON_MINUTES", "1441"),
        ("BEATLINE_REASON_MINUTES", "9" * 30),
    ],
)
def test_an_unusable_reason_setting_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
