"""Browsing: home → country → kind → card, forums and help, all by stateless routes."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import routes, screens
from bot.cards import Card
from bot.handlers.common import answer_and_show, show
from bot.i18n import t
from bot.services import Context, Services, profile_of
from bot.store import repo
from bot.store.topics import for_item

BROWSE_ROUTES = (
    routes.Home,
    routes.CountryMenu,
    routes.KindList,
    routes.OrgList,
    routes.EmployerTrack,
    routes.Card,
    routes.CardSection,
    routes.Forums,
    routes.Help,
)


def screen_for(route: routes.Route, services: Services, profile: screens.Profile) -> Card | None:
    """The card a browsing route shows; None when it points at nothing (stale or forged)."""
    catalog, links = services.catalog, services.links
    match route:
        case routes.Home():
            return screens.home(catalog, profile)
        case routes.CountryMenu(country=c):
            return screens.country_menu(catalog, profile, c) if c in catalog.countries() else None
        case routes.KindList(country=c, kind=k, page=page):
            if not catalog.programs_of(c, k):
                return None
            return screens.kind_list(catalog, profile, c, k, page)
        case routes.OrgList(country=c, page=page):
            if not catalog.organisations_in(c):
                return None
            return screens.org_list(catalog, profile, c, page)
        case routes.EmployerTrack(country=c, page=page):
            if not catalog.for_employers(c):
                return None
            return screens.employer_track(catalog, profile, c, page)
        case routes.Card(item_id=item_id):
            return screens.item_card(catalog, profile, item_id, links)
        case routes.CardSection(item_id=item_id, section=section):
            return screens.item_card(catalog, profile, item_id, links, section=section)
        case routes.Forums():
            return screens.forums(catalog, profile, datetime.now(UTC))
        case routes.Help():
            return screens.help_card(profile, ask=links.ask_person)
    return None


async def card_with_state(
    update: Update,
    context: Context,
    profile: screens.Profile,
    item_id: str,
    section: str | None = None,
) -> Card | None:
    """An item card whose 🔔 button shows whether this chat already follows its topic."""
    services = context.services
    item = services.catalog.programs.get(item_id) or services.catalog.events.get(item_id)
    chat = update.effective_chat
    subscribed = None
    if item is not None and chat is not None and services.store is not None:
        async with services.store.readers() as session:
            current = await repo.topics_of(session, chat.id)
        subscribed = for_item(item).key in current
    return screens.item_card(
        services.catalog, profile, item_id, services.links, subscribed=subscribed, section=section
    )


async def open_route(
    update: Update, context: Context, route: routes.Route | None, profile: screens.Profile
) -> Card | None:
    """The screen for a browsing route (cards with their subscription state)."""
    if isinstance(route, routes.Card):
        return await card_with_state(update, context, profile, route.item_id)
    if isinstance(route, routes.CardSection):
        return await card_with_state(update, context, profile, route.item_id, route.section)
    return screen_for(route, context.services, profile) if route else None


async def on_button(update: Update, context: Context) -> None:
    """A browsing button: answer the callback at once, then edit the menu in place."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    profile = await profile_of(update, context)
    card = await open_route(update, context, route, profile)
    if card is None:
        await stale(update, context)
        return
    await answer_and_show(update, context, card)


async def stale(update: Update, context: Context) -> None:
    """Out-of-date or forged button data: say so briefly and show the home menu."""
    profile = await profile_of(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(t(profile.lang, "errors.stale_button"))
    await show(update, context, screens.home(context.services.catalog, profile))


async def home_command(update: Update, context: Context) -> None:
    """/menu: the home menu, without re-running onboarding."""
    await show(
        update, context, screens.home(context.services.catalog, await profile_of(update, context))
    )


async def forums_command(update: Update, context: Context) -> None:
    """/forums: the Trilateral Forums, upcoming first."""
    profile = await profile_of(update, context)
    await show(
        update, context, screens.forums(context.services.catalog, profile, datetime.now(UTC))
    )


async def help_command(update: Update, context: Context) -> None:
    """/help: what the bot does and its commands."""
    profile = await profile_of(update, context)
    await show(update, context, screens.help_card(profile, ask=context.services.links.ask_person))


def _is_browse(data: object) -> bool:
    return isinstance(routes.decode(data if isinstance(data, str) else None), BROWSE_ROUTES)


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("forums", forums_command, filters=only_new),
        CommandHandler("help", help_command, filters=only_new),
        CommandHandler("menu", home_command, filters=only_new),
        CallbackQueryHandler(on_button, pattern=_is_browse),
    ]
