"""copyMessage(s) and forwardMessage(s).

A copy is a brand-new bot message with the source's content and no trace of
where it came from; a forward carries ``forward_origin`` (plus the pre-7.0
``forward_*`` fields the Bot API server still sends). The order of checks is the
server's: the source message first, then the target chat, topic and reply.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import telegram

from ..errors import bad_request, bad_request_td
from ..markup import ReplyMarkup
from ..objects import (
    LEGACY_FORWARD_FIELDS,
    SERVICE_FIELDS,
    normalize_message,
    timestamp,
    to_api,
)
from ..params import Params
from ..state import ChatRecord, StoredMessage
from ..text import FormattedText
from .common import (
    compose_message,
    reply_markup_param,
    requested_thread,
    sendable_chat,
    settled_thread,
    store_bot_message,
    text_param,
    thread_and_reply,
)
from .registry import api_method

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator

CONTENT_KINDS = (
    "text",
    "animation",
    "audio",
    "document",
    "photo",
    "sticker",
    "video",
    "video_note",
    "voice",
    "contact",
    "dice",
    "poll",
    "venue",
    "location",
)
"""What a bot can copy or forward; anything else (service messages...) is refused."""

_CONTENT_FIELDS = (
    *CONTENT_KINDS,
    "entities",
    "link_preview_options",
    "caption",
    "caption_entities",
    "show_caption_above_media",
    "has_media_spoiler",
)
_CAPTIONED = ("animation", "audio", "document", "photo", "video", "voice")
_FILE_KINDS = ("animation", "audio", "document", "sticker", "video", "video_note", "voice")


def _source(
    emu: BotApiEmulator, p: Params, message_id: int, *, missing: str, refused: str
) -> StoredMessage:
    """The message to copy/forward, or Telegram's 400 for a missing or service message."""
    stored = _source_or_none(emu, _source_chat(emu, p), message_id)
    if stored is None:
        raise bad_request(missing)
    if not _copyable(stored):
        raise bad_request(refused)
    return stored


def _source_chat(emu: BotApiEmulator, p: Params) -> ChatRecord:
    raw = p.text("from_chat_id")
    if not raw.strip():
        raise bad_request_td('Parameter "from_chat_id" is required')
    return emu.state.find_chat(raw)


def _source_or_none(emu: BotApiEmulator, chat: ChatRecord, message_id: int) -> StoredMessage | None:
    return emu.state.get_message(chat, message_id) if message_id > 0 else None


def _copyable(stored: StoredMessage) -> bool:
    data = stored.data
    if stored.service or any(key in data for key in SERVICE_FIELDS):
        return False
    return any(kind in data for kind in CONTENT_KINDS)


def content_of(data: dict[str, Any], caption: FormattedText | None = None) -> dict[str, Any]:
    """The source's content fields; ``caption`` (if given) replaces a media caption."""
    content = {key: copy.deepcopy(data[key]) for key in _CONTENT_FIELDS if key in data}
    if caption is not None and any(kind in data for kind in _CAPTIONED):
        content.pop("caption", None)
        content.pop("caption_entities", None)
        if caption.text:
            content["caption"] = caption.text
        entities = caption.entities_json()
        if entities:
            content["caption_entities"] = entities
    return content


def file_id_of(data: dict[str, Any]) -> str | None:
    """The file behind a media message (the largest photo size for photos)."""
    photo = data.get("photo")
    if photo:
        return str(photo[-1]["file_id"])
    for kind in _FILE_KINDS:
        if kind in data:
            return str(data[kind]["file_id"])
    return None


def _protection(p: Params) -> dict[str, Any]:
    return {"has_protected_content": True} if p.flag("protect_content") else {}


def _store_copy(
    emu: BotApiEmulator,
    chat: ChatRecord,
    data: dict[str, Any],
    *,
    caption: FormattedText | None,
    markup: ReplyMarkup,
) -> dict[str, Any]:
    data = normalize_message(data)
    return store_bot_message(
        emu,
        chat,
        data,
        source=caption.source if caption is not None and caption.text else None,
        parse_mode=caption.parse_mode if caption is not None else None,
        markup=markup,
        file_id=file_id_of(data),
    )


def _caption_override(emu: BotApiEmulator, p: Params) -> FormattedText | None:
    """``caption`` replaces the caption whenever it is present (empty removes it)."""
    if p.raw("caption") is None:
        return None
    return text_param(
        emu, p, field="caption", mode_field="parse_mode", entities_field="caption_entities"
    )


