"""Validation of ``reply_markup`` the way Telegram enforces it.

Keyboards are where bots most often break in production without noticing in
unit tests: a 65-byte ``callback_data``, a 101st button, an ``http`` link typo.
Each rule here answers the 400 Telegram answers.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup

from .errors import ApiError, bad_request, bad_request_td

MAX_INLINE_BUTTONS = 100
MAX_INLINE_ROW = 8
MAX_REPLY_BUTTONS = 300
MAX_REPLY_ROW = 12
MAX_CALLBACK_DATA_BYTES = 64

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_SCHEMES = frozenset({"http", "https", "tg"})


@dataclass(frozen=True)
class ReplyMarkup:
    """A validated markup: ``inline`` is the canonical Bot API dict shown on the message.

    ``other`` holds a reply keyboard / keyboard removal / force-reply, which Telegram
    applies on the client but never echoes back in the returned ``Message``.
    """

    inline: dict[str, Any] | None = None
    other: dict[str, Any] | None = None


def _button_error(detail: str) -> ApiError:
    return bad_request_td(f"Can't parse inline keyboard button: {detail}")


def _valid_url(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in _URL_SCHEMES:
        return False
    return bool(parts.netloc) if scheme in ("http", "https") else len(url) > len("tg://")


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise _button_error('Can\'t find field "text"')
    text = button["text"]
    if not isinstance(text, str):
        raise _button_error('Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in INLINE_ACTIONS if button.get(name) is not None]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error(
            f"exactly one of the optional fields must be used, got {', '.join(actions)} "
            "(sandbox strict mode)"
        )
    action = actions[0]
    value = button[action]
    if action == "callback_data":
        if not isinstance(value, str):
            raise _button_error('Field "callback_data" must be of type String')
        if not 1 <= len(value.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url":
        if not isinstance(value, str) or not _valid_url(value.strip()):
            raise bad_request("BUTTON_URL_INVALID")
    elif action in ("web_app", "login_url"):
        url = value.get("url") if isinstance(value, dict) else None
        if not isinstance(url, str) or not _valid_url(url):
            raise bad_request("BUTTON_URL_INVALID")
        if action == "web_app" and not url.lower().startswith("https://"):
            raise bad_request(
                f"inline keyboard button Web App URL '{url}' is invalid: "
                "Only HTTPS links are allowed"
            )
    elif action.startswith("switch_inline_query") and action != "switch_inline_query_chosen_chat":
        if not isinstance(value, str):
            raise _button_error(f'Field "{action}" must be of type String')
    elif action == "copy_text":
        copied = value.get("text") if isinstance(value, dict) else None
        if not isinstance(copied, str) or not 1 <= len(copied) <= 256:
            raise bad_request("COPY_TEXT_INVALID")


def _validate_inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list):
        raise bad_request_td('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    total = 0
    for row in rows:
        if not isinstance(row, list):
            raise bad_request_td(
                'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if len(row) > MAX_INLINE_ROW:
            raise bad_request("reply markup is too long")
        for button in row:
            _validate_inline_button(button)
        total += len(row)
    if total > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return [row for row in rows if row]


def _validate_reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list):
        raise bad_request_td('Field "keyboard" of the ReplyKeyboardMarkup must be an Array')
    total = 0
    for row in rows:
        if not isinstance(row, list):
            raise bad_request_td(
                'Field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        if len(row) > MAX_REPLY_ROW:
            raise bad_request("reply markup is too long")
        for button in row:
            text = button if isinstance(button, str) else None
            if isinstance(button, dict):
                text = button.get("text")
            if not isinstance(text, str):
                raise bad_request_td(
                    "Can't parse keyboard button: KeyboardButton must be a String or an Object"
                )
            if not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID")
        total += len(row)
    if total > MAX_REPLY_BUTTONS:
        raise bad_request("reply markup is too long")


def parse_reply_markup(raw: Any, *, inline_only: bool = False) -> ReplyMarkup:
    """Validate a decoded ``reply_markup``; ``inline_only`` for edits and inline results."""
    if raw is None:
        return ReplyMarkup()
    if not isinstance(raw, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in raw:
        rows = _validate_inline_keyboard(raw["inline_keyboard"])
        if not rows:
            return ReplyMarkup()
        markup = InlineKeyboardMarkup.de_json({**raw, "inline_keyboard": rows}, None)
        assert markup is not None
        return ReplyMarkup(inline=json.loads(markup.to_json()))
    if inline_only:
        if raw.get("keyboard") or raw.get("remove_keyboard") or raw.get("force_reply"):
            raise bad_request("inline keyboard expected")
        return ReplyMarkup()
    if "keyboard" in raw:
        _validate_reply_keyboard(raw["keyboard"])
        return ReplyMarkup(other=dict(raw))
    if raw.get("remove_keyboard") or raw.get("force_reply"):
        return ReplyMarkup(other=dict(raw))
    return ReplyMarkup()
