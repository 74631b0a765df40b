"""The staff chat: answers in a user's topic go to the user; /close, /block, /unblock, /who.

Only staff (the staff chat's administrators, STAFF_IDS, ADMIN_IDS) are relayed or obeyed;
anyone else in the group is told so in the topic. Messages outside a conversation (the
General topic, chatter not replying to a user) are left alone. Everything here runs in
RELAY_GROUP and stops there, so the staff chat never triggers the bot's other features.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import relay_screens
from bot.config import Settings
from bot.services import Context
from bot.staff_relay import StaffRelay
from bot.store.staff import Thread

STAFF_COMMANDS = ("close", "block", "unblock", "who")


async def _conversation(update: Update, context: Context) -> tuple[StaffRelay, Message, Thread]:
    """The relay, the staff message and its conversation, or stop with a note (or silently)."""
    relay = context.services.relay
    message, sender = update.effective_message, update.effective_user
    if relay is None or message is None or sender is None or sender.is_bot:
        raise ApplicationHandlerStop
    thread = await relay.thread_for(message)
    command = bool(message.text and message.text.startswith("/"))
    if thread is None:
        if command:
            await message.reply_text(_note(relay, "staff.not_here"))
        raise ApplicationHandlerStop
    if not await relay.is_staff(context.bot, sender.id):
        await message.reply_text(_note(relay, "staff.not_staff"))
        raise ApplicationHandlerStop
    return relay, message, thread


def _note(relay: StaffRelay, key: str) -> str:
    return relay_screens.user_note(relay.staff_lang, key)


async def on_message(update: Update, context: Context) -> None:
    relay, message, thread = await _conversation(update, context)
    note = await relay.to_user(context.bot, message, thread)
    if note:
        await message.reply_text(note)
    raise ApplicationHandlerStop


async def on_command(update: Update, context: Context) -> None:
    relay, message, thread = await _conversation(update, context)
    assert message.text is not None
    command = message.text.split()[0][1:].split("@")[0].lower()
    bot = context.bot
    if command == "who":
        who = await relay.who(bot, thread)
        status = "blocked" if thread.blocked else thread.status
        card = relay_screens.staff_header(
            relay.staff_lang,
            who,
            forum=thread.thread_id is not None,
            since=thread.created_at,
            status=status,
        )
        await message.reply_text(card.text)
    elif command in ("close", "block"):
        note = await relay.close(bot, thread, block=command == "block")
        if thread.thread_id is None:  # with topics, the note is already in the topic
            await message.reply_text(note)
    elif command == "unblock":
        await message.reply_text(await relay.unblock(thread))
    raise ApplicationHandlerStop


def handlers(settings: Settings) -> list[BaseHandler]:
    """Nothing without a staff chat."""
    if settings.staff_chat_id is None:
        return []
    staff_chat = filters.Chat(chat_id=settings.staff_chat_id) & filters.UpdateType.MESSAGE
    return [
        CommandHandler(STAFF_COMMANDS, on_command, filters=staff_chat),
        MessageHandler(
            staff_chat & ~filters.COMMAND & ~filters.StatusUpdate.ALL & ~filters.VIA_BOT,
            on_message,
        ),
    ]
