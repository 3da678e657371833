"""Accuracy of query understanding on labelled officer questions (tests/data/queries.jsonl)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from knowledge.understanding.parse import INTENTS, parse

DATA = Path(__file__).resolve().parents[1] / "data" / "queries.jsonl"
# Two-digit years and "is it in the future" depend on the day; the labels assume this one.
TODAY = date(2025, 6, 1)
THRESHOLD = 0.97


def _labelled() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_labelled_set_is_large_and_covers_every_intent() -> None:
    labelled = _labelled()
    assert len(labelled) >= 350
    assert {item["intent"] for item in labelled} == set(INTENTS)


def test_intent_and_slot_accuracy_on_labelled_queries() -> None:
    labelled = _labelled()
    intent_misses, slot_misses = [], []
    for item in labelled:
        parsed = parse(item["text"], today=TODAY)
        if parsed.intent != item["intent"]:
            intent_misses.append(f"{item['text']!r}: {parsed.intent} (want {item['intent']})")
        # A query is slot-correct only if the whole dict matches and an impossible date was reported.
        if dict(parsed.slots) != item["slots"] or bool(parsed.problems) != item.get("problems", False):
            slot_misses.append(f"{item['text']!r}: {parsed.to_json()} (want {item['slots']})")
    intent_accuracy = 1 - len(intent_misses) / len(labelled)
    slot_accuracy = 1 - len(slot_misses) / len(labelled)
    print(f"\nintent accuracy {intent_accuracy:.3f}, slot exact-match {slot_accuracy:.3f} on {len(labelled)}")
    if intent_accuracy < THRESHOLD or slot_accuracy < THRESHOLD:
        pytest.fail("\n".join(["intent misses:", *intent_misses, "slot misses:", *slot_misses]))
