"""/ask, /done and "💬 Ask a person": the user's side of the staff relay.

While a user's conversation is open, what they send in the private chat is copied to staff
(handler group RELAY_GROUP, before the admin flows and the search); commands and buttons
still work. The relay itself is `bot.staff_relay`; this module parses and answers.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import relay_screens, routes, screens
from bot.handlers.browse import stale
from bot.handlers.common import in_private_chat, show
from bot.i18n import t
from bot.services import Context, profile_of
from bot.staff_relay import RelayError, Sent, StaffRelay
from bot.store import staff as threads

log = logging.getLogger(__name__)

RELAY_GROUP = -2
"""After the flood guard (-10) and presence tracking (-5), before admin flows (-1) and the
features (0): a message meant for staff is never taken for a search or a flow's input."""


async def ask_command(update: Update, context: Context) -> None:
    await _start(update, context)


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    match route:
        case routes.Ask():
            await query.answer()
            await _start(update, context)
        case routes.AskShare(share=share):
            await query.answer()
            await _start(update, context, share=share)
        case _:
            await stale(update, context)


async def _start(update: Update, context: Context, *, share: bool | None = None) -> None:
    """Open the conversation, after the one-time "show your @username?" question."""
    profile = await profile_of(update, context)
    relay = context.services.relay
    if relay is None:
        await show(update, context, screens.notice(profile, t(profile.lang, "ask.not_set_up")))
        return
    if not await in_private_chat(update, context, profile, "ask.private_only"):
        return
    user = update.effective_user
    assert user is not None
    thread = await relay.prepare(user.id, profile.lang)
    if share is not None:
        await relay.set_share(user.id, share)
        thread = replace(thread, share_username=share)
    if thread.blocked:
        await show(update, context, screens.notice(profile, t(profile.lang, "ask.paused")))
        return
    if thread.share_username is None and user.username:
        await show(update, context, relay_screens.share_question(profile, user.username))
        return
    try:
        thread = await relay.open(context.bot, user, profile)
    except RelayError as exc:
        log.warning("could not open a conversation with staff: %s", exc)
        await show(update, context, screens.notice(profile, t(profile.lang, "ask.unreachable")))
        return
    shown = bool(thread.share_username and user.username)
    card = relay_screens.ask_intro(
        profile, context.services.settings, thread.handle, username=shown
    )
    await show(update, context, card)


async def done_command(update: Update, context: Context) -> None:
    """/done: back to the bot; staff are told and the topic closes."""
    profile = await profile_of(update, context)
    relay = context.services.relay
    user = update.effective_user
    thread = await relay.thread_of(user.id) if relay and user else None
    if relay is None or thread is None or thread.status != threads.OPEN:
        await show(update, context, screens.notice(profile, t(profile.lang, "ask.not_open")))
        return
    await relay.done(context.bot, thread)
    await show(update, context, screens.notice(profile, t(profile.lang, "ask.done")))


async def on_message(update: Update, context: Context) -> None:
    """A message while talking with staff goes to them; otherwise, on to the features."""
    relay: StaffRelay | None = context.services.relay
    message, user = update.effective_message, update.effective_user
    if relay is None or message is None or user is None:
        return
    thread = await relay.thread_of(user.id)
    if thread is None or thread.status != threads.OPEN:
        return
    profile = await profile_of(update, context)
    lang = profile.lang
    if thread.blocked:
        await message.reply_text(relay_screens.user_note(lang, "ask.paused"))
        raise ApplicationHandlerStop
    verdict = relay.flood.check(user.id)
    if verdict != "ok":
        if verdict == "warn":
            await message.reply_text(relay_screens.user_note(lang, "ask.slow_down"))
        raise ApplicationHandlerStop
    delivery = await relay.to_staff(context.bot, message, thread, user, profile)
    match delivery.sent:
        case Sent.FIRST:
            await context.bot.send_message(user.id, relay_screens.user_note(lang, "ask.sent"))
        case Sent.TOO_LONG:
            length, limit = delivery.limit or (0, 0)
            text = relay_screens.user_note(lang, "ask.too_long", length=length, limit=limit)
            await message.reply_text(text)
        case Sent.CANT_COPY | Sent.UNREACHABLE:
            key = "ask.cant_copy" if delivery.sent is Sent.CANT_COPY else "ask.unreachable"
            await message.reply_text(relay_screens.user_note(lang, key))
    if delivery.away and relay.hours is not None:
        away = relay_screens.away(context.services.settings, relay.hours, lang)
        await context.bot.send_message(user.id, away)
    raise ApplicationHandlerStop


async def on_blocked(update: Update, context: Context) -> None:
    """The user blocked the bot: staff in an open conversation are told (once)."""
    change = update.my_chat_member
    relay = context.services.relay
    if relay is None or change is None or change.chat.type != change.chat.PRIVATE:
        return
    if change.new_chat_member.status == ChatMemberStatus.BANNED:
        await relay.user_blocked_bot(context.bot, change.chat.id)


def _is_ask(data: object) -> bool:
    route = routes.decode(data if isinstance(data, str) else None)
    return isinstance(route, routes.Ask | routes.AskShare)


def handlers() -> dict[int, list[BaseHandler]]:
    only_new = filters.UpdateType.MESSAGE
    private_message = (
        filters.ChatType.PRIVATE
        & only_new
        & ~filters.COMMAND
        & ~filters.VIA_BOT
        & ~filters.StatusUpdate.ALL
    )
    return {
        RELAY_GROUP: [
            MessageHandler(private_message, on_message),
            ChatMemberHandler(on_blocked, ChatMemberHandler.MY_CHAT_MEMBER),
        ],
        0: [
            CommandHandler("ask", ask_command, filters=only_new),
            CommandHandler("done", done_command, filters=only_new),
            CallbackQueryHandler(on_button, pattern=_is_ask),
        ],
    }
