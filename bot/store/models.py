"""The schema: what the bot keeps, and nothing more.

Personal data is kept to the minimum a feature needs: a Telegram user id, the choices the user
made (language, role, country, interests), the language their Telegram app is set to (when the
bot speaks it), when they last used the bot and whether they blocked it. No names, no
usernames; message texts only in the inbox, from receipt until handled (`InboxUpdate`). Search
gaps carry no user identifier at all.

Timestamps are timezone-aware UTC everywhere (`UTCDateTime`), whichever engine stores them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names: SQLite's batch migrations need names to drop or alter."""

TOPIC_MAX = 64
QUERY_MAX = 256
LANG_MAX = 8


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out: SQLite has no time zones and returns naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A Telegram user who talked to the bot: their choices and whether we may write to them.

    `language` is the language the user picked; `client_language` the one their Telegram app
    reports (`language_code`), kept only when the bot speaks it. Chat replies fall back to the
    app's language, so broadcasts must too: without it, someone who never opened the settings
    would read the news in the default language while the bot answers them in theirs.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(LANG_MAX))
    client_language: Mapped[str | None] = mapped_column(String(LANG_MAX))
    role: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(8))
    """ISO 3166-2 code of the user's province/state/territory; never coordinates."""
    interests: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Chat(Base):
    """A chat that receives news: a user's private chat (id = user id) or a group.

    `title` is kept for groups and channels only (a group's name, not a person's), so an
    operator can tell groups apart; private chats never store a name.
    """

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(LANG_MAX))
    subscribed_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    """One topic a chat wants news about (`forums`, `country:mx`, `kind:apprenticeship`…)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False
    )
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchGap(Base):
    """A normalized query that found nothing, counted; deliberately without any user id."""

    __tablename__ = "search_gaps"
    __table_args__ = (UniqueConstraint("query", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query: Mapped[str] = mapped_column(String(QUERY_MAX))
    lang: Mapped[str] = mapped_column(String(LANG_MAX))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PtbUserData(Base):
    """PTB `user_data` of one user; `version` lets each instance see others' writes."""

    __tablename__ = "ptb_user_data"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PtbChatData(Base):
    """PTB `chat_data` of one chat."""

    __tablename__ = "ptb_chat_data"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PtbBotData(Base):
    """PTB `bot_data`: a single row (id 1)."""

    __tablename__ = "ptb_bot_data"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PtbConversation(Base):
    """A ConversationHandler state: `key` is the conversation key as JSON text, e.g. `[1, 2]`."""

    __tablename__ = "ptb_conversations"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[Any] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Broadcasts, forums and admin flows (revision 0002) -----------------------------------------

BROADCAST_STATUSES = ("draft", "queued", "sending", "done", "cancelled")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "blocked", "cancelled")


class Broadcast(Base):
    """One message to many chats: the outbox row, expanded into `deliveries` when it is due.

    Either `texts` (an admin's words per language, {"en": …, "es": …, "fr": …}) or a card
    reference (`item_id`, rendered per recipient language when sent) carries the content.
    `audience` says who gets it (see `bot.broadcast.audience`). `dedupe_key` makes scheduled
    reminders idempotent across instances (`reminder:<forum>:<offset>:<UTC time>`). The
    `report_*` columns point at the admin's progress message, so whichever instance sends
    can keep it up to date.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16))
    texts: Mapped[dict[str, str] | None] = mapped_column(JSON)
    item_id: Mapped[str | None] = mapped_column(String(40), index=True)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    report_message_id: Mapped[int | None] = mapped_column(BigInteger)
    report_lang: Mapped[str | None] = mapped_column(String(LANG_MAX))
    report_digest: Mapped[str | None] = mapped_column(String(64))


class Delivery(Base):
    """One broadcast to one chat: claimed (`sending`) before the request, `sent` right after.

    UNIQUE(broadcast_id, chat_id) makes "nothing doubled" a database rule: re-expanding a
    broadcast, or two instances expanding it at once, cannot add a second row for a chat.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "chat_id"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    broadcast_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("broadcasts.id", ondelete="CASCADE"), nullable=False
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    lang: Mapped[str] = mapped_column(String(LANG_MAX))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class Forum(Base):
    """A forum an admin announced in chat (`/newforum`); merged with the content's forums.

    `starts_at` is UTC; `all_day` forums start at midnight in `timezone` (the venue's IANA
    zone), which is how the catalog's `Event` is rebuilt with a date instead of a time.
    """

    __tablename__ = "forums"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminFlow(Base):
    """The step an admin is at in a multi-step flow (/broadcast, /newforum, /editforum).

    Kept here, read per update, so any instance can take the next step (see ARCHITECTURE:
    ConversationHandler state lives in one process's memory).
    """

    __tablename__ = "admin_flows"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flow: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffThread(Base):
    """A user's conversation with staff ("Ask a person"): where it lives in the staff chat.

    One row per user who ever asked, keyed by the user; `handle` is the anonymous name staff
    see (never the user's name or phone). `thread_id` is the forum topic, or `header_id` the
    message staff reply to when the staff chat has no topics. Message texts are never stored:
    the copies live in Telegram. `last_from` says who spoke last, so the user is told "a person
    answered" once per staff turn, not before every message.
    """

    __tablename__ = "staff_threads"
    __table_args__ = (
        UniqueConstraint("chat_id", "thread_id"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handle: Mapped[str] = mapped_column(String(8), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(Integer)
    header_id: Mapped[int | None] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(LANG_MAX))
    """The user's language when they last asked: staff replies are introduced in it."""
    status: Mapped[str] = mapped_column(String(8), default="open")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    share_username: Mapped[bool | None] = mapped_column(Boolean)
    """None: not asked yet (the one-time notice); the username itself is never stored."""
    last_from: Mapped[str | None] = mapped_column(String(8))
    user_gone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Staff were told the user blocked the bot (told once; cleared when the user writes)."""
    away_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffMessage(Base):
    """A message in a staff chat without topics that staff may reply to: the conversation's
    header and each copy of the user's messages. Ids only; deleted with the conversation."""

    __tablename__ = "staff_messages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("staff_threads.user_id", ondelete="CASCADE"), index=True
    )


class InboxUpdate(Base):
    """An update received from Telegram, kept from receipt until it has been handled.

    Written before Telegram is told the update arrived (the webhook's 200, the next
    getUpdates offset), so a crash at any moment loses nothing: on start, and every few seconds
    for updates a dead instance had claimed, what is still here is handled. The row (the
    update's JSON, message text included) is deleted as soon as the update is handled, so
    texts live here for the seconds an answer takes, not longer.
    """

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


TABLES = tuple(Base.metadata.sorted_tables)
