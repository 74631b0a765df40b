"""Sending a Card: edit in place for button presses, a new message otherwise."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.error import BadRequest, TelegramError

from bot.cards import Card
from bot.i18n import t
from bot.screens import Profile, notice
from bot.services import Context

log = logging.getLogger(__name__)

_EDIT_IMPOSSIBLE = (
    "message to edit not found",
    "message can't be edited",
    "there is no text in the message to edit",
)


async def show(update: Update, context: Context, card: Card) -> None:
    """Answer with `card`: menus edit in place so a chat never fills with stale menus."""
    query = update.callback_query
    if query is not None and query.message is not None and query.message.is_accessible:
        if _unchanged(query.message, card):  # type: ignore[arg-type]
            return
        try:
            await query.edit_message_text(card.text, reply_markup=card.reply_markup())
            return
        except BadRequest as exc:
            text = exc.message.lower()
            if "message is not modified" in text:
                return
            if not any(reason in text for reason in _EDIT_IMPOSSIBLE):
                raise
            log.info("could not edit message in place (%s); sending a new one", exc.message)
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(chat.id, card.text, reply_markup=card.reply_markup())


async def answer_and_show(update: Update, context: Context, card: Card) -> None:
    """A button press: stop the button's spinner and edit the menu at the same time.

    One Bot API round trip of waiting instead of two (tens of ms each on Telegram). If only
    the answer fails (e.g. the query is too old), the person already sees the new card: log
    it instead of apologising.
    """
    query = update.callback_query
    if query is None:
        await show(update, context, card)
        return
    answered, shown = await asyncio.gather(
        query.answer(), show(update, context, card), return_exceptions=True
    )
    if isinstance(shown, BaseException):
        raise shown
    if isinstance(answered, TelegramError):
        log.warning("could not answer a callback query: %s", answered)
    elif isinstance(answered, BaseException):
        raise answered


def _unchanged(message: Message, card: Card) -> bool:
    """Telegram refuses an edit to identical content; not asking saves a round trip."""
    markup = card.reply_markup()
    current = message.reply_markup
    return message.text == card.plain_text and (markup.to_dict() if markup else None) == (
        current.to_dict() if current else None
    )


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == chat.PRIVATE


async def in_private_chat(
    update: Update, context: Context, profile: Profile, reason_key: str
) -> bool:
    """Personal features live in the private chat; elsewhere, say so instead of acting."""
    if is_private(update):
        return True
    await show(update, context, notice(profile, t(profile.lang, reason_key)))
    return False
