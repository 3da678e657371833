"""A fake Telegram Bot API server over real HTTP, for end-to-end tests and benchmarks.

It emulates what Beatline's bot touches: getMe; getUpdates long polling (offset, limit,
timeout, allowed_updates, 409 when a webhook is set or a newer poll arrives); webhooks
(setWebhook/deleteWebhook/getWebhookInfo, and posting updates with the secret header);
the command menu per scope and language; sendMessage, editMessageText,
editMessageReplyMarkup, deleteMessage, answerCallbackQuery, sendChatAction, close, logOut;
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
import html
import itertools
import json
import re
import socket
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import ClientSession, web

__all__ = ["FakeBotAPI", "Recorded"]

JSONDict = dict[str, Any]

# PTB form-encodes every parameter, JSON-dumping non-strings but sending strings raw, so "42" is
# ambiguous without the method's schema: these string fields are never decoded.
# fmt: off
_STRING_FIELDS = frozenset({
    "callback_query_id", "inline_message_id", "text", "caption", "title", "description",
    "short_description", "name", "first_name", "last_name", "address", "question", "explanation",
    "custom_title", "query", "phone_number", "vcard", "emoji", "payload", "start_parameter",
})
# Telegram leaves these out of getUpdates unless a bot asks for them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_HTML_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span", "tg-spoiler",
    "tg-emoji", "blockquote",
})
# fmt: on
_HTML_TOKEN = re.compile(r"<(/?)([^\s>/]*)[^>]*>?|&(?:#\d+|#x[0-9a-f]+|lt|gt|amp|quot);", re.I)
_ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}


@dataclass
class Recorded:
    """One Bot API call the bot made, with the HTTP status and result it got back."""

    method: str
    params: JSONDict
    time: float  # time.monotonic() on arrival
    http_status: int | None = None  # None while the call is still being answered
    result: Any = None
    answered_at: float | None = None  # time.monotonic() when answered: later than `time` if delayed


class _ApiError(Exception):
    """An answer in Telegram's error shape."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def body(self) -> JSONDict:
        """The JSON Telegram sends with this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


def _unparsable(detail: str) -> _ApiError:
    return _bad_request(f"can't parse entities: {detail}")


def _parse_html(text: str) -> str:
    """Check text the way Telegram's HTML parse_mode does; return what the recipient reads."""
    plain, open_tags, pos = [], [], 0
    for token in _HTML_TOKEN.finditer(text):
        plain.append(text[pos : token.start()])
        pos = token.end()
        closing, tag = token.group(1), token.group(2)
        offset = len(text[: token.start()].encode())
        if tag is None:
            plain.append(html.unescape(token.group(0)))
        elif not token.group(0).endswith(">"):
            raise _unparsable(f"Unclosed start tag at byte offset {offset}")
        elif closing:
            if not open_tags or open_tags[-1] != tag.lower():
                raise _unparsable(f"Unmatched end tag at byte offset {offset}")
            open_tags.pop()
        elif tag.lower() in _HTML_TAGS:
            open_tags.append(tag.lower())
        else:
            raise _unparsable(f'Unsupported start tag "{tag}" at byte offset {offset}')
    if open_tags:
        raise _unparsable(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(plain) + text[pos:]


DEFAULT_BOT_ID = 123456


class FakeBotAPI:
    """A local Bot API server: feed it updates, inspect what the bot sent, inject faults.

    global_rate and per_chat_rate cap sendMessage calls per sliding second, as Telegram's flood
    control does; calls beyond them get 429 with retry_after=1 and count in rate_limited_count.
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
        self.token = token
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Beatline", "username": username}
        self.global_rate, self.per_chat_rate = global_rate, per_chat_rate
        self.requests: list[Recorded] = []
        self.delivered: Counter[int | str] = Counter()  # successful sendMessage per chat
        self.rate_limited_count = 0
        self.webhook: JSONDict = {"url": ""}
        self.base_url = self.base_file_url = ""
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)  # for file and callback query ids
        self._allowed_updates: set[str] | None = None  # None: all but the opt-in kinds
        self._woken = asyncio.Event()  # replaced on every wake-up, so each waiter sees one set()
        self._poll_generation = 0
        self._closing = False
        self._message_ids: defaultdict[int | str, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._messages: dict[tuple[int | str, int], JSONDict] = {}
        self._chats: dict[int | str, JSONDict] = {}
        self._callback_ids: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._faults: defaultdict[str, deque[_ApiError]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._delays_once: dict[str, float] = {}
        self._garbled: Counter[str] = Counter()
        self._arrivals: dict[int | str, asyncio.Event] = {}
        self._blocked: set[str] = set()
        self._sent_global: deque[float] = deque()
        self._sent_per_chat: defaultdict[int | str, deque[float]] = defaultdict(deque)
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

    def text_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        edited: bool = False,
        forward: bool = False,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """An update with a text message; a leading /command gets its bot_command entity, as Telegram does."""
        if entities is None and text.startswith("/"):
            command_length = len(text.split()[0].encode("utf-16-le")) // 2  # Telegram counts UTF-16 units
            entities = [{"type": "bot_command", "offset": 0, "length": command_length}]
        content: JSONDict = {"text": text, **({"entities": entities} if entities else {})}
        if forward:
            content["forward_origin"] = {"type": "hidden_user", "sender_user_name": "Someone", "date": 0}
        if edited:
            content["edit_date"] = int(time.time())
        chat = self._chat(user_id, chat_id, chat_type, first_name)
        return {
            "edited_message" if edited else "message": self._message(
                chat, self._user(user_id, first_name), content
            )
        }

    def sticker_message(self, user_id: int, *, emoji: str = "👍", chat_id: int | None = None) -> JSONDict:
        """An update with a sticker."""
        sticker = self._file(
            type="regular", width=512, height=512, is_animated=False, is_video=False, emoji=emoji
        )
        return self._user_update(user_id, chat_id, sticker=sticker)

    def photo_message(self, user_id: int, *, caption: str = "", chat_id: int | None = None) -> JSONDict:
        """An update with a photo in two sizes, as Telegram sends them."""
        sizes = [self._file(width=width, height=width * 3 // 4) for width in (90, 1280)]
        return self._user_update(user_id, chat_id, photo=sizes, **({"caption": caption} if caption else {}))

    def voice_message(self, user_id: int, *, duration: int = 3, chat_id: int | None = None) -> JSONDict:
        """An update with a voice note."""
        return self._user_update(user_id, chat_id, voice=self._file(duration=duration, mime_type="audio/ogg"))

    def document_message(
        self,
        user_id: int,
        *,
        file_name: str = "records.csv",
        mime_type: str = "text/csv",
        chat_id: int | None = None,
    ) -> JSONDict:
        """An update with a document."""
        return self._user_update(
            user_id, chat_id, document=self._file(file_name=file_name, mime_type=mime_type)
        )

    def location_message(
        self, user_id: int, lat: float, lon: float, *, chat_id: int | None = None
    ) -> JSONDict:
        """An update with a shared location."""
        return self._user_update(user_id, chat_id, location={"latitude": lat, "longitude": lon})

    def channel_post(self, chat_id: int, text: str) -> JSONDict:
        """An update with a post in a channel the bot is in: no sender user."""
        chat = {"id": chat_id, "type": "channel", "title": "Test channel"}
        return {"channel_post": self._message(chat, None, {"text": text, "sender_chat": chat})}

    def anonymous_admin_message(self, chat_id: int, text: str) -> JSONDict:
        """An update with a supergroup message from an anonymous admin, who has no user id of their own."""
        chat = {"id": chat_id, "type": "supergroup", "title": "Test group"}
        return {"message": self._message(chat, _ANONYMOUS_ADMIN, {"text": text, "sender_chat": chat})}

    def callback_query(self, user_id: int, message: JSONDict, data: str) -> JSONDict:
        """An update for a tap on an inline button with this callback data under message."""
        query_id = str(next(self._ids))
        self._callback_ids.add(query_id)
        self._messages.setdefault((message["chat"]["id"], message["message_id"]), message)
        chat_instance = str(message["chat"]["id"])
        query = {"id": query_id, "from": self._user(user_id), "message": message, "data": data}
        return {"callback_query": query | {"chat_instance": chat_instance}}

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
        return self._commands.get(self._scope_key({"scope": scope, "language_code": language_code}), [])

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

    # -- fault injection ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of method with this error (retry_after only with 429)."""
        if status == 429 and retry_after is not None:
            error = _ApiError(
                429, description or f"Too Many Requests: retry after {retry_after}", retry_after
            )
        else:
            error = _ApiError(status, description or HTTPStatus(status).phrase)
        self._faults[method.lower()].extend([error] * times)

    def garble_next(self, method: str, *, times: int = 1) -> None:
        """Answer the next `times` calls of method with 200 and a result no Bot API library can parse,
        as a broken proxy or a mismatched Bot API server might."""
        self._garbled[method.lower()] += times

    def delay(self, method: str, seconds: float) -> None:
        """Answer every later call of method after this many seconds (0 to stop)."""
        self._delays[method.lower()] = seconds

    def delay_next(self, method: str, seconds: float) -> None:
        """Answer only the next call of method after this many seconds: a Bot API that stalls once."""
        self._delays_once[method.lower()] = seconds

    def heal(self, method: str) -> None:
        """Drop the errors and delays still set for method: the Bot API answers it normally again."""
        self._faults[method.lower()].clear()
        self._delays.pop(method.lower(), None)
        self._delays_once.pop(method.lower(), None)

    def block_chat(self, chat_id: int | str) -> None:
        """Act as if this user blocked the bot: calls aimed at the chat get 403."""
        self._blocked.add(str(chat_id))

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            # Telegram answers 401 to a well-formed token it does not know, 404 to anything else.
            well_formed = re.fullmatch(r"\d+:[\w-]+", request.match_info["token"])
            error = _ApiError(401, "Unauthorized") if well_formed else _ApiError(404, "Not Found")
            return web.json_response(error.body(), status=error.status)
        method = request.match_info["method"]
        record = Recorded(method, await self._params(request), time.monotonic())
        self.requests.append(record)
        try:
            if seconds := self._delays_once.pop(method.lower(), None) or self._delays.get(method.lower()):
                await self._sleep(seconds)
            result = await self._answer(method, record.params)
        except _ApiError as error:
            record.http_status, record.answered_at = error.status, time.monotonic()
            return web.json_response(error.body(), status=error.status)
        if self._garbled[method.lower()]:
            self._garbled[method.lower()] -= 1
            result = 42
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
                params[name] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "size": len(value.file.read()),
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
        if self._faults[name]:
            raise self._faults[name].popleft()
        chat_id = params.get("chat_id")
        if chat_id is not None and str(chat_id) in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        handler = getattr(self, f"_api_{name}", None)
        try:
            return True if handler is None else await handler(params)
        except KeyError as missing:
            raise _bad_request(f"{missing.args[0]} is empty") from None

    # -- the methods -------------------------------------------------------------------------

    async def _api_getme(self, params: JSONDict) -> JSONDict:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getupdates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook["url"]:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if params.get("allowed_updates"):
            self._allowed_updates = set(params["allowed_updates"])
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older poll still waiting is now superseded
        offset, limit = params.get("offset", 0), params.get("limit", 100)
        # Telegram forgets updates once a poll confirms them with a higher offset.
        self._updates = [u for u in self._updates if u["update_id"] >= offset and self._wanted(u)]
        deadline = time.monotonic() + params.get("timeout", 0)
        while not self._updates and not self._closing and (remaining := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), remaining)
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            self._updates = [u for u in self._updates if self._wanted(u)]
        return self._updates[:limit]

    async def _api_setwebhook(self, params: JSONDict) -> bool:
        self.webhook = {k: v for k, v in params.items() if k in {"url", "secret_token", "allowed_updates"}}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_deletewebhook(self, params: JSONDict) -> bool:
        return await self._api_setwebhook(
            {"url": "", "drop_pending_updates": params.get("drop_pending_updates")}
        )

    async def _api_getwebhookinfo(self, params: JSONDict) -> JSONDict:
        info = {k: v for k, v in self.webhook.items() if k != "secret_token"}  # never echoed back
        return info | {"has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _api_setmycommands(self, params: JSONDict) -> bool:
        self._commands[self._scope_key(params)] = params["commands"]
        return True

    async def _api_getmycommands(self, params: JSONDict) -> list[JSONDict]:
        return self._commands.get(self._scope_key(params), [])

    async def _api_deletemycommands(self, params: JSONDict) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    async def _api_sendmessage(self, params: JSONDict) -> JSONDict:
        chat_id = params["chat_id"]
        content = self._text_content(params)
        self._take_send_slot(chat_id)
        message = self._message(self._known_chat(chat_id), self.bot_user, content)
        self.delivered[chat_id] += 1
        if arrival := self._arrivals.pop(chat_id, None):
            arrival.set()
        return message

    async def _api_editmessagetext(self, params: JSONDict) -> JSONDict:
        return self._edit(params, self._text_content(params))

    async def _api_editmessagereplymarkup(self, params: JSONDict) -> JSONDict:
        return self._edit(params, self._markup_content(params))

    async def _api_deletemessage(self, params: JSONDict) -> bool:
        if self._messages.pop((params["chat_id"], params["message_id"]), None) is None:
            raise _bad_request("message to delete not found")
        return True

    async def _api_answercallbackquery(self, params: JSONDict) -> bool:
        if params["callback_query_id"] not in self._callback_ids:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        self._callback_ids.discard(params["callback_query_id"])  # a query is answered once
        return True

    # -- helpers -----------------------------------------------------------------------------

    def _wake(self) -> None:
        self._woken.set()
        self._woken = asyncio.Event()

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

    def _wanted(self, update: JSONDict) -> bool:
        kind = next(k for k in update if k != "update_id")
        return kind in self._allowed_updates if self._allowed_updates else kind not in _OPT_IN_UPDATES

    def _take_send_slot(self, chat_id: int | str) -> None:
        """Enforce the flood limits over a sliding one-second window, as Telegram's 429s do."""
        now = time.monotonic()
        chat_window = self._sent_per_chat[chat_id]
        for window in (self._sent_global, chat_window):
            while window and window[0] <= now - 1.0:
                window.popleft()
        if (self.global_rate is not None and len(self._sent_global) >= self.global_rate) or (
            self.per_chat_rate is not None and len(chat_window) >= self.per_chat_rate
        ):
            self.rate_limited_count += 1
            raise _ApiError(429, "Too Many Requests: retry after 1", 1)
        self._sent_global.append(now)
        chat_window.append(now)

    def _text_content(self, params: JSONDict) -> JSONDict:
        text = params.get("text", "")
        if (params.get("parse_mode") or "").upper() == "HTML":
            text = _parse_html(text)
        if not text.strip():
            raise _bad_request("message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise _bad_request("message is too long")
        return {"text": text, **self._markup_content(params)}

    def _markup_content(self, params: JSONDict) -> JSONDict:
        markup = params.get("reply_markup") or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        if any(len(b.get("callback_data", "").encode()) > 64 for b in buttons):
            raise _bad_request("BUTTON_DATA_INVALID")
        # A Message carries only an inline keyboard; reply keyboards are not echoed back.
        return {"reply_markup": markup} if "inline_keyboard" in markup else {}

    def _edit(self, params: JSONDict, content: JSONDict) -> JSONDict:
        message = self._messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            raise _bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        # An edit that leaves out reply_markup removes the inline keyboard, as on Telegram.
        edited = {k: v for k, v in message.items() if k not in ("reply_markup", "edit_date")} | content
        if all(edited.get(k) == message.get(k) for k in ("text", "reply_markup")):
            raise _bad_request(
                "message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of the message"
            )
        edited["edit_date"] = int(time.time())
        self._messages[(message["chat"]["id"], message["message_id"])] = edited
        return edited

    def _message(self, chat: JSONDict, sender: JSONDict | None, content: JSONDict) -> JSONDict:
        """A Message with the chat's next message_id, kept so the bot can edit or delete it later."""
        message = {"message_id": next(self._message_ids[chat["id"]]), "date": int(time.time()), "chat": chat}
        message |= ({"from": sender} if sender else {}) | content
        self._messages[(chat["id"], message["message_id"])] = message
        self._chats[chat["id"]] = chat
        return message

    def _user_update(self, user_id: int, chat_id: int | None, **content: Any) -> JSONDict:
        chat_type = "private" if chat_id in (None, user_id) else "supergroup"
        return {
            "message": self._message(self._chat(user_id, chat_id, chat_type), self._user(user_id), content)
        }

    def _known_chat(self, chat_id: int | str) -> JSONDict:
        """The chat as Telegram knows it from earlier messages, else one guessed from the id's sign."""
        if chat_id in self._chats:
            return self._chats[chat_id]
        if isinstance(chat_id, int) and chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Test"}
        return {"id": chat_id, "type": "supergroup", "title": "Test group"}

    def _file(self, **fields: Any) -> JSONDict:
        unique = f"file{next(self._ids)}"
        return {"file_id": f"FILE_ID_{unique}", "file_unique_id": unique, "file_size": 1024, **fields}

    @staticmethod
    def _chat(user_id: int, chat_id: int | None, chat_type: str, first_name: str = "Test") -> JSONDict:
        if chat_type == "private":
            return {"id": chat_id or user_id, "type": "private", "first_name": first_name}
        if chat_id is None:
            raise ValueError(f"a {chat_type} message needs a chat_id")
        return {"id": chat_id, "type": chat_type, "title": "Test group"}

    @staticmethod
    def _user(user_id: int, first_name: str = "Test") -> JSONDict:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}

    @staticmethod
    def _scope_key(params: JSONDict) -> tuple[str, str]:
        """Telegram keeps one command list per scope and language."""
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        return scope, params.get("language_code") or ""
