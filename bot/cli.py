"""`beatline`: the command line of the contract. Thin: parse arguments, call knowledge/, print.

Exit codes: 0 success, 1 input or data rejected, 2 usage error. Errors are one sentence on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bot import logs
from bot.settings import Settings, SettingsError
from knowledge import audit
from knowledge.audit import Caller
from knowledge.audit_key import AuditKey
from knowledge.db import Database, schema_problem, upgrade_schema
from knowledge.errors import BeatlineError, DatabaseUnavailable, ImportRejected

__all__ = ["init_db", "main"]

log = logging.getLogger("beatline")


class UsageError(Exception):
    """Bad arguments: exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="beatline", description="Background checks for front-line officers.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("init-db", help="create or upgrade the schema")
    demo = sub.add_parser("demo-data", help="fill the database with synthetic records")
    demo.add_argument("--persons", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=1)
    imp = sub.add_parser("import", help="import CSV files from a directory")
    imp.add_argument("directory", type=Path)
    parse = sub.add_parser("parse", help="print the parsed query as JSON")
    parse.add_argument("text", nargs="?")
    ask = sub.add_parser("ask", help="answer as the bot would")
    ask.add_argument("--as", dest="as_id", type=int)
    ask.add_argument("--reason", default="")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("text", nargs="?")
    sub.add_parser("chat", help="interactive chat in the terminal")
    run = sub.add_parser("run", help="run the Telegram bot")
    run.add_argument("--webhook", action="store_true")
    run.add_argument("--port", type=int)
    users = sub.add_parser("users", help="manage the allowlist").add_subparsers(
        dest="users_command", required=True, parser_class=_Parser
    )
    add = users.add_parser("add")
    add.add_argument("telegram_id", type=int)
    add.add_argument("--role", required=True, choices=("officer", "sergeant", "admin"))
    add.add_argument("--team", default="")
    add.add_argument("--name", default="")
    users.add_parser("revoke").add_argument("telegram_id", type=int)
    users.add_parser("list")
    audit = sub.add_parser("audit", help="check or export the audit log").add_subparsers(
        dest="audit_command", required=True, parser_class=_Parser
    )
    verify = audit.add_parser("verify", help="check the chain, and that it still holds each checkpoint")
    verify.add_argument("--checkpoint", type=Path, action="append", default=[], metavar="FILE")
    audit.add_parser("checkpoint", help="print a signed checkpoint of the head").add_argument(
        "--out", type=Path, metavar="FILE", help="append it to FILE instead"
    )
    export = audit.add_parser("export")
    export.add_argument("--since", type=dt.datetime.fromisoformat)
    export.add_argument("--format", choices=("csv", "jsonl"), default="jsonl")
    return parser


def console_caller() -> Caller:
    return Caller(actor=f"console:{getpass.getuser()}", role="admin", channel="cli")


async def _with_db(
    settings: Settings,
    work: Callable[[Database], Awaitable[int]],
    *,
    key: AuditKey | None = None,
    writes: bool = False,
) -> int:
    """Run work on the database; one that writes the audit log first checks its key is the log's."""
    db = Database(settings.database_url, audit_key=key)
    try:
        if writes:
            await audit.check_key(db)
        return await work(db)
    finally:
        await db.dispose()


def _print_lines(lines: Sequence[str]) -> None:
    for line in lines:
        print(line, flush=True)


async def _users(args: argparse.Namespace, db: Database) -> int:
    from knowledge import users

    by = console_caller().actor
    if args.users_command == "add":
        who = await users.enrol(db, args.telegram_id, args.role, team=args.team, name=args.name, by=by)
        print(f"{who.telegram_id} enrolled as {who.role}{' in team ' + who.team if who.team else ''}.")
    elif args.users_command == "revoke":
        if not await users.revoke(db, args.telegram_id, by=by):
            raise BeatlineError(f"{args.telegram_id} is not an active user.")
        print(f"{args.telegram_id} revoked.")
    else:
        for u in await users.list_users(db):
            print(f"{u.telegram_id}\t{u.role}\t{u.team or '-'}\t{u.status}\t{u.name or '-'}\t"
                  f"changed by {u.changed_by} {u.changed_at:%Y-%m-%d %H:%M}")  # fmt: skip
    return 0


async def _audit(args: argparse.Namespace, db: Database) -> int:
    if args.audit_command == "verify":
        checkpoints = [c for path in args.checkpoint for c in _read_checkpoints(path)]
        result = await audit.verify(db, checkpoints)
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
        mark = await audit.checkpoint(db)
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
    async for chunk in audit.export(db, since=since, fmt=args.format):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    return 0


def _read_checkpoints(path: Path) -> list[audit.Checkpoint]:
    try:
        return audit.read_checkpoints(path)
    except OSError as exc:
        raise BeatlineError(f"The checkpoint file {path} cannot be read ({exc.strerror}).") from None


def _intact(result: audit.VerifyResult) -> str:
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
        from knowledge.importer import import_directory

        _print_lines(import_directory(settings.database_url, args.directory).lines())
        return 0
    if command == "demo-data":
        from knowledge.demo import load_demo_data

        if args.persons < 1:
            raise UsageError("--persons must be at least 1")
        _print_lines(load_demo_data(settings.database_url, persons=args.persons, seed=args.seed).lines())
        return 0
    if command == "parse":
        from knowledge.parse import parse

        lines = [args.text] if args.text is not None else sys.stdin
        for line in lines:
            print(json.dumps(parse(line).to_json(), ensure_ascii=False), flush=True)
        return 0
    if command in ("ask", "chat", "users", "audit") and (problem := schema_problem(settings.database_url)):
        raise BeatlineError(problem)
    if command in ("ask", "chat"):
        from bot import console

        runner = console.ask if command == "ask" else console.chat
        return asyncio.run(
            _with_db(settings, lambda db: runner(db, args), key=settings.load_audit_key(), writes=True)
        )
    if command == "run":
        from bot.run import run

        return run(settings, webhook=args.webhook, port=args.port)
    if command == "users":
        return asyncio.run(
            _with_db(settings, lambda db: _users(args, db), key=settings.load_audit_key(), writes=True)
        )
    # An export shows the log as it is and needs no key; checking or vouching for it does.
    key = None if args.audit_command == "export" else settings.load_audit_key()
    return asyncio.run(_with_db(settings, lambda db: _audit(args, db), key=key))


def init_db(settings: Settings) -> list[str]:
    """`beatline init-db`: the schema at its latest version, the audit key in place, and the audit log
    sealed with it. Returns what was done, a line each."""
    created = settings.create_default_audit_key()
    key = settings.load_audit_key()
    upgrade_schema(settings.database_url)
    done = ["Database schema is up to date."]
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
        args = _parser().parse_args(argv)
        return _dispatch(args, settings)
    except UsageError as exc:
        print(f"beatline: {exc}. See 'beatline --help'.", file=sys.stderr)
        return 2
    except SettingsError as exc:  # a variable read only by some commands, such as the audit key's file
        print(f"beatline: {exc}", file=sys.stderr)
        return 2
    except ImportRejected as exc:
        print(str(exc), file=sys.stderr)
        print(f"Import rejected: {exc.total} problems; nothing was written.", file=sys.stderr)
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
