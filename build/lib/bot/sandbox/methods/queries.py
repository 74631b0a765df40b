"""answerCallbackQuery and answerInlineQuery, with Telegram's one-answer/expiry rules."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..errors import QUERY_TOO_OLD, ApiError, bad_request, bad_request_td
from ..markup import parse_reply_markup
from ..params import Params
from ..state import CallbackAnswer, InlineAnswer
from .registry import api_method

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator

MAX_CALLBACK_TEXT = 200
MAX_INLINE_RESULTS = 50
MAX_ID_BYTES = 64
RESULT_TYPES = frozenset(
    {
        "article",
        "audio",
        "contact",
        "document",
        "game",
        "gif",
        "location",
        "mpeg4_gif",
        "photo",
        "sticker",
        "venue",
        "video",
        "voice",
    }
)


def _result_error(detail: str) -> ApiError:
    return bad_request_td(f"Can't parse inline query result: {detail}")


def _string_field(result: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = result.get(name)
    if value is None:
        if required:
            raise _result_error(f'Can\'t find field "{name}"')
        return None
    if not isinstance(value, str):
        raise _result_error(f'Field "{name}" must be of type String')
    return value


def _validate_result(emu: BotApiEmulator, result: Any) -> str:
    """Check one InlineQueryResult the way Telegram does; returns its id."""
    if not isinstance(result, dict):
        raise _result_error("Inline query result must be an object")
    kind = (_string_field(result, "type", required=True) or "").lower()
    result_id = _string_field(result, "id", required=True) or ""
    if kind not in RESULT_TYPES:
        raise _result_error(f'type "{kind}" is unsupported for the inline query result')
    if not 1 <= len(result_id.encode("utf-8")) <= MAX_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    content = result.get("input_message_content")
    if content is not None and not isinstance(content, dict):
        raise _result_error('Field "input_message_content" must be of type Object')
    if kind == "article":
        _string_field(result, "title", required=True)
        if not content:
            raise _result_error("Input message content is not specified")
    if content and "message_text" in content:
        text = content["message_text"]
        if not isinstance(text, str):
            raise _result_error('Field "message_text" must be of type String')
        emu.format_text(text, content.get("parse_mode"), content.get("entities"))
    elif (
        kind == "article"
        and content is not None
        and not (("latitude" in content and "longitude" in content) or "phone_number" in content)
    ):
        raise _result_error("Input message content is not specified")
    if result.get("caption") is not None:
        emu.format_text(
            str(result["caption"]),
            result.get("parse_mode"),
            result.get("caption_entities"),
            kind="caption",
        )
    parse_reply_markup(result.get("reply_markup"), inline_only=True)
    return result_id


@api_method("answerInlineQuery")
async def answer_inline_query(emu: BotApiEmulator, p: Params) -> bool:
    """Validate results (count, ids, texts, keyboards) and deliver them to the asking user."""
    query_id = p.text("inline_query_id")
    record = emu.state.inline_queries.get(query_id)
    try:
        results = p.json_value("results", "can't parse JSON encoded inline query results")
        if results is None:
            results = []
        if not isinstance(results, list):
            raise bad_request("expected an Array of inline query results")
        ids = [_validate_result(emu, result) for result in results]
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        next_offset = p.text("next_offset")
        if len(next_offset.encode("utf-8")) > MAX_ID_BYTES:
            raise bad_request("NEXT_OFFSET_INVALID")
        button = p.json_value("button", "can't parse InlineQueryResultsButton JSON object")
        if (
            record is None
            or record.answer is not None
            or time.monotonic() - record.created > emu.config.query_timeout
        ):
            raise bad_request(QUERY_TOO_OLD)
    except ApiError as exc:
        if record is not None and record.answer is None:
            record.error = exc.description
            emu.state.changed.notify()
        raise
    record.answer = InlineAnswer(
        query_id=query_id,
        results=results,
        next_offset=next_offset,
        cache_time=p.integer("cache_time", 300),
        is_personal=p.flag("is_personal"),
        button=button if isinstance(button, dict) else None,
    )
    record.error = None
    emu.state.changed.notify()
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(emu: BotApiEmulator, p: Params) -> bool:
    """Answer a button press at most once, within the query lifetime."""
    query_id = p.text("callback_query_id")
    record = emu.state.callback_queries.get(query_id)
    try:
        text = p.raw("text")
        if text is not None and len(text) > MAX_CALLBACK_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        url = p.raw("url")
        if url and not url.lower().startswith(("https://t.me/", "http://t.me/", "tg://")):
            raise bad_request("URL_INVALID")
        if (
            record is None
            or record.answer is not None
            or time.monotonic() - record.created > emu.config.query_timeout
        ):
            raise bad_request(QUERY_TOO_OLD)
    except ApiError as exc:
        if record is not None and record.answer is None:
            record.error = exc.description
            emu.state.changed.notify()
        raise
    record.answer = CallbackAnswer(
        query_id=query_id,
        text=text,
        show_alert=p.flag("show_alert"),
        url=url or None,
        cache_time=p.integer("cache_time"),
    )
    record.error = None
    emu.state.changed.notify()
    return True
