"""The command line's words: every command, option and help text of `beatline`, in one parser."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from knowledge.access.reasons import DEFAULT_REASONS

__all__ = ["UsageError", "build_parser"]


class UsageError(Exception):
    """Bad arguments: exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


_IMPORT_EPILOG = (
    "Reads whichever of persons.csv, addresses.csv, vehicles.csv, incidents.csv and warrants.csv are in "
    "the folder; the columns and value rules are in docs/import.md."
)

_REASONS_EPILOG = "reason codes (the default set; 'beatline reasons list' shows this force's):\n" + "\n".join(
    f"  {code:<8}  {why}" for code, why in DEFAULT_REASONS.items()
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="beatline", description="Background checks for front-line officers.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    question = "the question; without it, one question a line from stdin"
    telegram_id = "the user's numeric Telegram id"
    sub.add_parser("init-db", help="create or upgrade the schema")
    demo = sub.add_parser("demo-data", help="fill the database with synthetic records")
    demo.add_argument("--persons", type=int, default=5000, help="how many persons (default 5000)")
    demo.add_argument("--seed", type=int, default=1, help="the same seed gives the same records (default 1)")
    imp = sub.add_parser("import", help="import CSV files from a directory", epilog=_IMPORT_EPILOG)
    imp.add_argument("directory", type=Path, help="the folder that holds the CSV files")
    parse = sub.add_parser("parse", help="print the parsed query as JSON")
    parse.add_argument("text", nargs="?", help=question)
    ask = sub.add_parser(
        "ask",
        help="answer as the bot would",
        epilog=_REASONS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ask.add_argument(
        "--as",
        dest="as_id",
        type=int,
        metavar="TELEGRAM_ID",
        help="answer as this enrolled Telegram user is answered (default: the console operator, an admin)",
    )
    ask.add_argument(
        "--reason",
        default="",
        metavar="CODE",
        help="why the check is made, for the audit log: a code below; with --as a check needs one",
    )
    ask.add_argument(
        "--json", action="store_true", help="print each answer as JSON: intent, outcome, reply, records"
    )
    ask.add_argument("text", nargs="?", help=question)
    sub.add_parser("chat", help="interactive chat in the terminal")
    stats = sub.add_parser("stats", help="checks per day, team, intent, outcome and reason; answer times")
    stats.add_argument("--days", type=int, default=7, help="London days up to today (default 7)")
    stats.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    run = sub.add_parser("run", help="run the Telegram bot")
    run.add_argument(
        "--webhook", action="store_true", help="serve a webhook (BEATLINE_WEBHOOK_URL), not long polling"
    )
    run.add_argument("--port", type=int, help="the webhook server's port (default: PORT, else 8080)")
    api = sub.add_parser("records-api", help="serve the reference records API over this database's records")
    api.add_argument(
        "--port", type=int, default=8090, help="the port to listen on (default 8090; 0: any free)"
    )
    api.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1; 0.0.0.0 for all)"
    )
    console = sub.add_parser("console", help="serve the admins' web console alone (BEATLINE_PUBLIC_URL)")
    console.add_argument("--port", type=int, help="the port to listen on (default: PORT, else 8080)")
    link = sub.add_parser("console-link", help="print a one-time sign-in link to the web console")
    link.add_argument("telegram_id", type=int, help="the admin's numeric Telegram id")
    users = sub.add_parser("users", help="manage the allowlist").add_subparsers(
        dest="users_command", required=True, parser_class=_Parser
    )
    add = users.add_parser("add", help="enrol a user, or change an enrolled user's role, team or name")
    add.add_argument("telegram_id", type=int, help=telegram_id)
    add.add_argument(
        "--role",
        required=True,
        choices=("officer", "sergeant", "admin"),
        help="officer: checks; sergeant: also briefings; admin: also users and audit",
    )
    add.add_argument("--team", default="", help="the team whose briefings they get")
    add.add_argument("--name", default="", help="a name to know them by in lists and the audit log")
    revoke = users.add_parser("revoke", help="end a user's access and wipe their chat")
    revoke.add_argument("telegram_id", type=int, help=telegram_id)
    users.add_parser("list", help="list the users, active and revoked")
    reasons = sub.add_parser("reasons", help="the force's reason codes for checks").add_subparsers(
        dest="reasons_command", required=True, parser_class=_Parser
    )
    reasons.add_parser("list", help="list the codes and their labels, in the order buttons show them")
    reason = reasons.add_parser("set", help="add a code, or give a code a new label (audited)")
    reason.add_argument("code", help="2 to 16 letters, digits or _, e.g. DOMESTIC; stored in upper case")
    reason.add_argument("label", help="what it means, as officers will read it on its button's list")
    totp = users.add_parser(
        "totp",
        help="issue the user's authenticator secret, replacing any: a QR code to show them in person",
    )
    totp.add_argument("telegram_id", type=int, help=telegram_id)
    totp.add_argument("--json", action="store_true", help='print only {"otpauth": "otpauth://..."}')
    release = users.add_parser("release", help="let a user locked out by wrong codes unlock again")
    release.add_argument("telegram_id", type=int, help=telegram_id)
    audit = sub.add_parser("audit", help="check or export the audit log").add_subparsers(
        dest="audit_command", required=True, parser_class=_Parser
    )
    verify = audit.add_parser("verify", help="check the chain, and that it still holds each checkpoint")
    verify.add_argument(
        "--checkpoint", type=Path, action="append", default=[], metavar="FILE",
        help="a file of checkpoints from 'audit checkpoint' (repeatable): the log must still hold each",
    )  # fmt: skip
    audit.add_parser(
        "seal",
        help="seal a log from before the audit key, once; its entries so far stay hash-chained only",
    )
    audit.add_parser("checkpoint", help="print a signed checkpoint of the head").add_argument(
        "--out", type=Path, metavar="FILE", help="append it to FILE instead"
    )
    report = audit.add_parser("report", help="what a supervisor reviews, per user")
    report.add_argument(
        "--since",
        type=dt.datetime.fromisoformat,
        metavar="ISO",
        help="from this moment on (UTC unless it has an offset); default the last 7 days",
    )
    report.add_argument(
        "--format", choices=("text", "json", "html"), default="text", help="the output format (default text)"
    )
    export = audit.add_parser("export", help="write the audit log to stdout")
    export.add_argument(
        "--since",
        type=dt.datetime.fromisoformat,
        metavar="ISO",
        help="only entries from this moment on, e.g. 2024-05-01T06:00 (UTC unless it has an offset)",
    )
    export.add_argument(
        "--format", choices=("csv", "jsonl"), default="jsonl", help="the output format (default jsonl)"
    )
    return parser
