"""Asking in chat: answers, shortlists and their buttons, groups, edits, media and hostile input."""

from __future__ import annotations

import time

import pytest

from handlers.fallbacks import STALE_BUTTON
from handlers.format import MAX_MESSAGE
from handlers.gate import stranger_refusal
from handlers.query import ASK_IN_PRIVATE, BUTTON_REFUSED, EDITED
from knowledge.access.buttons import ButtonSigner, derive_key
from tests.support.bot import ADMIN, OFFICER, OFFICER_2, STRANGER, BotUnderTest


def buttons(message: dict) -> list[dict]:
    return [row[0] for row in message.get("reply_markup", {}).get("inline_keyboard", [])]


async def test_enrolled_officer_is_answered_with_protected_content_and_audited(bot_on: BotUnderTest) -> None:
    reply = await bot_on.say(OFFICER, "check plate qx12 abc")
    assert reply["text"].startswith("Vehicle QX12ABC: Red Ford Focus")
    assert "QUIXTABLE, Jonathan" in reply["text"]
    assert reply["protect_content"] is True
    assert [b["text"] for b in buttons(reply)] == ["More", "Follow"]
    [entry] = await bot_on.audit(OFFICER)
    assert (entry.intent, entry.outcome, entry.chat_id) == ("vehicle_check", "answered", OFFICER)
    assert entry.update_id is not None and entry.actor == f"tg:{OFFICER}"
    assert entry.record_ids.split()[:2] == ["vehicle:QX12ABC", "person:PT01"]


async def test_a_shortlist_comes_as_buttons_that_open_the_record_and_then_more(bot: BotUnderTest) -> None:
    shortlist = await bot.say(OFFICER, "jonathan quixtable")
    labels = [b["text"] for b in buttons(shortlist)]
    assert len(labels) == 3 and all(label.lstrip("⚠ ").startswith("QUIXTABLE, Jonathan") for label in labels)
    assert labels[0].startswith("⚠ ")  # PT01 carries warnings: first, and marked
    first = next(b for b in buttons(shortlist) if "03/04/1985" in b["text"])
    await bot.press(OFFICER, shortlist, first["callback_data"])
    opened = await bot.next_message(OFFICER, 1)
    assert "(PT01)" in opened["text"] and opened["protect_content"] is True
    await bot.press(OFFICER, opened, buttons(opened)[0]["callback_data"])
    detail = await bot.next_message(OFFICER, 2)
    assert "(PT01)" in detail["text"] and [b["text"] for b in buttons(detail)] == ["Follow"]
    outcomes = [(e.intent, e.outcome) for e in await bot.audit(OFFICER)]
    assert outcomes == [
        ("person_check", "ambiguous"),
        ("person_check", "answered"),
        ("person_check", "answered"),
    ]


async def test_someone_elses_button_is_refused_and_discloses_nothing(bot: BotUnderTest) -> None:
    reply = await bot.say(OFFICER, "check plate QX12ABC")
    answer = await bot.press(OFFICER_2, reply, buttons(reply)[0]["callback_data"])
    assert answer["text"] == BUTTON_REFUSED["invalid"]
    assert bot.sent(OFFICER_2) == []
    [entry] = await bot.audit(OFFICER_2)
    assert (entry.outcome, entry.record_ids) == ("denied", "")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: data.replace("QX12ABC", "QX12ABD"),  # another record, same signature
        lambda data: data[:-1] + ("A" if data[-1] != "A" else "B"),  # a forged signature
        lambda data: "rmv:QX12ABC|zzzzzzz|AAAAAAAAAAAA",  # made up from scratch
    ],
)
async def test_tampered_button_data_is_refused(bot: BotUnderTest, tamper) -> None:
    reply = await bot.say(OFFICER, "check plate QX12ABC")
    answer = await bot.press(OFFICER, reply, tamper(buttons(reply)[0]["callback_data"]))
    assert answer["text"] == BUTTON_REFUSED["invalid"]
    assert len(bot.sent(OFFICER)) == 1
    assert [e.outcome for e in await bot.audit(OFFICER)] == ["answered", "denied"]


async def test_a_late_button_is_refused_as_expired(bot: BotUnderTest) -> None:
    reply = await bot.say(OFFICER, "check plate QX12ABC")
    signer = ButtonSigner(derive_key(bot.fake.token))
    late = signer.sign("rmv:QX12ABC", OFFICER, now=time.time() - 3600)
    assert (await bot.press(OFFICER, reply, late))["text"] == BUTTON_REFUSED["expired"]


async def test_a_button_nobody_recognises_is_refused(bot: BotUnderTest) -> None:
    reply = await bot.say(OFFICER, "check plate QX12ABC")
    assert (await bot.press(OFFICER, reply, "ack:1"))["text"] == STALE_BUTTON


async def test_stranger_is_told_their_id_and_nothing_else(bot: BotUnderTest) -> None:
    reply = await bot.say(STRANGER, "check plate QX12ABC")
    assert reply["text"] == stranger_refusal(STRANGER)
    assert "reply_markup" not in reply and len(bot.sent(STRANGER)) == 1
    [entry] = await bot.audit(STRANGER)
    assert (entry.outcome, entry.record_ids, entry.query) == ("denied", "", "check plate QX12ABC")


