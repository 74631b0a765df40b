"""Conversation rows of "Ask a person" on both engines: one per user, races, forget."""

from __future__ import annotations

import asyncio

from bot.store import Store, repo
from bot.store import staff as threads
from tests.store.conftest import rows_mentioning


async def test_one_row_per_user_even_when_two_instances_race(store: Store) -> None:
    async def create() -> threads.Thread:
        async with store.transaction() as s:
            return await threads.create(s, 42, -100, "es")

    first, second = await asyncio.gather(create(), create())
    assert first.handle == second.handle
    assert first.status == threads.CLOSED
    assert first.lang == "es"


async def test_topic_and_reply_lookups(store: Store) -> None:
    async with store.transaction() as s:
        await threads.create(s, 1, -100, "en")
        await threads.create(s, 2, -100, "fr")
        await threads.place(s, 1, -100, thread_id=7)
        await threads.place(s, 2, -100, header_id=50)
        await threads.remember_message(s, -100, 51, 2)
        await threads.remember_message(s, -100, 51, 2)  # twice: still one row
    async with store.readers() as s:
        by_topic = await threads.by_topic(s, -100, 7)
        by_header = await threads.by_message(s, -100, 50)
        by_copy = await threads.by_message(s, -100, 51)
        assert await threads.by_topic(s, -999, 7) is None
        assert await threads.by_message(s, -100, 99) is None
    assert by_topic is not None
    assert by_topic.user_id == 1
    assert by_header is not None
    assert by_copy is not None
    assert by_header.user_id == by_copy.user_id == 2


async def test_forget_deletes_the_conversation_and_its_message_ids(store: Store) -> None:
    async with store.transaction() as s:
        await threads.create(s, 777_000_111, -100, "en")
        await threads.place(s, 777_000_111, -100, header_id=5)
        await threads.change(s, 777_000_111, status=threads.OPEN, share_username=True)
    async with store.transaction() as s:
        await repo.forget_user(s, 777_000_111)
    assert await rows_mentioning(store, 777_000_111) == {}
