"""Settings come from the environment once; a value that cannot be used is one sentence, not a traceback."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.settings import Settings, SettingsError


def test_defaults_and_values() -> None:
    assert Settings.from_env({}).send_rate == 30 and Settings.from_env({}).rate_limit == 30
    assert Settings.from_env({"BEATLINE_BOT_API_TIMEOUT": "2.5"}).bot_api_timeout == 2.5
    assert Settings.from_env({}).db_timeout == 5
    assert Settings.from_env({"BEATLINE_DB_TIMEOUT": "0.5"}).db_timeout == 0.5
    settings = Settings.from_env({"BEATLINE_SEND_RATE": "0", "BEATLINE_RATE_LIMIT": "5", "PORT": "9000"})
    assert (settings.send_rate, settings.rate_limit, settings.port) == (0, 5, 9000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BEATLINE_SEND_RATE", "fast"),
        ("BEATLINE_RATE_LIMIT", "1.5"),
        ("PORT", "-1"),
        ("BEATLINE_SEND_RATE", "-3"),
        ("BEATLINE_SEND_RATE", "nan"),
        ("BEATLINE_BOT_API_TIMEOUT", "0"),
        ("BEATLINE_BOT_API_TIMEOUT", "inf"),
        ("BEATLINE_DB_TIMEOUT", "0"),
        ("BEATLINE_DB_TIMEOUT", "soon"),
        ("BEATLINE_LOG_LEVEL", "loud"),
        ("BEATLINE_AUDIT_KEY", "0123456789abcdef"),
    ],
)
def test_an_unusable_value_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_the_cli_says_so_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("BEATLINE_SEND_RATE", "fast")
    assert main(["users", "list"]) == 2
    err = capsys.readouterr().err
    assert err == "beatline: BEATLINE_SEND_RATE must be a number, 0 or more, not 'fast'.\n"
    monkeypatch.setenv("BEATLINE_SEND_RATE", "30")
    monkeypatch.setenv("BEATLINE_LOG_LEVEL", "loud")
    assert main(["users", "list"]) == 2 and "BEATLINE_LOG_LEVEL" in capsys.readouterr().err
