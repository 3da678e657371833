"""The fake Bot API server drives the real PTB Application over HTTP, as Telegram would."""

import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fake_bot_api import FakeBotAPI

OFFICER = 1001


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


def builder(fake: FakeBotAPI, token: str | None = None) -> ApplicationBuilder:
    return (
        ApplicationBuilder()
        .token(token or fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"You said: {update.effective_message.text}")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        "Welcome",
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("Acknowledge", callback_data="ack:1")
        ),
    )


async def acknowledge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("Noted")
    await update.callback_query.edit_message_text("Acknowledged")


def echo_app(fake: FakeBotAPI, app_builder: ApplicationBuilder | None = None) -> Application:
    app = (app_builder or builder(fake)).build()
    app.add_handlers(
        [
            CommandHandler("start", start),
            CallbackQueryHandler(acknowledge),
            MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
        ]
    )
    return app


@contextlib.asynccontextmanager
async def polling(app: Application, long_poll: int = 1) -> AsyncIterator[Application]:
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=long_poll)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_bot_replies_to_a_text_message_over_long_polling(fake: FakeBotAPI) -> None:
    async with polling(echo_app(fake)):
        fake.push_update(fake.text_message(OFFICER, "PNC check Jon Smyth"))
        [reply] = await fake.wait_for(lambda f: f.messages_to(OFFICER))
    assert reply["text"] == "You said: PNC check Jon Smyth"
    assert reply["chat_id"] == OFFICER
    assert fake.delivered[OFFICER] == 1


async def test_a_pushed_update_ends_the_long_poll_at_once(fake: FakeBotAPI) -> None:
    async with polling(echo_app(fake), long_poll=10):
        await fake.wait_for(lambda f: f.calls("getUpdates"))
        pushed = time.monotonic()
        fake.push_update(fake.text_message(OFFICER, "hello"))
        await fake.wait_for(lambda f: f.messages_to(OFFICER))
        assert time.monotonic() - pushed < 3  # far inside the 10 s poll


async def test_button_tap_is_answered_and_the_message_edited(fake: FakeBotAPI) -> None:
    async with polling(echo_app(fake)):
        fake.push_update(fake.text_message(OFFICER, "/start"))
        [welcome] = await fake.wait_for(lambda f: f.bot_messages(OFFICER))
        assert welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ack:1"
        fake.push_update(fake.callback_query(OFFICER, welcome, "ack:1"))
        await fake.wait_for(lambda f: len(f.messages_to(OFFICER)) == 2)
    [answer] = fake.calls("answerCallbackQuery")
    assert answer["text"] == "Noted"
    [shown] = fake.bot_messages(OFFICER)
    assert shown["text"] == "Acknowledged"
    assert "reply_markup" not in shown  # an edit without a keyboard removes it


async def test_flood_error_is_retried_by_the_rate_limiter_and_delivered_once(fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1)
    async with polling(echo_app(fake, builder(fake).rate_limiter(AIORateLimiter(max_retries=3)))):
        fake.push_update(fake.text_message(OFFICER, "anyone there?"))
        await fake.wait_for(lambda f: f.delivered[OFFICER])
    assert [r.http_status for r in fake.requests if r.method == "sendMessage"] == [429, 200]
    assert len(fake.messages_to(OFFICER)) == 1


