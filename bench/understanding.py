"""How well Beatline understands officers: the generated corpus through the answer function.

    .venv/bin/python -m bench.understanding [--misses FAMILY] [--limit 20]

Builds a fresh SQLite database of the demo data (`beatline demo-data`: 5,000 persons, seed 1), then
asks every question of tests/data/understanding-{dev,held-out}.jsonl (made by bench/make_corpus.py)
as `beatline ask --json` would for the console operator, and prints, for each part and each
phrasing family:

- intent: the parsed intent is the labelled one, and the message is read as a follow-up ("more",
  "the second one", "his car") exactly when it is labelled one, referring to what the label says;
- slot F1: over (slot, value) pairs, names compared as search compares them (letters only), streets
  with their type spelled out;
- right first: of the questions that single a record out, the share whose answer lists it first;
- no record: of the questions about a record that exists, the share answered "not found";
- hidden: answers that disclose a record that is wanted or carries markers without showing them
  where that record appears (the whole reply for its subject, the record's own line otherwise);
- junk: small talk and nonsense whose answer disclosed any record;
- subjects: of the messages naming several people or plates, the share where parsing listed all.

`--misses FAMILY` prints the development part's misses of one family (or `all`). There is no way
to print the held-out part's misses: no rule is tuned on it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select

from bench.make_corpus import TODAY, key
from bench.search import machine, settings_for
from bot.cli import init_db
from bot.operator import console_caller
from knowledge.answers.disclosure import Answer
from knowledge.answers.dispatch import answer
from knowledge.demo.dataset import load_demo_data
from knowledge.matching.streets import expand_street
from knowledge.store.database import Database, sync_url
from knowledge.store.schema import Address, Marker, Person, Vehicle, Warrant
from knowledge.understanding.parse import parse

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
PARTS = {"dev": "understanding-dev.jsonl", "held_out": "understanding-held-out.jsonl"}
JUNK = {"small_talk", "nonsense"}
Flags = dict[tuple[str, str], list[str]]


def load(part: str) -> list[dict]:
    lines = (DATA / PARTS[part]).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def comparable(slot: str, value: object) -> str:
    if slot in ("forenames", "surname"):
        return key(str(value))
    if slot == "street":
        return expand_street(str(value))
    return str(value)


def pairs(slots: dict) -> set[tuple[str, str]]:
    return {(slot, comparable(slot, value)) for slot, value in slots.items()}


def subjects_listed(item: dict, parsed: dict) -> bool:
    if "vrms" in item:
        return parsed.get("vrms") == item["vrms"]
    found = [pairs(s["slots"]) for s in parsed.get("subjects", [])]
    return found == [pairs(s["slots"]) for s in item["subjects"]]


def flags_and_names(url: str) -> tuple[Flags, dict[tuple[str, str], str]]:
    """What each record carries (WANTED and marker labels, as replies print them) and how replies name it."""
    engine = create_engine(sync_url(url))
    flags: Flags = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    with engine.connect() as conn:
        labels = {code: label.upper() for code, label in conn.execute(select(Marker.code, Marker.label))}
        for pid in conn.scalars(select(Warrant.person_id).where(Warrant.status == "ACTIVE")):
            flags[("person", pid)].append("WANTED")
        for table, kind, ident in ((Person, "person", Person.id), (Vehicle, "vehicle", Vehicle.vrm),
                                   (Address, "address", Address.id)):  # fmt: skip
            for rid, markers in conn.execute(select(ident, table.markers).where(table.markers != "")):
                flags[(kind, rid)].extend(labels[c] for c in markers.split(";") if c in labels)
        names.update(
            {("address", aid): line1 for aid, line1 in conn.execute(select(Address.id, Address.line1))}
        )
    engine.dispose()
    return dict(flags), names


def _segment(reply: str, mention: Iterable[str]) -> str:
    """The lines that speak of one record: those naming it and the indented or ⚠ lines under them."""
    lines, kept = reply.splitlines(), []
    for n, line in enumerate(lines):
        if any(m and m in line for m in mention):
            kept.append(line)
            kept.extend(
                follow for follow in lines[n + 1 : n + 4]
                if follow.lstrip().startswith("⚠") or follow.startswith("  ")
            )  # fmt: skip
    return "\n".join(kept)


_SECTION = re.compile(r"^— \d+\. .* —$")  # knowledge/answers/several.py: one section per subject


def _sections(reply: str) -> list[str]:
    """A reply's sections, one per subject of a message that named several; else the reply itself."""
    sections: list[list[str]] = [[]]
    for line in reply.splitlines():
        if _SECTION.match(line):
            sections.append([])
        sections[-1].append(line)
    return ["\n".join(lines) for lines in sections[1:]] or [reply]


