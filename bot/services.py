"""The services handlers need, kept in one typed object in `bot_data`.

A typed `Context` (PTB's ContextTypes) gives handlers `context.services` instead of string
look-ups in dictionaries, and the profile helpers keep the storage format in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.i18n import resolve_language
from bot.screens import Links, Profile


@dataclass(slots=True)
class Services:
    settings: Settings
    catalog: Catalog
    links: Links = field(default_factory=Links)


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB context with typed access to our services."""

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]  # type: ignore[no-any-return]


AppType = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]

PROFILE_KEYS = ("lang", "role", "country")


def profile_of(update: Update, context: Context) -> Profile:
    """The user's profile: saved choices first, then Telegram's language, then the default."""
    data = context.user_data if context.user_data is not None else {}
    user = update.effective_user
    lang = resolve_language(
        data.get("lang"),
        user.language_code if user else None,
        context.services.settings.default_language,
    )
    return Profile(lang=lang, role=data.get("role"), country=data.get("country"))


def save_profile(context: Context, **changes: str | None) -> None:
    """Persist profile fields; only known keys, so user_data never grows unbounded."""
    if context.user_data is None:
        return
    for key, value in changes.items():
        if key not in PROFILE_KEYS:
            raise KeyError(key)
        context.user_data[key] = value


def has_profile(context: Context) -> bool:
    data = context.user_data or {}
    return bool(data.get("role") and data.get("country"))
