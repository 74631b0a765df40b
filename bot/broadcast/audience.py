"""Who a broadcast goes to: an audience filter, stored as JSON, turned into recipient chats.

Kinds: everyone, one country, one role, one language, or the subscribers of some topics
(a forum's subscribers are `bot.store.topics.audience(event)`). Chats known to be
unreachable (blocked the bot, removed it from a group) are never recipients.

A user is written to in the language the bot answers them in chat: the one they picked, else
their Telegram app's (`users.client_language`), else their chat's (`repo.recipient_language`).
The "language" kind selects by that same language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.models import LANGUAGES
from bot.store.models import Chat, Subscription, User
from bot.store.repo import recipient_language
from bot.store.topics import Topic

COUNTRIES = ("mx", "us", "ca")
ROLES = ("student", "employer", "educator")
ALL_COUNTRIES = "all"
"""The profile choice "all three countries": such users hear about each country."""


@dataclass(frozen=True, slots=True)
class Audience:
    """A validated audience filter; build with the class methods or `parse`."""

    kind: str
    value: str | None = None
    topics: tuple[str, ...] = ()

    @classmethod
    def everyone(cls) -> Audience:
        return cls("everyone")

    @classmethod
    def of_topics(cls, topics: Iterable[str]) -> Audience:
        keys = tuple(sorted(set(topics)))
        if not keys or any(Topic.parse(k) is None for k in keys):
            raise ValueError(f"not subscription topics: {keys!r}")
        return cls("topics", topics=keys)

    @classmethod
    def parse(cls, kind: str, value: str | None = None) -> Audience | None:
        """The audience a button or a stored row names; None for anything unknown."""
        match kind:
            case "everyone":
                return cls("everyone")
            case "country" if value in COUNTRIES:
                return cls("country", value)
            case "role" if value in ROLES:
                return cls("role", value)
            case "language" if value in LANGUAGES:
                return cls("language", value)
            case "topics" if value:
                try:
                    return cls.of_topics(value.split(","))
                except ValueError:
                    return None
        return None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.value is not None:
            data["value"] = self.value
        if self.topics:
            data["topics"] = list(self.topics)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        if data.get("kind") == "topics":
            return cls.of_topics(data.get("topics") or ())
        parsed = cls.parse(str(data.get("kind")), data.get("value"))
        if parsed is None:
            raise ValueError(f"unknown audience {data!r}")
        return parsed


def _reachable_users() -> Any:
    """Users who have not blocked the bot, with their private chat row if there is one."""
    return (
        select(User.id, recipient_language().label("lang"))
        .outerjoin(Chat, Chat.id == User.id)
        .where(User.blocked.is_(False), or_(Chat.id.is_(None), Chat.blocked.is_(False)))
    )


def _reachable_groups() -> Any:
    return select(Chat.id, Chat.language.label("lang")).where(
        Chat.type != "private", Chat.blocked.is_(False)
    )


def _subscribers(topics: Sequence[str]) -> Any:
    """Chats subscribed to any of `topics` (users' private chats and groups alike)."""
    return (
        select(Chat.id, recipient_language().label("lang"))
        .join(Subscription, Subscription.chat_id == Chat.id)
        .outerjoin(User, User.id == Chat.id)
        .where(
            Subscription.topic.in_(list(topics)),
            Chat.blocked.is_(False),
            or_(User.id.is_(None), User.blocked.is_(False)),
        )
    )


async def recipients(
    session: AsyncSession, audience: Audience, default_lang: str = "en"
) -> dict[int, str]:
    """chat id → the language to write in, for every reachable chat in the audience.

    Ordered by chat id. A chat matched twice (a user who also subscribed) appears once.
    """
    queries: list[Any] = []
    match audience.kind:
        case "everyone":
            queries = [_reachable_users(), _reachable_groups()]
        case "country":
            queries = [
                _reachable_users().where(User.country.in_([audience.value, ALL_COUNTRIES])),
                _subscribers([Topic.parse(f"country:{audience.value}").key]),  # type: ignore[union-attr]
            ]
        case "role":
            queries = [_reachable_users().where(User.role == audience.value)]
        case "language":
            queries = [_reachable_users(), _subscribers_any()]
        case "topics":
            queries = [_subscribers(audience.topics)]
    found: dict[int, str] = {}
    for query in queries:
        for chat_id, lang in (await session.execute(query)).all():
            found.setdefault(chat_id, lang if lang in LANGUAGES else default_lang)
    if audience.kind == "language":
        found = {c: lang for c, lang in found.items() if lang == audience.value}
    return dict(sorted(found.items()))


def _subscribers_any() -> Any:
    """Groups that subscribed to anything (they have no profile language, only the chat's)."""
    return _reachable_groups().where(Chat.id.in_(select(Subscription.chat_id).distinct()))
