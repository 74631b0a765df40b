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

SERVICE_FIELDS = frozenset(
    {
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
        "general_forum_topic_hidden",
        "general_forum_topic_unhidden",
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "new_chat_photo",
        "delete_chat_photo",
        "group_chat_created",
        "supergroup_chat_created",
        "channel_chat_created",
        "pinned_message",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "message_auto_delete_timer_changed",
    }
)
"""Keys that make a message a service message: every member bot receives those, privacy
mode or not, and none of them can be copied or forwarded."""

LEGACY_FORWARD_FIELDS = frozenset(
    {
        "forward_date",
        "forward_from",
        "forward_from_chat",
        "forward_from_message_id",
        "forward_sender_name",
        "forward_signature",
    }
)
"""Pre-7.0 forward fields: the Bot API server still sends them beside ``forward_origin``,
but PTB 22 no longer models them (it keeps them in ``api_kwargs``)."""


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
    unknown = set(message.api_kwargs) - LEGACY_FORWARD_FIELDS
    if unknown:
        raise AssertionError(f"not Bot API Message fields: {sorted(unknown)}")
    return to_api(message)


def message_from_api(data: dict[str, Any]) -> Message:
    """A PTB ``Message`` for a stored Bot API dict (not bound to any bot)."""
    message = Message.de_json(data, None)
    assert message is not None
    return message


def timestamp(value: int) -> dt.datetime:
    """Unix seconds → aware datetime, the form PTB's constructors expect."""
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)
