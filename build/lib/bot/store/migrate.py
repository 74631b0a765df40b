"""Alembic, configured in code: the migrations ship inside the package, no alembic.ini needed.

`upgrade` runs on an existing async engine inside one transaction; the transaction also
serializes instances starting at the same time (BEGIN IMMEDIATE on SQLite, an advisory lock on
PostgreSQL), so two processes never race to create the same table.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.engine import writer

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ADVISORY_LOCK_ID = 7_311_202_601
"""Any constant: PostgreSQL advisory lock held while migrating."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations; `connection` is handed to env.py."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS_DIR}")
    return head


def _upgrade(connection: Connection, revision: str) -> str:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
    command.upgrade(alembic_config(connection), revision)
    return MigrationContext.configure(connection).get_current_revision() or "base"


def _downgrade(connection: Connection, revision: str) -> str:
    command.downgrade(alembic_config(connection), revision)
    return MigrationContext.configure(connection).get_current_revision() or "base"


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _new_revision(connection: Connection, message: str) -> None:
    cfg = alembic_config(connection)
    number = len(list(ScriptDirectory.from_config(cfg).walk_revisions())) + 1
    command.revision(cfg, message=message, autogenerate=True, rev_id=f"{number:04d}")


async def upgrade(engine: AsyncEngine, revision: str = "head") -> str:
    """Apply migrations up to `revision`; returns the revision the database is at."""
    async with writer(engine).begin() as conn:
        return await conn.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> str:
    """Revert to `revision` (used by the migration tests; production only moves forward)."""
    async with writer(engine).begin() as conn:
        return await conn.run_sync(_downgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def new_revision(engine: AsyncEngine, message: str) -> None:
    """Write `versions/NNNN_*.py` from the difference between the models and `engine`'s schema.

    For developers (`python -m bot migrate --new "message"`): the database must be at head.
    """
    async with engine.connect() as conn:
        await conn.run_sync(_new_revision, message)
