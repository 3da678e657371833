"""Which Bot API calls put a message into a private chat: what the ledger writes down, and nothing else."""

from __future__ import annotations

from handlers.sent import created_messages

PRIVATE = {"id": 9003, "type": "private", "first_name": "Test"}


def test_a_sent_message_in_a_private_chat_is_written_down() -> None:
    sent = {"message_id": 7, "chat": PRIVATE, "date": 0, "text": "Vehicle QX12ABC"}
    assert created_messages("sendMessage", {"chat_id": 9003}, sent) == [(9003, 7)]
    assert created_messages("sendLocation", {"chat_id": 9003}, sent) == [(9003, 7)]


def test_copies_and_albums_are_written_down_too() -> None:
    assert created_messages("copyMessage", {"chat_id": 9003}, {"message_id": 8}) == [(9003, 8)]
    album = [{"message_id": n, "chat": PRIVATE, "date": 0} for n in (9, 10)]
    assert created_messages("sendMediaGroup", {"chat_id": 9003}, album) == [(9003, 9), (9003, 10)]


def test_groups_edits_and_calls_that_send_nothing_are_not() -> None:
    group = {"message_id": 3, "chat": {"id": -100, "type": "supergroup", "title": "x"}, "date": 0}
    assert created_messages("sendMessage", {"chat_id": -100}, group) == []
    assert created_messages("copyMessage", {"chat_id": -100}, {"message_id": 4}) == []
    assert created_messages("editMessageText", {"chat_id": 9003}, {"message_id": 7, "chat": PRIVATE}) == []
    assert created_messages("sendChatAction", {"chat_id": 9003}, True) == []
    assert created_messages("deleteMessage", {"chat_id": 9003, "message_id": 7}, True) == []
    assert created_messages("getMe", {}, {"id": 1, "is_bot": True}) == []
