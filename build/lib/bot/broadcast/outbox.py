"""The durable outbox: broadcasts and their per-chat deliveries, as plain async functions.

A broadcast is written first (draft, then queued with an optional `scheduled_at`); when it is
due it is expanded — in one transaction — into one `deliveries` row per recipient chat. The
sender then claims deliveries (`pending` → `sending`, with its owner id and the time) in a
transaction before it calls Telegram, and writes the outcome right after the answer. Every
state change is a conditional UPDATE (`… WHERE status = 'pending'`), so two processes can
never both win the same row, whatever the engine.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast.audience import Audience, recipients
from bot.store import repo
from bot.store.models import Broadcast, Delivery, utcnow

INSTANCE = f"{socket.gethostname()[:40]}:{os.getpid()}"
"""This process, as written in `deliveries.claimed_by` (for operators reading the table)."""


def new_owner() -> str:
    """A claim owner id: this process plus a random part, one per sender object."""
    return f"{INSTANCE}:{uuid.uuid4().hex[:10]}"[:64]


OPEN = ("pending", "sending")
"""Delivery states that still need the sender."""
ERROR_MAX = 200
INSERT_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this sender owns until it writes the outcome."""

    id: int
    broadcast_id: int
    chat_id: int
    lang: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Counts:
    """Deliveries of one broadcast by state."""

    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.failed + self.blocked + self.cancelled

    @property
    def open(self) -> int:
        return self.pending + self.sending


# Writing broadcasts ------------------------------------------------------------------------


async def create(
    session: AsyncSession,
    *,
    audience: Audience,
    texts: dict[str, str] | None = None,
    item_id: str | None = None,
    purpose: str = "message",
    author_id: int | None = None,
    status: str = "draft",
    scheduled_at: datetime | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> int:
    """Write a broadcast (a draft unless told otherwise); returns its id."""
    if (texts is None) == (item_id is None):
        raise ValueError("a broadcast has either texts or a card reference (item_id)")
    row = Broadcast(
        author_id=author_id,
        kind="text" if texts is not None else "card",
        purpose=purpose,
        texts=texts,
        item_id=item_id,
        audience=audience.to_json(),
        dedupe_key=dedupe_key,
        status=status,
        created_at=now or utcnow(),
        scheduled_at=scheduled_at,
        total=0,
        sent=0,
        failed=0,
        blocked=0,
        cancelled=0,
    )
    session.add(row)
    await session.flush()
    return row.id


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id, populate_existing=True)


async def queue(
    session: AsyncSession,
    broadcast_id: int,
    *,
    now: datetime,
    default_lang: str = "en",
    report: tuple[int, int, str] | None = None,
    scheduled_at: datetime | None = None,
) -> int | None:
    """Draft → queued (and expanded at once when already due); None if it was no draft.

    `report` is (chat id, message id, language) of the admin's progress message;
    `scheduled_at` (aware) sets or replaces the time it waits for. Returns the number of
    deliveries written (0 while it waits for its `scheduled_at`).
    """
    values: dict[str, Any] = {"status": "queued"}
    if scheduled_at is not None:
        values["scheduled_at"] = scheduled_at
    if report is not None:
        values |= {
            "report_chat_id": report[0],
            "report_message_id": report[1],
            "report_lang": report[2],
        }
    won = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == "draft")
        .values(**values)
        .returning(Broadcast.scheduled_at)
    )
    row = won.one_or_none()
    if row is None:
        return None
    scheduled = row[0]
    if scheduled is not None and scheduled > now:
        return 0
    return await expand(session, broadcast_id, now=now, default_lang=default_lang)


async def expand(
    session: AsyncSession, broadcast_id: int, *, now: datetime, default_lang: str = "en"
) -> int | None:
    """Queued → sending: one pending delivery per recipient; None if another process won.

    The audience is resolved now, not when the broadcast was written, so a reminder queued a
    week ahead reaches whoever subscribed in between and skips whoever left.
    """
    won = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == "queued")
        .values(status="sending", started_at=now)
        .returning(Broadcast.audience)
    )
    row = won.one_or_none()
    if row is None:
        return None
    found = await recipients(session, Audience.from_json(row[0]), default_lang)
    rows = [
        {
            "broadcast_id": broadcast_id,
            "chat_id": chat_id,
            "lang": lang,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
        }
        for chat_id, lang in found.items()
    ]
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(Delivery.__table__.insert(), rows[start : start + INSERT_CHUNK])
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(total=len(rows))
    )
    return len(rows)


async def due(session: AsyncSession, now: datetime) -> list[int]:
    """Queued broadcasts whose time has come, oldest first."""
    stmt = (
        select(Broadcast.id)
        .where(
            Broadcast.status == "queued",
            (Broadcast.scheduled_at.is_(None)) | (Broadcast.scheduled_at <= now),
        )
        .order_by(Broadcast.scheduled_at, Broadcast.id)
    )
    return list((await session.scalars(stmt)).all())


