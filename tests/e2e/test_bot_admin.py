"""Who may do what: the matrix of roles and commands, the allowlist commands, invites and command menus."""

from __future__ import annotations

import pytest
from telegram import Bot

from handlers.admin import STRANGER_MENU, menu_for, sync_all_menus
from handlers.gate import NOT_YOUR_COMMAND, stranger_refusal
from knowledge.access.roles import COMMANDS, ROLES, can_use
from knowledge.errors import InviteRefused
from tests.support.bot import ADMIN, OFFICER, SERGEANT, STRANGER, BotUnderTest

USERS = {"admin": ADMIN, "sergeant": SERGEANT, "officer": OFFICER, "stranger": STRANGER}
NEWCOMER = 7777


def chat_scope(telegram_id: int) -> dict:
    return {"type": "chat", "chat_id": telegram_id}


@pytest.mark.parametrize("role", [*ROLES, "stranger"])
async def test_every_role_gets_exactly_its_commands(bot: BotUnderTest, role: str) -> None:
    denials = 0
    for number, command in enumerate(["start", *(c.name for c in COMMANDS)]):
        # A stranger is refused only a few times before being throttled: each command a new stranger.
        user = USERS[role] + (number if role == "stranger" else 0)
        reply = await bot.say(user, f"/{command}")
        if role == "stranger":
            expected = "refused"
        else:
            expected = "allowed" if command == "start" or can_use(role, command) else "denied"
        got = {stranger_refusal(user): "refused", NOT_YOUR_COMMAND: "denied"}.get(reply["text"], "allowed")
        assert got == expected, f"{role} /{command}: {reply['text']!r}"
        denials += expected != "allowed"
    entries = [e for e in await bot.audit() if e.actor.startswith("tg:") and e.outcome == "denied"]
    assert len(entries) == denials
    assert all(e.record_ids == "" for e in entries)


async def test_help_lists_only_the_roles_own_commands(bot: BotUnderTest) -> None:
    officer_help = (await bot.say(OFFICER, "/help"))["text"]
    admin_help = (await bot.say(ADMIN, "/help"))["text"]
    assert "/whoami" in officer_help and "/allow" not in officer_help and "/brief" not in officer_help
    assert all(c.usage in admin_help for c in COMMANDS)


async def test_allow_and_revoke_take_effect_on_the_next_message(bot_on: BotUnderTest) -> None:
    assert (await bot_on.say(NEWCOMER, "check plate QX12ABC"))["text"] == stranger_refusal(NEWCOMER)
    confirm = await bot_on.say(ADMIN, f"/allow {NEWCOMER} officer south")
    assert confirm["text"] == f"{NEWCOMER} is enrolled as officer in team south."
    assert (await bot_on.say(NEWCOMER, "training: check plate QX12ABC"))["text"].startswith("Vehicle QX12ABC")
    assert (await bot_on.say(NEWCOMER, "/whoami"))[
        "text"
    ] == f"Telegram id: {NEWCOMER}\nRole: officer\nTeam: south"
    assert (await bot_on.say(ADMIN, f"/revoke {NEWCOMER}"))["text"].startswith(f"{NEWCOMER} is revoked")
    assert (await bot_on.say(NEWCOMER, "check plate QX12ABC"))["text"] == stranger_refusal(NEWCOMER)
    assert (await bot_on.say(ADMIN, f"/revoke {NEWCOMER}"))["text"] == f"{NEWCOMER} is not an active user."
    outcomes = [(e.outcome, bool(e.record_ids)) for e in await bot_on.audit(NEWCOMER)]
    assert outcomes == [("denied", False), ("answered", True), ("denied", False)]


async def test_officer_is_denied_admin_commands_and_nothing_changes(bot: BotUnderTest) -> None:
    assert (await bot.say(OFFICER, f"/allow {NEWCOMER} admin"))["text"] == NOT_YOUR_COMMAND
    assert (await bot.say(NEWCOMER, "hello"))["text"] == stranger_refusal(NEWCOMER)
    assert (await bot.say(OFFICER, "/audit"))["text"] == NOT_YOUR_COMMAND
    assert [(e.outcome, e.intent) for e in await bot.audit(OFFICER)] == [("denied", "command")] * 2