@api_method("copyMessage")
async def copy_message(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Copy any content message; answers only ``MessageId`` like Telegram."""
    caption = _caption_override(emu, p)
    source = _source(
        emu,
        p,
        p.integer("message_id"),
        missing="message to copy not found",
        refused="message can't be copied",
    )
    markup = reply_markup_param(p)
    chat = sendable_chat(emu, p)
    thread_id, reply_to = thread_and_reply(emu, chat, p)
    data = compose_message(
        chat,
        emu.state.bot,
        inline_markup=markup.inline,
        reply_to=reply_to,
        thread_id=thread_id,
        extra=_protection(p),
    )
    data.update(content_of(source.data, caption))
    stored = _store_copy(emu, chat, data, caption=caption, markup=markup)
    return to_api(telegram.MessageId(message_id=stored["message_id"]))


def forward_origin(emu: BotApiEmulator, stored: StoredMessage) -> dict[str, Any]:
    """``forward_origin`` and the legacy ``forward_*`` fields for a forward of ``stored``.

    Forwarding a forward keeps the original origin, as Telegram does; a user who hides
    forwards appears by name only.
    """
    data = stored.data
    if "forward_origin" in data:
        keep = ("forward_origin", *sorted(LEGACY_FORWARD_FIELDS))
        return {key: copy.deepcopy(data[key]) for key in keep if key in data}
    date = timestamp(int(data["date"]))
    chat = emu.state.chats[stored.chat_id]
    signature = data.get("author_signature")
    legacy: dict[str, Any] = {}
    origin: telegram.MessageOrigin
    if chat.type == "channel":
        origin = telegram.MessageOriginChannel(
            date=date, chat=chat.to_ptb(), message_id=stored.message_id, author_signature=signature
        )
        legacy = {
            "forward_from_chat": to_api(chat.to_ptb()),
            "forward_from_message_id": stored.message_id,
        }
    elif "sender_chat" in data:
        sender_chat = telegram.Chat.de_json(data["sender_chat"], None)
        assert sender_chat is not None
        origin = telegram.MessageOriginChat(
            date=date, sender_chat=sender_chat, author_signature=signature
        )
        legacy = {"forward_from_chat": copy.deepcopy(data["sender_chat"])}
    else:
        sender = data.get("from") or {}
        user = emu.state.users.get(int(sender.get("id", 0)))
        if user is not None and user.hides_forwards:
            origin = telegram.MessageOriginHiddenUser(date=date, sender_user_name=user.full_name)
            legacy = {"forward_sender_name": user.full_name}
        else:
            ptb_user = telegram.User.de_json(sender, None)
            assert ptb_user is not None
            origin = telegram.MessageOriginUser(date=date, sender_user=ptb_user)
            legacy = {"forward_from": copy.deepcopy(sender)}
    if signature and "forward_from_chat" in legacy:
        legacy["forward_signature"] = signature
    return {"forward_origin": to_api(origin), **legacy, "forward_date": int(data["date"])}


def _forward(
    emu: BotApiEmulator, p: Params, chat: ChatRecord, thread_id: int | None, source: StoredMessage
) -> dict[str, Any]:
    data = compose_message(chat, emu.state.bot, thread_id=thread_id, extra=_protection(p))
    data.update(content_of(source.data))
    data.update(forward_origin(emu, source))
    return _store_copy(emu, chat, data, caption=None, markup=ReplyMarkup())


@api_method("forwardMessage")
async def forward_message(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Forward a content message; answers the new ``Message`` with ``forward_origin``."""
    source = _source(
        emu,
        p,
        p.integer("message_id"),
        missing="message to forward not found",
        refused="message can't be forwarded",
    )
    chat = sendable_chat(emu, p)
    thread_id = settled_thread(chat, requested_thread(chat, p), None)
    return _forward(emu, p, chat, thread_id, source)


def _message_ids(p: Params) -> list[int]:
    """``message_ids`` parsed with the Bot API server's own errors."""
    if not p.has("message_ids"):
        raise bad_request_td("Message identifiers are not specified")
    value = p.json_value("message_ids", "can't parse message_ids JSON object")
    if not isinstance(value, list):
        raise bad_request_td("Expected an Array of message identifiers")
    if len(value) > 100:
        raise bad_request_td("Too many message identifiers specified")
    if not value:
        raise bad_request_td("Message identifiers are not specified")
    ids: list[int] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise bad_request_td("Message identifier must be a Number")
        try:
            number = int(item)
        except ValueError:
            raise bad_request_td("Can't parse message identifier as a Number") from None
        if number <= 0:
            raise bad_request_td("Invalid message identifier specified")
        ids.append(number)
    return ids


def _batch(
    emu: BotApiEmulator, p: Params
) -> tuple[ChatRecord, int | None, Iterable[StoredMessage]]:
    """Target first, then the sources: missing and uncopyable messages are skipped."""
    ids = _message_ids(p)
    chat = sendable_chat(emu, p)
    thread_id = settled_thread(chat, requested_thread(chat, p), None)
    source_chat = _source_chat(emu, p)
    seen: set[int] = set()
    sources: list[StoredMessage] = []
    for message_id in ids:
        stored = _source_or_none(emu, source_chat, message_id)
        if message_id not in seen and stored is not None and _copyable(stored):
            sources.append(stored)
        seen.add(message_id)
    if not sources:
        raise bad_request_td("Messages can't be forwarded")
    return chat, thread_id, sources


@api_method("copyMessages")
async def copy_messages(emu: BotApiEmulator, p: Params) -> list[dict[str, Any]]:
    """Copy up to 100 messages in order; ``remove_caption`` drops media captions."""
    chat, thread_id, sources = _batch(emu, p)
    no_caption = FormattedText("", (), "", None) if p.flag("remove_caption") else None
    result = []
    for source in sources:
        data = compose_message(chat, emu.state.bot, thread_id=thread_id, extra=_protection(p))
        data.update(content_of(source.data, no_caption))
        stored = _store_copy(emu, chat, data, caption=None, markup=ReplyMarkup())
        result.append(to_api(telegram.MessageId(message_id=stored["message_id"])))
    return result


@api_method("forwardMessages")
async def forward_messages(emu: BotApiEmulator, p: Params) -> list[dict[str, Any]]:
    """Forward up to 100 messages in order; answers their ``MessageId``s."""
    chat, thread_id, sources = _batch(emu, p)
    return [
        to_api(
            telegram.MessageId(message_id=_forward(emu, p, chat, thread_id, source)["message_id"])
        )
        for source in sources
    ]
