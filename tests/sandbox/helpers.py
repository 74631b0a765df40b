"""Small builders shared by the sandbox tests."""

from __future__ import annotations

import struct
import zlib
from typing import Any


def png_bytes(width: int = 2, height: int = 3) -> bytes:
    """A valid RGB PNG of the given size (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def keyboard(rows: int, per_row: int, *, data: str = "d") -> dict[str, Any]:
    """An inline keyboard of ``rows`` x ``per_row`` callback buttons."""
    return {
        "inline_keyboard": [
            [{"text": f"{r}-{c}", "callback_data": f"{data}{r}-{c}"} for c in range(per_row)]
            for r in range(rows)
        ]
    }


def article(result_id: str, text: str = "hello", **extra: Any) -> dict[str, Any]:
    """An InlineQueryResultArticle dict."""
    return {
        "type": "article",
        "id": result_id,
        "title": f"Result {result_id}",
        "input_message_content": {"message_text": text, **extra},
    }
