"""`beatline`: the command line of the contract. Thin: parse arguments, call knowledge/, print.

Exit codes: 0 success, 1 input or data rejected, 2 usage error. Errors are one sentence on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bot import logs
from bot.arguments import UsageError, build_parser
from bot.operator import console_caller
from bot.settings import Settings, SettingsError
from knowledge.access.authenticator import Provisioning
from knowledge.access.step_up import Policy
from knowledge.errors import BeatlineError, DatabaseUnavailable, ImportRejected
from knowledge.store import audit, audit_check, audit_export
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database, _revisions, schema_problem, upgrade_schema
from knowledge.vanishing.wipe import Wiped

__all__ = ["init_db", "main"]

log = logging.getLogger("beatline")


async def _with_db(
    settings: Settings,
    work: Callable[[Database], Awaitable[int]],
    *,
    key: AuditKey | None = None,
    writes: bool = False,
) -> int:
    """Run work on the database; one that writes the audit log first checks its key is the log's."""
    db = Database(settings.database_url, timeout=settings.db_timeout, audit_key=key)
    try:
        if writes:
            await audit.check_key(db)
        return await work(db)
    finally:
        await db.dispose()


def _print_lines(lines: Sequence[str]) -> None:
    for line in lines:
        print(line, flush=True)


async def _wipe(settings: Settings, db: Database, chat_id: int) -> Wiped:
    """Wipe a revoked user's chat: through the Bot API when this shell has the token, else (or if the
    Bot API does not answer) by making the messages due now for the running bot's deletion engine."""
    from knowledge.vanishing.wipe import wipe

    if settings.telegram_token:
        from telegram import Bot
        from telegram.error import TelegramError

        from bot.app import TELEGRAM_API
        from handlers.vanish import deleter

        base_url = settings.telegram_api_base_url or TELEGRAM_API
        try:
            async with Bot(settings.telegram_token.reveal(), base_url=base_url) as bot:
                return await wipe(db, chat_id, deleter(bot))
        except TelegramError as exc:
            log.warning(
                "the Bot API did not answer (%s); leaving the wipe to the running bot", type(exc).__name__
            )
    return await wipe(db, chat_id, None)


