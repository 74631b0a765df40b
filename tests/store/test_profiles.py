"""DatabaseProfiles: one primary-key SELECT per update, and writes only when due."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bot.store import DatabaseProfiles, Store, repo
from bot.store.profiles import cached_user, seen

ALICE = 7_500_000_001


class FakeContext:
    """What the profile code uses of PTB's per-update Context: its scratch cache."""

    def __init__(self) -> None:
        self.cache: dict[str, Any] = {}


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements run while the block runs (BEGIN/COMMIT excluded)."""
    seen_sql: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if sql.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"):
            seen_sql.append(sql)

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen_sql
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)


async def test_load_and_save(store: Store) -> None:
    profiles = DatabaseProfiles(store)
    update = FakeContext()
    empty = {"lang": None, "role": None, "country": None, "region": None}
    assert await profiles.load(ALICE, update) == empty
    await profiles.save(ALICE, update, {"lang": "es"})
    assert await profiles.load(ALICE, update) == empty | {"lang": "es"}
    await profiles.save(ALICE, update, {"role": "employer", "country": "mx", "region": "MX-QUE"})
    fresh = FakeContext()
    assert await profiles.load(ALICE, fresh) == {
        "lang": "es",
        "role": "employer",
        "country": "mx",
        "region": "MX-QUE",
    }


async def test_one_primary_key_select_per_update(store: Store) -> None:
    profiles = DatabaseProfiles(store)
    async with store.transaction() as s:
        await repo.save_profile(s, ALICE, {"lang": "fr"})
    update = FakeContext()
    with statements(store) as sql:
        for _ in range(3):
            assert (await profiles.load(ALICE, update))["lang"] == "fr"
        await seen(store, ALICE, update, private=True)  # just created: nothing to write
    assert len(sql) == 1
    assert sql[0].lstrip().upper().startswith("SELECT")
    assert "WHERE users.id =" in sql[0]


async def test_saving_keeps_the_cache_in_step(store: Store) -> None:
    profiles = DatabaseProfiles(store)
    update = FakeContext()
    await profiles.load(ALICE, update)
    with statements(store) as sql:
        await profiles.save(ALICE, update, {"country": "ca"})
        assert (await profiles.load(ALICE, update))["country"] == "ca"
    assert len(sql) == 1
    assert sql[0].lstrip().upper().startswith("INSERT")


async def test_seen_writes_only_when_due(store: Store) -> None:
    first = FakeContext()
    assert await seen(store, ALICE, first, private=True)  # new user: one row
    assert not await seen(store, ALICE, FakeContext(), private=True)
    row = await cached_user(store, ALICE, FakeContext())
    assert row is not None
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, now=row.last_seen - timedelta(minutes=11))
    assert await seen(store, ALICE, FakeContext(), private=False)
    async with store.transaction() as s:
        await repo.set_blocked(s, ALICE, True)
    assert not await seen(store, ALICE, FakeContext(), private=False)
    update = FakeContext()
    assert await seen(store, ALICE, update, private=True)
    cached = await cached_user(store, ALICE, update)
    assert cached is not None
    assert cached.blocked is False
    assert (await cached_user(store, ALICE, FakeContext())).blocked is False  # type: ignore[union-attr]


async def test_the_app_language_costs_a_write_only_when_it_changes(store: Store) -> None:
    first = FakeContext()
    assert await seen(store, ALICE, first, private=True, client_language="es")  # new user
    assert (await cached_user(store, ALICE, first)).client_language == "es"  # type: ignore[union-attr]
    update = FakeContext()
    with statements(store) as sql:
        assert not await seen(store, ALICE, update, private=True, client_language="es")
        assert not await seen(store, ALICE, update, private=True, client_language=None)
    assert len(sql) == 1, "an unchanged (or unreported) app language adds no write"
    assert sql[0].lstrip().upper().startswith("SELECT")

    switched = FakeContext()
    with statements(store) as sql:
        assert await seen(store, ALICE, switched, private=False, client_language="fr")
        assert not await seen(store, ALICE, switched, private=False, client_language="fr")
    assert [q.lstrip().split()[0].upper() for q in sql] == ["SELECT", "INSERT"], "one write"
    assert (await cached_user(store, ALICE, switched)).client_language == "fr"  # type: ignore[union-attr]
    assert (await cached_user(store, ALICE, FakeContext())).client_language == "fr"  # type: ignore[union-attr]


async def test_an_update_without_a_language_keeps_the_stored_one(store: Store) -> None:
    assert await seen(store, ALICE, FakeContext(), private=True, client_language="fr")
    row = await cached_user(store, ALICE, FakeContext())
    assert row is not None
    async with store.transaction() as s:  # make the debounce due, so this update writes
        await repo.touch_user(s, ALICE, private=True, now=row.last_seen - timedelta(minutes=11))
    update = FakeContext()
    assert await seen(store, ALICE, update, private=True, client_language=None)
    assert (await cached_user(store, ALICE, update)).client_language == "fr"  # type: ignore[union-attr]
    assert (await cached_user(store, ALICE, FakeContext())).client_language == "fr"  # type: ignore[union-attr]
