"""/privacy and /forget — and the one place that records a user's presence.

What is stored, and why, is spelt out in /privacy in every language. /forget asks first, then
deletes every row about the user (`bot.store.repo.forget_user`) and PTB's in-memory copies.

`track` runs before every feature (handler group TRACK_GROUP, after the flood guard so dropped
updates write nothing): it keeps `users.last_seen` at most ten minutes stale, clears the
blocked flag when a user writes again, and notes the language of the user's Telegram app
(`users.client_language`, so broadcasts use the language chat replies fall back to). It reads
the row the profile needs anyway, so an ordinary update costs no extra query and writes nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, TypeHandler, filters

from bot import routes, screens
from bot.handlers.browse import stale
from bot.handlers.common import answer_and_show, in_private_chat, is_private, show
from bot.i18n import t, telegram_language
from bot.services import Context, profile_of
from bot.store import repo
from bot.store.profiles import forget_cached, seen

log = logging.getLogger(__name__)

TRACK_GROUP = -5
"""After the flood guard (-10), before the features (0)."""

PRIVACY_ROUTES = (routes.Privacy, routes.ForgetAsk, routes.ForgetYes, routes.ForgetNo)


async def track(update: Update, context: Context) -> None:
    """Note that the user is here (debounced); a storage failure must not cost the answer."""
    user, chat = update.effective_user, update.effective_chat
    store = context.services.store
    if store is None or user is None or user.is_bot or chat is None:
        return  # inline queries carry no chat: they are used in others' chats, not tracked
    if update.my_chat_member is not None or update.chat_member is not None:
        return  # membership changes are handled by `subscriptions.on_my_chat_member`
    try:
        await seen(
            store,
            user.id,
            context,
            private=chat.type == ChatType.PRIVATE,
            client_language=telegram_language(user.language_code),
        )
    except (SQLAlchemyError, OSError) as exc:
        log.warning("could not record last_seen for update %s: %r", update.update_id, exc)


async def privacy_command(update: Update, context: Context) -> None:
    """/privacy: what is stored and why (in groups too: it is no secret)."""
    profile = await profile_of(update, context)
    await show(update, context, screens.privacy(profile, ask=context.services.links.ask_person))


async def forget_command(update: Update, context: Context) -> None:
    """/forget: ask for confirmation first (private chats only)."""
    profile = await profile_of(update, context)
    if await in_private_chat(update, context, profile, "privacy.private_only"):
        await show(update, context, screens.forget_confirm(profile))


async def forget_user(update: Update, context: Context) -> None:
    """Delete everything stored about the user: database rows and PTB's memory of them."""
    user = update.effective_user
    store = context.services.store
    assert user is not None
    assert store is not None
    relay = context.services.relay
    thread = await relay.thread_of(user.id) if relay is not None else None
    async with store.transaction() as session:
        await repo.forget_user(session, user.id)
    if relay is not None and thread is not None:
        await relay.forget(context.bot, thread)
    context.application.drop_user_data(user.id)
    if user.id in context.application.chat_data:
        context.application.drop_chat_data(user.id)
    forget_cached(context, user.id)
    log.info("forgot a user at their request")


async def on_button(update: Update, context: Context) -> None:
    """Privacy buttons: the privacy card, the confirmation, and its Yes / No."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    profile = await profile_of(update, context)
    if not isinstance(route, routes.Privacy) and not is_private(update):
        await query.answer(t(profile.lang, "privacy.private_only"), show_alert=True)
        return
    match route:
        case routes.Privacy():
            card = screens.privacy(profile, ask=context.services.links.ask_person)
        case routes.ForgetAsk():
            card = screens.forget_confirm(profile)
        case routes.ForgetYes():
            await forget_user(update, context)
            card = screens.notice(profile, t(profile.lang, "privacy.forgotten"), home_button=False)
        case routes.ForgetNo():
            card = screens.privacy(
                profile,
                notice=t(profile.lang, "privacy.kept"),
                ask=context.services.links.ask_person,
            )
        case _:
            await stale(update, context)
            return
    await answer_and_show(update, context, card)


def _is_privacy(data: object) -> bool:
    return isinstance(routes.decode(data if isinstance(data, str) else None), PRIVACY_ROUTES)


def handlers() -> dict[int, list[BaseHandler]]:
    only_new = filters.UpdateType.MESSAGE
    return {
        TRACK_GROUP: [TypeHandler(Update, track)],
        0: [
            CommandHandler("privacy", privacy_command, filters=only_new),
            CommandHandler("forget", forget_command, filters=only_new),
            CallbackQueryHandler(on_button, pattern=_is_privacy),
        ],
    }
