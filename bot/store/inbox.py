"""The inbox's statements (`bot.store.models.InboxUpdate`); the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.engine import insert
from bot.store.models import InboxUpdate


async def receive(
    session: AsyncSession, updates: Sequence[tuple[int, dict[str, Any]]], owner: str, now: datetime
) -> None:
    """Keep updates, claimed by `owner`, in one statement. An id already here is replaced: a
    duplicate from Telegram carries the same body, and an old id with another body (a new bot
    token, a restarted emulator) is a new update."""
    if not updates:
        return
    stmt = insert(session, InboxUpdate).values(
        [
            {
                "update_id": update_id,
                "body": body,
                "received_at": now,
                "claimed_by": owner,
                "claimed_at": now,
            }
            for update_id, body in updates
        ]
    )
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[InboxUpdate.update_id],
        set_={
            "body": excluded.body,
            "received_at": excluded.received_at,
            "claimed_by": excluded.claimed_by,
            "claimed_at": excluded.claimed_at,
        },
    )
    await session.execute(stmt)


async def handled(session: AsyncSession, update_ids: Iterable[int]) -> None:
    """Handled updates leave the inbox (with their texts)."""
    ids = list(update_ids)
    if ids:
        await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(ids)))


async def claim(
    session: AsyncSession,
    owner: str,
    now: datetime,
    stale: timedelta,
    limit: int = 100,
) -> list[tuple[int, dict[str, Any]]]:
    """Take over updates whose claim is older than `stale` (their process died), oldest
    first. One statement decides, so two instances never take the same update."""
    ids = (
        select(InboxUpdate.update_id)
        .where(InboxUpdate.claimed_at <= now - stale, InboxUpdate.claimed_by != owner)
        .order_by(InboxUpdate.update_id)
        .limit(limit)
        .scalar_subquery()
    )
    stmt = (
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(ids))
        .values(claimed_by=owner, claimed_at=now)
        .returning(InboxUpdate.update_id, InboxUpdate.body)
    )
    rows = (await session.execute(stmt)).all()
    return sorted((int(row[0]), row[1]) for row in rows)


async def renew(session: AsyncSession, owner: str, now: datetime) -> None:
    """Keep this instance's claims fresh while it lives (its queue may hold updates longer
    than `stale` under load, and they must not be taken over)."""
    await session.execute(
        update(InboxUpdate).where(InboxUpdate.claimed_by == owner).values(claimed_at=now)
    )
