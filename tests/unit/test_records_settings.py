"""The records settings: where records come from is decided once, from BEATLINE_RECORDS_*."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import records_source
from bot.settings import Settings, SettingsError
from knowledge.records.gateway import Gateway
from knowledge.records.sql_store import SqlStore
from knowledge.store.database import Database


def test_records_settings_are_read_and_the_token_never_prints() -> None:
    settings = Settings.from_env(
        {
            "BEATLINE_RECORDS_URL": "https://records.force.example/api",
            "BEATLINE_RECORDS_TOKEN": "s3cret-token",
            "BEATLINE_RECORDS_TIMEOUT": "1.5",
            "BEATLINE_RECORDS_CERT": "/etc/beatline/client.pem",
            "BEATLINE_RECORDS_KEY": "/etc/beatline/client.key",
            "BEATLINE_RECORDS_CA": "/etc/beatline/force-ca.pem",
        }
    )
    assert settings.records_url == "https://records.force.example/api"
    assert settings.records_token.reveal() == "s3cret-token" and "s3cret" not in repr(settings)
    assert settings.records_timeout == 1.5
    files = (settings.records_cert, settings.records_key, settings.records_ca)
    assert files == tuple(Path(f"/etc/beatline/{f}") for f in ("client.pem", "client.key", "force-ca.pem"))
    defaults = Settings.from_env({})
    assert (defaults.records_url, defaults.records_timeout, bool(defaults.records_token)) == (
        None,
        3.0,
        False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BEATLINE_RECORDS_URL", "records.force.example"),
        ("BEATLINE_RECORDS_URL", "file:///etc/passwd"),
        ("BEATLINE_RECORDS_TIMEOUT", "0"),
        ("BEATLINE_RECORDS_TIMEOUT", "soon"),
        ("BEATLINE_RECORDS_TIMEOUT", "inf"),
    ],
)
def test_an_unusable_records_setting_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


async def test_the_records_are_the_databases_unless_a_records_url_is_set(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'beatline.db'}")
    assert isinstance(records_source(Settings(), db), SqlStore)
    gateway = records_source(Settings(records_url="http://127.0.0.1:1"), db)
    assert isinstance(gateway, Gateway)
    await gateway.close()
    await db.dispose()
