"""Fixtures for the broadcast engine: the emulator, stores on both engines, fast recipients.

Recipients are made in bulk — emulator users straight in its world state, database rows in a
few multi-row INSERTs — so 2,000 of them cost well under a second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest_asyncio
from sqlalchemy import func, select
from telegram.error import TimedOut
from telegram.request import HTTPXRequest

from bot.broadcast import outbox
from bot.broadcast.audience import Audience
from bot.broadcast.lease import lease_for
from bot.broadcast.runtime import sender_bot
from bot.broadcast.sender import BroadcastSender, SenderConfig
from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.sandbox.client import Sandbox
from bot.store import Store
from bot.store.models import Broadcast, Chat, Delivery, Subscription, User, utcnow
from tests.store.conftest import database_url, empty_store, store

__all__ = ["database_url", "empty_store", "store"]

CONTENT = Path(__file__).resolve().parents[2] / "content"
FIRST_ID = 8_100_000_000
ADMIN_CHAT = 8_099_999_999
LANGS = ("en", "es", "fr")

FAST = SenderConfig(
    rate=200,
    max_attempts=10,
    backoff_base=0.05,
    backoff_cap=0.4,
    claim_ttl=1.0,
    poll_interval=0.05,
    leader_poll=0.2,
    heartbeat=0.3,
    progress_interval=0.5,
    max_in_flight=32,
    connect_timeout=1.0,
    read_timeout=0.6,
    write_timeout=1.0,
    pool_timeout=2.0,
)
"""Short timings so fault tests stay fast; the rate matches the emulator's limit in tests."""


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sandbox:
        yield sandbox


_CATALOG: list[Catalog] = []


def catalog() -> Catalog:
    if not _CATALOG:
        _CATALOG.append(load_catalog(CONTENT))
    return _CATALOG[0]


@dataclass
class Crowd:
    """Who a test broadcast goes to, by what Telegram will answer for them."""

    reachable: list[int] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)
    """Blocked the bot in Telegram, unknown to the database until a send answers 403."""
    missing: list[int] = field(default_factory=list)
    """In the database, unknown to Telegram ("chat not found")."""

    @property
    def everyone(self) -> list[int]:
        return sorted([*self.reachable, *self.blocked, *self.missing])


async def crowd(
    tg: Sandbox,
    db: Store,
    n: int,
    *,
    blocked_every: int = 0,
    missing_every: int = 0,
    first_id: int = FIRST_ID,
    topic: str = "forums",
) -> Crowd:
    """`n` users subscribed to `topic`, languages in turn; some blocked or unknown."""
    result = Crowd()
    now = utcnow()
    users, chats, subs = [], [], []
    for i in range(n):
        uid = first_id + i
        lang = LANGS[i % 3]
        if missing_every and i % missing_every == missing_every - 1:
            result.missing.append(uid)
        else:
            record = tg.state.add_user(f"U{i}", user_id=uid, language_code=lang)
            if blocked_every and i % blocked_every == 0:
                record.blocked = True
                result.blocked.append(uid)
            else:
                result.reachable.append(uid)
        users.append(
            {"id": uid, "language": lang, "created_at": now, "last_seen": now, "blocked": False}
        )
        chats.append(
            {"id": uid, "type": "private", "language": lang, "created_at": now, "blocked": False}
        )
        subs.append({"chat_id": uid, "topic": topic, "created_at": now})
    async with db.transaction() as session:
        for table, rows in ((User, users), (Chat, chats), (Subscription, subs)):
            for start in range(0, len(rows), 1000):
                await session.execute(table.__table__.insert(), rows[start : start + 1000])
    return result


def admin_user(tg: Sandbox) -> int:
    if ADMIN_CHAT not in tg.state.users:
        tg.state.add_user("Admin", user_id=ADMIN_CHAT)
    return ADMIN_CHAT


async def queue_message(
    db: Store,
    tg: Sandbox | None = None,
    *,
    audience: Audience | None = None,
    texts: dict[str, str] | None = None,
    report_to: int | None = None,
    now: datetime | None = None,
) -> int:
    """A text broadcast to `audience` (forum subscribers by default), queued and expanded."""
    now = now or utcnow()
    async with db.transaction() as session:
        bid = await outbox.create(
            session,
            audience=audience or Audience.of_topics(["forums"]),
            texts=texts or {"en": "Hello <all> & welcome", "es": "Hola a todos", "fr": "Bonjour"},
            author_id=report_to,
            now=now,
        )
        report = None
        if report_to is not None and tg is not None:  # the admin's progress message
            sent = await tg.emulator.call("sendMessage", chat_id=report_to, text="📣 queued")
            report = (report_to, int(sent["message_id"]), "en")
        await outbox.queue(session, bid, now=now, report=report)
    return bid


class TimeoutNotingRequest(HTTPXRequest):
    """Notes the chats whose sendMessage timed out on our side: the one case the design says
    may deliver twice (Telegram may have processed a request we stopped waiting for)."""

    timed_out: ClassVar[set[int]] = set()

    async def do_request(self, url: str, method: str, request_data: Any = None, **kw: Any) -> Any:
        try:
            return await super().do_request(url, method, request_data, **kw)
        except TimedOut:
            chat = (request_data.parameters if request_data else {}).get("chat_id")
            if url.endswith("/sendMessage") and isinstance(chat, int):
                TimeoutNotingRequest.timed_out.add(chat)
            raise


async def make_sender(
    tg: Sandbox, db: Store, config: SenderConfig = FAST, **kwargs: Any
) -> BroadcastSender:
    bot = sender_bot(tg.token, tg.url, config, TimeoutNotingRequest)
    await bot.initialize()
    return BroadcastSender(db, bot, lease_for(db.engine), catalog, config, **kwargs)


async def close_sender(sender: BroadcastSender) -> None:
    await sender.stop()
    await sender.bot.shutdown()


async def finished(db: Store, broadcast_id: int, timeout: float = 60.0) -> Broadcast:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        async with db.readers() as session:
            row = await outbox.get(session, broadcast_id)
        assert row is not None
        if row.finished_at is not None:
            return row
        if time.monotonic() > deadline:
            async with db.readers() as session:
                figures = await outbox.counts(session, broadcast_id)
            raise AssertionError(f"broadcast {broadcast_id} not finished: {figures}")
        await asyncio.sleep(0.05)


async def delivery_counts(db: Store, broadcast_id: int) -> dict[str, int]:
    async with db.readers() as session:
        rows = await session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.broadcast_id == broadcast_id)
            .group_by(Delivery.status)
        )
        return dict(rows.all())


def received(tg: Sandbox, chat_ids: Iterable[int]) -> dict[int, int]:
    """How many bot messages each chat holds in the emulator."""
    counts = {}
    for chat_id in chat_ids:
        chat = tg.state.chats.get(chat_id)
        counts[chat_id] = (
            0 if chat is None else sum(1 for m in chat.messages.values() if m.from_bot)
        )
    return counts
