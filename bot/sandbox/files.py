"""Uploaded files: storage, ``file_id`` reuse, and just enough image sniffing.

Telegram re-encodes photos and rejects bytes that are not an image; the
sandbox keeps the original bytes (so tests can assert on exactly what the bot
sent) but still refuses non-images for ``sendPhoto`` and reports real
dimensions, which it reads from PNG/GIF/JPEG/WebP headers.
"""

from __future__ import annotations

import mimetypes
import struct

from .errors import bad_request
from .params import UploadedFile
from .state import FileRecord, WorldState

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG or WebP image, else ``None``."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        if marker == 0xFF:
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + int.from_bytes(data[index + 2 : index + 4], "big")
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def store_file(
    state: WorldState,
    data: bytes,
    *,
    kind: str,
    file_name: str | None = None,
    mime_type: str | None = None,
) -> FileRecord:
    """Keep bytes under a fresh ``file_id`` (also used for files users send)."""
    width = height = 0
    if kind == "photo":
        size = image_size(data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
        if (
            width + height > 10000
            or min(width, height) == 0
            or max(width, height) > 20 * min(width, height)
        ):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        mime_type = None
        file_name = None
    elif kind == "voice":
        mime_type = mime_type or "audio/ogg"  # what Telegram reports for OGG/Opus voice notes
        file_name = None  # voice notes have no file name in the Bot API
    elif mime_type is None and file_name:
        mime_type = mimetypes.guess_type(file_name)[0]
    file_id, unique_id = state.new_file_ids(kind)
    record = FileRecord(
        file_id=file_id,
        file_unique_id=unique_id,
        kind=kind,
        data=data,
        file_name=file_name,
        mime_type=mime_type,
        width=width,
        height=height,
    )
    state.files[file_id] = record
    return record


def resolve_input_file(
    state: WorldState, value: UploadedFile | str | None, *, kind: str, field: str
) -> FileRecord:
    """An upload or a ``file_id`` turned into a stored file, with Telegram's 400s."""
    if value is None:
        raise bad_request(f"there is no {field} in the request")
    if isinstance(value, str):
        if value.lower().startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        record = state.files.get(value.strip())
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return record
    if not value.body:
        raise bad_request("file must be non-empty")
    limit = MAX_PHOTO_BYTES if kind == "photo" else MAX_DOCUMENT_BYTES
    if len(value.body) > limit:
        raise bad_request("file is too big")
    content_type: str | None = value.content_type
    if not content_type or content_type == "application/octet-stream":
        content_type = None
    return store_file(
        state,
        value.body,
        kind=kind,
        file_name=value.filename or None,
        mime_type=content_type,
    )
