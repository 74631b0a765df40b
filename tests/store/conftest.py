"""Store fixtures, parametrized by engine: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.

Each test gets a clean schema: a new SQLite file, or PostgreSQL's `public` schema dropped and
recreated. `store` is migrated to head; `empty_store` is not (for the migration tests).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import column, inspect, select, table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import Store
from bot.store.engine import normalize_url

PG_SKIP = "TEST_DATABASE_URL not set: PostgreSQL half skipped"
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'workforce.sqlite3'}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP)
    return normalize_url(url)


async def reset_schema(store: Store) -> None:
    """Drop everything (PostgreSQL); a fresh SQLite file is already empty."""
    if store.dialect != "postgresql":
        return
    async with store.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))


@pytest_asyncio.fixture
async def empty_store(database_url: str) -> AsyncIterator[Store]:
    store = Store.from_url(database_url)
    await reset_schema(store)
    try:
        yield store
    finally:
        await store.close()


@pytest_asyncio.fixture
async def store(empty_store: Store) -> Store:
    await empty_store.start()
    return empty_store


def _table_names(conn: Any) -> list[str]:
    return inspect(conn).get_table_names()


def _columns(conn: Any, name: str) -> list[Any]:
    return inspect(conn).get_columns(name)


async def all_rows(conn: AsyncConnection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in the database (reflected, so tables added later count too)."""
    names = await conn.run_sync(_table_names)
    result: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        columns = await conn.run_sync(_columns, name)
        tbl = table(name, *(column(c["name"]) for c in columns))
        rows = (await conn.execute(select(tbl))).mappings().all()
        result[name] = [dict(r) for r in rows]
    return result


async def rows_mentioning(store: Store, number: int) -> dict[str, list[dict[str, Any]]]:
    """Rows, in any table, with `number` anywhere in them (as a whole number)."""
    pattern = re.compile(rf"(?<![\d.]){re.escape(str(number))}(?![\d.])")
    async with store.engine.connect() as conn:
        tables = await all_rows(conn)
    found: dict[str, list[dict[str, Any]]] = {}
    for name, rows in tables.items():
        hits = [r for r in rows if pattern.search(json.dumps(r, default=str))]
        if hits:
            found[name] = hits
    return found
