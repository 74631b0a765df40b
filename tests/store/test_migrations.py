"""Migrations: an empty database migrated to head is exactly the models' schema, on both engines."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, inspect, select

from bot.store import Store, repo
from bot.store.migrate import current_revision, downgrade, head_revision, upgrade
from bot.store.models import Base, User, utcnow


def _diff(metadata: MetaData) -> Any:
    def run(conn: Any) -> Any:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    return run


async def diffs(store: Store, metadata: MetaData = Base.metadata) -> list[Any]:
    async with store.engine.connect() as conn:
        return await conn.run_sync(_diff(metadata))


async def test_head_equals_the_models(empty_store: Store) -> None:
    assert await current_revision(empty_store.engine) is None
    assert await empty_store.start() == head_revision()
    assert await diffs(empty_store) == []


async def test_the_comparison_would_see_a_difference(store: Store) -> None:
    """Control: the check above is not vacuous — a column the migrations lack is reported."""
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for tbl in Base.metadata.sorted_tables:
        tbl.to_metadata(changed)
    changed.tables["users"].append_column(Column("shoe_size", Integer))
    found = await diffs(store, changed)
    assert any(d[0] == "add_column" and d[3].name == "shoe_size" for d in found)


async def test_upgrade_is_idempotent_and_keeps_data(store: Store) -> None:
    async with store.transaction() as s:
        await repo.save_profile(s, 7_100_000_001, {"lang": "fr"})
    assert await upgrade(store.engine) == head_revision()
    async with store.readers() as s:
        assert (await s.scalars(select(User.language))).all() == ["fr"]


async def test_downgrade_to_base_and_back(store: Store) -> None:
    assert await downgrade(store.engine, "base") == "base"
    async with store.engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert set(names) <= {"alembic_version"}
    assert await upgrade(store.engine) == head_revision()
    assert await diffs(store) == []


async def test_start_runs_once_per_process(store: Store) -> None:
    assert await store.start() == head_revision()
    assert await store.start() == head_revision()


async def test_0003_adds_the_app_language_to_existing_users(store: Store) -> None:
    """A database from before 0003 keeps its users; they start with no app language."""
    assert await downgrade(store.engine, "0002") == "0002"
    async with store.engine.begin() as conn:
        columns = await conn.run_sync(
            lambda c: [x["name"] for x in inspect(c).get_columns("users")]
        )
        assert "client_language" not in columns
        await conn.execute(
            User.__table__.insert().values(
                id=7_100_000_002, language="fr", created_at=utcnow(), last_seen=utcnow()
            )
        )
    assert await upgrade(store.engine) == head_revision()
    async with store.readers() as s:
        user = await repo.get_user(s, 7_100_000_002)
    assert user is not None
    assert (user.language, user.client_language) == ("fr", None)
    assert await diffs(store) == []


async def test_0004_adds_the_region_to_existing_users(store: Store) -> None:
    """A database from before 0004 keeps its users and their country; the region starts unset."""
    assert await downgrade(store.engine, "0003") == "0003"
    async with store.engine.begin() as conn:
        columns = await conn.run_sync(
            lambda c: [x["name"] for x in inspect(c).get_columns("users")]
        )
        assert "region" not in columns
        await conn.execute(
            User.__table__.insert().values(
                id=7_100_000_004, country="ca", created_at=utcnow(), last_seen=utcnow()
            )
        )
    assert await upgrade(store.engine) == head_revision()
    async with store.transaction() as s:
        await repo.save_profile(s, 7_100_000_004, {"region": "CA-QC"})
    async with store.readers() as s:
        user = await repo.get_user(s, 7_100_000_004)
    assert user is not None
    assert (user.country, user.region) == ("ca", "CA-QC")
    assert await diffs(store) == []
