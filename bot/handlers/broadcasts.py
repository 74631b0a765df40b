"""Admin broadcasts: /broadcast (now or later), /broadcasts, /cancel_broadcast, /stats, /cancel.

Thin: each handler parses the update, calls one function of `bot.broadcast.flows` (where the
flow's step lives, in the database) and shows the cards it returns. Every entry point is
`admin_only`: commands and forged buttons from anyone else get a polite refusal, logged.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import routes, screens
from bot.broadcast import flows
from bot.catalog.models import LANGUAGES
from bot.config import Settings
from bot.handlers.admin import admin_only
from bot.handlers.common import show
from bot.i18n import t
from bot.services import Context, profile_of

log = logging.getLogger(__name__)

FLOW_GROUP = -1
"""After the flood guard (-10) and presence tracking (-5), before the features (0): an
admin's reply inside a flow is that flow's input, not a search."""

BROADCAST_ROUTES = (
    routes.FlowTexts,
    routes.FlowCancel,
    routes.BroadcastMenu,
    routes.BroadcastAudience,
    routes.BroadcastSend,
    routes.BroadcastLater,
    routes.BroadcastAt,
    routes.BroadcastReview,
    routes.BroadcastStop,
)


ADMIN_COMMANDS = (
    "broadcast",
    "broadcasts",
    "cancel_broadcast",
    "newforum",
    "editforum",
    "stats",
    "cancel",
)
"""Shown in the command menu of admins' own chats only (BotCommandScopeChat)."""


async def admin_of(update: Update, context: Context) -> flows.Admin:
    user = update.effective_user
    assert user is not None
    profile = await profile_of(update, context)
    await _admin_menu(context, user.id)
    return flows.Admin.of(context.services, user.id, profile.lang)


async def _admin_menu(context: Context, admin_id: int) -> None:
    """Once per process and admin: their chat's command menu gets the admin commands too.

    Done on first use rather than at start-up: Telegram refuses a chat scope for an admin
    who never opened a chat with the bot.
    """
    done: set[int] = context.application.bot_data.setdefault("admin_menus", set())
    if admin_id in done:
        return
    done.add(admin_id)
    scope = BotCommandScopeChat(admin_id)
    try:
        for lang in LANGUAGES:
            commands = [
                BotCommand(c, t(lang, f"commands.{c}"))
                for c in screens.commands_for(ask=context.services.links.ask_person)
            ]
            commands += [BotCommand(c, t(lang, f"admin_commands.{c}")) for c in ADMIN_COMMANDS]
            code = None if lang == "en" else lang
            await context.bot.set_my_commands(commands, scope=scope, language_code=code)
    except TelegramError as exc:
        log.info("could not set the admin command menu: %s", exc)


async def present(update: Update, context: Context, reply: flows.Reply) -> None:
    """Previews as new messages (exactly as recipients get them), then the step's card."""
    chat = update.effective_chat
    assert chat is not None
    for card in reply.previews:
        await context.bot.send_message(chat.id, card.text, reply_markup=card.reply_markup())
    card = reply.card
    if reply.report is not None and update.callback_query is None:
        sent = await context.bot.send_message(chat.id, card.text, reply_markup=card.reply_markup())
        broadcast_id, lang = reply.report
        await flows.set_report(context.services, broadcast_id, chat.id, sent.message_id, lang)
    elif reply.edit or update.callback_query is None:
        await show(update, context, card)
    else:
        await context.bot.send_message(chat.id, card.text, reply_markup=card.reply_markup())


# Commands ---------------------------------------------------------------------------------


@admin_only
async def broadcast_command(update: Update, context: Context) -> None:
    """/broadcast: write a message, choose who gets it, preview, confirm."""
    await present(update, context, await flows.start_broadcast(await admin_of(update, context)))


@admin_only
async def broadcasts_command(update: Update, context: Context) -> None:
    """/broadcasts: the latest broadcasts and their figures."""
    await present(update, context, await flows.broadcast_list(await admin_of(update, context)))


@admin_only
async def cancel_broadcast_command(update: Update, context: Context) -> None:
    """/cancel_broadcast [id]: stop one at once, or pick from the running and queued ones.

    The id is ASCII digits within the database's range (`routes.parse_ref`; `#12` as lists
    show it is fine too): anything else gets a short explanation, never an `int()` error.
    """
    admin = await admin_of(update, context)
    if context.args:
        broadcast_id = routes.parse_ref(context.args[0].removeprefix("#"))
        if broadcast_id is None:
            note = t(admin.lang, "broadcast.bad_id")
        else:
            outcome, _ = await flows.stop(admin, broadcast_id)
            note = t(admin.lang, f"broadcast.{outcome}", id=broadcast_id)
        await show(update, context, screens.notice(screens.Profile(admin.lang), note))
        return
    await present(update, context, await flows.stop_menu(admin))


