"""Which process sends: exactly one per database.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a dedicated
connection. If the process dies or its connection drops, PostgreSQL releases the lock and
another instance, polling every few seconds, takes over. One sender (rather than every
instance claiming batches with `FOR UPDATE SKIP LOCKED`) because Telegram's limits are per
bot: N instances sending at once would each need to know the others' pace, or together they
would exceed 30 msg/s and per-chat limits and provoke 429s. Claims stay conditional UPDATEs
anyway, so even a lost-lock overlap cannot send a delivery twice.

SQLite is for a single process: a process-local lease keyed by the database file is enough
(several Applications in one process — tests — still get one sender).
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_ID = 7_311_202_602
"""PostgreSQL advisory lock key of the broadcast sender (migrations use …601)."""
CHECK_TIMEOUT = 5.0


class Lease(Protocol):
    """Leadership of the sender; `try_acquire` never waits, `alive` is a cheap heartbeat."""

    async def try_acquire(self) -> bool: ...

    async def alive(self) -> bool: ...

    async def release(self) -> None: ...


class LocalLease:
    """One holder per key in this process."""

    _held: ClassVar[set[str]] = set()

    def __init__(self, key: str) -> None:
        self.key = key
        self.held = False

    async def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.key in LocalLease._held:
            return False
        LocalLease._held.add(self.key)
        self.held = True
        return True

    async def alive(self) -> bool:
        return self.held

    async def release(self) -> None:
        if self.held:
            LocalLease._held.discard(self.key)
            self.held = False


class PostgresLease:
    """`pg_try_advisory_lock` on a connection kept open for as long as we lead."""

    def __init__(self, engine: AsyncEngine, key: int = LOCK_ID) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.key = key
        self._conn: AsyncConnection | None = None

    async def try_acquire(self) -> bool:
        if self._conn is not None:
            return True
        conn = self.engine.connect()
        await conn.start()
        try:
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
        except BaseException:
            await self._discard(conn)
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def alive(self) -> bool:
        """Whether the lock connection still answers; a dead one means the lock is gone."""
        conn = self._conn
        if conn is None:
            return False
        try:
            await asyncio.wait_for(conn.scalar(text("SELECT 1")), CHECK_TIMEOUT)
            return True
        except Exception as exc:
            log.warning("broadcast sender lost its database lock connection: %r", exc)
            self._conn = None
            await self._discard(conn)
            return False

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            await conn.close()
        except Exception:
            await self._discard(conn)

    @staticmethod
    async def _discard(conn: AsyncConnection) -> None:
        """Close the connection for good: a pooled connection would keep a session lock."""
        try:
            await conn.invalidate()
            await conn.close()
        except Exception as exc:  # already broken: nothing more to release
            log.debug("discarding the lock connection: %r", exc)


def lease_for(engine: AsyncEngine) -> Lease:
    if engine.dialect.name == "postgresql":
        return PostgresLease(engine)
    return LocalLease(str(engine.url.database or ":memory:"))
