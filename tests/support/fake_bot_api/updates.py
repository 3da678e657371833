"""What users send the bot: update builders, and the chats and messages Telegram remembers from them."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from typing import Any

from tests.support.fake_bot_api.rules import JSONDict, utf16_length

_ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}


class UpdateBuilders:
    """Updates as Telegram sends them; every message is kept so the bot can edit or delete it later."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)  # for file and callback query ids
        self._message_ids: defaultdict[int | str, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._messages: dict[tuple[int | str, int], JSONDict] = {}
        self._chats: dict[int | str, JSONDict] = {}
        self._callback_ids: set[str] = set()

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
            entities = [{"type": "bot_command", "offset": 0, "length": utf16_length(text.split()[0])}]
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
