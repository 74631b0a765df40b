"""The broadcast sender: one asyncio task per process; exactly one of them sends.

Algorithm (the README's "Broadcasts" section explains the guarantees):

1. Lead or wait. The task tries the lease (`bot.broadcast.lease`); if another instance holds
   it, it tries again every `leader_poll` seconds and takes over when that instance dies.
2. Recover. Deliveries another (dead) sender left `sending` for longer than `claim_ttl` go
   back to `pending` (checked on taking the lead and every `claim_ttl / 2`); a sender's own
   claims are never reclaimed, however long a 429 pause keeps them waiting.
3. Expand. Queued broadcasts whose `scheduled_at` has come get their deliveries rows.
4. Claim. Due pending deliveries are claimed (`sending`, owner, time, attempts + 1) in a
   transaction BEFORE any request: at most one per chat at a time, none to a chat whose
   spacing (1 s private, 3 s group) has not passed.
5. Send. Each claimed delivery waits for a slot of the global `RateLimiter`, then goes out on
   the sender's own `Bot`; its outcome is committed right after Telegram's answer.
   429 → everything pauses for `retry_after`, the delivery is retried (the attempt is not
   counted); 403 / "chat not found" → chat marked blocked, delivery `blocked`; ChatMigrated →
   subscriptions move, retried on the new id; 5xx, timeouts, network errors → retried with
   exponential backoff up to `max_attempts`, then `failed` with the reason.
6. Report. Every `progress_interval` the admin's progress message is edited (only when its
   text changed), and a broadcast with no open delivery is closed with its figures and a
   final report.

Stopping (`stop`) stops claiming and lets the requests in flight finish and be recorded;
cancelling the task instead is a crash, and the next sender's step 2 recovers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.broadcast import outbox
from bot.broadcast.lease import Lease
from bot.broadcast.limits import ChatSpacing, RateLimiter
from bot.broadcast.render import Content, ContentGone, message_card
from bot.cards import Card, CardError
from bot.catalog.catalog import Catalog
from bot.metrics import DELIVERIES
from bot.store.engine import Store, database_away
from bot.store.models import Broadcast, utcnow

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
UNREACHABLE = ("chat not found", "user not found", "peer_id_invalid", "bot was blocked")


@dataclass(frozen=True, slots=True)
class SenderConfig:
    """How the sender paces and retries; `from_settings` for production, tests shrink times."""

    rate: float = 25.0
    paid: bool = False
    burst: int = 3
    max_attempts: int = 5
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    claim_ttl: float = 60.0
    """Seconds after which a `sending` claim is taken for a dead sender's: longer than any
    request can last (timeouts below) plus the heartbeat, so a live sender is never second-
    guessed."""
    poll_interval: float = 1.0
    leader_poll: float = 3.0
    heartbeat: float = 2.0
    progress_interval: float = 3.0
    max_in_flight: int = 64
    private_interval: float = 1.0
    group_interval: float = 3.0
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    write_timeout: float = 15.0
    pool_timeout: float = 5.0
    default_lang: str = "en"
    record_retry_base: float = 0.2
    record_retry_cap: float = 5.0
    record_retry_for: float = 120.0
    """While the database is away an outcome waits to be written, with back-off, for up to
    `record_retry_for` seconds (an unrecorded outcome is sent again once its claim expires);
    bounded, so a sender never waits forever on a database that will not come back."""

    @property
    def batch(self) -> int:
        """Deliveries claimed at once: about a quarter second of sending."""
        return max(1, min(100, round(self.rate / 4)))


@dataclass(slots=True)
class Stats:
    """What the sender did in this process (for tests, the bench and logs)."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    rate_limited: int = 0
    migrated: int = 0
    reclaimed: int = 0
    first_sent: float | None = None
    last_sent: float | None = None
    led: int = 0


_Outcome = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any], "asyncio.Future[bool]"]
"""An outcome waiting for the group commit: the write, its arguments, who waits for it."""


@dataclass(slots=True)
class _Progress:
    samples: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=20))
    last_edit: float = 0.0


