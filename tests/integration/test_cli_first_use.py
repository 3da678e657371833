"""A newcomer's first commands: each says what it did, what it needs, or how to leave."""

from __future__ import annotations

import argparse
import contextlib
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from bot.arguments import build_parser
from bot.cli import main
from knowledge.access.reasons import DEFAULT_REASONS
from knowledge.store.database import _alembic_config
from tests.support.keys import AUDIT_ENV

ROOT = Path(__file__).parents[2]


@pytest.fixture
def new_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'beatline.db'}"
    monkeypatch.setenv("BEATLINE_DATABASE_URL", url)
    return url


def test_init_db_says_whether_it_created_upgraded_or_found_the_schema(new_database, capsys) -> None:
    head = ScriptDirectory.from_config(_alembic_config(new_database)).get_current_head()
    assert main(["init-db"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"Created the schema at revision {head}."
    assert main(["init-db"]) == 0
    assert capsys.readouterr().out == f"Already up to date (revision {head}).\n"
    command.downgrade(_alembic_config(new_database), "0002")
    assert main(["init-db"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"Upgraded from 0002 to {head}."


def test_import_of_a_missing_folder_or_a_file_says_so(new_database, tmp_path, capsys) -> None:
    assert main(["init-db"]) == 0
    capsys.readouterr()
    missing = tmp_path / "exports"
    assert main(["import", str(missing)]) == 1
    assert capsys.readouterr().err == f"No such folder: {missing}\n"
    a_file = tmp_path / "persons.csv"
    a_file.write_text("id,forenames,surname,date_of_birth,sex,aliases,markers,address_id\n", encoding="utf-8")
    assert main(["import", str(a_file)]) == 1
    assert capsys.readouterr().err == (
        f"{a_file} is a file, not a folder; give the folder that holds the CSV files.\n"
    )


def test_ask_help_explains_its_options_and_lists_the_reason_codes(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["ask", "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert "--as TELEGRAM_ID  answer as this enrolled Telegram user" in shown
    for code, meaning in DEFAULT_REASONS.items():
        assert f"  {code:<8}  {meaning}\n" in shown


Argument = tuple[str, argparse.Action]


def _commands(parser: argparse.ArgumentParser, path: str = "beatline") -> Iterator[Argument]:
    """Every argument of every (sub)command, and every subcommand as an entry of its parent's list."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from ((path, choice) for choice in action._choices_actions)
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{path} {name}")
        else:
            yield path, action


def test_every_command_and_option_has_help() -> None:
    silent = [f"{path} {action.dest}" for path, action in _commands(build_parser()) if not action.help]
    assert silent == []


def _read(master: int, until: bytes, seen: bytearray, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while until not in seen and time.monotonic() < deadline:
        if select.select([master], [], [], 0.1)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child has closed the terminal
                return
            if not chunk:
                return
            seen += chunk


def test_ctrl_c_at_the_chat_prompt_leaves_politely(sqlite_url) -> None:
    master, terminal = pty.openpty()  # a terminal, so the chat is interactive
    env = {**os.environ, **AUDIT_ENV, "BEATLINE_DATABASE_URL": sqlite_url}
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat"], stdin=terminal, stdout=terminal, stderr=terminal,
        env=env, cwd=ROOT,
    )  # fmt: skip
    os.close(terminal)
    seen = bytearray()
    try:
        _read(master, b"> ", seen)
        assert b"> " in seen, seen.decode(errors="replace")
        # A person presses Ctrl-C well after the prompt shows; a signal in the instant between printing
        # the prompt and blocking in read() is lost inside CPython's own input(), not ours.
        time.sleep(0.5)
        chat.send_signal(signal.SIGINT)  # what the terminal sends for Ctrl-C
        assert chat.wait(timeout=20) == 0
        _read(master, b"Bye.", seen)
    finally:
        chat.kill()
        chat.wait()
        os.close(master)
    shown = seen.decode(errors="replace")
    assert "Bye." in shown and "Traceback" not in shown


def test_a_reader_that_leaves_early_is_no_database_error() -> None:
    """`beatline parse < many | head -1`: the pipe closes under us; no sentence blames the database."""
    lines = "".join(f"smith john {n}/4/85\n" for n in range(1, 29)).encode() * 400
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "parse"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, **AUDIT_ENV},
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None

    def feed(stdin: IO[bytes]) -> None:  # in a thread, or both pipes fill and each side waits on the other
        with contextlib.suppress(BrokenPipeError):
            stdin.write(lines)
            stdin.close()

    feeder = threading.Thread(target=feed, args=(process.stdin,), daemon=True)
    feeder.start()
    assert process.stdout.readline().startswith(b'{"intent": "person_check"')
    process.stdout.close()
    assert process.wait(timeout=60) == 1
    assert process.stderr.read() == b""
    feeder.join(timeout=10)
