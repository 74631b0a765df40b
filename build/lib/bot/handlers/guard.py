"""Cross-cutting guards that run before every feature (handler group -10).

Order matters: the flood gate must see every update first, so a flooding user's excess
updates never reach a feature handler or the database.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot import screens
from bot.i18n import t
from bot.services import Context, profile_of

log = logging.getLogger(__name__)
GROUP = -10


async def flood_guard(update: Update, context: Context) -> None:
    """Drop a flooding user's excess updates; warn them once per flood, politely."""
    user = update.effective_user
    if user is None:
        return
    services = context.services
    gate = services.inline_flood if update.inline_query is not None else services.flood
    verdict = gate.check(user.id)
    if verdict == "ok":
        return
    if update.callback_query is not None:
        profile = await profile_of(update, context)
        await update.callback_query.answer(t(profile.lang, "errors.slow_down"))
    elif verdict == "warn" and update.effective_chat and update.effective_chat.type == "private":
        profile = await profile_of(update, context)
        card = screens.notice(profile, t(profile.lang, "errors.slow_down"), home_button=False)
        await context.bot.send_message(update.effective_chat.id, card.text)
    log.info("flood: dropped update %s (%s)", update.update_id, verdict)
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, flood_guard)]
