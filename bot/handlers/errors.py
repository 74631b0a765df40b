"""The global error handler: log with context, apologise to the user, never go silent.

An update that failed because the database is away is handled again, with back-off, for up to
~15 s (`RETRY_DELAYS`) before the apology: a database restart or a short network cut then
costs a delay, not a conversation. The update keeps its place in the user's queue meanwhile
(`bot.ordering`), so the user's next message still comes after it. The apology itself never
needs the database: the language comes from what this update already read, or from Telegram.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import screens
from bot.handlers import subscriptions
from bot.i18n import resolve_language, t
from bot.services import Context, profile_of
from bot.store.engine import database_away

log = logging.getLogger(__name__)

RETRY_DELAYS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0)
"""Seconds before each new attempt at an update the database failed (15.75 s in all)."""
_ATTEMPTS = "db_retry_attempts"


async def _retried(update: Update, context: Context) -> bool:
    """Handle `update` again after the next delay; False once the delays are used up."""
    attempts: dict[int, int] = context.application.bot_data.setdefault(_ATTEMPTS, {})
    done = attempts.get(update.update_id, 0)
    if done >= len(RETRY_DELAYS):
        attempts.pop(update.update_id, None)
        return False
    attempts[update.update_id] = done + 1
    log.warning(
        "database unreachable for update %s: attempt %d in %.2fs",
        update.update_id,
        done + 2,
        RETRY_DELAYS[done],
    )
    await asyncio.sleep(RETRY_DELAYS[done])
    try:  # a failure again comes back here (PTB runs the error handler inside), one level down
        await context.application.process_update(update)
    finally:
        attempts.pop(update.update_id, None)
    return True


async def _profile(update: Update, context: Context) -> screens.Profile:
    """The profile for the apology: from the database if it answers, else from Telegram."""
    try:
        return await profile_of(update, context)
    except (SQLAlchemyError, OSError):
        user = update.effective_user
        lang = resolve_language(
            None,
            user.language_code if user else None,
            context.services.settings.default_language,
        )
        return screens.Profile(lang=lang)


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
    if database_away(error) and await _retried(update, context):
        raise ApplicationHandlerStop  # handled again from the top: the other groups ran there
    log.error(
        "error handling update %s (%s)",
        update.update_id,
        type(error).__name__,
        exc_info=error if not isinstance(error, NetworkError) else None,
    )
    profile = await _profile(update, context)
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