class BroadcastSender:
    """Works through the outbox; see the module docstring for the algorithm."""

    def __init__(
        self,
        store: Store,
        bot: Bot,
        lease: Lease,
        catalog: Callable[[], Catalog],
        config: SenderConfig | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.bot = bot
        self.lease = lease
        self.catalog = catalog
        self.config = config or SenderConfig()
        self.clock = clock
        """"Now" for schedules and backoff (injectable: tests move time forward)."""
        self.owner = owner or outbox.new_owner()
        """Written on every claim; a sender never reclaims its own claims (it knows them)."""
        self.limiter = RateLimiter(self.config.rate, burst=self.config.burst)
        self.spacing = ChatSpacing(
            private_interval=self.config.private_interval,
            group_interval=self.config.group_interval,
        )
        self.stats = Stats()
        self.in_flight: set[int] = set()
        """Chat ids with a request on the wire (claimed and not yet recorded)."""
        self.leading = False
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(self.config.max_in_flight)
        self._contents: dict[int, Content] = {}
        self._cards: dict[tuple[int, str], Card] = {}
        self._progress: dict[int, _Progress] = {}
        self._outcomes: asyncio.Queue[_Outcome] = asyncio.Queue()
        self._recorder: asyncio.Task[None] | None = None

    # Lifecycle --------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Run in the background (idempotent)."""
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run(), name="broadcast-sender")
        return self._task

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    def wake(self) -> None:
        """Look for work now (a broadcast was just queued in this process)."""
        self._wake.set()

    async def stop(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109 (bounded shutdown)
        """Stop claiming, let the requests in flight finish and be recorded, release the lead."""
        task = self._task
        if task is None:
            return
        if task.done():  # it crashed or was cancelled: nothing to wait for
            self._task = None
            if not task.cancelled() and task.exception() is not None:
                log.error("broadcast sender had stopped with %r", task.exception())
            return
        self._stopping.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            log.warning("broadcast sender did not stop in %.0fs; cancelling it", timeout)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None

    async def run(self) -> None:
        """Lead when possible; otherwise wait and try again."""
        try:
            while not self._stopping.is_set():
                try:
                    acquired = await self.lease.try_acquire()
                except (OSError, DBAPIError) as exc:
                    log.warning("broadcast sender: database unavailable (%r)", exc)
                    acquired = False
                if acquired:
                    self.stats.led += 1
                    self.leading = True
                    try:
                        await self._lead()
                    except (OSError, DBAPIError) as exc:
                        log.warning("broadcast sender: database error, stepping down (%r)", exc)
                    finally:
                        self.leading = False
                        await self.lease.release()
                if not self._stopping.is_set():
                    await self._idle(self.config.leader_poll)
        finally:
            if self._recorder is not None:  # after a stop it is idle; after a crash, gone too
                self._recorder.cancel()
            if self.leading:
                await self.lease.release()

    async def _idle(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    # Leading -----------------------------------------------------------------------------

    async def _lead(self) -> None:
        """Send until told to stop or the lead is lost; requests in flight always finish.

        A fresh owner id per term: claims of an earlier term whose outcome could not be
        written (the database was down) become reclaimable like a dead sender's.
        """
        cfg = self.config
        self.owner = outbox.new_owner()
        log.info("broadcast sender %s is sending (%.0f msg/s)", self.owner, cfg.rate)
        last_check = last_reclaim = last_report = -1e9
        async with asyncio.TaskGroup() as group:
            while not self._stopping.is_set():
                try:
                    mono = time.monotonic()
                    if mono - last_check >= cfg.heartbeat:
                        if not await self.lease.alive():
                            return
                        last_check = mono
                    if mono - last_reclaim >= cfg.claim_ttl / 2:
                        await self._reclaim()
                        last_reclaim = mono
                    await self._expand_due()
                    claimed = await self._claim()
                    for delivery in claimed:
                        await self._slots.acquire()
                        await self.limiter.acquire()
                        self.spacing.note(delivery.chat_id)
                        group.create_task(self._deliver(delivery))
                    if not claimed or time.monotonic() - last_report >= cfg.progress_interval / 2:
                        await self._report()
                        last_report = time.monotonic()
                        self.spacing.prune()
                except (OSError, DBAPIError) as exc:  # the body must not raise: see TaskGroup
                    log.warning("broadcast sender: database error, stepping down (%r)", exc)
                    return
                if not claimed:
                    await self._idle(cfg.poll_interval)

    async def _reclaim(self) -> None:
        before = self.clock() - timedelta(seconds=self.config.claim_ttl)
        async with self.store.transaction() as session:
            count = await outbox.reclaim_stale(session, claimed_before=before, owner=self.owner)
        if count:
            self.stats.reclaimed += count
            log.warning("broadcast sender: %d deliveries of a stopped sender retried", count)

    async def _expand_due(self) -> None:
        now = self.clock()
        async with self.store.readers() as session:
            ids = await outbox.due(session, now)
        for broadcast_id in ids:
            if await self._outdated_reminder(broadcast_id, now):
                async with self.store.transaction() as session:
                    await outbox.cancel(session, broadcast_id, now=now)
                log.info(
                    "broadcast %d: reminder of a forum no longer upcoming, dropped", broadcast_id
                )
                continue
            async with self.store.transaction() as session:
                count = await outbox.expand(
                    session, broadcast_id, now=now, default_lang=self.config.default_lang
                )
            if count is not None:
                log.info("broadcast %d: %d recipients", broadcast_id, count)

    async def _outdated_reminder(self, broadcast_id: int, now: datetime) -> bool:
        """A reminder that comes due after its forum was cancelled, moved off the catalog or
        already began (the bot was down at the time) is not sent."""
        async with self.store.readers() as session:
            row = await outbox.get(session, broadcast_id)
        if row is None or not row.purpose.startswith("reminder"):
            return False
        event = self.catalog().events.get(row.item_id or "")
        return event is None or event.status.value != "announced" or event.starts_at <= now

    async def _claim(self) -> list[outbox.Claimed]:
        """Due deliveries, one per chat, skipping chats in flight or not yet spaced out."""
        cfg = self.config
        room = min(cfg.batch, cfg.max_in_flight - len(self.in_flight))
        if room <= 0:
            return []
        now = self.clock()
        async with self.store.readers() as session:
            found = await outbox.candidates(session, now, room * 4)
        chosen: list[int] = []
        chats: set[int] = set()
        for delivery_id, chat_id in found:
            if chat_id in self.in_flight or chat_id in chats or not self.spacing.ready(chat_id):
                continue
            chosen.append(delivery_id)
            chats.add(chat_id)
            if len(chosen) >= room:
                break
        if not chosen:
            return []
        async with self.store.transaction() as session:
            claimed = await outbox.claim(session, chosen, owner=self.owner, now=now)
        self.in_flight.update(d.chat_id for d in claimed)
        return claimed

    # One delivery ---------------------------------------------------------------------------

    async def _card(self, broadcast_id: int, lang: str) -> Card:
        card = self._cards.get((broadcast_id, lang))
        if card is not None:
            return card
        content = self._contents.get(broadcast_id)
        if content is None:
            async with self.store.readers() as session:
                row = await outbox.get(session, broadcast_id)
            if row is None:
                raise ContentGone(f"broadcast {broadcast_id} was deleted")
            content = Content(row.purpose, row.texts, row.item_id)
            self._contents[broadcast_id] = content
        card = message_card(content, lang, self.catalog())
        self._cards[(broadcast_id, lang)] = card
        return card

    async def _deliver(self, delivery: outbox.Claimed) -> None:
        """Send one claimed delivery and record the outcome; never raises."""
        try:
            await self._attempt(delivery)
        except Exception:
            log.exception("broadcast sender: delivery %d could not be recorded", delivery.id)
        finally:
            self.in_flight.discard(delivery.chat_id)
            self._slots.release()
            self._wake.set()

    async def _attempt(self, delivery: outbox.Claimed) -> None:
        cfg = self.config
        try:
            card = await self._card(delivery.broadcast_id, delivery.lang)
            message = await self.bot.send_message(
                delivery.chat_id,
                card.text,
                parse_mode=ParseMode.HTML,
                reply_markup=card.reply_markup(),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_paid_broadcast=True if cfg.paid else None,
                read_timeout=cfg.read_timeout,
                write_timeout=cfg.write_timeout,
                connect_timeout=cfg.connect_timeout,
                pool_timeout=cfg.pool_timeout,
            )
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            self.limiter.pause(seconds)
            self.stats.rate_limited += 1
            log.warning("broadcast sender: 429, pausing all sending for %.0fs", seconds)
            at = self.clock() + timedelta(seconds=seconds)
            await self._record(outbox.retry_later, delivery, at=at, reason="429", counted=False)
        except ChatMigrated as exc:
            self.stats.migrated += 1
            await self._record(outbox.move_chat, delivery, exc.new_chat_id, now=self.clock())
        except Forbidden as exc:
            self._count("blocked")
            await self._record(outbox.mark_blocked, delivery, reason=exc.message, now=self.clock())
        except BadRequest as exc:
            if any(reason in exc.message.lower() for reason in UNREACHABLE):
                self._count("blocked")
                await self._record(
                    outbox.mark_blocked, delivery, reason=exc.message, now=self.clock()
                )
            else:
                self._count("failed")
                await self._record(outbox.mark_failed, delivery, reason=exc.message)
        except NetworkError as exc:  # 5xx, timeouts, connection errors: worth another try
            await self._retry_or_fail(delivery, f"{type(exc).__name__}: {exc.message}")
        except (TelegramError, ContentGone, CardError) as exc:
            self._count("failed")
            await self._record(outbox.mark_failed, delivery, reason=str(exc))
        else:
            now = self.clock()
            recorded = await self._record(
                outbox.mark_sent, delivery, message_id=message.message_id, now=now
            )
            if recorded:
                self._count("sent")
                mono = time.monotonic()
                self.stats.first_sent = self.stats.first_sent or mono
                self.stats.last_sent = mono

    async def _retry_or_fail(self, delivery: outbox.Claimed, reason: str) -> None:
        cfg = self.config
        if delivery.attempts >= cfg.max_attempts:
            self._count("failed")
            await self._record(outbox.mark_failed, delivery, reason=reason)
            return
        delay = min(cfg.backoff_cap, cfg.backoff_base * 2 ** (delivery.attempts - 1))
        delay *= random.uniform(0.8, 1.2)  # jitter spreads retries out
        self.stats.retried += 1
        at = self.clock() + timedelta(seconds=delay)
        await self._record(outbox.retry_later, delivery, at=at, reason=reason)

    def _count(self, status: str) -> None:
        """One delivery's outcome: this process's stats and the /metrics series by status."""
        setattr(self.stats, status, getattr(self.stats, status) + 1)
        DELIVERIES.labels(status).inc()

    async def _record(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Commit one outcome as soon as possible: the time between Telegram's answer and
        this commit is the duplicate window (README, "Broadcasts").

        Outcomes that arrive while a commit is running are written together by the next one
        (group commit): under load, one transaction per batch instead of a queue of
        transactions, so the window stays short; when idle, nothing waits.
        """
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._outcomes.put_nowait((write, args, kwargs, future))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._write_outcomes(), name="broadcast-record")
        return await future

    async def _write_outcomes(self) -> None:
        """Drain the outcome queue: everything waiting goes into one transaction."""
        while not self._outcomes.empty():
            batch = [self._outcomes.get_nowait() for _ in range(self._outcomes.qsize())]
            try:
                results = await self._commit(batch)
            except Exception as exc:  # the batch failed as a whole: write them one by one
                if len(batch) == 1:
                    _, _, _, future = batch[0]
                    if not future.done():
                        future.set_exception(exc)
                    continue
                results = []
                for item in batch:
                    try:
                        results.extend(await self._commit([item]))
                    except Exception as single:
                        results.append(single)
            for (_, _, _, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(bool(result))

    async def _commit(self, batch: list[_Outcome]) -> list[object]:
        """One transaction for the batch. While the database is unreachable it is retried
        with capped back-off for up to `record_retry_for` seconds; other database errors (a
        conflict, a bug) three more times, then they are raised."""
        attempt = 0
        delay = self.config.record_retry_base
        waited = 0.0
        while True:
            try:
                async with self.store.transaction() as session:
                    return [await write(session, *a, **kw) for write, a, kw, _ in batch]
            except (OperationalError, DBAPIError, OSError) as exc:
                attempt += 1
                away = database_away(exc) and waited < self.config.record_retry_for
                if not away and attempt > 3:
                    raise
                if attempt == 1 or attempt % 10 == 0:
                    log.warning(
                        "broadcast sender: retrying a database write (attempt %d: %r)", attempt, exc
                    )
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, self.config.record_retry_cap)

    # Progress and reports -------------------------------------------------------------------

    async def _report(self) -> None:
        """Edit progress messages that changed; close finished broadcasts with a report."""
        async with self.store.readers() as session:
            rows = await outbox.unfinished(session)
        for row in rows:
            async with self.store.readers() as session:
                figures = await outbox.counts(session, row.id)
            progress = self._progress.setdefault(row.id, _Progress())
            progress.samples.append((time.monotonic(), figures.sent))
            if figures.open == 0:
                await self._finish(row)
                continue
            if (
                row.report_chat_id is not None
                and time.monotonic() - progress.last_edit >= self.config.progress_interval
            ):
                await self._edit_progress(row, figures, progress)

    def _rate(self, progress: _Progress) -> float:
        if len(progress.samples) < 2:
            return 0.0
        (t0, s0), (t1, s1) = progress.samples[0], progress.samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    async def _edit_progress(
        self, row: Broadcast, figures: outbox.Counts, progress: _Progress
    ) -> None:
        from bot import screens  # screens import the catalog and templates: keep start-up lean

        lang = row.report_lang or self.config.default_lang
        card = screens.broadcast_progress(lang, row, figures, self._rate(progress))
        progress.last_edit = time.monotonic()
        await self._edit(row, card)

    async def _edit(self, row: Broadcast, card: Card) -> None:
        digest = hashlib.sha256(card.text.encode()).hexdigest()[:64]
        if digest == row.report_digest or row.report_chat_id is None:
            return
        await self.limiter.acquire()
        try:
            await self.bot.edit_message_text(
                card.text,
                chat_id=row.report_chat_id,
                message_id=row.report_message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=card.reply_markup(),
            )
        except RetryAfter as exc:
            self.limiter.pause(_seconds(exc.retry_after))
            return
        except BadRequest as exc:
            if NOT_MODIFIED not in exc.message.lower():
                log.info("broadcast %d: progress message not edited (%s)", row.id, exc.message)
        except TelegramError as exc:
            log.info("broadcast %d: progress message not edited (%r)", row.id, exc)
            return
        async with self.store.transaction() as session:
            await outbox.set_report_digest(session, row.id, digest)
        row.report_digest = digest

    async def _finish(self, row: Broadcast) -> None:
        from bot import screens

        async with self.store.transaction() as session:
            done = await outbox.finish(session, row.id, now=self.clock())
        if done is None:
            return
        progress = self._progress.pop(row.id, _Progress())
        for key in [k for k in self._cards if k[0] == row.id]:
            del self._cards[key]
        self._contents.pop(row.id, None)
        log.info(
            "broadcast %d %s: %d sent, %d failed, %d blocked, %d cancelled of %d",
            done.id,
            done.status,
            done.sent,
            done.failed,
            done.blocked,
            done.cancelled,
            done.total,
        )
        if done.report_chat_id is None:
            return
        lang = done.report_lang or self.config.default_lang
        figures = outbox.Counts(
            sent=done.sent, failed=done.failed, blocked=done.blocked, cancelled=done.cancelled
        )
        await self._edit(
            done, screens.broadcast_progress(lang, done, figures, self._rate(progress))
        )
        report = screens.broadcast_report(lang, done)
        await self.limiter.acquire()
        try:
            await self.bot.send_message(
                done.report_chat_id,
                report.text,
                parse_mode=ParseMode.HTML,
                reply_markup=report.reply_markup(),
            )
        except TelegramError as exc:
            log.warning("broadcast %d: final report not sent (%r)", done.id, exc)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
