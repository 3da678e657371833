"""Who gets in, through the real bot: strangers are throttled."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from handlers.gate import stranger_refusal
from knowledge.models import RateEvent
from knowledge.ratelimit import STRANGER_REFUSALS
from tests.e2e.conftest import ADMIN, STRANGER, BotUnderTest


async def _counted(bot: BotUnderTest, telegram_id: int) -> int:
    async with bot.db.reads() as session:
        counted = select(func.count()).where(RateEvent.telegram_id == telegram_id)
        return int(await session.scalar(counted) or 0)


async def test_a_flooding_stranger_gets_a_few_replies_and_one_audit_entry_for_the_burst(
    bot: BotUnderTest,
) -> None:
    flood = 40
    for number in range(flood):
        assert await bot.post(bot.fake.text_message(STRANGER, f"check plate AB{number:02d}CDE")) == 200
    # Each message is counted before it is answered or ignored; a bot that answers them all shows it
    # by its replies first.
    for _ in range(1000):
        if len(bot.sent(STRANGER)) > STRANGER_REFUSALS or await _counted(bot, STRANGER) == flood:
            break
        await asyncio.sleep(0.01)
    await bot.fake.wait_for(lambda f: len(bot.sent(STRANGER)) >= STRANGER_REFUSALS)
    entries = await bot.audited(STRANGER_REFUSALS + 1, STRANGER)
    replies = [m["text"] for m in bot.sent(STRANGER)]
    assert replies == [stranger_refusal(STRANGER)] * STRANGER_REFUSALS
    assert [e.outcome for e in entries] == ["denied"] * STRANGER_REFUSALS + ["rate_limited"]
    assert all(e.record_ids == "" for e in entries)
    # Enrolled, they start afresh: the strangers' count is not their query count.
    await bot.say(ADMIN, f"/allow {STRANGER} officer")
    assert (await bot.say(STRANGER, "check plate QX12ABC"))["text"].startswith("QX12ABC")
