"""BEATLINE_REPLY_TTL_SECONDS: eight hours unless set, 0 keeps replies, nothing Telegram could not delete."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError


def test_replies_vanish_after_eight_hours_unless_set() -> None:
    assert Settings.from_env({}).reply_ttl_seconds == 28_800
    assert Settings.from_env({"BEATLINE_REPLY_TTL_SECONDS": "0"}).reply_ttl_seconds == 0
    assert Settings.from_env({"BEATLINE_REPLY_TTL_SECONDS": "169200"}).reply_ttl_seconds == 169_200


def test_a_ttl_past_telegrams_48_hours_is_refused_with_the_reason() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"BEATLINE_REPLY_TTL_SECONDS": "169201"})
    assert str(refused.value) == (
        "BEATLINE_REPLY_TTL_SECONDS must be at most 169200 (47 hours), because Telegram lets a bot delete "
        "a message only in its first 48 hours; 0 keeps replies. Not 169201."
    )


@pytest.mark.parametrize("value", ["-1", "8h", "1.5", "<b>1</b>", " "])
def test_an_unusable_ttl_is_one_sentence(value: str) -> None:
    with pytest.raises(SettingsError, match=r"^BEATLINE_REPLY_TTL_SECONDS must be a whole number, 0 or more"):
        Settings.from_env({"BEATLINE_REPLY_TTL_SECONDS": value})
