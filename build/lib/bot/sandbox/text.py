"""From a bot's ``text``/``parse_mode``/``entities`` to what Telegram stores.

This is the pipeline every text-bearing method shares (messages, captions,
inline results): parse markup, trim surrounding whitespace, add the entities
Telegram detects on its own (commands, links, mentions...), then enforce the
length limits - all measured in UTF-16 code units like the real API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from telegram import MessageEntity, User

from .errors import bad_request, bad_request_td
from .html import HtmlParseError, parse_html, sort_entities

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

_WHITESPACE = " \t\n\r\v\f"
_USER_ENTITY_TYPES = frozenset(
    {
        MessageEntity.BOLD,
        MessageEntity.ITALIC,
        MessageEntity.UNDERLINE,
        MessageEntity.STRIKETHROUGH,
        MessageEntity.SPOILER,
        MessageEntity.CODE,
        MessageEntity.PRE,
        MessageEntity.TEXT_LINK,
        MessageEntity.TEXT_MENTION,
        MessageEntity.CUSTOM_EMOJI,
        MessageEntity.BLOCKQUOTE,
        MessageEntity.EXPANDABLE_BLOCKQUOTE,
    }
)
"""Entity types a sender may set; detected types in ``entities`` are ignored like Telegram."""

_DETECTED_TYPES = frozenset(
    {
        MessageEntity.BOT_COMMAND,
        MessageEntity.MENTION,
        MessageEntity.HASHTAG,
        MessageEntity.CASHTAG,
        MessageEntity.URL,
        MessageEntity.EMAIL,
        MessageEntity.PHONE_NUMBER,
        "bank_card_number",
    }
)
_OPAQUE_TYPES = frozenset(
    {
        MessageEntity.CODE,
        MessageEntity.PRE,
        MessageEntity.TEXT_LINK,
        MessageEntity.TEXT_MENTION,
        MessageEntity.CUSTOM_EMOJI,
    }
)
"""Detected entities never overlap these (a URL inside ``<code>`` stays code)."""

_DETECTORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        MessageEntity.BOT_COMMAND,
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"),
    ),
    (
        MessageEntity.EMAIL,
        re.compile(r"(?<![\w.+\-@])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"),
    ),
    (MessageEntity.MENTION, re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,32}(?!\w)")),
    (MessageEntity.HASHTAG, re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*(?![\w#])")),
    (MessageEntity.CASHTAG, re.compile(r"(?<![\w$])\$[A-Z]{1,8}(?![\w$])")),
    (
        MessageEntity.URL,
        re.compile(r"(?<![\w@/.])(?:https?://|www\.|t\.me/)[^\s<>\"']+", re.IGNORECASE),
    ),
)
_URL_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class FormattedText:
    """Final text + entities as Telegram would store them; ``source`` is what the bot sent."""

    text: str
    entities: tuple[MessageEntity, ...]
    source: str
    parse_mode: str | None

    def entities_json(self) -> list[dict[str, Any]]:
        """Entities as plain Bot API dicts (for comparisons and 'not modified' checks)."""
        return [json.loads(e.to_json()) for e in self.entities]


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (astral characters count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_offsets(text: str) -> list[int]:
    """``offsets[i]`` = UTF-16 offset of ``text[i]``; one extra entry for the end."""
    offsets = [0] * (len(text) + 1)
    total = 0
    for index, ch in enumerate(text):
        offsets[index] = total
        total += 2 if ord(ch) > 0xFFFF else 1
    offsets[len(text)] = total
    return offsets


def detect_entities(text: str, existing: Iterable[MessageEntity] = ()) -> list[MessageEntity]:
    """Entities Telegram adds by itself: commands, mentions, hashtags, links, e-mails.

    A pragmatic subset of Telegram's detector: good enough that ``/start`` gets a
    ``bot_command`` entity and links become clickable, not a full re-implementation.
    """
    offsets = _utf16_offsets(text)
    blocked = [(e.offset, e.offset + e.length) for e in existing if e.type in _OPAQUE_TYPES]
    taken: list[tuple[int, int]] = []
    found: list[MessageEntity] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == MessageEntity.URL:
                while end > start and text[end - 1] in _URL_TRAILING:
                    end -= 1
            begin16, end16 = offsets[start], offsets[end]
            span = (begin16, end16)
            if end16 <= begin16 or _overlaps(span, blocked) or _overlaps(span, taken):
                continue
            taken.append(span)
            found.append(MessageEntity(kind, begin16, end16 - begin16))
    return found


def _overlaps(span: tuple[int, int], others: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def strip_formatted(
    text: str, entities: Iterable[MessageEntity]
) -> tuple[str, list[MessageEntity]]:
    """Trim surrounding whitespace like Telegram, shifting/clipping entities to match."""
    stripped = text.strip(_WHITESPACE)
    if stripped == text:
        return text, list(entities)
    lead = len(text) - len(text.lstrip(_WHITESPACE))  # whitespace is BMP: 1 unit each
    new_length = utf16_len(stripped)
    result: list[MessageEntity] = []
    for entity in entities:
        start = max(entity.offset - lead, 0)
        end = min(entity.offset + entity.length - lead, new_length)
        if end > start:
            result.append(_with_range(entity, start, end - start))
    return stripped, result


def _with_range(entity: MessageEntity, offset: int, length: int) -> MessageEntity:
    data = json.loads(entity.to_json())
    data["offset"], data["length"] = offset, length
    clone = MessageEntity.de_json(data, None)
    assert clone is not None
    return clone


def parse_entities_param(raw: Any, text: str) -> list[MessageEntity]:
    """Validate a bot-supplied ``entities`` array (used when ``parse_mode`` is unset)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    result: list[MessageEntity] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse MessageEntity: expected an Object")
        for name in ("offset", "length", "type"):
            if name not in item:
                raise bad_request(f"can't parse MessageEntity: Can't find field \"{name}\"")
        if not isinstance(item["offset"], int) or not isinstance(item["length"], int):
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be a Number')
        kind = item["type"]
        if kind in _DETECTED_TYPES:
            continue
        if kind not in _USER_ENTITY_TYPES:
            raise bad_request("can't parse MessageEntity: Unsupported type specified")
        if kind == MessageEntity.TEXT_LINK and not item.get("url"):
            raise bad_request("can't parse MessageEntity: Can't find field \"url\"")
        start = max(item["offset"], 0)
        end = min(item["offset"] + item["length"], total)
        if end <= start:
            continue
        entity = MessageEntity.de_json({**item, "offset": start, "length": end - start}, None)
        if entity is not None:
            result.append(entity)
    return result


