"""A task cancelled in the middle of a write transaction does not keep SQLite locked.

A crashing broadcast sender is simulated by cancelling its task; the instance that takes over
(another Store on the same file) must be able to write at once. Before the fix, SQLAlchemy
closed the cancelled connection without a ROLLBACK while the interrupted statement was still
alive, and SQLite kept the write lock until the garbage collector happened to free it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import event, text

from bot.store import Store
from bot.store.engine import BUSY_TIMEOUT_MS

PAUSE = 0.2
"""Seconds the interrupted statement keeps running in the driver's thread after the cancel."""


class Slow:
    """A SQL function `pause(x)` that returns x after PAUSE seconds and says when it started.

    It makes the cancellation land for sure while SQLite is inside the statement, which is
    what a crash mid-transaction looks like to the driver.
    """

    def __init__(self) -> None:
        self.started = threading.Event()

    def __call__(self, value: Any) -> Any:
        self.started.set()
        time.sleep(PAUSE)
        return value

    def install(self, store: Store) -> None:
        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.create_function("pause", 1, self)

        event.listen(store.engine.sync_engine, "connect", on_connect)

    async def wait_started(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while not self.started.is_set():
            assert time.monotonic() < deadline, "the statement never started"
            await asyncio.sleep(0.005)


@pytest_asyncio.fixture
async def url(tmp_path: Path) -> AsyncIterator[str]:
    """A real SQLite file with one counter row at 0."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'workforce.sqlite3'}"
    setup = Store.from_url(url)
    try:
        async with setup.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
            await conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    finally:
        await setup.close()
    yield url


@pytest.mark.parametrize("cancels", [1, 2], ids=["cancelled", "cancelled-again-in-cleanup"])
async def test_a_cancelled_write_transaction_leaves_sqlite_writable(url: str, cancels: int) -> None:
    crashing, taking_over = Store.from_url(url), Store.from_url(url)
    slow = Slow()
    slow.install(crashing)

    async def write() -> None:
        async with crashing.transaction() as session:
            # RETURNING rows not yet fetched: the statement is still alive when cancelled
            await session.execute(text("UPDATE counter SET n = n + 1 RETURNING pause(n)"))

    task = asyncio.create_task(write())
    try:
        await slow.wait_started()
        task.cancel()
        for _ in range(cancels - 1):
            await asyncio.sleep(0)  # the cancelled task is now rolling back: cancel that too
            task.cancel()
        # Keeping the exception keeps its traceback, and with it the driver's cursor, alive
        # (as the crashed sender's task did), so the garbage collector cannot hide the bug.
        with pytest.raises(asyncio.CancelledError) as cancelled:
            await task

        started = time.monotonic()
        async with taking_over.transaction() as session:
            await session.execute(text("UPDATE counter SET n = n + 100"))
        waited = time.monotonic() - started
        async with crashing.transaction() as session:  # the crashed Store recovers too
            await session.execute(text("UPDATE counter SET n = n + 1000"))
        async with taking_over.readers() as session:
            n = await session.scalar(text("SELECT n FROM counter"))
    finally:
        await taking_over.close()
        await crashing.close()
    assert cancelled.value is not None
    assert waited < PAUSE + 1.0 < BUSY_TIMEOUT_MS / 1000, f"waited {waited:.2f}s for the lock"
    assert n == 1100, "the cancelled UPDATE was rolled back, the later ones committed"
