"""/stats and /review in Telegram: the figures and a protected PNG chart, the digest, admins only."""

from __future__ import annotations

from handlers.gate import NOT_YOUR_COMMAND
from handlers.review import USAGE
from tests.support.bot import ADMIN, OFFICER, OFFICER_2, BotUnderTest

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
