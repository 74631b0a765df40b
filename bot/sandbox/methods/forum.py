"""Forum topics: createForumTopic, editForumTopic, close/reopen/deleteForumTopic.

The Bot API server hands these straight to TDLib, so the checks, their order and
their wording are TDLib's (``ForumTopicManager``) after the Bot API's
first-letter lowercasing, plus the server's own ``TOPIC_*`` codes. A topic's id
is the message_id of its ``forum_topic_created`` service message, and every
change posts the service message Telegram posts, stored in the chat so replies
and the "reply to the topic's first message" quirk work. The bot gets no update
for its own service messages.

The helpers at the top are shared with the control API (people creating and
closing topics), which turns the ``ApiError`` into a ``SandboxError``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import telegram

from ..errors import bad_request
from ..objects import to_api
from ..params import Params
from ..state import (
    MAX_TOPIC_NAME_LENGTH,
    TOPIC_ICON_COLORS,
    ChatRecord,
    StoredMessage,
    TopicRecord,
    UserRecord,
    WorldState,
)
from .common import compose_message, sendable_chat
from .registry import api_method

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator

NAME_EMPTY = "title must be non-empty"
NAME_TOO_LONG = (
    f"topic name is longer than {MAX_TOPIC_NAME_LENGTH} characters "
    "(sandbox strict mode; Telegram silently cuts it)"
)
COLOR_INVALID = "invalid icon color specified"
COLOR_UNDOCUMENTED = (
    "invalid icon color specified (sandbox strict mode; use one of "
    + ", ".join(str(color) for color in TOPIC_ICON_COLORS)
    + ")"
)
NOT_MODIFIED = "TOPIC_NOT_MODIFIED"
TOPIC_INVALID = "TOPIC_ID_INVALID"

# TDLib's clean_input_string + strip_empty_characters + clean_name, in that order.
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f]")
_REMOVED = re.compile("[\r\u2028-\u202e\u030a\u0333\u033f]")
_SPACE_LIKE = re.compile(
    "[\u1680\u180e\u2000-\u200a\u202f\u205f\u2800\u3000\ufffc\U000e0000-\U000e007f]"
)
_INVISIBLE = frozenset(" \n\u200b\u200c\u200d\u200e\u200f\ufeff\u00a0")
_RUNS = re.compile("[ \n\u00a0]+")


def clean_topic_name(raw: str, *, strict: bool) -> str:
    """The name Telegram stores, or "" when nothing visible is left.

    Telegram turns control and exotic space characters into spaces, collapses runs
    of spaces and trims; a name that is still longer than 128 characters is cut,
    which ``strict`` refuses instead so a bot cannot lose the end of a name unseen.
    """
    text = _SPACE_LIKE.sub(" ", _REMOVED.sub("", _CONTROL.sub(" ", raw))).strip(" \n")
    if all(char in _INVISIBLE for char in text):
        return ""
    if len(text) > MAX_TOPIC_NAME_LENGTH:
        if strict:
            raise bad_request(NAME_TOO_LONG)
        text = text[:MAX_TOPIC_NAME_LENGTH]
    return _RUNS.sub(" ", text).strip(" ")


def checked_icon_color(color: int, *, strict: bool) -> int:
    """0 (the Bot API's "not given") means Telegram's default colour.

    TDLib only refuses values outside 0..0xFFFFFF; ``strict`` also refuses the
    in-range colours Telegram does not document.
    """
    if color == 0:
        return TOPIC_ICON_COLORS[0]
    if not 0 <= color <= 0xFFFFFF:
        raise bad_request(COLOR_INVALID)
    if strict and color not in TOPIC_ICON_COLORS:
        raise bad_request(COLOR_UNDOCUMENTED)
    return color


def custom_emoji_id(raw: str | None) -> str | None:
    """The Bot API reads the id as an integer: garbage and 0 mean "no custom icon"."""
    match = re.match(r"^\s*(\d+)", raw or "")
    number = int(match.group(1)) if match else 0
    return str(number) if number > 0 else None


def post_topic_service(
    state: WorldState,
    chat: ChatRecord,
    thread_id: int,
    actor: UserRecord,
    *,
    message_id: int | None = None,
    **payload: telegram.TelegramObject,
) -> dict[str, Any]:
    """Store the service message a topic change produces (the caller decides on updates)."""
    data = compose_message(chat, actor, message_id=message_id, thread_id=thread_id, extra=payload)
    state.store_message(
        StoredMessage(
            chat_id=chat.id,
            message_id=data["message_id"],
            data=data,
            from_bot=actor.id == state.bot.id,
            service=True,
        )
    )
    return data


def open_topic(
    state: WorldState,
    chat: ChatRecord,
    creator: UserRecord,
    name: str,
    icon_color: int,
    icon_custom_emoji_id: str | None,
) -> tuple[TopicRecord, dict[str, Any]]:
    """A new topic whose id is the id of the ``forum_topic_created`` message announcing it."""
    message_id = chat.take_message_id()
    topic = TopicRecord(
        message_thread_id=message_id,
        name=name,
        icon_color=icon_color,
        icon_custom_emoji_id=icon_custom_emoji_id,
        created_by=creator.id,
    )
    chat.topics[message_id] = topic
    created = telegram.ForumTopicCreated(
        name=name, icon_color=icon_color, icon_custom_emoji_id=icon_custom_emoji_id
    )
    data = post_topic_service(
        state, chat, message_id, creator, message_id=message_id, forum_topic_created=created
    )
    return topic, data


def set_topic_closed(
    state: WorldState, chat: ChatRecord, topic: TopicRecord, actor: UserRecord, *, closed: bool
) -> dict[str, Any]:
    """Close or reopen; doing it twice is TOPIC_NOT_MODIFIED, as the server answers."""
    if topic.closed == closed:
        raise bad_request(NOT_MODIFIED)
    topic.closed = closed
    thread_id = topic.message_thread_id
    if closed:
        return post_topic_service(
            state, chat, thread_id, actor, forum_topic_closed=telegram.ForumTopicClosed()
        )
    return post_topic_service(
        state, chat, thread_id, actor, forum_topic_reopened=telegram.ForumTopicReopened()
    )


def edit_topic(
    state: WorldState,
    chat: ChatRecord,
    topic: TopicRecord,
    actor: UserRecord,
    *,
    name: str | None,
    edit_icon: bool,
    icon_custom_emoji_id: str | None,
) -> dict[str, Any]:
    """Rename and/or change the icon; the service message names only what changed."""
    new_name = name if name is not None and name != topic.name else None
    icon_changed = edit_icon and icon_custom_emoji_id != topic.icon_custom_emoji_id
    if new_name is None and not icon_changed:
        raise bad_request(NOT_MODIFIED)
    if new_name is not None:
        topic.name = new_name
    if icon_changed:
        topic.icon_custom_emoji_id = icon_custom_emoji_id
    edited = telegram.ForumTopicEdited(
        name=new_name,
        # Telegram reports a removed icon as an empty string
        icon_custom_emoji_id=(icon_custom_emoji_id or "") if icon_changed else None,
    )
    return post_topic_service(
        state, chat, topic.message_thread_id, actor, forum_topic_edited=edited
    )


def remove_topic(state: WorldState, chat: ChatRecord, topic: TopicRecord) -> None:
    """The topic and all its messages disappear (no service message, no update)."""
    topic.deleted = True
    for stored in chat.thread_messages(topic.message_thread_id):
        if not stored.deleted:
            state.delete_message(stored)


# -- Bot API methods ------------------------------------------------------------------------


def _forum(emu: BotApiEmulator, p: Params) -> ChatRecord:
    chat = sendable_chat(emu, p)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


def _known_topic(
    emu: BotApiEmulator, chat: ChatRecord, p: Params, denied: str
) -> TopicRecord | None:
    """The live topic, after TDLib's rights check (which only applies to topics it knows).

    Without admin rights a bot may still manage the topics it created itself.
    """
    thread_id = p.integer("message_thread_id")
    topic = chat.live_topic(thread_id) if thread_id > 0 else None
    bot_id = emu.state.bot.id
    if topic is not None and not chat.is_admin(bot_id) and topic.created_by != bot_id:
        raise bad_request(denied)
    return topic


def _existing(topic: TopicRecord | None) -> TopicRecord:
    if topic is None:
        raise bad_request(TOPIC_INVALID)
    return topic


@api_method("createForumTopic")
async def create_forum_topic(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """A topic created by the bot (an admin); answers ``ForumTopic``."""
    chat = _forum(emu, p)
    if not chat.is_admin(emu.state.bot.id):
        raise bad_request("not enough rights to create a topic")
    strict = emu.config.strict_topics
    name = clean_topic_name(p.text("name"), strict=strict)
    if not name:
        raise bad_request(NAME_EMPTY)
    color = checked_icon_color(p.integer("icon_color"), strict=strict)
    emoji = custom_emoji_id(p.raw("icon_custom_emoji_id"))
    topic, _ = open_topic(emu.state, chat, emu.state.bot, name, color, emoji)
    return to_api(topic.to_ptb())


@api_method("editForumTopic")
async def edit_forum_topic(emu: BotApiEmulator, p: Params) -> bool:
    """Rename or re-icon a topic; with neither ``name`` nor ``icon_custom_emoji_id`` it is a
    no-op that TDLib answers ``true`` without asking the server (even for unknown topics)."""
    chat = _forum(emu, p)
    topic = _known_topic(emu, chat, p, "not enough rights to edit the topic")
    raw_name = p.text("name")
    name: str | None = None
    if raw_name:
        name = clean_topic_name(raw_name, strict=emu.config.strict_topics)
        if not name:
            raise bad_request(NAME_EMPTY)
    edit_icon = p.raw("icon_custom_emoji_id") is not None
    if name is None and not edit_icon:
        return True
    edit_topic(
        emu.state,
        chat,
        _existing(topic),
        emu.state.bot,
        name=name,
        edit_icon=edit_icon,
        icon_custom_emoji_id=custom_emoji_id(p.raw("icon_custom_emoji_id")),
    )
    return True


async def _toggle_closed(emu: BotApiEmulator, p: Params, *, closed: bool) -> bool:
    chat = _forum(emu, p)
    topic = _existing(_known_topic(emu, chat, p, "not enough rights to close or open the topic"))
    set_topic_closed(emu.state, chat, topic, emu.state.bot, closed=closed)
    return True


@api_method("closeForumTopic")
async def close_forum_topic(emu: BotApiEmulator, p: Params) -> bool:
    """Close a topic: from now on the bot's sends there answer TOPIC_CLOSED."""
    return await _toggle_closed(emu, p, closed=True)


@api_method("reopenForumTopic")
async def reopen_forum_topic(emu: BotApiEmulator, p: Params) -> bool:
    """Reopen a closed topic."""
    return await _toggle_closed(emu, p, closed=False)


@api_method("deleteForumTopic")
async def delete_forum_topic(emu: BotApiEmulator, p: Params) -> bool:
    """Delete a topic with all its messages (needs can_delete_messages unless the bot made it)."""
    chat = _forum(emu, p)
    topic = _existing(_known_topic(emu, chat, p, "not enough rights to delete the topic"))
    remove_topic(emu.state, chat, topic)
    return True
