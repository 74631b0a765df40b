"""What nobody else handled: unknown commands, other messages, stale buttons.

Registered last, so every private message gets an answer and no button spins forever.
"""

from __future__ import annotations

from telegram import MessageEntity, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import screens
from bot.handlers.browse import stale
from bot.handlers.common import is_private, show
from bot.i18n import t
from bot.services import Context, profile_of


def addressed_to_bot(update: Update, context: Context) -> bool:
    """In groups we answer only what names us: `/cmd@ourbot`."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    username = (context.bot.username or "").lower()
    for entity, text in message.parse_entities([MessageEntity.BOT_COMMAND]).items():
        if entity.offset == 0 and text.lower().endswith(f"@{username}"):
            return True
    return False


async def unknown_command(update: Update, context: Context) -> None:
    """An unknown /command: say so and show what the bot can do."""
    if not is_private(update) and not addressed_to_bot(update, context):
        return
    profile = await profile_of(update, context)
    await show(
        update,
        context,
        screens.help_card(
            profile,
            notice=t(profile.lang, "errors.unknown_command"),
            ask=context.services.links.ask_person,
        ),
    )


async def other_message(update: Update, context: Context) -> None:
    """Stickers, photos, locations… in a private chat: point to the menu and help."""
    profile = await profile_of(update, context)
    await show(update, context, screens.help_card(profile, ask=context.services.links.ask_person))


def handlers() -> list[BaseHandler]:
    new_private = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.VIA_BOT
    return [
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command),
        MessageHandler(new_private, other_message),
        CallbackQueryHandler(stale),
    ]
