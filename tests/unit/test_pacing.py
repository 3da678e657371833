"""The pacer keeps each second at Telegram's end within the limits, whatever the latency (simulated clock)."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.briefings.pacing import Pacer


class Clock:
    """Simulated time: sleeping moves it on at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def _drive(
    pacer: Pacer, clock: Clock, chats: list[int], latencies: list[float]
) -> list[tuple[float, float, int]]:
    """Send to each chat in turn; (started, answered, chat) for each."""
    sends = []
    for chat, latency in zip(chats, latencies, strict=True):
        slot = await pacer.wait(chat)
        started = clock.now
        clock.now += latency
        pacer.finish(slot)
        sends.append((started, clock.now, chat))
    return sends


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_no_second_holds_more_than_the_rate_and_no_chat_two_a_second(data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 120))
    chats = data.draw(st.lists(st.integers(1, 40), min_size=count, max_size=count))
    latencies = data.draw(st.lists(st.floats(0, 0.5), min_size=count, max_size=count))
    clock = Clock()
    sends = asyncio.run(_drive(Pacer(30, clock=clock, sleep=clock.sleep), clock, chats, latencies))
    for earlier, later in zip(sends, sends[30:], strict=False):
        assert later[0] >= earlier[1] + 1.0  # Telegram counted `earlier` before it answered
    last_in_chat: dict[int, float] = {}
    for started, _, chat in sends:
        assert started >= last_in_chat.get(chat, -1.0) + 1.0
        last_in_chat[chat] = started


def test_a_pause_holds_everyone_and_is_not_made_up_afterwards() -> None:
    clock = Clock()
    pacer = Pacer(30, clock=clock, sleep=clock.sleep)

    async def scenario() -> list[float]:
        await _drive(pacer, clock, [1], [0.0])
        pacer.pause(2.0)
        paused_at = clock.now
        return [s - paused_at for s, _, _ in await _drive(pacer, clock, [2, 3, 4], [0.0] * 3)]

    after = asyncio.run(scenario())
    assert after[0] >= 2.0
    assert min(after[1] - after[0], after[2] - after[1]) >= 1 / 30 - 1e-9  # even spacing, no burst


def test_a_rate_of_zero_sets_no_limit_of_ours_and_a_pause_still_holds() -> None:
    clock = Clock()
    pacer = Pacer(0, clock=clock, sleep=clock.sleep)

    async def scenario() -> tuple[list[float], float]:
        at_once = [started for started, _, _ in await _drive(pacer, clock, [1] * 100, [0.0] * 100)]
        pacer.pause(2.0)
        [(after_pause, _, _)] = await _drive(pacer, clock, [1], [0.0])
        return at_once, after_pause

    at_once, after_pause = asyncio.run(scenario())
    assert set(at_once) == {1000.0}  # a hundred sends to one chat, none held back
    assert after_pause == 1002.0  # Telegram's Retry-After is honoured all the same