async def _users(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    from knowledge.access import authenticator, step_up, users

    by = console_caller()
    if args.users_command == "add":
        who = await users.enrol(db, args.telegram_id, args.role, team=args.team, name=args.name, by=by)
        print(f"{who.telegram_id} enrolled as {who.role}{' in team ' + who.team if who.team else ''}.")
    elif args.users_command == "totp":
        _show_provisioning(await authenticator.issue(db, args.telegram_id, by=by), args)
    elif args.users_command == "release":
        if not await step_up.release(db, args.telegram_id, by=by):
            raise BeatlineError(f"{args.telegram_id} is not locked out.")
        print(f"{args.telegram_id} is released: they can unlock with their code again.")
    elif args.users_command == "revoke":
        if not await users.revoke(db, args.telegram_id, by=by):
            raise BeatlineError(f"{args.telegram_id} is not an active user.")
        print(f"{args.telegram_id} revoked. {(await _wipe(settings, db, args.telegram_id)).sentence()}")
    else:
        for u in await users.list_users(db):
            print(f"{u.telegram_id}\t{u.role}\t{u.team or '-'}\t{u.status}\t{u.name or '-'}\t"
                  f"changed by {u.changed_by} {u.changed_at:%Y-%m-%d %H:%M}")  # fmt: skip
    return 0


async def _reasons(args: argparse.Namespace, db: Database) -> int:
    from knowledge.access import reasons

    if args.reasons_command == "set":
        new = await reasons.set_reason(db, args.code, args.label, by=console_caller())
        print(f"Reason {args.code.strip().upper()} {'added' if new else 'relabelled'}.")
        return 0
    for code, label in (await reasons.reason_codes(db)).items():
        print(f"{code}\t{label}")
    return 0


def _show_provisioning(issued: Provisioning, args: argparse.Namespace) -> None:
    """The secret as a QR code for the officer's authenticator app, and as the URI; or only the JSON."""
    if args.json:
        print(json.dumps({"otpauth": issued.uri}), flush=True)
        return
    import segno  # a well-kept QR encoder with no dependencies, drawing in the terminal's characters

    segno.make(issued.uri, error="m").terminal(out=sys.stdout, compact=True)
    print(issued.uri)
    print(
        f"Show this to {args.telegram_id} in person, to scan with an authenticator app; anyone who sees it "
        "can make their codes. It replaces any earlier secret. They then send /unlock and the code.",
        flush=True,
    )


async def _audit(args: argparse.Namespace, db: Database, shifts: Policy) -> int:
    if args.audit_command == "verify":
        checkpoints = [c for path in args.checkpoint for c in _read_checkpoints(path)]
        result = await audit_check.verify(db, checkpoints)
        if result.ok:
            print(_intact(result))
            return 0
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(
            f"Audit chain BROKEN: {len(result.problems)} problems in {result.checked} entries.",
            file=sys.stderr,
        )
        return 1
    if args.audit_command == "checkpoint":
        mark = await audit_check.checkpoint(db)
        if args.out is None:
            print(mark.to_json())
            return 0
        try:
            with args.out.open("a", encoding="utf-8") as out:
                out.write(mark.to_json() + "\n")
        except OSError as exc:
            raise BeatlineError(f"{args.out} cannot be written ({exc.strerror}).") from None
        print(f"Checkpoint of entry {mark.seq} added to {args.out}.")
        return 0
    since = args.since.replace(tzinfo=args.since.tzinfo or dt.UTC) if args.since else None
    if args.audit_command == "report":
        return await _report(db, since, args.format, shifts)
    async for chunk in audit_export.export(db, since=since, fmt=args.format):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    return 0


async def _report(db: Database, since: dt.datetime | None, fmt: str, shifts: Policy) -> int:
    from knowledge.review import report
    from knowledge.review.read import read_review

    hours = shifts.unlock_for.total_seconds() / 3600
    found = await read_review(db, since, unlock_hours=hours, step_up=shifts.on)
    shown = {"text": report.review_text, "json": report.review_json, "html": report.review_html}[fmt](found)
    print(shown, flush=True)
    return 0


async def _stats(args: argparse.Namespace, db: Database) -> int:
    from knowledge.review.read import read_statistics
    from knowledge.review.report import statistics_text

    if not 1 <= args.days <= 366:
        raise UsageError("--days must be from 1 to 366")
    figures = await read_statistics(db, args.days)
    print(
        json.dumps(figures.to_json(), ensure_ascii=False) if args.json else statistics_text(figures),
        flush=True,
    )
    return 0


def _read_checkpoints(path: Path) -> list[audit_check.Checkpoint]:
    try:
        return audit_check.read_checkpoints(path)
    except OSError as exc:
        raise BeatlineError(f"The checkpoint file {path} cannot be read ({exc.strerror}).") from None


def _intact(result: audit_check.VerifyResult) -> str:
    said = [f"Audit chain intact: {result.checked} entries checked"]
    if result.unkeyed:
        said.append(f"the {result.unkeyed} written before the audit key was introduced are hash-chained only")
    if n := result.checkpoints:
        said.append(f"it agrees with the {n} checkpoint{'s' * (n > 1)} given")
    return "; ".join(said) + "."


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command
    if command == "init-db":
        _print_lines(init_db(settings))
        return 0
    if command == "import":
        from knowledge.importing.importer import import_directory

        _print_lines(import_directory(settings.database_url, args.directory).lines())
        return 0
    if command == "demo-data":
        from knowledge.demo.dataset import load_demo_data

        if args.persons < 1:
            raise UsageError("--persons must be at least 1")
        _print_lines(load_demo_data(settings.database_url, persons=args.persons, seed=args.seed).lines())
        return 0
    if command == "parse":
        from knowledge.understanding.parse import parse

        lines = [args.text] if args.text is not None else sys.stdin
        for line in lines:
            print(json.dumps(parse(line).to_json(), ensure_ascii=False), flush=True)
        return 0
    needs_schema = (
        "ask",
        "chat",
        "users",
        "audit",
        "reasons",
        "stats",
        "console",
        "console-link",
        "records-api",
    )
    if command in needs_schema and (problem := schema_problem(settings.database_url)):
        raise BeatlineError(problem)
    if command == "ask":
        from bot import console

        return asyncio.run(
            _with_db(
                settings, lambda db: _ask(args, settings, db), key=settings.load_audit_key(), writes=True
            )
        )
    if command == "chat":
        from bot import console

        return console.chat(settings)
    if command == "records-api":
        from bot.records_server import serve

        return serve(settings, host=args.host, port=args.port)
    if command == "run":
        from bot.run import run

        return run(settings, webhook=args.webhook, port=args.port)
    if command == "stats":
        return asyncio.run(_with_db(settings, lambda db: _stats(args, db)))
    if command in ("console", "console-link"):
        return _console(args, settings)
    if command == "users":
        return asyncio.run(
            _with_db(
                settings, lambda db: _users(args, db, settings), key=settings.load_audit_key(), writes=True
            )
        )
    if command == "reasons":
        writes = args.reasons_command == "set"
        key = settings.load_audit_key() if writes else None
        return asyncio.run(_with_db(settings, lambda db: _reasons(args, db), key=key, writes=writes))
    if args.audit_command == "seal":
        return _seal(settings)
    # An export or a report shows the log as it is and needs no key; checking or vouching for it does.
    key = None if args.audit_command in ("export", "report") else settings.load_audit_key()
    # The report reads shifts as the bot enforces them (BEATLINE_STEP_UP, BEATLINE_UNLOCK_HOURS).
    shifts = settings.step_up_policy(bot=True)
    return asyncio.run(_with_db(settings, lambda db: _audit(args, db, shifts), key=key))


async def _ask(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from bot import console
    from bot.services import records_source

    records = records_source(settings, db)
    try:
        return await console.ask(
            db, args, settings.reason_rule(), settings.step_up_policy(bot=False), records
        )
    finally:
        await records.close()


def _console(args: argparse.Namespace, settings: Settings) -> int:
    """`beatline console` serves the web console alone; `beatline console-link ID` prints a sign-in link."""
    if not settings.public_url:
        raise BeatlineError("Set BEATLINE_PUBLIC_URL to the address admins reach the console at, e.g. "
                            "https://beatline.example.org.")  # fmt: skip
    if args.command == "console":
        from bot.web.serve import serve_console

        asyncio.run(serve_console(settings, args.port or settings.port))
        return 0
    from knowledge.access import console_links, users

    async def link(db: Database) -> int:
        telegram_id = users.parse_telegram_id(str(args.telegram_id))
        token = await console_links.issue_link(db, telegram_id, by=console_caller())
        print(console_links.sign_in_link(str(settings.public_url), token))
        return 0

    return asyncio.run(_with_db(settings, link, key=settings.load_audit_key(), writes=True))


def _seal(settings: Settings) -> int:
    """`beatline audit seal`: a person's decision that the log's entries so far predate the key."""
    unkeyed = audit.seal(settings.database_url, settings.load_audit_key(), entries_before_the_key=True)
    if unkeyed is None:
        print("The audit log is sealed with this key already; nothing was changed.")
    else:
        print(f"Sealed the audit log; the {unkeyed} entries written before the key are hash-chained only.")
    return 0


def init_db(settings: Settings) -> list[str]:
    """`beatline init-db`: the schema at its latest version, the audit key in place, and the audit log
    sealed with it. Returns what was done, a line each."""
    created = settings.create_default_audit_key()
    key = settings.load_audit_key()
    before, head = _revisions(settings.database_url)
    upgrade_schema(settings.database_url)
    if before is None:
        done = [f"Created the schema at revision {head}."]
    elif before != head:
        done = [f"Upgraded from {before} to {head}."]
    else:
        done = [f"Already up to date (revision {head})."]
    if created:
        done.append(f"Created the audit key {created}: keep a copy where the database's administrators "
                    "cannot write, since without it the audit log cannot be verified.")  # fmt: skip
    unkeyed = audit.seal(settings.database_url, key)
    if unkeyed is not None:
        earlier = f"; the {unkeyed} entries written before it are hash-chained only" if unkeyed else ""
        done.append(f"Sealed the audit log with the audit key{earlier}.")
    return done


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"beatline: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings)
    try:
        args = build_parser().parse_args(argv)
        return _dispatch(args, settings)
    except UsageError as exc:
        print(f"beatline: {exc}. See 'beatline --help'.", file=sys.stderr)
        return 2
    except SettingsError as exc:  # a variable read only by some commands, such as the audit key's file
        print(f"beatline: {exc}", file=sys.stderr)
        return 2
    except ImportRejected as exc:
        print(str(exc), file=sys.stderr)
        problems = "1 problem" if exc.total == 1 else f"{exc.total} problems"
        print(f"Import rejected: {problems}; nothing was written.", file=sys.stderr)
        return 1
    except DatabaseUnavailable as exc:
        log.debug("database unavailable: %s", exc.detail)
        print(str(exc), file=sys.stderr)
        return 1
    except BeatlineError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader left (`| head`): not the database, and nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 1
    except Exception as exc:  # the last line of defence: one sentence, the detail to the log
        if _is_database_error(exc):
            print(DatabaseUnavailable().args[0], file=sys.stderr)
            return 1
        log.debug("unexpected error", exc_info=True)
        print(f"Something went wrong ({type(exc).__name__}); run with BEATLINE_LOG_LEVEL=DEBUG for detail.",
              file=sys.stderr)  # fmt: skip
        return 1


def _is_database_error(exc: BaseException) -> bool:
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    return isinstance(exc, OperationalError | DBAPIError | PoolTimeout | ConnectionError)


if __name__ == "__main__":
    sys.exit(main())
