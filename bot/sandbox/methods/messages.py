"""sendMessage, edits, deletions and chat actions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..errors import NOT_MODIFIED, bad_request
from ..objects import normalize_message
from ..params import Params
from ..state import StoredMessage
from ..text import FormattedText
from .common import (
    compose_message,
    reply_markup_param,
    requested_thread,
    sendable_chat,
    store_bot_message,
    target_message,
    text_param,
    thread_and_reply,
)
from .registry import api_method

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


@api_method("sendMessage")
async def send_message(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Send text; entities come from the HTML (or ``entities``), plus auto-detected ones."""
    if not p.text("text"):
        raise bad_request("message text is empty")
    markup = reply_markup_param(p)
    chat = sendable_chat(emu, p)
    formatted = text_param(emu, p, field="text", mode_field="parse_mode", entities_field="entities")
    thread_id, reply_to = thread_and_reply(emu, chat, p)
    data = compose_message(
        chat,
        emu.state.bot,
        text=formatted,
        inline_markup=markup.inline,
        reply_to=reply_to,
        thread_id=thread_id,
    )
    return store_bot_message(
        emu,
        chat,
        data,
        source=formatted.source,
        parse_mode=formatted.parse_mode,
        markup=markup,
    )


def _apply_edit(
    emu: BotApiEmulator, stored: StoredMessage, changes: dict[str, Any], source: str | None
) -> dict[str, Any] | bool:
    """Write an edit (or answer 'not modified'); inline messages answer ``True``."""
    current = stored.data
    if all(current.get(key) == value for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    data = {key: value for key, value in current.items() if key not in changes}
    data.update({key: value for key, value in changes.items() if value is not None})
    data["edit_date"] = int(time.time())
    data = normalize_message(data)
    if source is not None:
        stored.source = source
    emu.state.update_message(stored, data)
    return True if stored.inline_message_id else data


def _entities_json(formatted: FormattedText) -> list[dict[str, Any]] | None:
    return formatted.entities_json() or None


@api_method("editMessageText")
async def edit_message_text(emu: BotApiEmulator, p: Params) -> dict[str, Any] | bool:
    """Replace text (and keyboard: an omitted ``reply_markup`` removes it, as in Telegram)."""
    if not p.text("text"):
        raise bad_request("message text is empty")
    markup = reply_markup_param(p, inline_only=True)
    stored = target_message(emu, p)
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    formatted = text_param(emu, p, field="text", mode_field="parse_mode", entities_field="entities")
    stored.parse_mode = formatted.parse_mode
    changes = {
        "text": formatted.text,
        "entities": _entities_json(formatted),
        "reply_markup": markup.inline,
    }
    return _apply_edit(emu, stored, changes, formatted.source)


@api_method("editMessageCaption")
async def edit_message_caption(emu: BotApiEmulator, p: Params) -> dict[str, Any] | bool:
    """Replace a media caption (and keyboard)."""
    markup = reply_markup_param(p, inline_only=True)
    stored = target_message(emu, p)
    if "text" in stored.data:
        raise bad_request("there is no caption in the message to edit")
    formatted = text_param(
        emu, p, field="caption", mode_field="parse_mode", entities_field="caption_entities"
    )
    changes = {
        "caption": formatted.text or None,
        "caption_entities": _entities_json(formatted),
        "reply_markup": markup.inline,
    }
    return _apply_edit(emu, stored, changes, formatted.source)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(emu: BotApiEmulator, p: Params) -> dict[str, Any] | bool:
    """Replace only the inline keyboard (omitting it removes the keyboard)."""
    markup = reply_markup_param(p, inline_only=True)
    stored = target_message(emu, p)
    return _apply_edit(emu, stored, {"reply_markup": markup.inline}, None)


@api_method("deleteMessage")
async def delete_message(emu: BotApiEmulator, p: Params) -> bool:
    """Delete one message; others' messages in groups need admin rights, as in Telegram."""
    chat = emu.state.find_chat(p.text("chat_id"))
    stored = emu.state.get_message(chat, p.integer("message_id"))
    if stored is None:
        raise bad_request("message to delete not found")
    if "forum_topic_created" in stored.data:  # only deleteForumTopic can remove it
        raise bad_request("message can't be deleted")
    if (
        not stored.from_bot
        and not chat.is_private
        and chat.bot_status
        not in (
            "administrator",
            "creator",
        )
    ):
        raise bad_request("message can't be deleted")
    emu.state.delete_message(stored)
    return True


@api_method("deleteMessages")
async def delete_messages(emu: BotApiEmulator, p: Params) -> bool:
    """Delete several messages; missing ones are skipped silently like Telegram."""
    chat = emu.state.find_chat(p.text("chat_id"))
    ids = p.json_value("message_ids", "can't parse message identifiers JSON object")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message identifiers must be a non-empty array of at most 100 items")
    for message_id in ids:
        stored = emu.state.get_message(chat, int(message_id))
        if stored is None or "forum_topic_created" in stored.data:
            continue
        if stored.from_bot or chat.is_private:
            emu.state.delete_message(stored)
    return True


@api_method("sendChatAction")
async def send_chat_action(emu: BotApiEmulator, p: Params) -> bool:
    """Typing indicators: validated and recorded in ``emulator.chat_actions``."""
    action = p.text("action").strip().lower()
    chat = sendable_chat(emu, p)
    requested_thread(chat, p)
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    emu.chat_actions.append((chat.id, action))
    return True
