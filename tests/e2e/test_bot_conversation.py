"""Follow-ups in Telegram: a shortlist paged by "more" and picked by "the second one", "his car" after
a person, each answer protected and audited, and nothing followed for anyone else."""

from __future__ import annotations

from typing import Any

from knowledge.answers.follow_ups import MOVED_ON, NOTHING_TO_FOLLOW
from tests.support.bot import OFFICER, OFFICER_2, BotUnderTest


def buttons(message: dict[str, Any]) -> list[str]:
    return [row[0]["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", [])]


async def test_a_shortlist_is_paged_by_more_and_picked_by_the_second_one(bot_on: BotUnderTest) -> None:
    first = await bot_on.say(OFFICER, "percival quarrington")
    assert "8 possible matches (showing 6" in first["text"] and len(buttons(first)) == 7
    assert buttons(first)[-1] == "Next 2 of 2"
    page = await bot_on.say(OFFICER, "more")
    assert page["text"].startswith("Matches 7–8 of 8:") and page["protect_content"] is True
    assert "\n7. QUARRINGTON, Percival" in page["text"] and "\n8. QUARRINGTON, Percival" in page["text"]
    assert len(buttons(page)) == 2  # the page's own buttons, tappable as before; nothing left to page
    second_line = next(line for line in first["text"].splitlines() if line.startswith("2. "))
    picked = await bot_on.say(OFFICER, "the second one")
    chosen = second_line.rsplit("(", 1)[1].rstrip(")")
    assert f"({chosen})" in picked["text"] and picked["text"].count("QUARRINGTON") == 1
    assert picked["protect_content"] is True
    entries = await bot_on.audit(OFFICER)
    assert [(e.query, e.intent, e.outcome) for e in entries] == [
        ("percival quarrington", "person_check", "ambiguous"),
        ("more", "person_check", "ambiguous"),
        ("the second one", "person_check", "answered"),
    ]
    assert entries[2].record_ids.split()[0] == f"person:{chosen}"


async def test_his_car_after_a_person_is_his_vehicle(bot_on: BotUnderTest) -> None:
    person = await bot_on.say(OFFICER, "jonathan quixtable 3/4/85")
    assert "(PT01)" in person["text"] and "Keeper of: QX12ABC Red Ford Focus" in person["text"]
    car = await bot_on.say(OFFICER, "what about his car")
    assert car["text"].startswith("Vehicle QX12ABC: Red Ford Focus") and car["protect_content"] is True
    [_, entry] = await bot_on.audit(OFFICER)
    assert (entry.intent, entry.outcome) == ("vehicle_check", "answered")
    assert entry.record_ids.split()[:2] == ["vehicle:QX12ABC", "person:PT01"]


async def test_a_tapped_choice_is_followed_by_words(bot: BotUnderTest) -> None:
    shortlist = await bot.say(OFFICER, "jonathan quixtable")
    keyboard = shortlist["reply_markup"]["inline_keyboard"]
    tap = next(row[0] for row in keyboard if "03/04/1985" in row[0]["text"])
    await bot.press(OFFICER, shortlist, tap["callback_data"])
    await bot.next_message(OFFICER, 1)
    wanted = await bot.say(OFFICER, "is he wanted")
    assert "(PT01)" in wanted["text"] and "Not wanted: no active warrant." in wanted["text"]


async def test_another_officers_follow_up_follows_nothing(bot: BotUnderTest) -> None:
    await bot.say(OFFICER, "jonathan quixtable 3/4/85")
    for text in ("his car", "more", "the second one"):
        reply = await bot.say(OFFICER_2, text)
        assert reply["text"] == NOTHING_TO_FOLLOW and "reply_markup" not in reply
        assert reply["protect_content"] is False
    assert {e.record_ids for e in await bot.audit(OFFICER_2)} == {""}


async def test_the_next_button_pages_as_the_word_does_and_an_old_one_says_so(bot: BotUnderTest) -> None:
    first = await bot.say(OFFICER, "percival quarrington")
    keyboard = first["reply_markup"]["inline_keyboard"]
    next_button = keyboard[-1][0]
    assert next_button["text"] == "Next 2 of 2"
    await bot.press(OFFICER, first, next_button["callback_data"])
    page = await bot.next_message(OFFICER, 1)
    assert page["text"].startswith("Matches 7–8 of 8:") and page["protect_content"] is True
    await bot.press(OFFICER, first, next_button["callback_data"])  # the same button again: moved on
    again = await bot.next_message(OFFICER, 2)
    assert again["text"] == MOVED_ON and "reply_markup" not in again
    entries = await bot.audit(OFFICER)
    assert [(e.query, e.outcome) for e in entries][1:] == [
        ("next (button)", "ambiguous"),
        ("next (button)", "needs_more"),
    ]
    assert entries[2].record_ids == ""


async def test_words_and_the_next_button_after_the_reason_lapsed_ask_for_one_first(bot: BotUnderTest) -> None:
    first = await bot.say(OFFICER, "percival quarrington")
    next_button = first["reply_markup"]["inline_keyboard"][-1][0]
    await bot.forget_reason(OFFICER)
    asked = await bot.say(OFFICER, "the second one")  # a pick shows a record, so it needs a reason
    assert asked["text"].startswith("Why is this check needed?") and "QUARRINGTON" not in asked["text"]
    await bot.press(OFFICER, first, next_button["callback_data"])
    asked_again = await bot.next_message(OFFICER, 2)
    assert asked_again["text"].startswith("Why is this check needed?")
    stop = next(row[0] for row in asked_again["reply_markup"]["inline_keyboard"] if row[0]["text"] == "STOP")
    await bot.press(OFFICER, asked_again, stop["callback_data"])
    page = await bot.next_message(OFFICER, 3)  # the tap answers the held "next"
    assert page["text"].startswith("Matches 7–8 of 8:") and page["protect_content"] is True
    assert [(e.query, e.outcome, e.reason) for e in await bot.audit(OFFICER)][-1] == (
        "next",
        "ambiguous",
        "STOP",
    )