def hides_a_warning(result: Answer, flags: Flags, names: dict[tuple[str, str], str]) -> bool:
    """Each section is judged as a reply of its own: its subject's warnings anywhere in it, those of
    the other records it discloses where they are named."""
    sections = _sections(result.reply)
    subjects: set[int] = set()  # the sections whose subject (first record) has been met
    for position, record in enumerate(result.records):
        mention = (record.id, names.get((record.kind, record.id), ""))
        at = next((n for n, text in enumerate(sections) if any(m and m in text for m in mention)), 0)
        first_of_section = at not in subjects if len(sections) > 1 else position == 0
        subjects.add(at)
        carried = flags.get((record.kind, record.id))
        if not carried:
            continue
        segment = sections[at] if first_of_section else (_segment(sections[at], mention) or sections[at])
        if any(flag not in segment for flag in carried):
            return True
    return False


@dataclass
class Tally:
    questions: int = 0
    intents: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    singled: int = 0
    first: int = 0
    about_records: int = 0
    not_found: int = 0
    hidden: int = 0
    junk: int = 0
    junk_disclosed: int = 0
    multi: int = 0
    multi_listed: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            if name != "misses":
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self, label: str) -> str:
        f1 = 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 1.0

        def share(part: int, whole: int, fmt: str = "{:.3f}") -> str:
            return fmt.format(part / whole) if whole else "-"

        return (
            f"{label:<24} {self.questions:>5} {share(self.intents, self.questions):>7} {f1:>7.3f} "
            f"{share(self.first, self.singled):>7} {share(self.not_found, self.about_records, '{:.1%}'):>7} "
            f"{self.hidden:>6} {self.junk_disclosed if self.junk else '-':>5} "
            f"{share(self.multi_listed, self.multi):>8}"
        )


HEADER = f"{'family':<24} {'n':>5} {'intent':>7} {'slotF1':>7} {'right1':>7} {'noRec':>7} {'hidden':>6} " \
         f"{'junk':>5} {'subjects':>8}"  # fmt: skip


async def measure(
    db: Database, items: list[dict], flags: Flags, names: dict[tuple[str, str], str]
) -> dict[str, Tally]:
    caller = console_caller()
    tallies: dict[str, Tally] = defaultdict(Tally)
    for item in items:
        t = tallies[item["family"]]
        parsed = parse(item["text"], today=TODAY).to_json()
        result = await answer(db, caller, item["text"], today=TODAY)
        why = []
        t.questions += 1
        if parsed["intent"] == item["intent"] and parsed.get("follow_up") == item.get("follow_up"):
            t.intents += 1
        else:
            why.append(f"intent {parsed['intent']} {parsed.get('follow_up', '')}".rstrip())
        got, want = pairs(parsed["slots"]), pairs(item["slots"])
        t.tp, t.fp, t.fn = t.tp + len(got & want), t.fp + len(got - want), t.fn + len(want - got)
        if got != want:
            why.append(f"slots {parsed['slots']} want {item['slots']}")
        record = item["record"]
        first = result.records[0] if result.records else None
        if record:
            t.about_records += 1
            t.not_found += result.outcome == "not_found"
            if result.outcome == "not_found":
                why.append("not found")
        if record and item["unique"]:
            t.singled += 1
            if first and (first.kind, first.id) == (record["kind"], record["id"]):
                t.first += 1
            else:
                why.append(f"first {first.kind + ':' + first.id if first else None} ({result.outcome})")
        if hides_a_warning(result, flags, names):
            t.hidden += 1
            why.append("hides a warning")
        if item["family"] in JUNK:
            t.junk += 1
            t.junk_disclosed += bool(result.records)
            if result.records:
                why.append("junk disclosed")
        if "subjects" in item or "vrms" in item:
            t.multi += 1
            t.multi_listed += subjects_listed(item, parsed)
        if why:
            t.misses.append(f"{item['id']} {item['text']!r}: " + "; ".join(why))
    return tallies


def report(part: str, tallies: dict[str, Tally]) -> None:
    total = Tally()
    print(f"\n== {part} ==\n{HEADER}")
    for family in sorted(tallies):
        total.add(tallies[family])
        print(tallies[family].row(family))
    print(total.row("ALL"))


async def run(url: str, parts: list[str], misses: str | None, limit: int) -> None:
    flags, names = flags_and_names(url)
    db = Database(url, audit_key=settings_for(url).load_audit_key())
    try:
        for part in parts:
            started = time.perf_counter()
            tallies = await measure(db, load(part), flags, names)
            report(part, tallies)
            print(f"({time.perf_counter() - started:.0f} s)")
            if misses and part == "dev":
                for family, tally in sorted(tallies.items()):
                    if misses in ("all", family):
                        for line in tally.misses[:limit]:
                            print(f"  miss {line}")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--misses", help="print the development part's misses of this family, or 'all'")
    parser.add_argument("--limit", type=int, default=20, help="misses printed per family")
    parser.add_argument("--part", choices=(*PARTS, "both"), default="both")
    args = parser.parse_args()
    parts = list(PARTS) if args.part == "both" else [args.part]
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        init_db(settings_for(url))
        load_demo_data(url)
        asyncio.run(run(url, parts, args.misses, args.limit))


if __name__ == "__main__":
    main()
