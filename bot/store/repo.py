"""Repositories: plain async functions over an `AsyncSession`, no Telegram anywhere.

The caller owns the transaction (`async with store.transaction() as s: ...`), so several calls
can be made atomic together. Writes that may race (two updates from the same user, two
instances, a broadcast and a subscribe) are single upserts (`INSERT … ON CONFLICT`) decided by
the database, never read-then-write in Python.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, ColumnElement, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.engine import insert
from bot.store.models import (
    LANG_MAX,
    QUERY_MAX,
    AdminFlow,
    Broadcast,
    Chat,
    Delivery,
    Forum,
    PtbChatData,
    PtbConversation,
    PtbUserData,
    SearchGap,
    StaffMessage,
    StaffThread,
    Subscription,
    User,
    utcnow,
)

PROFILE_COLUMNS = {"lang": "language", "role": "role", "country": "country", "region": "region"}
"""Profile keys as the bot names them → `users` columns."""

SEEN_DEBOUNCE = timedelta(minutes=10)
"""`last_seen` is rewritten at most this often per user, keeping writes off the hot path."""

PRIVATE = "private"


# Users ------------------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    """One primary-key SELECT."""
    return await session.get(User, user_id)


async def save_profile(
    session: AsyncSession,
    user_id: int,
    changes: Mapping[str, str | None],
    *,
    now: datetime | None = None,
) -> None:
    """Set profile fields (`lang`, `role`, `country`, `region`), creating the user row if needed."""
    unknown = set(changes) - set(PROFILE_COLUMNS)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    now = now or utcnow()
    values = {PROFILE_COLUMNS[key]: value for key, value in changes.items()}
    stmt = insert(session, User).values(id=user_id, created_at=now, last_seen=now, **values)
    if values:
        stmt = stmt.on_conflict_do_update(index_elements=[User.id], set_=values)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=[User.id])
    await session.execute(stmt)


def needs_touch(
    user: User | None, now: datetime, *, private: bool, client_language: str | None = None
) -> bool:
    """Whether this update must be written: new user, stale `last_seen`, back from blocked,
    or a Telegram app now set to another language the bot speaks.

    A message in a private chat proves the user has not blocked the bot (Telegram does not
    let a user write to a bot they blocked), so it clears a stale blocked flag. A changed
    app language is written at once (not after the debounce) so the next broadcast is in the
    language the bot already answers in; it happens once per switch, not once per update.
    """
    if user is None:
        return True
    if private and user.blocked:
        return True
    if _client_language_changed(user, client_language):
        return True
    return now - user.last_seen >= SEEN_DEBOUNCE


def _client_language_changed(user: User, client_language: str | None) -> bool:
    """None means "not reported" (Telegram's `language_code` is optional): never a change."""
    return client_language is not None and user.client_language != client_language


async def touch_user(
    session: AsyncSession,
    user_id: int,
    *,
    private: bool,
    client_language: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record that the user used the bot now (creating the row: id, dates, app language).

    `client_language` is the bot language matching the app's (`i18n.telegram_language`);
    None leaves the stored one alone, since an update without `language_code` says nothing.
    """
    now = now or utcnow()
    values: dict[str, object] = {"last_seen": now}
    if private:
        values |= {"blocked": False, "blocked_at": None}
    if client_language is not None:
        values["client_language"] = client_language[:LANG_MAX]
    stmt = insert(session, User).values(id=user_id, created_at=now, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=[User.id], set_=values))


async def set_blocked(
    session: AsyncSession, chat_id: int, blocked: bool, *, now: datetime | None = None
) -> None:
    """Mark a chat (and, for a private chat, its user) unreachable or reachable again.

    Only existing rows change: someone we never stored has nothing to mark.
    """
    now = now or utcnow()
    values = {"blocked": blocked, "blocked_at": now if blocked else None}
    await session.execute(
        update(Chat).where(Chat.id == chat_id, Chat.blocked != blocked).values(**values)
    )
    if chat_id > 0:  # private chats have the user's id; groups and channels are negative
        await session.execute(
            update(User).where(User.id == chat_id, User.blocked != blocked).values(**values)
        )


def recipient_language() -> ColumnElement[str | None]:
    """The language to write to a user in, as SQL over `users` outer-joined to their chat.

    The same order the bot answers in chat (`services.profile_of`): the language they picked,
    else their Telegram app's, else the one their private chat was subscribed in. NULL left
    means "unknown": the caller falls back to the default language.
    """
    return func.coalesce(User.language, User.client_language, Chat.language)


# Chats and subscriptions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChatInfo:
    """What we keep of a chat: no title for private chats (that would be a person's name)."""

    id: int
    type: str
    title: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if self.type == PRIVATE and self.title is not None:
            raise ValueError("private chats have no stored title")


async def ensure_chat(
    session: AsyncSession,
    chat: ChatInfo,
    *,
    subscribed_by: int | None = None,
    now: datetime | None = None,
) -> None:
    """Create or refresh a chat row; someone acting in it now means it is reachable."""
    now = now or utcnow()
    values: dict[str, object] = {
        "type": chat.type,
        "title": chat.title,
        "blocked": False,
        "blocked_at": None,
    }
    if chat.language is not None:
        values["language"] = chat.language[:LANG_MAX]
    if subscribed_by is not None:
        values["subscribed_by"] = subscribed_by
    stmt = insert(session, Chat).values(id=chat.id, created_at=now, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=[Chat.id], set_=values))


async def subscribe(
    session: AsyncSession,
    chat: ChatInfo,
    topic: str,
    *,
    by_user: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Subscribe a chat to a topic; True if new, False if it was already subscribed."""
    now = now or utcnow()
    await ensure_chat(session, chat, subscribed_by=by_user, now=now)
    stmt = (
        insert(session, Subscription)
        .values(chat_id=chat.id, topic=topic, created_at=now)
        .on_conflict_do_nothing(index_elements=[Subscription.chat_id, Subscription.topic])
        .returning(Subscription.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def unsubscribe(session: AsyncSession, chat_id: int, topic: str) -> bool:
    """Remove one subscription; True if there was one."""
    stmt = (
        delete(Subscription)
        .where(Subscription.chat_id == chat_id, Subscription.topic == topic)
        .returning(Subscription.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def topics_of(session: AsyncSession, chat_id: int) -> list[str]:
    """A chat's topics, oldest subscription first (the order the user made them)."""
    stmt = (
        select(Subscription.topic)
        .where(Subscription.chat_id == chat_id)
        .order_by(Subscription.created_at, Subscription.id)
    )
    return list((await session.scalars(stmt)).all())


async def recipients(session: AsyncSession, topics: Iterable[str]) -> list[int]:
    """Chat ids subscribed to any of `topics`, each once, skipping unreachable chats.

    Ordered by chat id so a broadcast can resume after the last id it reached.
    """
    wanted = sorted(set(topics))
    if not wanted:
        return []
    stmt = (
        select(Chat.id)
        .join(Subscription, Subscription.chat_id == Chat.id)
        .outerjoin(User, User.id == Chat.id)
        .where(
            Subscription.topic.in_(wanted),
            Chat.blocked.is_(False),
            or_(User.id.is_(None), User.blocked.is_(False)),
        )
        .group_by(Chat.id)
        .order_by(Chat.id)
    )
    return list((await session.scalars(stmt)).all())


async def migrate_chat(
    session: AsyncSession, old_id: int, new_id: int, *, now: datetime | None = None
) -> int:
    """A group became a supergroup: move its row, subscriptions and chat_data to `new_id`.

    Idempotent (Telegram sends both `migrate_to` and `migrate_from`, and a send may fail with
    ChatMigrated later): returns how many subscriptions moved, 0 on a repeat.
    """
    now = now or utcnow()
    old = await session.get(Chat, old_id)
    if old is None:
        return 0
    await ensure_chat(
        session,
        ChatInfo(new_id, "supergroup", old.title, old.language),
        subscribed_by=old.subscribed_by,
        now=now,
    )
    moved = select(literal(new_id, BigInteger), Subscription.topic, Subscription.created_at).where(
        Subscription.chat_id == old_id
    )
    stmt = (
        insert(session, Subscription)
        .from_select(["chat_id", "topic", "created_at"], moved)
        .on_conflict_do_nothing(index_elements=[Subscription.chat_id, Subscription.topic])
        .returning(Subscription.id)
    )
    count = len((await session.execute(stmt)).all())
    old_data = await session.get(PtbChatData, old_id)
    if old_data is not None:
        await session.execute(
            insert(session, PtbChatData)
            .values(chat_id=new_id, data=old_data.data, version=1, updated_at=now)
            .on_conflict_do_nothing(index_elements=[PtbChatData.chat_id])
        )
        await session.execute(delete(PtbChatData).where(PtbChatData.chat_id == old_id))
    await session.execute(delete(Subscription).where(Subscription.chat_id == old_id))
    await session.execute(delete(Chat).where(Chat.id == old_id))
    return count


# Privacy ----------------------------------------------------------------------------------


def _mentions(key: str, user_id: int) -> bool:
    try:
        parts = json.loads(key)
    except ValueError:
        return False
    return isinstance(parts, list) and user_id in parts


async def forget_user(session: AsyncSession, user_id: int) -> None:
    """Delete every row about a user: profile, private chat and its subscriptions, persistence,
    their conversation with staff (the caller closes its topic; see `bot.staff_relay.forget`).

    Groups the user subscribed stay subscribed (they belong to the group), but no longer say
    who did it. Search gaps never held a user id. Broadcast deliveries to the user's chat go;
    broadcasts and forums an admin made stay (others received them) without their author.
    """
    await session.execute(delete(User).where(User.id == user_id))
    await session.execute(delete(StaffMessage).where(StaffMessage.user_id == user_id))
    await session.execute(delete(StaffThread).where(StaffThread.user_id == user_id))
    await session.execute(delete(Delivery).where(Delivery.chat_id == user_id))
    await session.execute(delete(AdminFlow).where(AdminFlow.user_id == user_id))
    await session.execute(
        update(Broadcast).where(Broadcast.author_id == user_id).values(author_id=None)
    )
    await session.execute(
        update(Broadcast)
        .where(Broadcast.report_chat_id == user_id)
        .values(report_chat_id=None, report_message_id=None, report_digest=None)
    )
    await session.execute(update(Forum).where(Forum.created_by == user_id).values(created_by=None))
    await session.execute(delete(Subscription).where(Subscription.chat_id == user_id))
    await session.execute(delete(Chat).where(Chat.id == user_id))
    await session.execute(
        update(Chat).where(Chat.subscribed_by == user_id).values(subscribed_by=None)
    )
    await session.execute(delete(PtbUserData).where(PtbUserData.user_id == user_id))
    await session.execute(delete(PtbChatData).where(PtbChatData.chat_id == user_id))
    candidates = await session.execute(
        select(PtbConversation.name, PtbConversation.key).where(
            PtbConversation.key.contains(str(user_id))
        )
    )
    for name, key in candidates.all():
        if _mentions(key, user_id):
            await session.execute(
                delete(PtbConversation).where(
                    PtbConversation.name == name, PtbConversation.key == key
                )
            )


# Search gaps ------------------------------------------------------------------------------


GAP_WORDS = 8
GAP_TEXT_MAX = 64
MIN_ASKS = 3
"""A search gap is shown to editors (/stats, `python -m bot gaps`) only once this many searches
asked for it: a term one person typed once is not a trend, and may be something personal."""
_IDENTIFYING = re.compile(r"\d|@|://|^www\.|\.(com|org|net|mx|ca|us|gob|gov)\b", re.IGNORECASE)
_EDGE_PUNCTUATION = ".,;:!?¡¿()[]{}\"'«»“”‘’"


def normalize_query(query: str) -> str:
    """Case- and space-folded, cut to the column size; callers may fold accents beforehand."""
    return " ".join(query.split()).casefold()[:QUERY_MAX]


def gap_text(query: str) -> str:
    """What of a search may be kept: its words, without anything that can name a person.

    A token with a digit (a phone number, a postcode, an id), an @ (an e-mail, a username) or
    a link is dropped, not masked; at most GAP_WORDS words and GAP_TEXT_MAX characters stay.
    "zzqx umaxq 5550100" is kept as "zzqx umaxq", "call me at ana@x.mx" as "call me at".
    """
    words = []
    for token in normalize_query(query).split():
        if _IDENTIFYING.search(token):
            continue
        word = token.strip(_EDGE_PUNCTUATION)
        if word:
            words.append(word)
    return " ".join(words[:GAP_WORDS])[:GAP_TEXT_MAX].strip()


async def record_gap(
    session: AsyncSession, query: str, lang: str, *, now: datetime | None = None
) -> None:
    """Count a query that found nothing (one atomic upsert; no user identifier is kept, and of
    the text only `gap_text`)."""
    text = gap_text(query)
    if not text:
        return
    now = now or utcnow()
    stmt = insert(session, SearchGap).values(
        query=text, lang=lang[:LANG_MAX], count=1, first_seen=now, last_seen=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[SearchGap.query, SearchGap.lang],
        set_={"count": SearchGap.count + 1, "last_seen": now},
    )
    await session.execute(stmt)


@dataclass(frozen=True, slots=True)
class Gap:
    query: str
    lang: str
    count: int
    first_seen: datetime
    last_seen: datetime


async def top_gaps(
    session: AsyncSession, limit: int = 20, *, lang: str | None = None, min_count: int = MIN_ASKS
) -> list[Gap]:
    """The most frequent unanswered queries asked at least `min_count` times, most recent first
    among equals."""
    stmt = (
        select(SearchGap)
        .where(SearchGap.count >= min_count)
        .order_by(SearchGap.count.desc(), SearchGap.last_seen.desc(), SearchGap.query)
    )
    if lang is not None:
        stmt = stmt.where(SearchGap.lang == lang)
    rows = (await session.scalars(stmt.limit(limit))).all()
    return [Gap(r.query, r.lang, r.count, r.first_seen, r.last_seen) for r in rows]


# Stats ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stats:
    users: int
    blocked_users: int
    chats: int
    groups: int
    subscriptions: int
    by_topic: dict[str, int]
    search_gaps: int

    @property
    def reachable_users(self) -> int:
        return self.users - self.blocked_users


async def stats(session: AsyncSession) -> Stats:
    """Counts for the admin view: a handful of aggregate queries, no per-user data."""
    users, blocked = (
        await session.execute(
            select(func.count(), func.count().filter(User.blocked.is_(True))).select_from(User)
        )
    ).one()
    chats, groups = (
        await session.execute(
            select(func.count(), func.count().filter(Chat.type != PRIVATE)).select_from(Chat)
        )
    ).one()
    rows = await session.execute(
        select(Subscription.topic, func.count()).group_by(Subscription.topic)
    )
    by_topic: dict[str, int] = {topic: count for topic, count in rows.all()}
    gaps = await session.scalar(select(func.count()).select_from(SearchGap))
    return Stats(
        users=users,
        blocked_users=blocked,
        chats=chats,
        groups=groups,
        subscriptions=sum(by_topic.values()),
        by_topic=by_topic,
        search_gaps=gaps or 0,
    )


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Reachable users by profile field, for /stats (counts only, never who)."""

    by_country: dict[str, int]
    by_role: dict[str, int]
    by_language: dict[str, int]


async def breakdown(session: AsyncSession) -> Breakdown:
    """Users who have not blocked the bot, counted by country, role and language.

    The language is the one broadcasts are written in (`recipient_language`), not only the
    one picked in the settings, so /stats agrees with a broadcast's "by language" figures.
    An unset field counts under "" so the figures add up to the number of users.
    """
    counts: dict[str, dict[str, int]] = {}
    for name, col in (
        ("country", User.country),
        ("role", User.role),
        ("language", recipient_language()),
    ):
        rows = await session.execute(
            select(col, func.count())
            .select_from(User)
            .outerjoin(Chat, Chat.id == User.id)
            .where(User.blocked.is_(False))
            .group_by(col)
        )
        counts[name] = {(key or ""): n for key, n in rows.all()}
    return Breakdown(counts["country"], counts["role"], counts["language"])


# Admin flows ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flow:
    """Where an admin is in a multi-step flow, and what they entered so far."""

    flow: str
    step: str
    data: dict[str, object]


async def get_flow(session: AsyncSession, user_id: int) -> Flow | None:
    """The admin's current flow, read fresh from the database on every update."""
    row = await session.get(AdminFlow, user_id, populate_existing=True)
    return None if row is None else Flow(row.flow, row.step, dict(row.data))


async def set_flow(
    session: AsyncSession,
    user_id: int,
    flow: str,
    step: str,
    data: Mapping[str, object],
    *,
    now: datetime | None = None,
) -> None:
    """Start or advance a flow (one upsert: the last step written wins)."""
    now = now or utcnow()
    values = {"flow": flow, "step": step, "data": dict(data), "updated_at": now}
    stmt = insert(session, AdminFlow).values(user_id=user_id, **values)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[AdminFlow.user_id], set_=values)
    )


async def clear_flow(session: AsyncSession, user_id: int) -> bool:
    """End the admin's flow; True if there was one."""
    stmt = delete(AdminFlow).where(AdminFlow.user_id == user_id).returning(AdminFlow.user_id)
    return (await session.execute(stmt)).scalar_one_or_none() is not None
