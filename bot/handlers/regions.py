"""The user's province, state or territory: picker, shared location, "how to start here".

A shared location is turned into a region offline (`bot.domain.geo`, nearest of 27,193 places
shipped with the package) and dropped: only the region code is saved. The "📍 Use my location"
reply keyboard is offered in private chats only (Telegram refuses `request_location` in groups)
and withdrawn once a region is set, so it never lingers under the message box.
"""

from __future__ import annotations

import logging

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import region_screens, routes, screens
from bot.domain import pathways
from bot.domain.geo import region_at
from bot.domain.regions import region
from bot.handlers.browse import stale
from bot.handlers.common import answer_and_show, is_private, show
from bot.i18n import t
from bot.services import Context, profile_of, save_profile

log = logging.getLogger(__name__)
REGION_ROUTES = (routes.PickRegion, routes.SetRegion, routes.RegionStart)
PROMPT_KEY = "location_prompt"
"""chat_data key: id of the message that carries the location keyboard, to withdraw it."""


def location_keyboard(lang: str) -> ReplyKeyboardMarkup:
    button = KeyboardButton(t(lang, "button.use_location"), request_location=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


async def offer_location(update: Update, context: Context, lang: str) -> None:
    """Under the picker, a short message whose reply keyboard shares the location in one tap."""
    chat = update.effective_chat
    if chat is None or not is_private(update) or context.chat_data is None:
        return
    if context.chat_data.get(PROMPT_KEY):
        return
    sent = await context.bot.send_message(
        chat.id, t(lang, "region.location_prompt"), reply_markup=location_keyboard(lang)
    )
    context.chat_data[PROMPT_KEY] = sent.message_id


async def withdraw_location(update: Update, context: Context, text: str | None = None) -> None:
    """Remove the location keyboard: Telegram only removes a reply keyboard with a new message,
    so `text` (a confirmation) carries the removal; without one, a placeholder is sent and
    deleted at once."""
    chat = update.effective_chat
    if chat is None or context.chat_data is None:
        return
    prompt = context.chat_data.pop(PROMPT_KEY, None)
    if prompt is None and text is None:
        return
    try:
        sent = await context.bot.send_message(
            chat.id, text or "✅", reply_markup=ReplyKeyboardRemove()
        )
        if text is None:
            await context.bot.delete_message(chat.id, sent.message_id)
        if prompt is not None:
            await context.bot.delete_message(chat.id, prompt)
    except TelegramError as exc:  # a deleted chat or message: nothing left to tidy
        log.info("could not withdraw the location keyboard (%s)", exc)


async def ask_region(update: Update, context: Context, *, onboarding: bool) -> None:
    """Show the picker (first page) and, in private chats, the location button."""
    profile = await profile_of(update, context)
    card = region_screens.region_picker(profile, onboarding=onboarding)
    await answer_and_show(update, context, card)
    await offer_location(update, context, profile.lang)


async def on_region(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    profile = await profile_of(update, context)
    match route:
        case routes.PickRegion(page=page, onboarding=onboarding):
            card = region_screens.region_picker(profile, page, onboarding=onboarding)
            await answer_and_show(update, context, card)
            if page == 0:
                await offer_location(update, context, profile.lang)
            return
        case routes.SetRegion(region=code, onboarding=onboarding):
            chosen = region(code) if code != routes.NO_REGION else None
            if chosen is not None and chosen.country != profile.country:
                await stale(update, context)  # a picker from before a country change
                return
            await save_profile(update, context, region=chosen.code if chosen else None)
            profile = await profile_of(update, context)
            lang = profile.lang
            saved = t(lang, "region.saved", region=chosen.name(lang)) if chosen else None
            if onboarding:
                notice = "\n".join(filter(None, (saved, t(lang, "onboarding.done"))))
                card = screens.home(context.services.catalog, profile, notice=notice)
            else:
                notice = saved or t(lang, "region.cleared")
                card = screens.settings(profile, notice=notice)
            await answer_and_show(update, context, card)
            await withdraw_location(update, context)
            return
        case routes.RegionStart(page=page):
            here = pathways.user_region(profile.region, profile.country)
            if here is None:
                card = region_screens.region_picker(profile)
            else:
                card = region_screens.region_start(context.services.catalog, profile, here, page)
            await answer_and_show(update, context, card)
            return
    await stale(update, context)


async def on_location(update: Update, context: Context) -> None:
    """A shared location: set country and region from it, keep neither the coordinates nor
    the message."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    found = region_at(message.location.latitude, message.location.longitude)
    profile = await profile_of(update, context)
    if found is None:
        await withdraw_location(update, context, t(profile.lang, "region.unplaced"))
        await show(update, context, region_screens.region_picker(profile))
        return
    await save_profile(update, context, country=found.country, region=found.code)
    profile = await profile_of(update, context)
    country = t(profile.lang, f"country.{found.country}")
    located = t(profile.lang, "region.located", region=found.name(profile.lang), country=country)
    await withdraw_location(update, context, located)
    await show(update, context, screens.home(context.services.catalog, profile))


def _is_region(data: object) -> bool:
    return isinstance(routes.decode(data if isinstance(data, str) else None), REGION_ROUTES)


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_region, pattern=_is_region),
        MessageHandler(
            filters.LOCATION & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE,
            on_location,
        ),
    ]
