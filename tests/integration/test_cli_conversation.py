"""Follow-ups at a terminal: `beatline ask` from a pipe, separate `beatline ask` runs, and `beatline chat`
follow the console operator's last answer the same way Telegram follows an officer's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.keys import AUDIT_ENV, init_db
from tests.support.known_records import fill


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'beatline.db'}"
    init_db(url)
    fill(url)
    yield {**os.environ, **AUDIT_ENV, "BEATLINE_DATABASE_URL": url}


def beatline(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ask_from_a_pipe_follows_its_own_answers(env: dict[str, str]) -> None:
    out = beatline(env, "ask", "--json", stdin="percival quarrington\nmore\nthe second one\nhis car\n")
    shortlist, page, picked, car = (json.loads(line) for line in out.splitlines())
    assert (shortlist["outcome"], len(shortlist["records"])) == ("ambiguous", 6)
    assert page["reply"].startswith("Matches 7–8 of 8:") and len(page["records"]) == 2
    assert (picked["intent"], picked["outcome"]) == ("person_check", "answered")
    assert picked["records"][0]["id"] == shortlist["records"][1]["id"]
    assert car["outcome"] == "answered" and "No vehicle is recorded with QUARRINGTON" in car["reply"]


def test_a_later_ask_is_followed_by_the_next_one(env: dict[str, str]) -> None:
    beatline(env, "ask", "jonathan quixtable 3/4/85")
    assert beatline(env, "ask", "his car").startswith("Vehicle QX12ABC: Red Ford Focus")


def test_chat_pages_and_picks_by_words(env: dict[str, str]) -> None:
    out = beatline(env, "chat", stdin="percival quarrington\nnext\n8\nquit\n")
    _, page, picked = out.strip().split("\n\n")  # each answer ends with an empty line
    assert page.startswith("Matches 7–8 of 8:")
    eighth = next(line for line in page.splitlines() if line.startswith("8. "))
    person_id = eighth.rsplit("(", 1)[1].rstrip(")")
    assert "Name: QUARRINGTON, Percival — born " in picked and f"({person_id})" in picked
