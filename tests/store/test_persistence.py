"""DatabasePersistence: round trips, and each instance sees what another instance wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from sqlalchemy import event, select
from telegram.ext import PersistenceInput

from bot.store import DatabasePersistence, Store
from bot.store.models import PtbUserData
from bot.store.persistence import rebase

ALICE = 7_400_000_001
BOB = 7_400_000_002
CHAT = -1_007_400_000_003
EVERYTHING = PersistenceInput(bot_data=True, chat_data=True, user_data=True, callback_data=False)


@pytest_asyncio.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    """A second process's view of the same database: its own engine and pool."""
    second = Store.from_url(store.url.render_as_string(hide_password=False))
    try:
        yield second
    finally:
        await second.close()


async def test_round_trip(store: Store) -> None:
    first = DatabasePersistence(store, store_data=EVERYTHING)
    await first.update_user_data(ALICE, {"step": 2, "draft": {"title": "Foro", "tags": ["mx"]}})
    await first.update_chat_data(CHAT, {"pinned": True})
    await first.update_bot_data({"broadcasts": 3})
    await first.update_conversation("wizard", (CHAT, ALICE), "ASK_TITLE")
    await first.update_conversation("wizard", (BOB,), 1)
    await first.update_conversation("wizard", (BOB,), None)

    again = DatabasePersistence(store, store_data=EVERYTHING)
    assert await again.get_user_data() == {
        ALICE: {"step": 2, "draft": {"title": "Foro", "tags": ["mx"]}}
    }
    assert await again.get_chat_data() == {CHAT: {"pinned": True}}
    assert await again.get_bot_data() == {"broadcasts": 3}
    assert await again.get_conversations("wizard") == {(CHAT, ALICE): "ASK_TITLE"}
    assert await again.get_conversations("other") == {}
    assert await again.get_callback_data() is None


async def test_refresh_sees_another_instance_s_write(store: Store, other: Store) -> None:
    a = DatabasePersistence(store, store_data=EVERYTHING, shared=True)
    b = DatabasePersistence(other, store_data=EVERYTHING, shared=True)
    live_b_user = (await b.get_user_data()).get(ALICE, {})
    live_b_chat = (await b.get_chat_data()).get(CHAT, {})
    live_b_bot = await b.get_bot_data()

    await a.update_user_data(ALICE, {"lang_hint": "es"})
    await a.update_chat_data(CHAT, {"topic": "forums"})
    await a.update_bot_data({"paused": True})
    await b.refresh_user_data(ALICE, live_b_user)
    await b.refresh_chat_data(CHAT, live_b_chat)
    await b.refresh_bot_data(live_b_bot)
    assert live_b_user == {"lang_hint": "es"}
    assert live_b_chat == {"topic": "forums"}
    assert live_b_bot == {"paused": True}

    live_b_user["step"] = 1  # b's own edit, not yet written
    await a.update_user_data(ALICE, {"lang_hint": "fr"})
    await b.refresh_user_data(ALICE, live_b_user)
    assert live_b_user == {"lang_hint": "fr", "step": 1}  # a's write merged, b's edit kept
    await b.update_user_data(ALICE, live_b_user)

    live_a_user = {"lang_hint": "fr"}
    await a.refresh_user_data(ALICE, live_a_user)
    assert live_a_user == {"lang_hint": "fr", "step": 1}


async def test_refresh_sees_a_deletion_elsewhere(store: Store, other: Store) -> None:
    a = DatabasePersistence(store, shared=True)
    b = DatabasePersistence(other, shared=True)
    await a.update_user_data(ALICE, {"step": 1})
    live_b = (await b.get_user_data())[ALICE]
    await a.drop_user_data(ALICE)
    await b.refresh_user_data(ALICE, live_b)
    assert live_b == {}


async def test_refresh_without_changes_keeps_the_live_object(store: Store) -> None:
    a = DatabasePersistence(store, shared=True)
    await a.update_user_data(ALICE, {"step": 1})
    live = {"step": 1, "pending": "yes"}
    await a.refresh_user_data(ALICE, live)  # same version as written: nothing to merge
    assert live == {"step": 1, "pending": "yes"}


async def test_refresh_reads_the_database_only_when_it_is_shared(
    store: Store, other: Store
) -> None:
    """PostgreSQL is shared by default (one SELECT per refresh); SQLite is one process by
    design, so its refresh issues no statement at all."""
    statements: list[str] = []
    event.listen(store.engine.sync_engine, "before_cursor_execute", _recorder(statements))
    default = DatabasePersistence(store)
    assert default.shared is (store.dialect == "postgresql")
    await DatabasePersistence(other).update_user_data(ALICE, {"step": 1})
    live: dict[str, object] = {}
    await default.refresh_user_data(ALICE, live)
    if default.shared:
        assert live == {"step": 1}
        assert len(statements) == 1
    else:
        assert live == {}
        assert statements == []


def _recorder(statements: list[str]) -> Callable[..., None]:
    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    return record


async def _versions(store: Store) -> list[tuple[int, int]]:
    async with store.readers() as s:
        rows = await s.execute(select(PtbUserData.user_id, PtbUserData.version))
        return [(user_id, version) for user_id, version in rows.all()]


async def test_unchanged_or_empty_data_is_not_written(store: Store) -> None:
    a = DatabasePersistence(store)
    await a.update_user_data(BOB, {})
    assert await _versions(store) == []
    await a.update_user_data(ALICE, {"step": 1})
    await a.update_user_data(ALICE, {"step": 1})
    assert await _versions(store) == [(ALICE, 1)]
    await a.update_user_data(ALICE, {"step": 2})
    assert await _versions(store) == [(ALICE, 2)]


async def test_drop(store: Store) -> None:
    a = DatabasePersistence(store, store_data=EVERYTHING)
    await a.update_user_data(ALICE, {"step": 1})
    await a.update_chat_data(CHAT, {"x": 1})
    await a.drop_user_data(ALICE)
    await a.drop_chat_data(CHAT)
    assert await a.get_user_data() == {}
    assert await a.get_chat_data() == {}


async def test_only_json_is_stored(store: Store) -> None:
    a = DatabasePersistence(store)
    with pytest.raises(TypeError, match="not a string"):
        await a.update_user_data(ALICE, {1: "one"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="JSON"):
        await a.update_user_data(ALICE, {"when": object()})


def test_callback_data_is_refused() -> None:
    with pytest.raises(ValueError, match="callback data"):
        DatabasePersistence(
            Store.from_url("sqlite+aiosqlite:///:memory:"),
            store_data=PersistenceInput(callback_data=True),
        )


def test_rebase_keeps_local_edits_over_remote() -> None:
    base = {"a": 1, "b": 2, "c": 3}
    local = {"a": 1, "b": 20, "d": 4}  # changed b, removed c, added d
    remote = {"a": 10, "b": 2, "c": 3, "e": 5}  # another instance changed a, added e
    assert rebase(remote, base, local) == {"a": 10, "b": 20, "d": 4, "e": 5}