async def test_webhook_delivers_updates_with_the_secret_header(fake: FakeBotAPI) -> None:
    app = echo_app(fake, builder(fake).updater(None))

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
            return web.Response(status=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response()

    web_app = web.Application()
    web_app.router.add_post("/telegram", receive)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
    try:
        async with app:
            await app.start()
            await app.bot.set_webhook(url, secret_token="s3cret")
            assert await fake.post_to_webhook(fake.text_message(OFFICER, "ping")) == 200
            assert await fake.post_to_webhook(fake.text_message(OFFICER, "spoof"), secret="") == 403
            [reply] = await fake.wait_for(lambda f: f.messages_to(OFFICER))
            await app.stop()
    finally:
        await runner.cleanup()
    assert reply["text"] == "You said: ping"
    with pytest.raises(Conflict, match="webhook is active"):
        async with builder(fake).build() as bot_app:
            await bot_app.bot.get_updates()


async def test_per_chat_rate_limit_answers_429_and_counts_it() -> None:
    async with FakeBotAPI(per_chat_rate=1) as fake, builder(fake).build() as app:
        await app.bot.send_message(OFFICER, "first")
        with pytest.raises(RetryAfter):
            await app.bot.send_message(OFFICER, "second, too soon")
        await app.bot.send_message(OFFICER + 1, "another chat is not held back")
    assert fake.rate_limited_count == 1
    assert fake.delivered == {OFFICER: 1, OFFICER + 1: 1}


async def test_telegram_refusals_reach_the_bot_as_ptb_errors(fake: FakeBotAPI) -> None:
    fake.block_chat(OFFICER)
    async with builder(fake).build() as app:
        with pytest.raises(Forbidden, match="blocked by the user"):
            await app.bot.send_message(OFFICER, "hello")
        with pytest.raises(BadRequest, match='unsupported start tag "unknown"'):
            await app.bot.send_message(OFFICER + 1, "Name: <unknown>", parse_mode="HTML")
        # PTB strips "Bad Request: " and capitalize()s the rest of Telegram's description.
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await app.bot.send_message(
                OFFICER + 1,
                "x",
                reply_markup=InlineKeyboardMarkup.from_button(
                    InlineKeyboardButton("too long", callback_data="x" * 65)
                ),
            )
        sent = await app.bot.send_message(OFFICER + 1, "<b>O&#x27;Brien</b> &amp; co", parse_mode="HTML")
    assert sent.text == "O'Brien & co"  # what the officer reads, markup removed


async def test_wrong_token_is_refused_as_telegram_does(fake: FakeBotAPI) -> None:
    # The bot, not the Application: PTB 22's Application.__aenter__ leaks the bot's HTTP client
    # when initialize() fails, because shutdown() returns early on an uninitialised Application.
    with pytest.raises(InvalidToken):
        async with builder(fake, token="999:WRONG").build().bot:
            pass


async def test_slow_method_times_the_bot_out(fake: FakeBotAPI) -> None:
    fake.delay("sendMessage", 2)
    async with builder(fake).read_timeout(0.2).build() as app:
        with pytest.raises(TimedOut):
            await app.bot.send_message(OFFICER, "hello")


async def test_command_menus_are_kept_per_scope_and_language(fake: FakeBotAPI) -> None:
    admin_scope = BotCommandScopeChat(OFFICER)
    async with builder(fake).build() as app:
        await app.bot.set_my_commands([BotCommand("help", "What I can ask")])
        await app.bot.set_my_commands([BotCommand("audit", "Recent audit")], scope=admin_scope)
        assert [c.command for c in await app.bot.get_my_commands(scope=admin_scope)] == ["audit"]
        await app.bot.delete_my_commands(scope=admin_scope)
        assert await app.bot.get_my_commands(scope=admin_scope) == ()
    assert fake.commands() == [{"command": "help", "description": "What I can ask"}]


async def test_parameters_are_decoded_from_form_and_multipart_bodies(fake: FakeBotAPI) -> None:
    async with builder(fake).build() as app:
        await app.bot.send_message(
            OFFICER,
            "42",
            reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("Yes", callback_data="y")),
        )
        await app.bot.send_document(OFFICER, b"id,name\n", filename="records.csv", caption="7")
    [message, document] = fake.requests[-2:]
    assert message.params["text"] == "42"  # free text stays text, even when it looks like JSON
    assert message.params["reply_markup"] == {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
    assert document.params["chat_id"] == OFFICER
    assert document.params["caption"] == "7"
    assert document.params["document"]["filename"] == "records.csv"


async def test_every_built_update_is_one_ptb_can_read(fake: FakeBotAPI) -> None:
    built = {
        "edited": fake.text_message(OFFICER, "hi", edited=True),
        "forwarded": fake.text_message(OFFICER, "hi", forward=True),
        "group": fake.text_message(OFFICER, "hi", chat_id=-100123, chat_type="supergroup"),
        "sticker": fake.sticker_message(OFFICER),
        "photo": fake.photo_message(OFFICER, caption="scene"),
        "voice": fake.voice_message(OFFICER),
        "document": fake.document_message(OFFICER),
        "location": fake.location_message(OFFICER, 51.5, -0.12),
        "channel": fake.channel_post(-100999, "news"),
        "anonymous admin": fake.anonymous_admin_message(-100123, "hi"),
        "button tap": fake.callback_query(OFFICER, fake.text_message(OFFICER, "pick")["message"], "y"),
    }
    for update in built.values():
        fake.push_update(update)
    async with builder(fake).build() as app:
        updates = await app.bot.get_updates()
    for name, update in zip(built, updates, strict=True):
        assert update.effective_chat is not None, name
        assert update.effective_message is not None, name
    assert updates[-1].callback_query.data == "y"
    assert updates[3].effective_message.sticker.emoji == "👍"
