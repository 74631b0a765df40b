"""Conversations with staff ("Ask a person"): who talks in which topic, and in what state.

Every function is one or two statements over an `AsyncSession` the caller owns, like
`bot.store.repo`. Reads return a frozen `Thread`, so handlers never hold ORM rows across awaits
to Telegram. The row is read fresh on every message (no cache): another instance may have
closed the conversation a moment ago, and a stale "open" would relay to staff a message the
user meant as a search.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.engine import insert
from bot.store.models import StaffMessage, StaffThread, utcnow

HANDLE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: staff read handles aloud and type them."""
HANDLE_LENGTH = 4
OPEN = "open"
CLOSED = "closed"
USER = "user"
STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Thread:
    user_id: int
    handle: str
    chat_id: int
    thread_id: int | None
    header_id: int | None
    lang: str
    status: str
    blocked: bool
    share_username: bool | None
    last_from: str | None
    user_gone: bool
    away_noticed_at: datetime | None
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status == OPEN and not self.blocked


def _view(row: StaffThread) -> Thread:
    return Thread(
        user_id=row.user_id,
        handle=row.handle,
        chat_id=row.chat_id,
        thread_id=row.thread_id,
        header_id=row.header_id,
        lang=row.lang,
        status=row.status,
        blocked=row.blocked,
        share_username=row.share_username,
        last_from=row.last_from,
        user_gone=row.user_gone,
        away_noticed_at=row.away_noticed_at,
        created_at=row.created_at,
    )


def new_handle() -> str:
    """ "#K7QX": anonymous, random (not derived from the user id, so it reveals nothing)."""
    return "#" + "".join(secrets.choice(HANDLE_ALPHABET) for _ in range(HANDLE_LENGTH))


async def get(session: AsyncSession, user_id: int) -> Thread | None:
    row = await session.get(StaffThread, user_id, populate_existing=True)
    return None if row is None else _view(row)


async def by_topic(session: AsyncSession, chat_id: int, thread_id: int) -> Thread | None:
    row = await session.scalar(
        select(StaffThread).where(
            StaffThread.chat_id == chat_id, StaffThread.thread_id == thread_id
        )
    )
    return None if row is None else _view(row)


async def by_message(session: AsyncSession, chat_id: int, message_id: int) -> Thread | None:
    """The conversation a staff reply belongs to, in a staff chat without topics."""
    row = await session.scalar(
        select(StaffThread)
        .join(StaffMessage, StaffMessage.user_id == StaffThread.user_id)
        .where(StaffMessage.chat_id == chat_id, StaffMessage.message_id == message_id)
    )
    return None if row is None else _view(row)


async def create(
    session: AsyncSession, user_id: int, chat_id: int, lang: str, *, now: datetime | None = None
) -> Thread:
    """The user's conversation row, created (closed, not yet placed in the staff chat) if new.

    Two instances racing on one user's first /ask both end with the same row: the insert is
    `ON CONFLICT (user_id) DO NOTHING`; a handle collision (1 in ~900,000) just draws again.
    """
    now = now or utcnow()
    for _ in range(8):
        stmt = (
            insert(session, StaffThread)
            .values(
                user_id=user_id,
                handle=new_handle(),
                chat_id=chat_id,
                lang=lang,
                status=CLOSED,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[StaffThread.user_id])
        )
        try:
            async with session.begin_nested():
                await session.execute(stmt)
            break
        except IntegrityError:
            continue
    thread = await get(session, user_id)
    assert thread is not None
    return thread


async def change(session: AsyncSession, user_id: int, **values: object) -> None:
    """Set columns of the user's conversation (a no-op if the user has none)."""
    values.setdefault("updated_at", utcnow())
    await session.execute(
        update(StaffThread).where(StaffThread.user_id == user_id).values(**values)
    )


async def mark_gone(session: AsyncSession, user_id: int) -> bool:
    """Note that the user blocked the bot; True only for the first caller (staff are told
    once even when a membership update and a failed copy race on two instances)."""
    stmt = (
        update(StaffThread)
        .where(StaffThread.user_id == user_id, StaffThread.user_gone.is_(False))
        .values(user_gone=True, updated_at=utcnow())
        .returning(StaffThread.user_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def place(
    session: AsyncSession,
    user_id: int,
    chat_id: int,
    *,
    thread_id: int | None = None,
    header_id: int | None = None,
) -> None:
    """Where the conversation now lives in the staff chat (a new topic or header message)."""
    await change(session, user_id, chat_id=chat_id, thread_id=thread_id, header_id=header_id)
    if header_id is not None:
        await remember_message(session, chat_id, header_id, user_id)


async def remember_message(
    session: AsyncSession, chat_id: int, message_id: int, user_id: int
) -> None:
    """A staff-chat message staff may reply to (no topics): ids only, never the text."""
    stmt = insert(session, StaffMessage).values(
        chat_id=chat_id, message_id=message_id, user_id=user_id
    )
    await session.execute(stmt.on_conflict_do_nothing())
