"""Durable receipt: an update is stored before Telegram is told it arrived, and leaves the
store only once it has been handled, so `kill -9` at any moment loses none.

Updates arrive through PTB's `update_queue` both ways. Receipts are written behind, a batch at
a time (one INSERT for all the updates of a `getUpdates` answer or of concurrent webhook
calls), and Telegram is told only once they are durable: in polling mode the Updater confirms
a batch with its next `getUpdates`, which `DurableBot` makes wait for the receipts; the webhook
(`bot.web`) answers 200 only after `DurableQueue.put_durably`. If the database is away, the
confirmation waits (polling) or the webhook answers 500, and Telegram sends the updates again.
Handled updates are deleted in the background, a batch at a time, after their receipts.

On start, and every few seconds, the inbox hands back what a dead process left: on SQLite (one
process per file) everything at once; on PostgreSQL what no live instance has renewed for
`STALE` seconds. Duplicates remain possible only for an update whose answer went out in the
instant before a crash, before its deletion.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from telegram import Bot, Update

from bot.store import Store
from bot.store import inbox as rows
from bot.store.models import utcnow

log = logging.getLogger(__name__)

FLUSH_EVERY = 0.05
"""Seconds between deletions of handled updates (one statement for all of them)."""
RENEW_EVERY = 10.0
STALE = timedelta(seconds=30)
"""A claim not renewed for this long belongs to a process that died (PostgreSQL)."""
SEEN = 10_000
"""Update ids remembered in-process, so one Telegram sends twice is queued once."""


class Inbox:
    """The `inbox` table as this process uses it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._receipts: list[tuple[int, dict[str, Any]]] = []
        self._written: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._done: list[int] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._queue: DurableQueue | None = None
        self._bot: Bot | None = None

    # -- receipts ------------------------------------------------------------------------

    def receive(self, update: Update) -> None:
        """Queue the receipt of `update` (written behind; see `durable`)."""
        self._receipts.append((update.update_id, update.to_dict()))
        self._write()

    def _write(self) -> None:
        """Make sure a writer runs for the pending receipts, with a future for them."""
        if self._written is None or self._written.done():
            self._written = asyncio.get_running_loop().create_future()
            self._written.add_done_callback(lambda f: f.cancelled() or f.exception())
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_receipts(), name="inbox-receipts")

    async def durable(self) -> None:
        """Until every receipt queued so far is in the database; raises while it is away
        (the receipts stay queued, and the next call tries again)."""
        if self._receipts and (self._writer is None or self._writer.done()):
            self._write()
        written = self._written
        while written is not None and not written.done():
            await asyncio.wait({written}, timeout=1.0)
            if not written.done() and (self._writer is None or self._writer.done()):
                if not self._receipts:  # the writer ended without answering: nothing is left
                    written.set_result(None)
                    break
                self._write()  # it was cancelled mid-way: start again
                written = self._written
        if written is not None:
            await asyncio.shield(written)

    async def _write_receipts(self) -> None:
        while self._receipts:
            batch, self._receipts = self._receipts, []
            written = self._written
            try:
                async with self.store.transaction() as session:
                    await rows.receive(session, batch, self.owner, utcnow())
            except Exception as exc:
                log.warning("inbox: could not store %d received updates: %r", len(batch), exc)
                self._receipts = batch + self._receipts  # the next confirmation retries them
                if written is not None and not written.done():
                    written.set_exception(exc)
                return
            if not self._receipts and written is not None and not written.done():
                written.set_result(None)

    # -- handled -------------------------------------------------------------------------

    def handled(self, update_id: int) -> None:
        """Mark an update handled: it is deleted with the next flush (never blocks)."""
        self._done.append(update_id)
        self._wake.set()

    async def start(self, queue: DurableQueue, bot: Bot) -> int:
        """Hand back what a dead process left, then keep flushing and watching; returns how
        many updates were recovered."""
        self._queue, self._bot = queue, bot
        stale = timedelta(0) if self.store.dialect == "sqlite" else STALE
        recovered = await self._recover(stale)
        if recovered:
            log.warning("inbox: %d updates received before a crash are handled now", recovered)
        self._task = asyncio.create_task(self._run(), name="inbox")
        return recovered

    async def stop(self) -> None:
        """Write what is pending (called after PTB has drained its queue)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._flush()

    async def _recover(self, stale: timedelta) -> int:
        assert self._queue is not None
        assert self._bot is not None
        total = 0
        while True:  # a batch at a time, until nothing is left to take
            async with self.store.transaction() as session:
                taken = await rows.claim(session, self.owner, utcnow(), stale)
            for _, body in taken:
                update = Update.de_json(body, self._bot)
                if update is not None:
                    await self._queue.requeue(update)
            total += len(taken)
            if not taken:
                return total

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        renewed = loop.time()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), RENEW_EVERY)
            self._wake.clear()
            try:
                await self._flush()
                if loop.time() - renewed >= RENEW_EVERY:
                    renewed = loop.time()
                    async with self.store.transaction() as session:
                        await rows.renew(session, self.owner, utcnow())
                    if self.store.dialect != "sqlite":
                        await self._recover(STALE)
            except Exception as exc:  # the database is away: try again shortly
                log.warning("inbox: could not update the inbox (%r); retrying", exc)
                await asyncio.sleep(1.0)
                self._wake.set()
            await asyncio.sleep(FLUSH_EVERY)

    async def _flush(self) -> None:
        """Delete handled updates, after their receipts (a delete before the insert would
        leave a row that a restart would handle again)."""
        done, self._done = self._done, []
        if not done:
            return
        try:
            await self.durable()
            async with self.store.transaction() as session:
                await rows.handled(session, done)
        except BaseException:  # a failure, or `stop` cancelling mid-flush: kept for the next
            self._done = done + self._done
            raise


class DurableQueue(asyncio.Queue[Any]):
    """PTB's update queue: each update's receipt goes to the inbox as it is queued."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox
        self._seen: OrderedDict[int, None] = OrderedDict()

    def _first_time(self, update: Update) -> bool:
        if update.update_id in self._seen:
            log.info("update %s received twice: handled once", update.update_id)
            return False
        self._seen[update.update_id] = None
        if len(self._seen) > SEEN:
            self._seen.popitem(last=False)
        return True

    async def put(self, item: Any) -> None:
        if isinstance(item, Update):
            if not self._first_time(item):
                return
            self.inbox.receive(item)
        await super().put(item)

    async def put_durably(self, update: Update) -> None:
        """For the webhook: queued, and stored before Telegram hears back."""
        await self.put(update)
        await self.inbox.durable()

    async def requeue(self, update: Update) -> None:
        """An update already in the inbox (recovered after a crash)."""
        self._seen[update.update_id] = None
        await super().put(update)


class DurableBot:
    """The Updater's view of the bot: `getUpdates` (which confirms the previous batch to
    Telegram) waits until that batch's receipts are in the database."""

    def __init__(self, bot: Bot, inbox: Inbox) -> None:
        self._bot = bot
        self._inbox = inbox

    async def get_updates(self, *args: Any, **kwargs: Any) -> Any:
        """Confirm the previous batch only once it is stored; while the database is away,
        wait (with back-off) instead of failing: PTB's polling loop would retry at once."""
        delay = 0.25
        while True:
            try:
                await self._inbox.durable()
                break
            except Exception as exc:
                log.warning("inbox: receipts not stored (%r); polling waits %.2fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        return await self._bot.get_updates(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)
