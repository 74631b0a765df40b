"""The update processor: concurrent across users and chats, in order within each."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import itertools
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import CallbackQuery, Chat, InlineQuery, Message, Update, User

from bot.ordering import OrderedUpdateProcessor, keys_of

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


def person(user_id: int) -> User:
    return User(user_id, f"U{user_id}", is_bot=False)


def message(update_id: int, user_id: int, chat_id: int | None = None) -> Update:
    chat_id = user_id if chat_id is None else chat_id
    kind = Chat.PRIVATE if chat_id == user_id else Chat.SUPERGROUP
    chat = Chat(chat_id, kind)
    return Update(
        update_id, message=Message(update_id, NOW, chat, from_user=person(user_id), text="hi")
    )


def inline(update_id: int, user_id: int) -> Update:
    query = InlineQuery(str(update_id), person(user_id), "red seal", "")
    return Update(update_id, inline_query=query)


def press(update_id: int, user_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE if chat_id == user_id else Chat.GROUP)
    msg = Message(1, NOW, chat, text="menu")
    query = CallbackQuery(str(update_id), person(user_id), "ci", message=msg, data="1:h")
    return Update(update_id, callback_query=query)


def test_keys_name_the_group_or_else_the_person() -> None:
    assert keys_of(message(1, 5)) == ("u5",)
    assert keys_of(message(1, 5, chat_id=-100)) == ("c-100",), "not ordered with the private chat"
    assert keys_of(inline(1, 5)) == ("u5",), "ordered with the private chat"
    assert keys_of(press(1, 5, -7)) == ("c-7",)
    assert keys_of("not an update") == ()


class Recorder:
    """Handler stand-in: records start and end, sleeping `delay` in between."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []
        self.running = 0
        self.peak = 0

    async def handle(self, update_id: int, delay: float) -> None:
        self.events.append(("start", update_id))
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(delay)
        finally:
            self.running -= 1
        self.events.append(("end", update_id))

    def order(self, what: str) -> list[int]:
        return [update_id for kind, update_id in self.events if kind == what]


async def feed(
    processor: OrderedUpdateProcessor, recorder: Recorder, items: list[tuple[Update, float]]
) -> None:
    """As PTB does with concurrent updates: one task per update, started in arrival order."""
    tasks = [
        asyncio.create_task(processor.process_update(u, recorder.handle(u.update_id, delay)))
        for u, delay in items
    ]
    await asyncio.gather(*tasks)


async def test_one_users_updates_run_in_order_even_when_the_first_is_slow() -> None:
    processor, recorder = OrderedUpdateProcessor(workers=8), Recorder()
    updates = [(message(1, 5), 0.05), (message(2, 5), 0.0), (inline(3, 5), 0.0)]
    await feed(processor, recorder, updates)
    assert recorder.events == [
        ("start", 1), ("end", 1), ("start", 2), ("end", 2), ("start", 3), ("end", 3)
    ]  # fmt: skip
    assert processor.waiting_keys == 0


async def test_different_users_run_concurrently() -> None:
    processor, recorder = OrderedUpdateProcessor(workers=8), Recorder()
    await feed(processor, recorder, [(message(1, 5), 0.05), (message(2, 6), 0.0)])
    assert recorder.order("end") == [2, 1], "user 6 does not wait for user 5"


async def test_a_group_is_ordered_across_its_members() -> None:
    processor, recorder = OrderedUpdateProcessor(workers=8), Recorder()
    group = -1001
    await feed(
        processor,
        recorder,
        [(message(1, 5, group), 0.05), (press(2, 6, group), 0.0), (message(3, 7), 0.0)],
    )
    assert recorder.order("end") == [3, 1, 2]


async def test_workers_bound_the_updates_running_at_once() -> None:
    processor, recorder = OrderedUpdateProcessor(workers=3), Recorder()
    await feed(processor, recorder, [(message(i, 100 + i), 0.01) for i in range(12)])
    assert recorder.peak == 3
    assert sorted(recorder.order("end")) == list(range(12))


async def test_one_users_burst_does_not_take_the_workers_others_need() -> None:
    """Queued updates of a busy user wait for their key without holding a worker."""
    processor, recorder = OrderedUpdateProcessor(workers=2), Recorder()
    burst = [(message(i, 5), 0.02) for i in range(1, 7)]
    await feed(processor, recorder, [*burst, (message(99, 6), 0.0)])
    assert recorder.order("end")[0] == 99, "user 6 ran beside user 5's first update"
    assert [i for i in recorder.order("end") if i != 99] == [1, 2, 3, 4, 5, 6]


async def test_cancelling_a_queued_update_releases_everything() -> None:
    processor, recorder = OrderedUpdateProcessor(workers=1), Recorder()
    first = asyncio.create_task(processor.process_update(message(1, 5), recorder.handle(1, 0.05)))
    queued = asyncio.create_task(processor.process_update(message(2, 5), recorder.handle(2, 0)))
    await asyncio.sleep(0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would fail here
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        gc.collect()
    await first
    assert recorder.order("end") == [1]
    assert processor.waiting_keys == 0
    await feed(processor, recorder, [(message(3, 5), 0.0)])
    assert recorder.order("end") == [1, 3], "the key is usable again"


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        OrderedUpdateProcessor(workers=0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.sampled_from([None, -1, -2]), st.integers(0, 3)),
        min_size=1,
        max_size=25,
    ),
    st.integers(1, 4),
)
def test_any_arrival_keeps_each_users_and_each_chats_order(
    arrivals: list[tuple[int, int | None, int]], workers: int
) -> None:
    """Whatever arrives, every user's and every chat's updates start in arrival order and
    never overlap; all of them run."""
    updates = [
        (message(i, user, chat), delay / 1000)
        for i, (user, chat, delay) in enumerate(arrivals, start=1)
    ]

    async def scenario() -> Recorder:
        processor, recorder = OrderedUpdateProcessor(workers=workers), Recorder()
        await feed(processor, recorder, updates)
        assert processor.waiting_keys == 0
        assert recorder.peak <= workers
        return recorder

    recorder = asyncio.run(scenario())
    by_key: dict[str, list[int]] = {}
    for update, _ in updates:
        for key in keys_of(update):
            by_key.setdefault(key, []).append(update.update_id)
    for ids in by_key.values():
        spans = [
            (recorder.events.index(("start", i)), recorder.events.index(("end", i))) for i in ids
        ]
        assert [s for s, _ in spans] == sorted(s for s, _ in spans), "arrival order kept"
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end < start, "one at a time per key"
