"""A fake Telegram Bot API server over real HTTP, for end-to-end tests and benchmarks.

It emulates what Beatline's bot touches: getMe; getUpdates long polling (offset, limit,
timeout, allowed_updates, 409 when a webhook is set or a newer poll arrives); webhooks
(setWebhook/deleteWebhook/getWebhookInfo, and posting updates with the secret header);
the command menu per scope and language; sendMessage, sendPhoto (an upload), editMessageText,
editMessageReplyMarkup, deleteMessage (refused past 48 hours), answerCallbackQuery, sendChatAction,
close, logOut;
Telegram's error shape; checks of HTML parse_mode, text length and callback_data size;
and faults on demand: errors, slowness, blocked users, global and per-chat flood limits.

As on Telegram, a call delayed past the client's timeout still takes effect: the client sees
TimedOut, the chat gets the message.

It does not emulate: files (uploads are recorded, nothing is served), MarkdownV2 checks,
message entities in replies, "chat not found" for users who never wrote to the bot, groups'
membership or permissions, inline mode, payments. Any other method is recorded and answered `true`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, web

from tests.support.fake_bot_api.methods import BotMethods, scope_key
from tests.support.fake_bot_api.rules import ApiError, JSONDict, bad_request

__all__ = ["DEFAULT_BOT_ID", "FakeBotAPI", "Recorded"]

# PTB form-encodes every parameter, JSON-dumping non-strings but sending strings raw, so "42" is
# ambiguous without the method's schema: these string fields are never decoded.
# fmt: off
_STRING_FIELDS = frozenset({
    "callback_query_id", "inline_message_id", "text", "caption", "title", "description",
    "short_description", "name", "first_name", "last_name", "address", "question", "explanation",
    "custom_title", "query", "phone_number", "vcard", "emoji", "payload", "start_parameter",
})
# fmt: on


@dataclass
class Recorded:
    """One Bot API call the bot made, with the HTTP status and result it got back."""

    method: str
    params: JSONDict
    time: float  # time.monotonic() on arrival
    http_status: int | None = None  # None while the call is still being answered
    result: Any = None
    answered_at: float | None = None  # time.monotonic() when answered: later than `time` if delayed


DEFAULT_BOT_ID = 123456


class FakeBotAPI(BotMethods):
    """A local Bot API server: feed it updates, inspect what the bot sent, inject faults (faults.py).

    Update builders are in updates.py, the methods it answers in methods.py, Telegram's checks in rules.py.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_id: int = DEFAULT_BOT_ID,
        username: str = "beatline_test_bot",
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
    ) -> None:
        bot_user = {"id": bot_id, "is_bot": True, "first_name": "Beatline", "username": username}
        super().__init__(bot_user, global_rate=global_rate, per_chat_rate=per_chat_rate)
        self.token = token
        self.requests: list[Recorded] = []
        self.base_url = self.base_file_url = ""
        self._update_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)  # uploads are recorded, not refused
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.base_file_url = f"http://127.0.0.1:{port}/file/bot"

    async def stop(self) -> None:
        """Answer pending long polls and delays at once, then close the server."""
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- feeding updates ---------------------------------------------------------------------

    def push_update(self, update: JSONDict) -> int:
        """Queue an update for getUpdates; return its update_id."""
        update_id = self._stamp(update)
        self._updates.append(update)
        self._wake()
        return update_id

    async def post_to_webhook(
        self, update: JSONDict, *, url: str | None = None, secret: str | None = None
    ) -> int:
        """POST an update as Telegram would, by default to the registered URL and secret; return the status.

        Pass secret="" to send no secret header.
        """
        url = url or self.webhook["url"]
        secret = self.webhook.get("secret_token", "") if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        self._stamp(update)
        async with ClientSession() as session, session.post(url, json=update, headers=headers) as response:
            return response.status

    # -- what the bot did --------------------------------------------------------------------

    async def wait_delivered(self, chat_id: int | str, more_than: int, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until more than `more_than` messages were delivered to chat_id (no polling)."""
        async with asyncio.timeout(timeout):
            while self.delivered[chat_id] <= more_than:
                await self._arrivals.setdefault(chat_id, asyncio.Event()).wait()

    def calls(self, method: str) -> list[JSONDict]:
        """The params of every call to method (any case), in order, whatever the answer."""
        return [r.params for r in self.requests if r.method.lower() == method.lower()]

    def messages_to(self, chat_id: int | str) -> list[JSONDict]:
        """The params of sendMessage/editMessageText that succeeded in chat_id, in order."""
        methods = {"sendmessage", "editmessagetext"}
        return [
            r.params
            for r in self.requests
            if r.method.lower() in methods
            and r.http_status == 200
            and str(r.params.get("chat_id")) == str(chat_id)
        ]

    def bot_messages(self, chat_id: int | str) -> list[JSONDict]:
        """The bot's messages in chat_id as the user now sees them (after edits and deletions)."""
        bot_id = self.bot_user["id"]
        return [
            m
            for (chat, _), m in self._messages.items()
            if str(chat) == str(chat_id) and m.get("from", {}).get("id") == bot_id
        ]

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command menu the bot set for this scope and language."""
        return self._commands.get(scope_key({"scope": scope, "language_code": language_code}), [])

    # A deadline for a test to wait on, named like pytest's and asyncio's own.
    async def wait_for(self, predicate: Callable[[FakeBotAPI], Any], timeout: float = 5.0) -> Any:  # noqa: ASYNC109
        """Return predicate(self) once truthy; after timeout, fail with the recent calls."""
        deadline = time.monotonic() + timeout
        while not (value := predicate(self)):
            if time.monotonic() > deadline:
                recent = "\n".join(
                    f"  {r.method} -> {r.http_status}: {r.params}" for r in self.requests[-15:]
                )
                raise AssertionError(f"condition not met within {timeout}s; recent calls:\n{recent}")
            await asyncio.sleep(0.005)
        return value

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            # Telegram answers 401 to a well-formed token it does not know, 404 to anything else.
            well_formed = re.fullmatch(r"\d+:[\w-]+", request.match_info["token"])
            error = ApiError(401, "Unauthorized") if well_formed else ApiError(404, "Not Found")
            return web.json_response(error.body(), status=error.status)
        method = request.match_info["method"]
        record = Recorded(method, await self._params(request), time.monotonic())
        self.requests.append(record)
        try:
            if seconds := self._delay_for(method.lower()):
                await self._sleep(seconds)
            result = self._garble(method.lower(), await self._answer(method, record.params))
        except ApiError as error:
            record.http_status, record.answered_at = error.status, time.monotonic()
            return web.json_response(error.body(), status=error.status)
        record.http_status, record.result, record.answered_at = 200, result, time.monotonic()
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> JSONDict:
        """The call's parameters from the query string and a JSON, urlencoded or multipart body."""
        params: JSONDict = {}
        form: JSONDict = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            params.update(await request.json())
        else:
            form.update(await request.post())
        for name, value in form.items():
            if isinstance(value, web.FileField):
                body = value.file.read()
                params[name] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "size": len(body),
                    "magic": body[:8].hex(),  # enough to tell a PNG from anything else
                }
            elif name in _STRING_FIELDS:
                params[name] = value
            else:
                try:
                    params[name] = json.loads(value)
                except ValueError:
                    params[name] = value  # a plain string: a file_id, a @channel, a parse_mode...
        return params

    async def _answer(self, method: str, params: JSONDict) -> Any:
        name = method.lower()
        self._raise_fault(name, params)
        handler = getattr(self, f"_api_{name}", None)
        try:
            return True if handler is None else await handler(params)
        except KeyError as missing:
            raise bad_request(f"{missing.args[0]} is empty") from None

    # -- helpers -----------------------------------------------------------------------------

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but end at once when the server stops."""
        deadline = time.monotonic() + seconds
        while not self._closing and (remaining := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), remaining)

    def _stamp(self, update: JSONDict) -> int:
        """Give the update the next update_id unless it has one."""
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        return update["update_id"]
