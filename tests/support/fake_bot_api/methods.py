"""The Bot API methods the fake answers, each as Telegram does, errors included."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter

from tests.support.fake_bot_api.faults import FaultInjection
from tests.support.fake_bot_api.rules import (
    MAX_CAPTION_UTF16,
    ApiError,
    JSONDict,
    bad_request,
    markup_content,
    parse_html,
    text_content,
    utf16_length,
)
from tests.support.fake_bot_api.updates import UpdateBuilders

DELETABLE_FOR = 48 * 3600  # seconds in which a bot may delete a message in a private chat

# Telegram leaves these out of getUpdates unless a bot asks for them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class BotMethods(UpdateBuilders, FaultInjection):
    """`_api_<method>` per Bot API method (lower case); any other method is answered `true`."""

    def __init__(self, bot_user: JSONDict, *, global_rate: float | None, per_chat_rate: float | None) -> None:
        UpdateBuilders.__init__(self)
        FaultInjection.__init__(self, global_rate=global_rate, per_chat_rate=per_chat_rate)
        self.bot_user = bot_user
        self.webhook: JSONDict = {"url": ""}
        self.delivered: Counter[int | str] = Counter()  # successful sendMessage per chat
        self._updates: list[JSONDict] = []
        self._allowed_updates: set[str] | None = None  # None: all but the opt-in kinds
        self._woken = asyncio.Event()  # replaced on every wake-up, so each waiter sees one set()
        self._poll_generation = 0
        self._closing = False
        self._arrivals: dict[int | str, asyncio.Event] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}

    def _wake(self) -> None:
        """Wake every long poll and delay waiting now."""
        self._woken.set()
        self._woken = asyncio.Event()

    def _wanted(self, update: JSONDict) -> bool:
        kind = next(k for k in update if k != "update_id")
        return kind in self._allowed_updates if self._allowed_updates else kind not in _OPT_IN_UPDATES

    async def _api_getme(self, params: JSONDict) -> JSONDict:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getupdates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook["url"]:
            raise ApiError(
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
                raise ApiError(
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
        self._commands[scope_key(params)] = params["commands"]
        return True

    async def _api_getmycommands(self, params: JSONDict) -> list[JSONDict]:
        return self._commands.get(scope_key(params), [])

    async def _api_deletemycommands(self, params: JSONDict) -> bool:
        self._commands.pop(scope_key(params), None)
        return True

    async def _api_sendmessage(self, params: JSONDict) -> JSONDict:
        chat_id = params["chat_id"]
        content = text_content(params)
        self._take_send_slot(chat_id)
        message = self._message(self._known_chat(chat_id), self.bot_user, content)
        self.delivered[chat_id] += 1
        if arrival := self._arrivals.pop(chat_id, None):
            arrival.set()
        return message

    async def _api_sendphoto(self, params: JSONDict) -> JSONDict:
        """A photo uploaded with the call (a file id is not served back): its caption checked as text is."""
        chat_id, photo = params["chat_id"], params["photo"]
        if not isinstance(photo, dict) or not photo.get("size"):
            raise bad_request("wrong file identifier/HTTP URL specified")
        caption = params.get("caption", "")
        if caption and (params.get("parse_mode") or "").upper() == "HTML":
            caption = parse_html(caption)
        if utf16_length(caption) > MAX_CAPTION_UTF16:
            raise bad_request("message caption is too long")
        self._take_send_slot(chat_id)
        sizes = [self._file(width=800, height=400, file_size=photo["size"])]
        content = {"photo": sizes, **({"caption": caption} if caption else {}), **markup_content(params)}
        message = self._message(self._known_chat(chat_id), self.bot_user, content)
        self.delivered[chat_id] += 1
        return message

    async def _api_editmessagetext(self, params: JSONDict) -> JSONDict:
        return self._edit(params, text_content(params))

    async def _api_editmessagereplymarkup(self, params: JSONDict) -> JSONDict:
        return self._edit(params, markup_content(params))

    async def _api_deletemessage(self, params: JSONDict) -> bool:
        key = (params["chat_id"], params["message_id"])
        if key not in self._messages:
            raise bad_request("message to delete not found")
        if self._messages[key]["date"] < time.time() - DELETABLE_FOR:
            raise bad_request("message can't be deleted for everyone")  # Telegram's 48 hours are up
        del self._messages[key]
        return True

    async def _api_answercallbackquery(self, params: JSONDict) -> bool:
        if params["callback_query_id"] not in self._callback_ids:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self._callback_ids.discard(params["callback_query_id"])  # a query is answered once
        return True

    def _edit(self, params: JSONDict, content: JSONDict) -> JSONDict:
        message = self._messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        # An edit that leaves out reply_markup removes the inline keyboard, as on Telegram.
        edited = {k: v for k, v in message.items() if k not in ("reply_markup", "edit_date")} | content
        if all(edited.get(k) == message.get(k) for k in ("text", "reply_markup")):
            raise bad_request(
                "message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of the message"
            )
        edited["edit_date"] = int(time.time())
        self._messages[(message["chat"]["id"], message["message_id"])] = edited
        return edited


def scope_key(params: JSONDict) -> tuple[str, str]:
    """Telegram keeps one command list per scope and language."""
    scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
    return scope, params.get("language_code") or ""
