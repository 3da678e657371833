"""The shift unlock's pure rules: what a code looks like, its settings and defaults, the derived key."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.settings import Settings, SettingsError
from knowledge.access.authenticator import Provisioning, open_secret, seal_secret
from knowledge.access.step_up import BadCode, read_code
from knowledge.store.audit_key import AuditKey


def test_six_ascii_digits_are_a_code() -> None:
    assert read_code(["012345"]) == "012345"


REFUSALS = [
    ([], "Send /unlock and the 6-digit code your authenticator app shows, e.g. /unlock 123456."),
    (["123", "456"], "Send the 6 digits together, without spaces, e.g. /unlock 123456."),
    (["123456", "please"], "Send /unlock and only the 6-digit code, e.g. /unlock 123456."),
    (["12a456"], "A code is 6 digits (0 to 9) only, as your authenticator app shows it."),
    (["١٢٣٤٥٦"], "A code is 6 digits (0 to 9) only, as your authenticator app shows it."),
    (["１２３４５６"], "A code is 6 digits (0 to 9) only, as your authenticator app shows it."),
    (["<b>123456</b>"], "A code is 6 digits (0 to 9) only, as your authenticator app shows it."),
    (["12345"], "A code is exactly 6 digits; that was 5."),
    (["1234567"], "A code is exactly 6 digits; that was 7."),
    (["9" * 10_000], "A code is exactly 6 digits; that was 99."),
]


@pytest.mark.parametrize(("words", "said"), REFUSALS)
def test_anything_else_is_one_clear_sentence(words: list[str], said: str) -> None:
    with pytest.raises(BadCode) as refused:
        read_code(words)
    assert str(refused.value) == said


@given(st.lists(st.text(max_size=40), max_size=4))
def test_reading_a_code_never_echoes_what_was_sent(words: list[str]) -> None:
    try:
        code = read_code(words)
    except BadCode as refused:
        # One of a few fixed sentences, or the count of digits: never any of what was sent.
        fixed = {said for _, said in REFUSALS if "that was" not in said}
        assert str(refused) in fixed or re.fullmatch(
            r"A code is exactly 6 digits; that was \d{1,2}\.", str(refused)
        )
    else:
        assert len(code) == 6 and code.isascii() and code.isdigit()


def test_step_up_is_on_for_the_bot_and_off_for_scripts_unless_set() -> None:
    unset = Settings.from_env({})
    assert unset.step_up_policy(bot=True).on and not unset.step_up_policy(bot=False).on
    on = Settings.from_env({"BEATLINE_STEP_UP": "TOTP"})
    assert on.step_up_policy(bot=True).on and on.step_up_policy(bot=False).on
    off = Settings.from_env({"BEATLINE_STEP_UP": "off"})
    assert not off.step_up_policy(bot=True).on and not off.step_up_policy(bot=False).on


def test_unlock_hours_and_idle_seconds() -> None:
    policy = Settings.from_env({}).step_up_policy(bot=True)
    assert (policy.unlock_for, policy.idle_after) == (dt.timedelta(hours=12), dt.timedelta(seconds=1800))
    env = {"BEATLINE_UNLOCK_HOURS": "8.5", "BEATLINE_IDLE_LOCK_SECONDS": "600"}
    policy = Settings.from_env(env).step_up_policy(bot=True)
    assert (policy.unlock_for, policy.idle_after) == (dt.timedelta(hours=8.5), dt.timedelta(seconds=600))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BEATLINE_STEP_UP", "sms"),
        ("BEATLINE_STEP_UP", "on"),
        ("BEATLINE_UNLOCK_HOURS", "0"),
        ("BEATLINE_UNLOCK_HOURS", "a day"),
        ("BEATLINE_IDLE_LOCK_SECONDS", "0"),
        ("BEATLINE_IDLE_LOCK_SECONDS", "1.5"),
    ],
)
def test_unusable_step_up_settings_are_refused_in_a_sentence(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_derived_keys_differ_by_purpose_and_key_and_hold_still() -> None:
    key = AuditKey.generate()
    assert key.derive("a") == key.derive("a") and len(key.derive("a")) == 32
    assert key.derive("a") != key.derive("b") != AuditKey.generate().derive("b")
    assert key.reveal() not in key.derive("a").hex()


def test_a_sealed_secret_opens_only_with_its_key_and_for_its_user() -> None:
    key = AuditKey.generate()
    sealed = seal_secret(key, 7, "JBSWY3DPEHPK3PXP")
    assert b"JBSWY3DPEHPK3PXP" not in sealed and sealed != seal_secret(key, 7, "JBSWY3DPEHPK3PXP")
    assert open_secret(key, 7, sealed) == "JBSWY3DPEHPK3PXP"
    assert open_secret(key, 8, sealed) is None
    assert open_secret(AuditKey.generate(), 7, sealed) is None
    assert open_secret(key, 7, sealed[:-1] + bytes([sealed[-1] ^ 1])) is None
    assert open_secret(key, 7, b"short") is None


def test_a_provisioning_never_prints_its_secret() -> None:
    issued = Provisioning("otpauth://totp/Beatline:5?secret=JBSWY3DPEHPK3PXP&issuer=Beatline")
    assert "JBSWY3DPEHPK3PXP" not in repr(issued) and "JBSWY3DPEHPK3PXP" not in str(issued)
    assert "JBSWY3DPEHPK3PXP" not in f"{issued!r} {[issued]}"
