"""One code path, two engines: SQLite by default, PostgreSQL when `DATABASE_URL` says so.

`Store` owns the engine and the session factories. Creating it opens no connection, so
`build_application` never blocks on the database; `Store.start()` (called from `post_init`, by
the persistence on first use, and by `python -m bot migrate`) creates the SQLite file, applies
the Alembic migrations and imports a legacy `persistence.pickle`, once per process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

SQLITE_FILE = "workforce.sqlite3"
LEGACY_PICKLE = "persistence.pickle"
BUSY_TIMEOUT_MS = 5000
"""How long an SQLite writer waits for another writer instead of failing with "locked"."""

SUPPORTED = ("sqlite", "postgresql")


def database_url(settings: Settings) -> str:
    """`DATABASE_URL`, or the SQLite file in `DATA_DIR`."""
    if settings.database_url:
        return normalize_url(settings.database_url)
    path = (settings.data_dir / SQLITE_FILE).resolve()
    return f"sqlite+aiosqlite:///{path}"


def normalize_url(url: str) -> str:
    """Pick the async driver for URLs as hosting platforms hand them out (`postgres://…`)."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in SUPPORTED:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    wanted = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}[backend]
    if driver and driver != wanted:
        raise ValueError(f"use the async driver {backend}+{wanted}, not {parsed.drivername}")
    return parsed.set(drivername=f"{backend}+{wanted}").render_as_string(hide_password=False)


def redacted(url: str) -> str:
    """The URL without its password, for logs and the CLI."""
    return make_url(url).render_as_string(hide_password=True)


READS = "workforce_reads"
"""Execution option of the engine behind `Store.readers`: statements run in autocommit."""
WRITES = "workforce_writes"
"""Execution option of the engine behind `Store.sessions` and migrations: on SQLite they
start with BEGIN IMMEDIATE. Plain `store.engine` connections get ordinary transactions."""


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run while one writer writes; foreign keys make ON DELETE CASCADE work.

    `isolation_level = None` stops the driver from opening transactions behind our back, so
    `_sqlite_begin` decides how each transaction starts (SQLAlchemy's documented recipe).
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE) so they queue on busy_timeout.

    A deferred transaction that reads and then writes fails at once with "database is locked"
    when another writer got in between; an immediate one waits its turn. Single reads run in
    autocommit: one statement, no lock held.
    """
    options = conn.get_execution_options()
    if options.get(READS):
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITES) else "BEGIN")


def _sqlite_invalidate(
    dbapi_connection: Any, _record: Any, _exception: BaseException | None
) -> None:
    """Roll back an invalidated connection before SQLAlchemy closes it, so its lock goes now.

    A task cancelled while one of its statements runs (a crashing broadcast sender) gets a
    CancelledError out of the driver; SQLAlchemy takes that for a lost connection and closes
    it without a ROLLBACK. If the statement had not run to its end — an UPDATE … RETURNING
    whose rows were not fetched yet — its prepared statement is still alive, held by the
    driver's cursor that the exception's traceback keeps, and `sqlite3_close_v2` then only
    turns the connection into a "zombie" that keeps its transaction open, and with it SQLite's
    write lock, until the garbage collector frees that cursor. Meanwhile every other writer of
    the file (another Store, another process) waits out busy_timeout and fails with "database
    is locked". ROLLBACK ends the transaction even with statements pending; aiosqlite runs a
    connection's calls one after another, so it runs after the interrupted statement and before
    the close that follows this event.
    """
    try:
        dbapi_connection.rollback()
    except asyncio.CancelledError:
        # Cancelled again while waiting: the ROLLBACK is queued ahead of the close all the same.
        # Hand the cancellation on instead of swallowing it (the close re-raises it).
        task = asyncio.current_task()
        if task is not None:
            task.cancel()
    except Exception as exc:  # already closed, or no event loop to wait on (garbage collection)
        log.debug("no rollback before closing an invalidated SQLite connection: %r", exc)


def writer(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for transactions that write (see WRITES)."""
    return engine.execution_options(**{WRITES: True})


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An async engine with the per-dialect settings this project relies on."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(parsed, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        event.listen(engine.sync_engine, "invalidate", _sqlite_invalidate)
        return engine
    # No pool_pre_ping: it would add a round trip to every read. After a server restart the
    # first failing statement invalidates the whole pool; recycling bounds connection age.
    options.setdefault("pool_recycle", 1800)
    return create_async_engine(parsed, **options)


_AWAY = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout, ConnectionError)


def database_away(error: BaseException | None) -> bool:
    """The database could not be reached (refused, reset, pool exhausted), anywhere in the
    cause chain; not a constraint violation or a bug, which a retry would only repeat."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, _AWAY):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def insert(session: AsyncSession, table: Table | type[Any]) -> Any:
    """The dialect's INSERT, which has `.on_conflict_do_update/nothing` on both engines.

    Upserts make concurrent writes safe without read-modify-write races: the database decides.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"no upsert for dialect {name!r}")


class Store:
    """The database: engine, session factories and start-up (migrations, legacy import)."""

    def __init__(self, engine: AsyncEngine, *, legacy_pickle: Path | None = None) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(writer(engine), expire_on_commit=False)
        if engine.dialect.name == "postgresql":
            reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        else:
            reader = engine.execution_options(**{READS: True})
        self.readers = async_sessionmaker(reader, expire_on_commit=False)
        """Sessions for reads that need no transaction: each statement stands alone, so a
        primary-key look-up is one statement, with no BEGIN/ROLLBACK round trips."""
        self.legacy_pickle = legacy_pickle
        self._revision: str | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_url(cls, url: str, *, legacy_pickle: Path | None = None, **options: Any) -> Store:
        return cls(create_engine(url, **options), legacy_pickle=legacy_pickle)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls.from_url(database_url(settings), legacy_pickle=settings.data_dir / LEGACY_PICKLE)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> URL:
        return self.engine.url

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        async with self.sessions.begin() as session:
            yield session

    async def start(self) -> str:
        """Make the database ready (once per process); returns the schema revision."""
        async with self._lock:
            if self._revision is not None:
                return self._revision
            from bot.store.migrate import upgrade

            self._ensure_sqlite_dir()
            revision = await upgrade(self.engine)
            if self.legacy_pickle is not None:
                from bot.store.legacy import import_pickle

                await import_pickle(self, self.legacy_pickle)
            self._revision = revision
            log.info("database ready at revision %s (%s)", revision, redacted(str(self.url)))
            return revision

    def _ensure_sqlite_dir(self) -> None:
        if self.dialect == "sqlite" and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]

    async def ping(self) -> None:
        """One trivial statement without taking any lock (for health checks); raises if down."""
        async with self.readers() as session:
            await session.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Close pooled connections; the engine could still reconnect if used again."""
        await self.engine.dispose()
