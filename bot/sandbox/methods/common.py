"""Building blocks shared by the message-producing methods."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import telegram
from telegram import InlineKeyboardMarkup, MessageEntity

from ..errors import bad_request
from ..markup import ReplyMarkup, parse_reply_markup
from ..objects import message_from_api, timestamp, to_api
from ..params import Params
from ..state import ChatRecord, StoredMessage, UserRecord
from ..text import FormattedText

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator


def reply_markup_param(p: Params, *, inline_only: bool = False) -> ReplyMarkup:
    """The ``reply_markup`` parameter, validated."""
    raw = p.json_value("reply_markup", "can't parse reply keyboard markup JSON object")
    return parse_reply_markup(raw, inline_only=inline_only)


def text_param(
    emu: BotApiEmulator, p: Params, *, field: str, mode_field: str, entities_field: str
) -> FormattedText:
    """Format ``field`` with its ``parse_mode`` and ``entities`` siblings."""
    entities = p.json_value(entities_field, "can't parse entities JSON object")
    if field == "caption":
        return emu.format_text(p.text(field), p.raw(mode_field), entities, kind="caption")
    return emu.format_text(p.text(field), p.raw(mode_field), entities)


def entities_or_none(entities: Sequence[MessageEntity]) -> tuple[MessageEntity, ...] | None:
    """PTB wants ``None`` rather than an empty tuple for absent entity lists."""
    return tuple(entities) or None


def reply_target(emu: BotApiEmulator, chat: ChatRecord, p: Params) -> dict[str, Any] | None:
    """The message being replied to (``reply_parameters`` or legacy ``reply_to_message_id``)."""
    params = p.json_value("reply_parameters", "can't parse reply parameters JSON object")
    message_id = 0
    allow_missing = p.flag("allow_sending_without_reply")
    target_chat = chat
    if isinstance(params, dict):
        message_id = int(params.get("message_id") or 0)
        allow_missing = bool(params.get("allow_sending_without_reply", allow_missing))
        if params.get("chat_id") not in (None, ""):
            target_chat = emu.state.find_chat(str(params["chat_id"]))
    elif params is not None:
        raise bad_request("object expected as reply parameters")
    else:
        message_id = p.integer("reply_to_message_id")
    if message_id <= 0:
        return None
    stored = emu.state.get_message(target_chat, message_id)
    if stored is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return quoted(stored)


def quoted(stored: StoredMessage) -> dict[str, Any]:
    """A message as embedded in ``reply_to_message`` (Telegram nests only one level)."""
    return {key: value for key, value in stored.data.items() if key != "reply_to_message"}


def requested_thread(chat: ChatRecord, p: Params) -> int | None:
    """``message_thread_id`` checked like the Bot API does before anything else.

    Outside forums the parameter is ignored (as Telegram ignores it in ordinary
    groups); in a forum, General (1), unknown and deleted topics are all "not found".
    """
    thread_id = p.integer("message_thread_id")
    if not chat.is_forum or thread_id <= 0:
        return None
    if chat.live_topic(thread_id) is None:
        raise bad_request("message thread not found")
    return thread_id


def settled_thread(
    chat: ChatRecord, thread_id: int | None, reply_to: dict[str, Any] | None
) -> int | None:
    """The topic a new bot message lands in; closed topics refuse it server-side.

    A reply without ``message_thread_id`` goes to the replied message's topic, which
    is why replying to a message in a closed topic answers TOPIC_CLOSED too.
    """
    inherited = (
        thread_id is None
        and reply_to is not None
        and bool(reply_to.get("is_topic_message"))
        and (reply_to.get("chat") or {}).get("id") == chat.id
    )
    if inherited:
        assert reply_to is not None
        thread_id = int(reply_to["message_thread_id"])
    if thread_id is None:
        return None
    topic = chat.live_topic(thread_id)
    if topic is None:
        if inherited:  # an injected message's topic the sandbox never saw being created
            return thread_id
        raise bad_request("message thread not found")
    if topic.closed:
        raise bad_request("TOPIC_CLOSED")
    return thread_id


def thread_and_reply(
    emu: BotApiEmulator, chat: ChatRecord, p: Params
) -> tuple[int | None, dict[str, Any] | None]:
    """Where a new bot message goes: its topic and the message it replies to."""
    thread_id = requested_thread(chat, p)
    reply_to = reply_target(emu, chat, p)
    return settled_thread(chat, thread_id, reply_to), reply_to


def implicit_reply(chat: ChatRecord, thread_id: int, message_id: int) -> dict[str, Any] | None:
    """Telegram's quirk: a topic message that replies to nothing "replies" to the topic's
    creation service message (whose own id is the thread id, so it is the exception)."""
    if message_id <= thread_id:
        return None
    stored = chat.messages.get(thread_id)
    return quoted(stored) if stored is not None and not stored.deleted else None


def compose_message(
    chat: ChatRecord,
    sender: UserRecord,
    *,
    text: FormattedText | None = None,
    caption: FormattedText | None = None,
    inline_markup: dict[str, Any] | None = None,
    reply_to: dict[str, Any] | None = None,
    document: telegram.Document | None = None,
    photo: Sequence[telegram.PhotoSize] | None = None,
    location: telegram.Location | None = None,
    voice: telegram.Voice | None = None,
    via_bot: UserRecord | None = None,
    message_id: int | None = None,
    thread_id: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A new message as Telegram returns it, built from PTB classes.

    ``extra`` carries the rarer ``Message`` fields (service payloads, ``forward_origin``,
    ``has_protected_content``) so they are still checked by PTB's constructor.
    """
    is_channel = chat.type == "channel"
    if message_id is None:
        message_id = chat.take_message_id()
    if thread_id is not None and reply_to is None:
        reply_to = implicit_reply(chat, thread_id, message_id)
    message = telegram.Message(
        message_id=message_id,
        date=timestamp(int(time.time())),
        chat=chat.to_ptb(),
        from_user=None if is_channel else sender.to_ptb(),
        sender_chat=chat.to_ptb() if is_channel else None,
        text=text.text if text else None,
        entities=entities_or_none(text.entities) if text else None,
        caption=caption.text if caption and caption.text else None,
        caption_entities=entities_or_none(caption.entities) if caption else None,
        reply_markup=InlineKeyboardMarkup.de_json(inline_markup, None) if inline_markup else None,
        location=location,
        reply_to_message=message_from_api(reply_to) if reply_to else None,
        document=document,
        photo=tuple(photo) if photo else None,
        voice=voice,
        via_bot=via_bot.to_ptb() if via_bot else None,
        message_thread_id=thread_id,
        is_topic_message=True if thread_id is not None else None,
        **(extra or {}),
    )
    return to_api(message)


