"""The services handlers need, kept in one typed object in `bot_data`.

A typed `Context` (PTB's ContextTypes) gives handlers `context.services` instead of string
look-ups in dictionaries, and the profile helpers keep the storage format in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.catalog.catalog import Catalog
from bot.catalog.search import SearchIndex
from bot.config import Settings
from bot.domain.pathways import user_region
from bot.flood import FloodGate
from bot.i18n import resolve_language
from bot.screens import Links, Profile

if TYPE_CHECKING:
    from bot.broadcast.runtime import Broadcasting
    from bot.catalog.models import Event
    from bot.staff_relay import StaffRelay
    from bot.store import Store


class ProfileStore(Protocol):
    """Where profiles live; the storage layer provides the database-backed one."""

    async def load(self, user_id: int, context: Context) -> dict[str, str | None]: ...

    async def save(
        self, user_id: int, context: Context, changes: dict[str, str | None]
    ) -> None: ...


class UserDataProfiles:
    """Profiles in PTB's `user_data` (kept across restarts by the application's persistence)."""

    async def load(self, user_id: int, context: Context) -> dict[str, str | None]:
        data = context.user_data or {}
        return {key: data.get(key) for key in PROFILE_KEYS}

    async def save(self, user_id: int, context: Context, changes: dict[str, str | None]) -> None:
        if context.user_data is not None:
            context.user_data.update(changes)


class GapRecorder(Protocol):
    """Counts searches that found nothing (query + language, never who asked)."""

    async def record(self, query: str, lang: str | None) -> None: ...


@dataclass(slots=True)
class Services:
    settings: Settings
    catalog: Catalog
    links: Links = field(default_factory=Links)
    profiles: ProfileStore = field(default_factory=UserDataProfiles)
    search: SearchIndex = field(init=False)
    gaps: GapRecorder | None = None
    flood: FloodGate = field(default_factory=FloodGate)
    inline_flood: FloodGate = field(default_factory=lambda: FloodGate(rate=4.0, burst=24))
    """Inline queries have their own, wider bucket: clients send one per keystroke, and a
    dropped one leaves the person looking at the results of what they typed before."""
    store: Store | None = None
    """The database (`bot.store`); None only in tests that need no storage."""
    relay: StaffRelay | None = None
    """ "Ask a person" (`bot.staff_relay`), when STAFF_CHAT_ID is set."""
    broadcasting: Broadcasting | None = None
    """The broadcast sender and forum watcher (`bot.broadcast.runtime`), with a database."""
    content: Catalog = field(init=False)
    """The catalog as loaded from content/, before stored forums are merged in."""
    forums: tuple[Event, ...] = ()
    """Forums admins announced in chat (the `forums` table), merged into `catalog`."""

    def __post_init__(self) -> None:
        self.content = self.catalog
        self.search = SearchIndex.build(self.catalog)

    def replace_catalog(self, catalog: Catalog) -> None:
        """Swap in new content (stored forums stay merged in); the search index is rebuilt
        once, here, not per query."""
        self.content = catalog
        self._rebuild()

    def replace_forums(self, events: Sequence[Event]) -> None:
        """Swap in the stored forums (after an admin's edit, here or on another instance)."""
        self.forums = tuple(events)
        self._rebuild()

    def _rebuild(self) -> None:
        from bot.broadcast.forums import merge

        catalog = merge(self.content, self.forums)
        self.search = SearchIndex.build(catalog)
        self.catalog = catalog


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB context with typed access to our services."""

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]  # type: ignore[no-any-return]

    @property
    def cache(self) -> dict[str, Any]:
        """Scratch space for this update only: PTB builds one Context per update and reuses
        it across handler groups, so a row read once (the user's profile) is not read again."""
        return self.__dict__.setdefault("_update_cache", {})  # type: ignore[no-any-return]


AppType = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]

PROFILE_KEYS = ("lang", "role", "country", "region")


async def profile_of(update: Update, context: Context) -> Profile:
    """The user's profile: saved choices first, then Telegram's language, then the default."""
    user = update.effective_user
    saved = await context.services.profiles.load(user.id, context) if user else {}
    lang = resolve_language(
        saved.get("lang"),
        user.language_code if user else None,
        context.services.settings.default_language,
    )
    country = saved.get("country")
    here = user_region(saved.get("region"), country)
    return Profile(
        lang=lang, role=saved.get("role"), country=country, region=here.code if here else None
    )


async def save_profile(update: Update, context: Context, **changes: str | None) -> None:
    """Persist profile fields; only known keys, so stored data never grows unbounded."""
    unknown = set(changes) - set(PROFILE_KEYS)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    if update.effective_user is not None:
        await context.services.profiles.save(update.effective_user.id, context, changes)


async def has_profile(update: Update, context: Context) -> bool:
    profile = await profile_of(update, context)
    return bool(profile.role and profile.country)
