"""Forum reminders, 7 days and 1 day before: rows in the outbox with a `scheduled_at`.

One mechanism that survives restarts and works with several instances: `sync` makes the
outbox agree with the catalog (queue the reminders of every upcoming forum, move them when a
forum moves, cancel them when it is cancelled or gone). It is idempotent — each reminder
has a `dedupe_key` naming the forum, the offset and the time — so every instance may run it
at start-up, after /reload and after an admin's edit. The sender sends a reminder when its
time comes, like any queued broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast.audience import Audience
from bot.catalog.catalog import Catalog
from bot.catalog.models import Event, EventStatus
from bot.store.engine import insert
from bot.store.models import Broadcast
from bot.store.topics import audience

OFFSETS: dict[str, timedelta] = {
    "reminder_7d": timedelta(days=7),
    "reminder_1d": timedelta(days=1),
}
PENDING = ("queued",)


@dataclass(frozen=True, slots=True)
class Reminder:
    forum_id: str
    purpose: str
    at: datetime

    @property
    def key(self) -> str:
        return f"reminder:{self.forum_id}:{self.purpose}:{self.at.astimezone(UTC):%Y%m%dT%H%MZ}"


def planned(event: Event, now: datetime) -> list[Reminder]:
    """The reminders an announced forum should still get (those whose time has not passed)."""
    if event.status is not EventStatus.ANNOUNCED or event.starts_at <= now:
        return []
    return [
        Reminder(event.id, purpose, event.starts_at - offset)
        for purpose, offset in OFFSETS.items()
        if event.starts_at - offset > now
    ]


async def sync(session: AsyncSession, catalog: Catalog, now: datetime) -> list[Reminder]:
    """Make queued reminders match the catalog; returns the reminders now planned."""
    wanted: list[Reminder] = []
    for event in catalog.events.values():
        wanted.extend(planned(event, now))
    keys = {r.key for r in wanted}
    stale = select(Broadcast.id).where(
        Broadcast.purpose.in_(list(OFFSETS)),
        Broadcast.status.in_(PENDING),
    )
    stale_ids = [
        row_id
        for row_id, key in (await session.execute(stale.add_columns(Broadcast.dedupe_key))).all()
        if key not in keys
    ]
    if stale_ids:
        await session.execute(
            update(Broadcast)
            .where(Broadcast.id.in_(stale_ids), Broadcast.status.in_(PENDING))
            .values(status="cancelled", finished_at=now)
        )
    for reminder in wanted:
        event = catalog.events[reminder.forum_id]
        values = {
            "kind": "card",
            "purpose": reminder.purpose,
            "item_id": reminder.forum_id,
            "audience": Audience.of_topics(audience(event)).to_json(),
            "status": "queued",
            "created_at": now,
            "scheduled_at": reminder.at.astimezone(UTC),
            "total": 0,
            "sent": 0,
            "failed": 0,
            "blocked": 0,
            "cancelled": 0,
        }
        stmt = insert(session, Broadcast).values(dedupe_key=reminder.key, **values)
        stmt = stmt.on_conflict_do_update(  # moved away and back: the old reminder returns
            index_elements=[Broadcast.dedupe_key],
            set_={"status": "queued", "finished_at": None},
            where=(Broadcast.status == "cancelled") & (Broadcast.started_at.is_(None)),
        )
        await session.execute(stmt)
    return wanted


async def scheduled(session: AsyncSession, forum_id: str) -> list[Broadcast]:
    """A forum's queued reminders, soonest first."""
    stmt = (
        select(Broadcast)
        .where(
            Broadcast.item_id == forum_id,
            Broadcast.purpose.in_(list(OFFSETS)),
            Broadcast.status == "queued",
        )
        .order_by(Broadcast.scheduled_at)
    )
    return list((await session.scalars(stmt)).all())
