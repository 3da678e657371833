"""`beatline ask` and `beatline chat`: the bot's answers in a terminal or a pipe.

Both call the same answer function as Telegram. With `--as`, that Telegram user's enrolment applies,
and so does their shift lock when BEATLINE_STEP_UP=totp is set (unset, it is off here, so scripts keep
working); without it the console operator acts as an admin, audited as `console:<os user>`. The chat
also runs the commands that make sense at a terminal (/whoami, /users, /audit) through the same
knowledge functions as Telegram, and its help lists only those; briefings stay in Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterable

from bot.operator import console_caller
from bot.settings import Settings
from knowledge.access import listings, step_up, users
from knowledge.access.reason_choices import ReasonRule
from knowledge.access.reasons import check_code, reason_codes
from knowledge.access.roles import COMMANDS, ROLES, can_use, help_text
from knowledge.answers.disclosure import Answer
from knowledge.answers.dispatch import answer
from knowledge.errors import BeatlineError
from knowledge.matching.clean import clean_text
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.vocabulary import Outcome
from knowledge.understanding.intents import Intent
from knowledge.understanding.parse import parse

__all__ = ["ask", "chat"]


async def caller_for(db: Database, as_id: int | None) -> Caller:
    if as_id is None:
        return console_caller()
    async with db.reads() as session:
        who = await users.active_user(session, as_id)
    return Caller(actor=f"tg:{as_id}", role=who.role if who else "", channel="cli", telegram_user_id=as_id)


def _show(result: Answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
    else:
        print(result.reply, flush=True)


async def _locked(db: Database, caller: Caller, policy: step_up.Policy, text: str) -> Answer | None:
    """The locked answer, audited, if this enrolled Telegram user is locked; None if they may ask."""
    if not policy.on or caller.telegram_user_id is None or caller.role not in ROLES:
        return None
    async with db.sessions() as session, session.begin():
        if await step_up.admit(session, caller, policy, now=dt.datetime.now(dt.UTC)):
            return None
        intent = parse(text).intent
        await audit.record(session, caller, query=text, intent=intent, outcome=Outcome.LOCKED)
    return Answer(intent, Outcome.LOCKED, step_up.LOCKED_REPLY)


async def ask(db: Database, args: argparse.Namespace, rule: ReasonRule, policy: step_up.Policy) -> int:
    """One answer for TEXT, or one per stdin line, each flushed as soon as it is ready.

    With `--as`, a check needs a reason as it would in Telegram; an unknown code is refused (exit 1,
    the codes listed) before anything is asked.
    """
    reason = check_code(args.reason, await reason_codes(db)) if args.reason else ""
    caller = await caller_for(db, args.as_id)
    lines: Iterable[str] = [args.text] if args.text is not None else sys.stdin
    for line in lines:
        if args.text is None and not line.strip():
            continue
        if not args.json and args.text is None:
            print("", flush=True)
        text = line.rstrip("\n")
        locked = await _locked(db, caller, policy, text)
        _show(locked or await answer(db, caller, text, reason=reason, rule=rule), args.json)
    return 0


def chat(settings: Settings) -> int:
    """A terminal conversation: follow-ups ('more', '2', 'his car') work as in Telegram; 'quit' leaves.

    The prompt is read while no event loop runs, so Ctrl-C interrupts it as in any program (a read
    in a worker thread would keep the process waiting for Enter); Ctrl-C during an answer cancels it.
    """
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        print("Beatline chat — ask as you would on the radio. 'help' for examples, 'quit' to leave.")
    with asyncio.Runner() as runner:
        db = Database(settings.database_url, timeout=settings.db_timeout, audit_key=settings.load_audit_key())
        try:
            runner.run(audit.check_key(db))  # entries written with another key would not verify
            _converse(runner, db, interactive)
        except (EOFError, KeyboardInterrupt):
            if interactive:
                print()  # off the prompt's line
        finally:
            runner.run(db.dispose())
    if interactive:
        print("Bye.")
    return 0


def _converse(runner: asyncio.Runner, db: Database, interactive: bool) -> None:
    # The conversation ("more", "the second one", "his car") is the answer function's, held in the
    # database as for Telegram: nothing of it is kept here.
    caller = console_caller()
    while True:
        text = clean_text(input("> " if interactive else ""))
        if not text:
            continue
        if text.lower() in ("quit", "exit", "q"):
            return
        if text.startswith("/") or parse(text).intent is Intent.HELP:
            print(runner.run(_command(db, caller, text)), end="\n\n", flush=True)
            continue
        last = runner.run(answer(db, caller, text))
        print(last.reply, flush=True)
        if last.more:
            print("(say 'more' for detail)", flush=True)
        print("", flush=True)


TELEGRAM_ONLY = "That works in Telegram only. Send 'help' for what works here."


async def _command(db: Database, caller: Caller, text: str) -> str:
    """A command typed at the chat, as Telegram would run it for this role; help for anything else."""
    word, *args = text.split()
    name = word[1:].lower() if word.startswith("/") else "help"
    if name in ("help", "start"):
        return help_text(caller.role, terminal=True)
    if not any(c.name == name and c.terminal for c in COMMANDS):
        return TELEGRAM_ONLY if any(c.name == name for c in COMMANDS) else f"There is no command {word}."
    if not can_use(caller.role, name):
        return "That command is not available to your role."
    if name == "whoami":
        return listings.operator_card(caller)
    if name == "users":
        return (await listings.user_listing(db, caller, text)).text
    try:
        telegram_id = users.parse_telegram_id(args[0]) if args else None
    except BeatlineError as exc:
        return str(exc)
    return (await listings.audit_listing(db, caller, text, telegram_id)).text