def format_text(
    text: str | None,
    parse_mode: str | None,
    entities: Any = None,
    *,
    kind: Literal["text", "caption"] = "text",
    strict_ampersand: bool = True,
    resolve_user: Callable[[int], User | None] | None = None,
) -> FormattedText:
    """Run Telegram's text pipeline; raises ``ApiError`` with Telegram's wording.

    ``parse_mode`` accepts ``HTML`` (any case) or nothing. Markdown modes answer
    400 because the sandbox implements only the dialect this project uses; a bot
    that switched to Markdown by accident should fail loudly in tests.
    """
    text = text or ""
    if not text:
        if kind == "text":
            raise bad_request("message text is empty")
        return FormattedText("", (), "", parse_mode)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise bad_request(f"{kind} must be encoded in UTF-8") from exc
    mode = (parse_mode or "").strip().lower()
    if mode in ("", "none"):
        plain, found = text, parse_entities_param(entities, text)
    elif mode == "html":
        try:
            parsed = parse_html(text, strict_ampersand=strict_ampersand, resolve_user=resolve_user)
        except HtmlParseError as exc:
            raise bad_request_td(exc.api_description) from exc
        plain, found = parsed.text, list(parsed.entities)
    elif mode in ("markdown", "markdownv2"):
        raise bad_request(
            f'unsupported parse_mode "{parse_mode}" (the sandbox implements HTML only)'
        )
    else:
        raise bad_request("unsupported parse_mode")
    plain, found = strip_formatted(plain, found)
    if not plain:
        if kind == "text":
            raise bad_request("message text is empty")
        return FormattedText("", (), text, parse_mode)
    limit = MAX_TEXT_LENGTH if kind == "text" else MAX_CAPTION_LENGTH
    if utf16_len(plain) > limit:
        raise bad_request(
            "message is too long" if kind == "text" else "message caption is too long"
        )
    found.extend(detect_entities(plain, found))
    return FormattedText(plain, tuple(sort_entities(found)), text, parse_mode)


def plain_entities(text: str) -> tuple[MessageEntity, ...]:
    """Entities Telegram attaches to a message a *user* typed (no markup)."""
    return tuple(sort_entities(detect_entities(text)))


__all__ = [
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "FormattedText",
    "detect_entities",
    "format_text",
    "parse_entities_param",
    "plain_entities",
    "strip_formatted",
    "utf16_len",
]
