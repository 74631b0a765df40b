"""Subscriptions: /subscribe, /unsubscribe, /mysubscriptions, the 🔔 on cards; who can be reached.

Subscriptions belong to a chat — a user's private chat, or a group, which only the group's
administrators may change. Whether a chat can still be reached is learnt from Telegram:
`my_chat_member` updates (the user blocked/unblocked the bot, the bot was removed/added) and
403 answers (`mark_unreachable`, called by the error handler); a group upgraded to a
supergroup takes its subscriptions to the new id.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Chat, ChatMember, Update
from telegram.constants import CallbackQueryLimit, ChatMemberStatus, ChatType
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import routes, screens
from bot.cards import Card
from bot.catalog.models import Event, Program
from bot.handlers.browse import stale
from bot.handlers.common import answer_and_show, show
from bot.i18n import t
from bot.services import Context, profile_of
from bot.store import ChatInfo, Store, Topic, repo
from bot.store.topics import for_item

log = logging.getLogger(__name__)

MENU_ROUTES = (routes.MySubscriptions, routes.SubscribeMenu, routes.UnsubscribeMenu)
SUBSCRIPTION_ROUTES = (*MENU_ROUTES, routes.PickTopic, routes.DropTopic, routes.CardSubscribe)
MANAGERS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
ANSWERS = {
    (True, True): "subscribed",
    (True, False): "already",
    (False, True): "unsubscribed",
    (False, False): "not_subscribed",
}
"""(subscribe?, changed?) → the `subs.*` string the button press is answered with."""
ANSWER_MAX = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH


def _store(context: Context) -> Store:
    store = context.services.store
    if store is None:
        raise RuntimeError("subscriptions need the database (Services.store)")
    return store


def chat_info(chat: Chat, lang: str) -> ChatInfo:
    """What we keep of a chat: a group's title, never a private chat's (a person's name)."""
    title = None if chat.type == ChatType.PRIVATE else chat.title
    return ChatInfo(chat.id, chat.type, title, lang)


def _is_group(chat: Chat) -> bool:
    return chat.type != ChatType.PRIVATE


async def may_manage(update: Update, context: Context) -> bool:
    """Anyone in a private chat; in a group, its creator and administrators only.

    An anonymous administrator's command comes from the group itself (`sender_chat`).
    """
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in MANAGERS


async def _topics(store: Store, chat_id: int) -> list[str]:
    async with store.readers() as session:
        return await repo.topics_of(session, chat_id)


def _toast(text: str) -> str:
    return text if len(text) <= ANSWER_MAX else text[: ANSWER_MAX - 1] + "…"


# Commands ---------------------------------------------------------------------------------


async def subscribe_command(update: Update, context: Context) -> None:
    """/subscribe: the topic picker (group admins only in groups)."""
    await _menu_command(update, context, routes.SubscribeMenu())


async def unsubscribe_command(update: Update, context: Context) -> None:
    """/unsubscribe: the chat's current topics, one tap each to remove."""
    await _menu_command(update, context, routes.UnsubscribeMenu())


async def my_subscriptions_command(update: Update, context: Context) -> None:
    """/mysubscriptions: what this chat gets news about (anyone may look)."""
    await _menu_command(update, context, routes.MySubscriptions())


async def _menu_command(update: Update, context: Context, route: routes.Route) -> None:
    chat = update.effective_chat
    assert chat is not None
    profile = await profile_of(update, context)
    if not isinstance(route, routes.MySubscriptions) and not await may_manage(update, context):
        await show(update, context, screens.notice(profile, t(profile.lang, "subs.admins_only")))
        return
    current = await _topics(_store(context), chat.id)
    await show(update, context, _menu(route, context, profile, current, _is_group(chat)))


def _menu(
    route: routes.Route,
    context: Context,
    profile: screens.Profile,
    current: list[str],
    group: bool,
) -> Card:
    catalog = context.services.catalog
    if isinstance(route, routes.SubscribeMenu | routes.PickTopic):
        return screens.subscribe_menu(catalog, profile, current, group=group)
    if isinstance(route, routes.UnsubscribeMenu | routes.DropTopic):
        return screens.unsubscribe_menu(catalog, profile, current, group=group)
    return screens.my_subscriptions(catalog, profile, current, group=group)


# Buttons ----------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    """A subscription button: check who may act, change the subscription, redraw in place."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    profile = await profile_of(update, context)
    chat = update.effective_chat
    if chat is None:  # a card shared through inline mode: no chat to subscribe here
        await query.answer(t(profile.lang, "subs.open_private"), show_alert=True)
        return
    change = None if isinstance(route, MENU_ROUTES) else _change(route, context)
    if route is None or (change is None and not isinstance(route, MENU_ROUTES)):
        await stale(update, context)
        return
    if not isinstance(route, routes.MySubscriptions) and not await may_manage(update, context):
        await query.answer(t(profile.lang, "subs.admins_only"), show_alert=True)
        return
    if change is None:
        current = await _topics(_store(context), chat.id)
        menu = _menu(route, context, profile, current, _is_group(chat))
        await answer_and_show(update, context, menu)
        return
    topic, on = change
    changed, current = await _apply(update, context, chat, profile, topic, on)
    key = ANSWERS[on, changed]
    label = screens.topic_label(context.services.catalog, profile.lang, topic)
    await query.answer(_toast(t(profile.lang, f"subs.{key}", topic=label)))
    if isinstance(route, routes.CardSubscribe):
        services = context.services
        card = screens.item_card(
            services.catalog,
            profile,
            route.item_id,
            services.links,
            subscribed=topic.key in current,
        )
        assert card is not None  # `_change` found the item
    else:
        card = _menu(route, context, profile, current, _is_group(chat))
    await show(update, context, card)


async def _apply(
    update: Update,
    context: Context,
    chat: Chat,
    profile: screens.Profile,
    topic: Topic,
    on: bool,
) -> tuple[bool, list[str]]:
    """Subscribe or unsubscribe; returns (whether anything changed, the chat's topics now)."""
    async with _store(context).transaction() as session:
        if on:
            user = update.effective_user
            changed = await repo.subscribe(
                session,
                chat_info(chat, profile.lang),
                topic.key,
                by_user=user.id if user else None,
            )
        else:
            changed = await repo.unsubscribe(session, chat.id, topic.key)
        return changed, await repo.topics_of(session, chat.id)


def _topic_of_card(route: routes.CardSubscribe, context: Context) -> Topic | None:
    catalog = context.services.catalog
    item = catalog.programs.get(route.item_id) or catalog.events.get(route.item_id)
    return for_item(item) if isinstance(item, Program | Event) else None


def _change(route: routes.Route | None, context: Context) -> tuple[Topic, bool] | None:
    """The (topic, subscribe?) a button asks for; None for menus and for anything stale.

    Subscribing is limited to what the menus offer (and events that exist), so a forged
    button cannot fill the table with topics nobody will ever send.
    """
    match route:
        case routes.PickTopic(topic=code, on=on):
            topic = Topic.from_code(code)
            offered = screens.subscription_topics(context.services.catalog)
            if topic is None or (on and topic not in offered):
                return None
            return topic, on
        case routes.DropTopic(topic=code):
            topic = Topic.from_code(code)
            return (topic, False) if topic is not None else None
        case routes.CardSubscribe(on=on):
            card_topic = _topic_of_card(route, context)
            return (card_topic, on) if card_topic is not None else None
    return None


# Who can be reached -----------------------------------------------------------------------


def _present(member: ChatMember) -> bool:
    """Whether the bot can write there: a member (restricted or not) or an administrator."""
    if member.status in (*MANAGERS, ChatMemberStatus.MEMBER):
        return True
    restricted = member.status == ChatMemberStatus.RESTRICTED
    return restricted and bool(getattr(member, "is_member", False))


async def on_my_chat_member(update: Update, context: Context) -> None:
    """The user blocked or unblocked the bot, or a group removed or re-added it."""
    change = update.my_chat_member
    assert change is not None
    before, after = _present(change.old_chat_member), _present(change.new_chat_member)
    if before == after:
        return
    store = _store(context)
    async with store.transaction() as session:
        await repo.set_blocked(session, change.chat.id, not after)
    log.info("chat %s is %s", change.chat.id, "reachable again" if after else "unreachable")


async def mark_unreachable(update: Update, context: Context) -> None:
    """Telegram answered 403 for this update's chat: stop sending there until it comes back."""
    chat = update.effective_chat
    store = context.services.store
    if chat is None or store is None:
        return
    try:
        async with store.transaction() as session:
            await repo.set_blocked(session, chat.id, True)
    except (SQLAlchemyError, OSError) as exc:  # called from the error handler: never raise
        log.warning("could not mark chat %s unreachable: %r", chat.id, exc)


async def chat_migrated(context: Context, old_id: int, new_id: int) -> int:
    """Move a group's subscriptions (and in-memory chat_data) to its supergroup id."""
    store = _store(context)
    async with store.transaction() as session:
        moved = await repo.migrate_chat(session, old_id, new_id)
    if old_id in context.application.chat_data:
        context.application.migrate_chat_data(old_chat_id=old_id, new_chat_id=new_id)
    log.info("chat %s migrated to %s (%d subscriptions moved)", old_id, new_id, moved)
    return moved


async def on_migrate(update: Update, context: Context) -> None:
    """Service messages of a group → supergroup upgrade (both sides arrive; either suffices)."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        await chat_migrated(context, message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await chat_migrated(context, message.migrate_from_chat_id, message.chat.id)


def _is_subscription(data: object) -> bool:
    return isinstance(routes.decode(data if isinstance(data, str) else None), SUBSCRIPTION_ROUTES)


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("subscribe", subscribe_command, filters=only_new),
        CommandHandler("unsubscribe", unsubscribe_command, filters=only_new),
        CommandHandler("mysubscriptions", my_subscriptions_command, filters=only_new),
        CallbackQueryHandler(on_button, pattern=_is_subscription),
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate),
    ]