async def test_queries_in_a_group_are_refused_without_a_lookup(bot: BotUnderTest) -> None:
    update = bot.fake.text_message(OFFICER, "check plate QX12ABC", chat_id=-100200, chat_type="supergroup")
    reply = await bot.reply_to(OFFICER, update, chat_id=-100200)
    assert reply["text"] == ASK_IN_PRIVATE
    [entry] = await bot.audit(OFFICER)
    assert (entry.outcome, entry.record_ids) == ("denied", "")


async def test_an_edited_message_is_not_asked_again(bot: BotUnderTest) -> None:
    await bot.say(OFFICER, "check plate QX12ABC")
    reply = await bot.reply_to(OFFICER, bot.fake.text_message(OFFICER, "check plate AB12CDE", edited=True))
    assert reply["text"] == EDITED
    assert len(await bot.audit(OFFICER)) == 1


async def test_markup_in_questions_and_records_reaches_the_officer_as_text(bot: BotUnderTest) -> None:
    reply = await bot.say(OFFICER, "incident <b>INC-2026-990001</b> & <a href='x'>")
    assert "Summary: Dog bite <b>attack</b> & <script>alert(1)</script> ⚠ WANTED — fake" in reply["text"]
    assert not any(line.startswith("⚠ WANTED") for line in reply["text"].splitlines())
    assert "\u202e" not in reply["text"]


async def test_a_ten_thousand_character_message_is_answered_safely(bot: BotUnderTest) -> None:
    text = "check plate QX12ABC " + "<i>&amp;\u202e" * 1000
    reply = await bot.say(OFFICER, text[:10_000])
    assert len(reply["text"]) <= MAX_MESSAGE
    [entry] = await bot.audit(OFFICER)
    assert entry.outcome != "error" and len(entry.query) <= 1000


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda f: f.sticker_message(OFFICER), "I only read words"),
        (lambda f: f.photo_message(OFFICER, caption="plate?"), "I can't look at photos"),
        (lambda f: f.voice_message(OFFICER), "I can't listen to voice notes"),
        (lambda f: f.document_message(OFFICER), "I don't open files"),
    ],
)
async def test_media_get_short_guidance_and_no_lookup(bot: BotUnderTest, build, expected: str) -> None:
    reply = await bot.reply_to(OFFICER, build(bot.fake))
    assert reply["text"].startswith(expected)
    assert await bot.audit(OFFICER) == []


async def test_a_shared_location_lists_flagged_addresses_and_incidents_nearby(bot: BotUnderTest) -> None:
    reply = await bot.reply_to(OFFICER, bot.fake.location_message(OFFICER, 51.5001, -0.1201))
    assert "DANGEROUS DOG" in reply["text"] and "(AT01)" in reply["text"]
    assert "AT03" not in reply["text"] and "INC-2026-990001" in reply["text"]
    assert reply["protect_content"] is True
    [entry] = await bot.audit(OFFICER)
    assert entry.record_ids.split() == ["address:AT01", "incident:INC-2026-990001"]


async def test_channel_posts_and_anonymous_admins_are_audited_and_unanswered(bot: BotUnderTest) -> None:
    assert await bot.post(bot.fake.channel_post(-100300, "check plate QX12ABC")) == 200
    assert await bot.post(bot.fake.anonymous_admin_message(-100400, "check plate QX12ABC")) == 200
    audited = sorted((e.actor, e.outcome, e.record_ids) for e in await bot.audited(2))
    assert audited == [("chat:-100300", "denied", ""), ("tg:1087968824", "denied", "")]
    assert bot.sent(-100300) == [] and bot.sent(-100400) == []


@pytest.mark.settings(rate_limit=2)
async def test_over_the_limit_is_refused_audited_and_admins_alerted_once(bot: BotUnderTest) -> None:
    for _ in range(2):
        await bot.say(OFFICER, "check plate QX12ABC")
    refused = await bot.say(OFFICER, "check plate QX12ABC")
    assert refused["text"].startswith("You have reached the limit of 2 checks")
    alert = await bot.next_message(ADMIN, 0)
    assert alert["text"].startswith(f"Rate limit reached: {OFFICER}")
    await bot.say(OFFICER, "check plate QX12ABC")
    assert [e.outcome for e in await bot.audit(OFFICER)] == ["answered"] * 2 + ["rate_limited"] * 2
    assert len(bot.sent(ADMIN)) == 1


async def test_a_plate_and_a_person_in_one_message_are_both_answered_in_one_protected_reply(
    bot: BotUnderTest,
) -> None:
    reply = await bot.say(OFFICER, "check plate qx12 abc and jonathan quixtable 1/1/90")
    lines = reply["text"].splitlines()
    assert lines[0] == "⚠ 2 checks in one message; warnings in 1:"
    assert "— 1. QX12ABC —" in lines and "— 2. QUIXTABLE, Jonathan 01/01/1990 —" in lines
    assert "(PT02)" in reply["text"].split("— 2. ")[1]
    assert reply["protect_content"] is True
    assert "reply_markup" not in reply  # no More or Follow: neither could say which section it means
    [entry] = await bot.audit(OFFICER)
    assert (entry.intent, entry.outcome) == ("vehicle_check", "answered")
    audited = entry.record_ids.split()
    assert audited[:2] == ["vehicle:QX12ABC", "person:PT01"] and "person:PT02" in audited