async def cancel(session: AsyncSession, broadcast_id: int, *, now: datetime) -> bool:
    """Stop a broadcast: nothing more is sent (deliveries already in flight still finish)."""
    won = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_(("draft", "queued", "sending")),
        )
        .values(status="cancelled")
        .returning(Broadcast.started_at)
    )
    row = won.one_or_none()
    if row is None:
        return False
    await session.execute(
        update(Delivery)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status == "pending")
        .values(status="cancelled", last_error="cancelled by an admin")
    )
    if row[0] is None:  # never started: nothing will ever report on it, so close it now
        await session.execute(
            update(Broadcast).where(Broadcast.id == broadcast_id).values(finished_at=now)
        )
    return True


# Claiming and outcomes ---------------------------------------------------------------------


async def candidates(session: AsyncSession, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(delivery id, chat id) of due pending deliveries, in the order they should go."""
    stmt = (
        select(Delivery.id, Delivery.chat_id)
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    return [(i, c) for i, c in (await session.execute(stmt)).all()]


async def claim(
    session: AsyncSession, ids: Sequence[int], *, owner: str, now: datetime
) -> list[Claimed]:
    """pending → sending for those of `ids` still pending; the rows this call won."""
    if not ids:
        return []
    stmt = (
        update(Delivery)
        .where(Delivery.id.in_(list(ids)), Delivery.status == "pending")
        .values(
            status="sending",
            claimed_by=owner[:64],
            claimed_at=now,
            attempts=Delivery.attempts + 1,
        )
        .returning(
            Delivery.id, Delivery.broadcast_id, Delivery.chat_id, Delivery.lang, Delivery.attempts
        )
    )
    rows = (await session.execute(stmt)).all()
    return sorted((Claimed(*row) for row in rows), key=lambda c: ids.index(c.id))


async def _settle(session: AsyncSession, delivery: Claimed, **values: Any) -> bool:
    """Write an outcome for a delivery this sender still owns (status `sending`)."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id, Delivery.status == "sending")
        .values(**values)
        .returning(Delivery.id)
    )
    return result.scalar_one_or_none() is not None


async def mark_sent(
    session: AsyncSession, delivery: Claimed, *, message_id: int, now: datetime
) -> bool:
    return await _settle(
        session, delivery, status="sent", sent_at=now, message_id=message_id, last_error=None
    )


async def mark_blocked(
    session: AsyncSession, delivery: Claimed, *, reason: str, now: datetime
) -> bool:
    """The chat cannot be reached: this delivery is skipped and the chat marked blocked."""
    await repo.set_blocked(session, delivery.chat_id, True, now=now)
    return await _settle(session, delivery, status="blocked", last_error=reason[:ERROR_MAX])


async def mark_failed(session: AsyncSession, delivery: Claimed, *, reason: str) -> bool:
    return await _settle(session, delivery, status="failed", last_error=reason[:ERROR_MAX])


async def retry_later(
    session: AsyncSession,
    delivery: Claimed,
    *,
    at: datetime,
    reason: str,
    counted: bool = True,
) -> bool:
    """Back to pending until `at`; `counted=False` (a 429) does not use up an attempt."""
    values: dict[str, Any] = {
        "status": "pending",
        "next_attempt_at": at,
        "last_error": reason[:ERROR_MAX],
        "claimed_by": None,
        "claimed_at": None,
    }
    if not counted:
        values["attempts"] = Delivery.attempts - 1
    return await _settle(session, delivery, **values)


async def move_chat(
    session: AsyncSession, delivery: Claimed, new_chat_id: int, *, now: datetime
) -> bool:
    """A group became a supergroup: move its subscriptions, then retry on the new id at once.

    If the new id already has a delivery of this broadcast, this one is closed as sent there.
    """
    await repo.migrate_chat(session, delivery.chat_id, new_chat_id, now=now)
    taken = await session.scalar(
        select(Delivery.id).where(
            Delivery.broadcast_id == delivery.broadcast_id, Delivery.chat_id == new_chat_id
        )
    )
    if taken is not None:
        return await _settle(
            session, delivery, status="cancelled", last_error=f"migrated to {new_chat_id}"
        )
    return await _settle(
        session,
        delivery,
        chat_id=new_chat_id,
        status="pending",
        next_attempt_at=now,
        attempts=Delivery.attempts - 1,
        last_error=f"migrated from {delivery.chat_id}",
        claimed_by=None,
        claimed_at=None,
    )


