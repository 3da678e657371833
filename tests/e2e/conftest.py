"""The bot end to end: the real Application, served over our webhook, talking to the fake Bot API.

`bot` runs on a copy of one migrated SQLite file that holds synthetic demo records plus a few known
ones (`KNOWN`, in tests/support/known_records.py); `bot_on` runs the same on each backend of `db_url`.
Updates reach the bot the way Telegram sends them, as HTTP POSTs with the secret header; replies are
read from the fake server (`BotUnderTest`, in tests/support/bot.py).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.bot import BotUnderTest, running_bot
from tests.support.keys import init_db
from tests.support.known_records import fill


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "settings(**overrides): Settings fields for the `bot` fixture")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "beatline.db"
    init_db(f"sqlite:///{path}")
    fill(f"sqlite:///{path}")
    return path


@pytest.fixture
async def bot(
    template_db: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[BotUnderTest]:
    """The bot on SQLite with demo and known records; `@pytest.mark.settings(rate_limit=2)` overrides."""
    path = tmp_path / "beatline.db"
    shutil.copy(template_db, path)
    marker = request.node.get_closest_marker("settings")
    async for running in running_bot(f"sqlite:///{path}", **(marker.kwargs if marker else {})):
        yield running


@pytest.fixture
async def bot_on(db_url: str, request: pytest.FixtureRequest) -> AsyncIterator[BotUnderTest]:
    """The bot on each backend (SQLite and PostgreSQL), with the same records; settings as for `bot`."""
    fill(db_url)
    marker = request.node.get_closest_marker("settings")
    async for running in running_bot(db_url, **(marker.kwargs if marker else {})):
        yield running
