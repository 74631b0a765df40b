"""The global error handler: log with context, apologise to the user, never go silent."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError

from bot import screens
from bot.handlers import subscriptions
from bot.i18n import t
from bot.services import Context, profile_of

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the failure (never the message text) and tell the user we could not answer."""
    error = context.error
    if not isinstance(update, Update):
        log.warning("error outside an update: %r", error)
        return
    if isinstance(error, Forbidden):
        log.info("chat unreachable (%s) for update %s", error.message, update.update_id)
        await subscriptions.mark_unreachable(update, context)
        return
    if isinstance(error, ChatMigrated) and update.effective_chat is not None:
        await subscriptions.chat_migrated(context, update.effective_chat.id, error.new_chat_id)
        return
    log.error(
        "error handling update %s (%s)",
        update.update_id,
        type(error).__name__,
        exc_info=error if not isinstance(error, NetworkError) else None,
    )
    profile = await profile_of(update, context)
    try:
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(t(profile.lang, "errors.generic"))
                return
            except BadRequest:
                pass  # already answered before the failure: apologise with a message instead
        chat = update.effective_chat
        if chat is not None and chat.type == chat.PRIVATE:
            card = screens.notice(profile, t(profile.lang, "errors.generic"))
            await context.bot.send_message(chat.id, card.text, reply_markup=card.reply_markup())
    except TelegramError as exc:
        log.warning("could not apologise for update %s: %s", update.update_id, exc)
