"""What reaches the webhook with the right secret but is not an update: refused with 400 or 413, never 500.

Telegram repeats a delivery that got anything but 2xx a limited number of times; a refusal must not stop
the bot answering the next, real, update.
"""

from __future__ import annotations

import json

from aiohttp import ClientSession

from bot.webhook import MAX_BODY, MAX_DEPTH, SECRET_HEADER
from tests.support.bot import OFFICER, SECRET, BotUnderTest


async def deliver(bot: BotUnderTest, body: bytes) -> int:
    """POST a raw body to the webhook with the right secret; the HTTP status."""
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    url = bot.settings.webhook_url
    async with ClientSession() as http, http.post(url, data=body, headers=headers) as response:
        return response.status


def nested(depth: int) -> bytes:
    """An update whose unknown field nests `depth` lists deep: PTB would keep it, and carry it about."""
    return b'{"update_id": 1, "x": ' + b"[" * depth + b"]" * depth + b"}"


NOT_UPDATES = {
    "100k deep: deeper than Python parses, was a 500": b"[" * 100_000 + b"]" * 100_000,
    "deeper than any update": nested(MAX_DEPTH),
    "900 deep: just within what Python parses": nested(900),
    "update_id abc: raised in the gate": b'{"update_id": "abc"}',
    "update_id true: was claimed as update 1": b'{"update_id": true}',
    "negative update_id": b'{"update_id": -1}',
    "update_id beyond a BIGINT": b'{"update_id": 99999999999999999999999}',
    "fractional update_id": b'{"update_id": 1.5}',
    "not an object": b"[1, 2, 3]",
    "a message PTB cannot read": b'{"update_id": 7, "message": "not a message"}',
    "not UTF-8": b"\xff\xfe not utf-8",
    "text that is a number: raised in the gate after a 200": (
        b'{"update_id": 8, "message": {"message_id": 1, "date": 0, "chat": {"id": 9003, "type": "private"},'
        b' "from": {"id": 9003, "is_bot": false, "first_name": "X"}, "text": 123}}'
    ),
    "a 70-bit user id: overflowed in the database after a 200": (
        b'{"update_id": 9, "message": {"message_id": 1, "date": 0, "chat": {"id": 9003, "type": "private"},'
        b' "from": {"id": 1180591620717411303424, "is_bot": false, "first_name": "X"}, "text": "hi"}}'
    ),
}


async def test_a_body_that_is_not_an_update_is_refused_and_the_bot_carries_on(bot: BotUnderTest) -> None:
    statuses = {name: await deliver(bot, body) for name, body in NOT_UPDATES.items()}
    assert statuses == dict.fromkeys(NOT_UPDATES, 400)
    assert (await bot.say(OFFICER, "/whoami"))["text"].startswith("Telegram id")
    assert len(bot.sent(OFFICER)) == 1  # no refused body reached a handler


async def test_a_body_over_the_limit_is_refused_as_too_large(bot: BotUnderTest) -> None:
    body = json.dumps({"update_id": 1, "padding": "x" * MAX_BODY}).encode()
    assert await deliver(bot, body) == 413
    assert (await bot.say(OFFICER, "/whoami"))["text"].startswith("Telegram id")


async def test_an_update_nested_as_deep_as_telegram_nests_is_answered(bot: BotUnderTest) -> None:
    # A button press under a message that replies to another, with a keyboard: Telegram's deepest kind.
    asked = await bot.say(OFFICER, "/whoami")
    update = bot.fake.text_message(OFFICER, "check plate QX12ABC")
    update["message"]["reply_to_message"] = asked | {"reply_markup": {"inline_keyboard": [[
        {"text": "Log in", "login_url": {"url": "https://example.org/login"}}
    ]]}}  # fmt: skip
    assert (await bot.reply_to(OFFICER, update))["text"].startswith("Vehicle QX12ABC")