async def reclaim_stale(session: AsyncSession, *, claimed_before: datetime, owner: str) -> int:
    """Another sender's claims older than the TTL: it died (or lost the lead long ago), so
    they become pending again. The caller's own claims are never touched: it knows them.

    This is where one duplicate can happen: the dead sender may have got Telegram's answer
    and died before writing `sent` (see README, "Broadcasts").
    """
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.status == "sending",
            Delivery.claimed_at < claimed_before,
            Delivery.claimed_by != owner[:64],
        )
        .values(
            status="pending",
            claimed_by=None,
            claimed_at=None,
            last_error="claimed by a sender that stopped",
        )
        .returning(Delivery.id)
    )
    return len(result.all())


# Reading progress ---------------------------------------------------------------------------


async def counts(session: AsyncSession, broadcast_id: int) -> Counts:
    rows = await session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.broadcast_id == broadcast_id)
        .group_by(Delivery.status)
    )
    return Counts(**{status: n for status, n in rows.all()})


async def unfinished(session: AsyncSession) -> list[Broadcast]:
    """Broadcasts the sender still has to watch: sending, or cancelled with work in flight."""
    stmt = (
        select(Broadcast)
        .where(
            Broadcast.status.in_(("sending", "cancelled")),
            Broadcast.finished_at.is_(None),
            Broadcast.started_at.is_not(None),
        )
        .order_by(Broadcast.id)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(stmt)).all())


async def finish(session: AsyncSession, broadcast_id: int, *, now: datetime) -> Broadcast | None:
    """Close a broadcast with no open deliveries, storing its figures; None if not yet (or if
    another process closed it first). A sending broadcast ends `done`, a cancelled one stays
    `cancelled`."""
    still_open = exists().where(
        and_(Delivery.broadcast_id == broadcast_id, Delivery.status.in_(OPEN))
    )
    figures = await counts(session, broadcast_id)
    won = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_(("sending", "cancelled")),
            Broadcast.finished_at.is_(None),
            ~still_open,
        )
        .values(
            status=case((Broadcast.status == "cancelled", "cancelled"), else_="done"),
            finished_at=now,
            total=figures.total,
            sent=figures.sent,
            failed=figures.failed,
            blocked=figures.blocked,
            cancelled=figures.cancelled,
        )
        .returning(Broadcast.id)
    )
    if won.scalar_one_or_none() is None:
        return None
    return await get(session, broadcast_id)


async def set_report(
    session: AsyncSession, broadcast_id: int, chat_id: int, message_id: int, lang: str
) -> None:
    """Which message becomes the progress message (known only once it was sent)."""
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(report_chat_id=chat_id, report_message_id=message_id, report_lang=lang)
    )


async def set_report_digest(session: AsyncSession, broadcast_id: int, digest: str) -> None:
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(report_digest=digest)
    )


def _waiting() -> Any:
    """Queued for a later time: not started, whatever its id (see `scheduled`)."""
    return and_(Broadcast.status == "queued", Broadcast.scheduled_at.is_not(None))


async def scheduled(session: AsyncSession, limit: int = 10) -> list[Broadcast]:
    """Broadcasts waiting for their `scheduled_at` (admins' and forum reminders), soonest
    first."""
    stmt = (
        select(Broadcast)
        .where(_waiting())
        .order_by(Broadcast.scheduled_at, Broadcast.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(stmt)).all())


async def scheduled_count(session: AsyncSession) -> int:
    """How many broadcasts wait for their `scheduled_at` (all of them, not one page)."""
    return int(
        await session.scalar(select(func.count()).select_from(Broadcast).where(_waiting())) or 0
    )


async def recent(session: AsyncSession, limit: int = 10) -> list[tuple[Broadcast, Counts]]:
    """The latest broadcasts (drafts and those still waiting for their time left out: see
    `scheduled`) with live figures for unfinished ones."""
    rows = (
        await session.scalars(
            select(Broadcast)
            .where(Broadcast.status != "draft", ~_waiting())
            .order_by(Broadcast.id.desc())
            .limit(limit)
        )
    ).all()
    result = []
    for row in rows:
        if row.finished_at is None:
            figures = await counts(session, row.id)
        else:
            figures = Counts(
                sent=row.sent, failed=row.failed, blocked=row.blocked, cancelled=row.cancelled
            )
        result.append((row, figures))
    return result


async def cancellable(session: AsyncSession, limit: int = 10) -> list[Broadcast]:
    """Queued or sending broadcasts, newest first (what /cancel_broadcast offers)."""
    stmt = (
        select(Broadcast)
        .where(Broadcast.status.in_(("queued", "sending")))
        .order_by(Broadcast.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def drop_drafts(session: AsyncSession, author_id: int) -> None:
    """An admin abandoned a flow: their unsent drafts go (nobody else can see them)."""
    await session.execute(
        delete(Broadcast).where(Broadcast.author_id == author_id, Broadcast.status == "draft")
    )
