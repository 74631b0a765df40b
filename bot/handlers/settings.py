"""/settings and /language: change language, role and country at any time."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import routes, screens
from bot.domain.regions import region
from bot.handlers.browse import stale
from bot.handlers.common import answer_and_show, in_private_chat, show
from bot.i18n import t
from bot.services import Context, profile_of, save_profile

SETTINGS_ROUTES = (
    routes.Settings,
    routes.PickLanguage,
    routes.PickRole,
    routes.PickCountry,
    routes.SetLanguage,
    routes.SetRole,
    routes.SetCountry,
)


async def settings_command(update: Update, context: Context) -> None:
    """/settings: the user's language, role and country with buttons to change them."""
    profile = await profile_of(update, context)
    if await in_private_chat(update, context, profile, "errors.group_private_only"):
        await show(update, context, screens.settings(profile))


async def language_command(update: Update, context: Context) -> None:
    """/language: the language picker (always offered: Telegram's language may be wrong)."""
    profile = await profile_of(update, context)
    if await in_private_chat(update, context, profile, "errors.group_private_only"):
        await show(update, context, screens.language_picker(profile))


async def on_settings(update: Update, context: Context) -> None:
    """A settings button: pickers, or save a choice and show the settings again."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    profile = await profile_of(update, context)
    match route:
        case routes.Settings():
            card = screens.settings(profile)
        case routes.PickLanguage():
            card = screens.language_picker(profile)
        case routes.PickRole():
            card = screens.role_picker(profile)
        case routes.PickCountry():
            card = screens.country_picker(profile)
        case (
            routes.SetLanguage(lang=value)
            | routes.SetRole(role=value)
            | routes.SetCountry(country=value)
        ):
            field = {
                routes.SetLanguage: "lang",
                routes.SetRole: "role",
                routes.SetCountry: "country",
            }
            changes: dict[str, str | None] = {field[type(route)]: value}
            here = region(profile.region) if profile.region else None
            if isinstance(route, routes.SetCountry) and here and here.country != value:
                changes["region"] = None  # a region of the old country means nothing now
            await save_profile(update, context, **changes)
            profile = await profile_of(update, context)
            card = screens.settings(profile, notice=t(profile.lang, "settings.saved"))
        case _:
            await stale(update, context)
            return
    await answer_and_show(update, context, card)


def _is_settings(data: object) -> bool:
    route = routes.decode(data if isinstance(data, str) else None)
    return isinstance(route, SETTINGS_ROUTES) and not getattr(route, "onboarding", False)


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("settings", settings_command, filters=only_new),
        CommandHandler("language", language_command, filters=only_new),
        CallbackQueryHandler(on_settings, pattern=_is_settings),
    ]
