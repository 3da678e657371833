"""/stats and /review in Telegram: the figures and a protected PNG chart, the digest, admins only."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from handlers.gate import NOT_YOUR_COMMAND
from handlers.review import USAGE
from knowledge.answers.dispatch import answer
from knowledge.review.read import read_review
from knowledge.review.schedule import ReviewAt
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import Schedule
from tests.e2e.test_unlock_bot import authenticator_of, fresh, send_code
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


@pytest.mark.settings(step_up="totp")
async def test_the_review_reads_shifts_from_real_unlocks_and_locks(bot: BotUnderTest) -> None:
    for user in (OFFICER, ADMIN):
        otp = await authenticator_of(bot, user)
        await send_code(bot, user, f"/unlock {await fresh(otp)}")
    assert "Vehicle QX12ABC" in (await bot.say(OFFICER, "check plate qx12 abc"))["text"]  # in the shift
    await bot.say(OFFICER, "/lock")
    # A check that reached the answers without passing the gate (another tool, an older process):
    # after the lock, so outside the shift.
    caller = Caller(actor=f"tg:{OFFICER}", role="officer", channel="cli", telegram_user_id=OFFICER)
    assert (await answer(bot.db, caller, "check plate qx12 abc", reason="STOP")).outcome == "answered"
    report = {u.telegram_id: u for u in (await read_review(bot.db, step_up=True)).users}
    assert (report[OFFICER].checks, report[OFFICER].outside_shift) == (2, 1)
    digest = await bot.say(ADMIN, "/review")
    assert (
        f"Telegram id {OFFICER}, team north): 2 checks" in digest["text"]
        and "1 outside shifts" in digest["text"]
    )
