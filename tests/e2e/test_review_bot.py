"""/stats and /review in Telegram: the figures and a protected PNG chart, the digest, admins only."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from handlers.gate import NOT_YOUR_COMMAND
from handlers.review import USAGE
from knowledge.review.schedule import ReviewAt
from knowledge.store.database import Database, utc
from knowledge.store.schema import Schedule
from tests.support.bot import ADMIN, OFFICER, OFFICER_2, BotUnderTest, running_bot
from tests.support.keys import AUDIT_KEY

PNG = "89504e470d0a1a0a"


def photos(bot: BotUnderTest, chat_id: int) -> list[dict]:
    return [
        r.params for r in bot.fake.requests
        if r.method == "sendPhoto" and r.http_status == 200 and r.params.get("chat_id") == chat_id
    ]  # fmt: skip


async def test_stats_show_the_figures_and_a_protected_chart(bot_on: BotUnderTest) -> None:
    bot = bot_on
    await bot.say(OFFICER, "check plate qx12 abc")
    await bot.say(OFFICER_2, "jonathan quixtable 3/4/85")
    figures = await bot.say(ADMIN, "/stats 3")
    text = figures["text"]
    assert "(London days): 2" in text and "Per team: north 2" in text
    assert f"Telegram id {OFFICER}" in text and "p50 " in text and figures["protect_content"] is True
    [photo] = await bot.fake.wait_for(lambda f: photos(bot, ADMIN))
    assert photo["photo"]["magic"] == PNG and photo["protect_content"] is True
    [entry] = [e for e in await bot.audit(ADMIN) if e.intent == "stats"]
    assert set(entry.record_ids.split()) == {f"user:{OFFICER}", f"user:{OFFICER_2}"}


async def test_stats_refuse_officers_and_silly_days(bot: BotUnderTest) -> None:
    assert (await bot.say(OFFICER, "/stats"))["text"] == NOT_YOUR_COMMAND
    for days in ("0", "abc", "9" * 400, "١٢"):  # the last: Arabic-Indic digits
        assert (await bot.say(ADMIN, f"/stats {days}"))["text"] == USAGE
    assert photos(bot, ADMIN) == [] and photos(bot, OFFICER) == []


async def test_review_sends_the_digest_of_who_to_look_into(bot: BotUnderTest) -> None:
    await bot.say(OFFICER, "/allow 1 admin")  # refused: a denial to review
    digest = await bot.say(ADMIN, "/review")
    assert digest["text"].startswith("Review ") and digest["protect_content"] is True
    assert f"Telegram id {OFFICER}, team north): 0 checks, 1 denials" in digest["text"]
    assert (await bot.say(OFFICER, "/review"))["text"] == NOT_YOUR_COMMAND
    [entry] = [e for e in await bot.audit(ADMIN) if e.intent == "review"]
    assert entry.record_ids == f"user:{OFFICER}"


async def test_a_due_weekly_digest_reaches_the_admin_when_the_bot_starts(
    template_db: Path, tmp_path: Path
) -> None:
    """A run that fell due while the bot was down goes out once it is back, and the next is a week on."""
    path = tmp_path / "beatline.db"
    shutil.copy(template_db, path)
    url = f"sqlite:///{path}"
    when = ReviewAt(0, dt.time(7, 0))
    db = Database(url, audit_key=AUDIT_KEY)
    async with db.sessions() as session, session.begin():
        session.add(
            Schedule(name="review", spec=str(when), next_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
        )
    await db.dispose()
    async for bot in running_bot(url, review_at=when):
        digest = await bot.next_message(ADMIN, 0)
        assert (
            digest["text"].startswith("Weekly review digest.\nReview ") and digest["protect_content"] is True
        )
        [entry] = [e for e in await bot.audit(ADMIN) if e.intent == "review"]
        assert entry.channel == "review"
        async with bot.db.reads() as session:
            row = await session.get(Schedule, "review")
        assert row is not None and utc(row.next_at) > dt.datetime.now(dt.UTC)
        assert bot.sent(OFFICER) == []  # admins only
