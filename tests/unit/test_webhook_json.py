"""What the webhook takes for an update's JSON: any bytes are judged, none raises."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.webhook import MAX_DEPTH, update_json


@given(st.binary(max_size=200))
def test_any_bytes_are_judged_without_raising(body: bytes) -> None:
    data = update_json(body)
    assert data is None or (type(data["update_id"]) is int and data["update_id"] >= 0)


def nested_lists(levels: int) -> object:
    value: object = []
    for _ in range(levels - 1):
        value = [value]
    return value


def test_an_update_may_nest_max_depth_containers_and_no_more() -> None:
    # The update itself is one level; its field holds the rest.
    deepest = {"update_id": 1, "x": nested_lists(MAX_DEPTH - 1)}
    assert update_json(json.dumps(deepest).encode()) == deepest
    assert update_json(json.dumps({"update_id": 1, "x": nested_lists(MAX_DEPTH)}).encode()) is None
