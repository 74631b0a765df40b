"""sendDocument, sendPhoto, sendVoice and getFile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import telegram

from ..errors import bad_request
from ..files import resolve_input_file
from ..objects import to_api
from ..params import Params
from ..state import FileRecord
from .common import (
    compose_message,
    reply_markup_param,
    sendable_chat,
    store_bot_message,
    text_param,
    thread_and_reply,
)
from .registry import api_method

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator


def document_object(record: FileRecord) -> telegram.Document:
    """The ``Document`` a message shows for a stored file."""
    return telegram.Document(
        file_id=record.file_id,
        file_unique_id=record.file_unique_id,
        file_name=record.file_name,
        mime_type=record.mime_type,
        file_size=len(record.data),
    )


def photo_sizes(record: FileRecord) -> list[telegram.PhotoSize]:
    """One ``PhotoSize`` (Telegram adds thumbnails; the sandbox keeps the original only)."""
    return [
        telegram.PhotoSize(
            file_id=record.file_id,
            file_unique_id=record.file_unique_id,
            width=record.width,
            height=record.height,
            file_size=len(record.data),
        )
    ]


def voice_object(record: FileRecord, duration: int) -> telegram.Voice:
    """The ``Voice`` a message shows (the sandbox trusts the sender's duration)."""
    return telegram.Voice(
        file_id=record.file_id,
        file_unique_id=record.file_unique_id,
        duration=duration,
        mime_type=record.mime_type,
        file_size=len(record.data),
    )


async def _send_media(emu: BotApiEmulator, p: Params, *, kind: str) -> dict[str, Any]:
    field = kind
    upload = p.input_file(field)
    markup = reply_markup_param(p)
    chat = sendable_chat(emu, p)
    record = resolve_input_file(emu.state, upload, kind=kind, field=field)
    caption = text_param(
        emu, p, field="caption", mode_field="parse_mode", entities_field="caption_entities"
    )
    thread_id, reply_to = thread_and_reply(emu, chat, p)
    data = compose_message(
        chat,
        emu.state.bot,
        caption=caption,
        inline_markup=markup.inline,
        reply_to=reply_to,
        document=document_object(record) if kind == "document" else None,
        photo=photo_sizes(record) if kind == "photo" else None,
        voice=voice_object(record, max(p.integer("duration"), 0)) if kind == "voice" else None,
        thread_id=thread_id,
    )
    return store_bot_message(
        emu,
        chat,
        data,
        source=caption.source or None,
        parse_mode=caption.parse_mode,
        markup=markup,
        file_id=record.file_id,
    )


@api_method("sendDocument")
async def send_document(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Upload (multipart) or re-send (``file_id``) a document with an optional caption."""
    return await _send_media(emu, p, kind="document")


@api_method("sendPhoto")
async def send_photo(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Upload or re-send a photo; non-images answer IMAGE_PROCESS_FAILED like Telegram."""
    return await _send_media(emu, p, kind="photo")


@api_method("sendVoice")
async def send_voice(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Upload or re-send a voice note; the bytes are kept as sent (no OGG/Opus check)."""
    return await _send_media(emu, p, kind="voice")


@api_method("getFile")
async def get_file(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """``File`` with a ``file_path`` downloadable from ``/file/bot<token>/<file_path>``."""
    record = emu.state.files.get(p.text("file_id").strip())
    if record is None:
        raise bad_request("invalid file_id")
    return to_api(
        telegram.File(
            file_id=record.file_id,
            file_unique_id=record.file_unique_id,
            file_size=len(record.data),
            file_path=record.file_path,
        )
    )