def store_bot_message(
    emu: BotApiEmulator,
    chat: ChatRecord,
    data: dict[str, Any],
    *,
    source: str | None,
    parse_mode: str | None,
    markup: ReplyMarkup,
    file_id: str | None = None,
) -> dict[str, Any]:
    """Record a message the bot sent (emits the 'sent' event) and return it."""
    emu.state.store_message(
        StoredMessage(
            chat_id=chat.id,
            message_id=data["message_id"],
            data=data,
            from_bot=True,
            source=source,
            parse_mode=parse_mode,
            reply_keyboard=markup.other,
            file_id=file_id,
        )
    )
    return data


def sendable_chat(emu: BotApiEmulator, p: Params) -> ChatRecord:
    """Resolve ``chat_id`` and apply the 403 rules (blocked, kicked, never started)."""
    chat = emu.state.find_chat(p.text("chat_id"))
    emu.state.check_can_send(chat)
    return chat


def target_message(emu: BotApiEmulator, p: Params, *, purpose: str = "edit") -> StoredMessage:
    """The message an edit refers to: ``chat_id``+``message_id`` or ``inline_message_id``."""
    if not p.has("chat_id") and p.integer("message_id") == 0:
        inline_id = p.text("inline_message_id")
        if not inline_id:
            raise bad_request("message identifier is not specified")
        stored = emu.state.inline_messages.get(inline_id)
        if stored is None:
            raise bad_request("MESSAGE_ID_INVALID")
        return stored
    chat = emu.state.find_chat(p.text("chat_id"))
    emu.state.check_can_send(chat)
    stored = emu.state.get_message(chat, p.integer("message_id"))
    if stored is None:
        raise bad_request(f"message to {purpose} not found")
    if not stored.from_bot or stored.service:
        raise bad_request(f"message can't be {purpose}ed")
    return stored