@admin_only
async def stats_command(update: Update, context: Context) -> None:
    """/stats: users and subscribers by country, role, language; unmet searches."""
    await present(update, context, await flows.statistics(await admin_of(update, context)))


@admin_only
async def cancel_command(update: Update, context: Context) -> None:
    """/cancel: leave the current admin flow."""
    await present(update, context, await flows.cancel(await admin_of(update, context)))


# A typed reply inside a flow ----------------------------------------------------------------


@admin_only
async def on_flow_message(update: Update, context: Context) -> None:
    """The admin's text for the current step; without a flow, the update goes on to search."""
    admin = await admin_of(update, context)
    flow = await flows.current(admin)
    if flow is None:
        return
    message = update.effective_message
    text = message.text if message is not None else None
    if text is None:
        note = t(admin.lang, "broadcast.text_only")
        reply = flows.Reply(screens.admin_card(admin.lang, "broadcast.title", note))
    elif flow.flow == flows.BROADCAST:
        reply = await flows.broadcast_text(admin, flow, text)
    else:
        reply = await flows.forum_text(admin, flow, text)
    await present(update, context, reply)
    raise ApplicationHandlerStop


# Buttons ----------------------------------------------------------------------------------


async def _stale(update: Update, lang: str) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(t(lang, "broadcast.stale"), show_alert=True)


@admin_only
async def on_broadcast_button(update: Update, context: Context) -> None:
    """Buttons of the broadcast flow (and the shared ❌ / same-text ones)."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    admin = await admin_of(update, context)
    flow = await flows.current(admin)
    reply: flows.Reply | None = None
    toast: str | None = None
    in_broadcast = flow is not None and flow.flow == flows.BROADCAST
    match route:
        case routes.FlowCancel():
            reply = await flows.cancel(admin)
        case routes.FlowTexts(same=same) if flow is not None and in_broadcast:
            reply = await flows.broadcast_same_text(admin, flow, same)
        case routes.FlowTexts(same=same) if flow is not None:
            reply = await flows.forum_same_title(admin, flow, same)
        case routes.BroadcastMenu(level=level) if in_broadcast and (
            level == "root" or level in screens.AUDIENCE_MENUS
        ):
            reply = flows.Reply(
                screens.broadcast_audience_menu(context.services.catalog, admin.lang, level)
            )
        case routes.BroadcastAudience(audience=kind, value=value) if flow and in_broadcast:
            audience = flows.audience_of(context.services, kind, value)
            if audience is not None:
                reply = await flows.broadcast_audience(admin, flow, audience)
        # `ref` is checked by `routes.decode` (ASCII digits, 1…REF_MAX): malformed data never
        # gets here, it is a stale button.
        case routes.BroadcastSend(ref=ref) if query.message is not None:
            reply = await flows.broadcast_send(
                admin, flow, ref, (query.message.chat.id, query.message.message_id)
            )
        case routes.BroadcastLater(ref=ref):
            reply = await flows.broadcast_later(admin, flow, ref)
        case routes.BroadcastReview(ref=ref):
            reply = await flows.broadcast_review(admin, flow, ref)
        case routes.BroadcastAt(ref=ref, option=option) if query.message is not None:
            reply = await flows.broadcast_at(
                admin, flow, ref, option, (query.message.chat.id, query.message.message_id)
            )
        case routes.BroadcastStop(ref=ref) if broadcast_id := routes.parse_ref(ref):
            outcome, reply = await flows.stop(admin, broadcast_id)
            toast = t(admin.lang, f"broadcast.{outcome}", id=broadcast_id)
    if reply is None:
        await _stale(update, admin.lang)
        return
    await query.answer(toast)
    await present(update, context, reply)


def _is_admin_route(data: object) -> bool:
    return isinstance(routes.decode(data if isinstance(data, str) else None), BROADCAST_ROUTES)


def flow_handlers(settings: Settings) -> list[BaseHandler]:
    """The admins' typed replies inside a flow (group FLOW_GROUP); none without admins."""
    if not settings.admin_ids:
        return []
    admins = filters.User(user_id=settings.admin_ids)
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND
    return [MessageHandler(admins & private & ~filters.VIA_BOT, on_flow_message)]


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("broadcast", broadcast_command, filters=only_new),
        CommandHandler("broadcasts", broadcasts_command, filters=only_new),
        CommandHandler("cancel_broadcast", cancel_broadcast_command, filters=only_new),
        CommandHandler("stats", stats_command, filters=only_new),
        CommandHandler("cancel", cancel_command, filters=only_new),
        CallbackQueryHandler(on_broadcast_button, pattern=_is_admin_route),
    ]
