"""Many updates at once lose no write: each write is one upsert the database serializes."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.store import ChatInfo, Store, repo
from bot.store.models import Subscription, User
from bot.store.profiles import DatabaseProfiles

USERS = 200
BASE = 7_300_000_000
LANGS = ("en", "es", "fr")


async def test_two_hundred_users_at_once(store: Store) -> None:
    profiles = DatabaseProfiles(store)

    async def one_user(i: int) -> None:
        uid = BASE + i
        await profiles.save(uid, None, {"lang": LANGS[i % 3]})
        async with store.transaction() as s:
            await repo.subscribe(s, ChatInfo(uid, "private"), "forums", by_user=uid)
        await profiles.save(uid, None, {"role": "student", "country": "mx"})
        async with store.transaction() as s:
            await repo.record_gap(s, "robotics mechanic", "en")

    await asyncio.gather(*(one_user(i) for i in range(USERS)))

    async with store.readers() as s:
        users = (await s.execute(select(User.id, User.language, User.role, User.country))).all()
        recipients = await repo.recipients(s, ["forums"])
        (gap,) = await repo.top_gaps(s)
    assert sorted(users) == [(BASE + i, LANGS[i % 3], "student", "mx") for i in range(USERS)]
    assert recipients == [BASE + i for i in range(USERS)]
    assert gap.count == USERS


async def test_the_same_subscription_from_many_tasks_is_stored_once(store: Store) -> None:
    group = ChatInfo(-1_007_300_000_001, "supergroup", "Apprentices")

    async def tap() -> bool:
        async with store.transaction() as s:
            return await repo.subscribe(s, group, "country:ca")

    results = await asyncio.gather(*(tap() for _ in range(50)))
    assert results.count(True) == 1
    async with store.readers() as s:
        count = await s.scalar(select(func.count()).select_from(Subscription))
    assert count == 1


async def test_concurrent_profile_edits_of_one_user_keep_every_field(store: Store) -> None:
    profiles = DatabaseProfiles(store)
    uid = BASE - 1
    edits = [{"lang": "fr"}, {"role": "educator"}, {"country": "ca"}, {"region": "CA-QC"}] * 15
    await asyncio.gather(*(profiles.save(uid, None, dict(e)) for e in edits))
    assert await profiles.load(uid, None) == {
        "lang": "fr",
        "role": "educator",
        "country": "ca",
        "region": "CA-QC",
    }
