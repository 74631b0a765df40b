"""Profiles in the `users` table, read at most once per update.

Every handler asks for the profile (language first of all), often twice per update (before
and after saving a choice). PTB builds one Context per update and reuses it across handler
groups, so the row is cached on the Context: one primary-key SELECT per update, and saving
keeps the cached row in step instead of reading again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.store import repo
from bot.store.engine import Store
from bot.store.models import User, utcnow


class Scratch(Protocol):
    """What this module needs of PTB's per-update Context (`bot.services.Context.cache`)."""

    @property
    def cache(self) -> dict[str, Any]: ...


_CACHE_KEY = "store.users"
_MISSING = object()


def _cache(context: Scratch | None) -> dict[int, Any]:
    if context is None:
        return {}
    return context.cache.setdefault(_CACHE_KEY, {})  # type: ignore[no-any-return]


async def cached_user(store: Store, user_id: int, context: Scratch | None) -> User | None:
    """The user's row, from this update's cache or with one primary-key SELECT."""
    cache = _cache(context)
    row = cache.get(user_id, _MISSING)
    if row is _MISSING:
        async with store.readers() as session:
            row = await repo.get_user(session, user_id)
        cache[user_id] = row
    return row  # type: ignore[return-value]


def forget_cached(context: Scratch | None, user_id: int) -> None:
    """Drop the cached row (after /forget, or after a write this module did not make)."""
    _cache(context).pop(user_id, None)


class DatabaseProfiles:
    """`ProfileStore` backed by the `users` table (see `bot.services.ProfileStore`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def load(self, user_id: int, context: Scratch | None) -> dict[str, str | None]:
        row = await cached_user(self.store, user_id, context)
        if row is None:
            return dict.fromkeys(repo.PROFILE_COLUMNS)
        return {key: getattr(row, column) for key, column in repo.PROFILE_COLUMNS.items()}

    async def save(
        self, user_id: int, context: Scratch | None, changes: dict[str, str | None]
    ) -> None:
        now = utcnow()
        async with self.store.transaction() as session:
            await repo.save_profile(session, user_id, changes, now=now)
        cache = _cache(context)
        row = cache.get(user_id)
        if row is None:
            row = User(id=user_id, created_at=now, last_seen=now, blocked=False)
            cache[user_id] = row
        for key, value in changes.items():
            setattr(row, repo.PROFILE_COLUMNS[key], value)


async def seen(
    store: Store,
    user_id: int,
    context: Scratch | None,
    *,
    private: bool,
    client_language: str | None = None,
) -> bool:
    """Record that the user is here, at most every `repo.SEEN_DEBOUNCE`; True if written.

    `client_language` is the bot language of the user's Telegram app (None when the update
    carries none the bot speaks); a change is written at once, see `repo.needs_touch`.
    Uses the cached row (the same SELECT the profile needs), so an update that needs no write
    costs no extra query; the cache is kept in step with what was written.
    """
    row = await cached_user(store, user_id, context)
    now = utcnow()
    if not repo.needs_touch(row, now, private=private, client_language=client_language):
        return False
    async with store.transaction() as session:
        await repo.touch_user(
            session, user_id, private=private, client_language=client_language, now=now
        )
    _remember_touch(context, row, user_id, now, private=private, client_language=client_language)
    return True


def _remember_touch(
    context: Scratch | None,
    row: User | None,
    user_id: int,
    now: datetime,
    *,
    private: bool,
    client_language: str | None,
) -> None:
    """Apply what `repo.touch_user` wrote to the cached row, so this update reads no stale value."""
    if row is None:
        row = User(id=user_id, created_at=now, blocked=False)
        _cache(context)[user_id] = row
    row.last_seen = now
    if private:
        row.blocked, row.blocked_at = False, None
    if client_language is not None:
        row.client_language = client_language
