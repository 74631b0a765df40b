"""Upgrading from a release that kept profiles in persistence.pickle keeps every profile."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from telegram.ext import PersistenceInput, PicklePersistence

from bot.store import Store, repo
from bot.store.legacy import migrated_path
from bot.store.models import PtbUserData

ALICE = 7_600_000_001
BOB = 7_600_000_002


async def write_pickle(path: Path, user_data: dict[int, dict[str, object]]) -> None:
    """A pickle exactly as the previous release's PicklePersistence wrote it."""
    old = PicklePersistence(
        path,
        store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False),
    )
    for user_id, data in user_data.items():
        await old.update_user_data(user_id, data)
    await old.flush()


async def test_profiles_move_from_the_pickle_to_the_database(
    empty_store: Store, tmp_path: Path
) -> None:
    pickle = tmp_path / "persistence.pickle"
    await write_pickle(
        pickle,
        {
            ALICE: {"lang": "es", "role": "student", "country": "mx", "seen_tip": True},
            BOB: {"lang": "klingon", "role": "employer"},
        },
    )
    empty_store.legacy_pickle = pickle
    await empty_store.start()

    async with empty_store.readers() as s:
        alice = await repo.get_user(s, ALICE)
        bob = await repo.get_user(s, BOB)
        extra = (await s.execute(select(PtbUserData.user_id, PtbUserData.data))).all()
    assert alice is not None
    assert bob is not None
    assert (alice.language, alice.role, alice.country) == ("es", "student", "mx")
    assert (bob.language, bob.role) == (None, "employer")  # an unknown language is dropped
    assert extra == [(ALICE, {"seen_tip": True})]
    assert not pickle.exists()
    assert migrated_path(pickle).exists()


async def test_a_second_import_never_overwrites_newer_choices(store: Store, tmp_path: Path) -> None:
    async with store.transaction() as s:
        await repo.save_profile(s, ALICE, {"lang": "fr"})
    pickle = tmp_path / "persistence.pickle"
    await write_pickle(pickle, {ALICE: {"lang": "es", "country": "ca"}})
    from bot.store.legacy import import_pickle

    assert await import_pickle(store, pickle) == 1
    async with store.readers() as s:
        alice = await repo.get_user(s, ALICE)
    assert alice is not None
    assert (alice.language, alice.country) == ("fr", "ca")  # the database wins, gaps filled


async def test_no_pickle_no_import(store: Store, tmp_path: Path) -> None:
    from bot.store.legacy import import_pickle

    assert await import_pickle(store, tmp_path / "persistence.pickle") == 0
