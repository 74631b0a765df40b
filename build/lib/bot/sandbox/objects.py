"""Turning PTB objects into the exact JSON the Bot API sends.

Everything the emulator returns or pushes as an update is built from
python-telegram-bot's own classes and serialised here, so field names and types
are the Bot API's by construction rather than by hand-written dicts.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from telegram import Message, TelegramObject

_FALSE_ONLY_SERVICE_FLAGS = (
    "channel_chat_created",
    "delete_chat_photo",
    "group_chat_created",
    "supergroup_chat_created",
)
"""PTB serialises these as ``false``; Telegram only ever sends them when ``true``."""


def to_api(obj: TelegramObject) -> dict[str, Any]:
    """Plain JSON-compatible dict (enums → strings, datetimes → unix ints)."""
    cleaned: dict[str, Any] = _clean(json.loads(obj.to_json()))
    return cleaned


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        for flag in _FALSE_ONLY_SERVICE_FLAGS:
            if value.get(flag) is False:
                del value[flag]
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def normalize_message(data: dict[str, Any]) -> dict[str, Any]:
    """Round-trip a message dict through PTB's ``Message`` and refuse unknown fields.

    The emulator edits stored messages as dicts; this guard guarantees that every
    key it writes is a real Bot API field (PTB parks unknown keys in ``api_kwargs``).
    """
    message = message_from_api(data)
    if message.api_kwargs:
        raise AssertionError(f"not Bot API Message fields: {sorted(message.api_kwargs)}")
    return to_api(message)


def message_from_api(data: dict[str, Any]) -> Message:
    """A PTB ``Message`` for a stored Bot API dict (not bound to any bot)."""
    message = Message.de_json(data, None)
    assert message is not None
    return message


def timestamp(value: int) -> dt.datetime:
    """Unix seconds → aware datetime, the form PTB's constructors expect."""
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)