async def test_an_edited_admin_command_is_still_gated(bot: BotUnderTest) -> None:
    edit = bot.fake.text_message(OFFICER, f"/allow {NEWCOMER} admin", edited=True)
    assert (await bot.reply_to(OFFICER, edit))["text"] == NOT_YOUR_COMMAND


async def test_an_invite_link_enrols_once(bot: BotUnderTest) -> None:
    link = (await bot.say(ADMIN, "/invite sergeant east"))["text"].splitlines()[-1]
    assert link.startswith("https://t.me/beatline_test_bot?start=")
    code = link.split("=", 1)[1]
    welcome = await bot.say(NEWCOMER, f"/start {code}")
    assert welcome["text"].startswith("Hello Test. You are enrolled as sergeant in team east.")
    assert bot.fake.commands(chat_scope(NEWCOMER)) == [c.to_dict() for c in menu_for("sergeant")]
    refused = stranger_refusal(STRANGER, str(InviteRefused("")))
    assert (await bot.say(STRANGER, f"/start {code}"))["text"] == refused
    assert (await bot.say(STRANGER, "/start not-a-code"))["text"] == refused


async def test_command_menus_follow_the_role(bot: BotUnderTest) -> None:
    await bot.fake.wait_for(lambda f: f.commands(chat_scope(OFFICER)))  # set at start-up
    assert bot.fake.commands() == [c.to_dict() for c in STRANGER_MENU]
    assert bot.fake.commands(chat_scope(OFFICER)) == [c.to_dict() for c in menu_for("officer")]
    sergeant = [c.to_dict() for c in menu_for("sergeant")]
    await bot.say(ADMIN, f"/allow {OFFICER} sergeant")  # the menu follows the reply
    await bot.fake.wait_for(lambda f: f.commands(chat_scope(OFFICER)) == sergeant)
    await bot.say(ADMIN, f"/revoke {OFFICER}")
    await bot.fake.wait_for(lambda f: f.commands(chat_scope(OFFICER)) == [])


async def test_a_bot_api_without_command_menus_does_not_stop_the_bot(bot: BotUnderTest) -> None:
    # An independent emulator answered setMyCommands with 500; the bot must carry on regardless.
    bot.fake.fail_next("setMyCommands", status=400, description="Bad Request: method not supported", times=3)
    bot.fake.fail_next("deleteMyCommands", status=400, description="Bad Request: method not supported")
    assert (await bot.say(ADMIN, f"/allow {NEWCOMER} officer"))["text"].startswith(f"{NEWCOMER} is enrolled")
    assert (await bot.say(ADMIN, f"/revoke {NEWCOMER}"))["text"].startswith(f"{NEWCOMER} is revoked")
    assert (await bot.say(NEWCOMER, "/whoami"))["text"] == stranger_refusal(NEWCOMER)


async def test_admin_sees_users_and_the_audit_trail(bot: BotUnderTest) -> None:
    await bot.say(OFFICER, "check plate QX12ABC")
    users = (await bot.say(ADMIN, "/users"))["text"]
    assert f"{OFFICER} · officer · north · active" in users
    trail = (await bot.say(ADMIN, f"/audit {OFFICER}"))["text"]
    assert f"tg:{OFFICER} vehicle_check answered: check plate QX12ABC [vehicle:QX12ABC" in trail
    assert (await bot.say(ADMIN, "/audit someone"))["text"].startswith("'someone' is not a Telegram id")


async def test_a_refused_default_menu_still_gives_each_user_their_menu(bot: BotUnderTest) -> None:
    await bot.enrol(NEWCOMER, "sergeant")
    bot.fake.fail_next("setMyCommands", status=400, description="Bad Request: method not supported")
    async with Bot(bot.fake.token, base_url=bot.fake.base_url) as telegram:
        await sync_all_menus(telegram, bot.db)
    assert bot.fake.commands(chat_scope(NEWCOMER)) == [c.to_dict() for c in menu_for("sergeant")]
