"""A newcomer's first commands: each says what it did, what it needs, or how to leave."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from bot.cli import _parser, main
from knowledge.reasons import REASONS


def test_ask_help_explains_its_options_and_lists_the_reason_codes(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["ask", "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert "--as TELEGRAM_ID  answer as this enrolled Telegram user" in shown
    for code, meaning in REASONS.items():
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
    silent = [f"{path} {action.dest}" for path, action in _commands(_parser()) if not action.help]
    assert silent == []
