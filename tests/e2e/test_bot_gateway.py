"""The bot answering from a force's own records system: BEATLINE_RECORDS_URL set, no records in its DB.

The real Application, its webhook and the fake Bot API, with the reference records API serving the
demo and known records from another database: the bot's own database holds users and audit only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.settings import Secret
from knowledge.answers.disclosure import RECORDS_DOWN
from knowledge.store.schema import Person
from tests.support.bot import OFFICER, BotUnderTest, running_bot
from tests.support.keys import init_db
from tests.support.records_api import TOKEN, serving_records


def buttons(message: dict) -> list[dict]:
    return [row[0] for row in message.get("reply_markup", {}).get("inline_keyboard", [])]


@pytest.fixture
async def gateway_bot(template_db: Path, tmp_path: Path) -> AsyncIterator[BotUnderTest]:
    """The bot on an empty database of its own, reading records through the records API."""
    own = f"sqlite:///{tmp_path / 'beatline.db'}"
    init_db(own)
    async with serving_records(f"sqlite:///{template_db}") as api:
        async for running in running_bot(
            own, records_url=api, records_token=Secret(TOKEN), records_timeout=2.0
        ):
            yield running


async def test_the_bot_answers_from_the_records_api_and_audits_in_its_own_database(
    gateway_bot: BotUnderTest,
) -> None:
    async with gateway_bot.db.reads() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0
    reply = await gateway_bot.say(OFFICER, "check plate qx12 abc")
    assert reply["text"].startswith("Vehicle QX12ABC: Red Ford Focus")
    assert "QUIXTABLE, Jonathan" in reply["text"] and reply["protect_content"] is True
    [entry] = await gateway_bot.audit(OFFICER)
    assert (entry.intent, entry.outcome) == ("vehicle_check", "answered")
    assert entry.record_ids.split()[:2] == ["vehicle:QX12ABC", "person:PT01"]


async def test_a_shortlist_button_and_more_are_read_through_the_records_api(
    gateway_bot: BotUnderTest,
) -> None:
    shortlist = await gateway_bot.say(OFFICER, "jonathan quixtable")
    first = next(b for b in buttons(shortlist) if "03/04/1985" in b["text"])
    await gateway_bot.press(OFFICER, shortlist, first["callback_data"])
    opened = await gateway_bot.next_message(OFFICER, 1)
    assert "(PT01)" in opened["text"]
    outcomes = [e.outcome for e in await gateway_bot.audit(OFFICER)]
    assert outcomes == ["ambiguous", "answered"]


async def test_with_the_records_api_gone_the_officer_is_told_in_words_and_it_is_audited(
    tmp_path: Path,
) -> None:
    own = f"sqlite:///{tmp_path / 'beatline.db'}"
    init_db(own)
    async with serving_records(own) as api:
        pass  # it was there; it is gone
    async for bot in running_bot(own, records_url=api, records_token=Secret(TOKEN), records_timeout=1.0):
        reply = await bot.say(OFFICER, "check plate qx12 abc")
        assert reply["text"] == RECORDS_DOWN
        [entry] = await bot.audit(OFFICER)
        assert (entry.outcome, entry.record_ids) == ("error", "")
