"""/start: onboarding (role, country, then region — skippable) and deep links.

Onboarding is stateless: each button carries the step it completes (`SetRole(onboarding)`),
so a restart or another instance can answer the next press with nothing kept in memory.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import deeplinks, routes, screens
from bot.domain.regions import COUNTRIES
from bot.handlers import ask
from bot.handlers.browse import open_route, stale
from bot.handlers.common import answer_and_show, is_private, show
from bot.handlers.regions import ask_region
from bot.i18n import t
from bot.services import Context, has_profile, profile_of, save_profile

ONBOARDING_ROUTES = (routes.SetRole, routes.SetCountry, routes.SetLanguage, routes.PickLanguage)


async def start(update: Update, context: Context) -> None:
    """/start [payload]: open a deep link, onboard a new user, or greet a known one."""
    services = context.services
    profile = await profile_of(update, context)
    if context.args and context.args[0] == deeplinks.ASK and services.relay is not None:
        await ask.ask_command(update, context)
        return
    if context.args:
        route = deeplinks.resolve(context.args[0], services.catalog)
        card = await open_route(update, context, route, profile)
        if card is None:
            card = screens.home(
                services.catalog, profile, notice=t(profile.lang, "errors.deep_link_unknown")
            )
        await show(update, context, card)
        return
    if is_private(update) and not await has_profile(update, context):
        await show(update, context, screens.onboarding_role(profile))
        return
    await show(update, context, screens.home(services.catalog, profile))


async def on_onboarding(update: Update, context: Context) -> None:
    """A step of onboarding: save the choice and move to the next question."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    if not (isinstance(route, ONBOARDING_ROUTES) and getattr(route, "onboarding", False)):
        await stale(update, context)
        return
    match route:
        case routes.SetLanguage(lang=lang):
            await save_profile(update, context, lang=lang)
            card = screens.onboarding_role(await profile_of(update, context))
        case routes.PickLanguage():
            card = screens.language_picker(await profile_of(update, context), onboarding=True)
        case routes.SetRole(role=role):
            await save_profile(update, context, role=role)
            card = screens.onboarding_country(await profile_of(update, context))
        case routes.SetCountry(country=country):
            await save_profile(update, context, country=country)
            if country in COUNTRIES:
                await ask_region(update, context, onboarding=True)
                return
            profile = await profile_of(update, context)
            card = screens.home(
                context.services.catalog, profile, notice=t(profile.lang, "onboarding.done")
            )
    await answer_and_show(update, context, card)


def _is_onboarding(data: object) -> bool:
    route = routes.decode(data if isinstance(data, str) else None)
    return isinstance(route, ONBOARDING_ROUTES) and getattr(route, "onboarding", False)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", start, filters=filters.UpdateType.MESSAGE),
        CallbackQueryHandler(on_onboarding, pattern=_is_onboarding),
    ]
