"""The sender's pacing on a fake clock: the global rate, a 429 pause, per-chat spacing."""

from __future__ import annotations

from bot.broadcast.limits import ChatSpacing, RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_slots_are_spaced_at_the_rate_after_a_small_burst() -> None:
    time = FakeTime()
    limiter = RateLimiter(10, burst=3, clock=time.clock, sleep=time.sleep)
    stamps = []
    for _ in range(23):
        await limiter.acquire()
        stamps.append(time.now)
    assert stamps[:3] == [100.0, 100.0, 100.0], "the burst"
    assert abs((stamps[-1] - stamps[2]) - 2.0) < 1e-9, "then exactly 10 per second"


async def test_a_429_pauses_every_slot_and_a_shorter_one_does_not_shorten_it() -> None:
    time = FakeTime()
    limiter = RateLimiter(100, clock=time.clock, sleep=time.sleep)
    await limiter.acquire()
    limiter.pause(5)
    limiter.pause(1)
    await limiter.acquire()
    assert time.now >= 105.0


def test_private_chats_one_a_second_groups_one_every_three() -> None:
    time = FakeTime()
    spacing = ChatSpacing(clock=time.clock)
    spacing.note(42)
    spacing.note(-1001)
    assert not spacing.ready(42)
    time.now += 1.0
    assert spacing.ready(42)
    assert not spacing.ready(-1001)
    time.now += 2.0
    assert spacing.ready(-1001)
    spacing.prune()
    assert spacing.ready(7)
