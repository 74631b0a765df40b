"""Read-only views of bot output that tests assert on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity

from .markup import INLINE_ACTIONS
from .objects import message_from_api
from .state import BotEvent, StoredMessage, WorldState


class Button(NamedTuple):
    """An inline button flattened to ``(text, value)``; value is its callback_data/url/..."""

    text: str
    value: str | None


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent, as it looked at one moment (sent, edited or now).

    ``html`` is the text or caption exactly as the bot sent it (before parsing);
    ``text`` is what a user sees. ``document``/``photo``/``voice`` hold uploaded bytes.
    """

    event: str
    chat_id: int
    message_id: int
    raw: dict[str, Any] = field(repr=False)
    html: str | None = field(repr=False)
    parse_mode: str | None = field(repr=False)
    reply_keyboard: dict[str, Any] | None = field(repr=False)
    inline_message_id: str | None = field(repr=False)
    file_bytes: bytes | None = field(repr=False)
    file_name: str | None

    # -- construction --------------------------------------------------------------------
    @classmethod
    def from_event(cls, event: BotEvent, state: WorldState) -> BotMessage:
        """Snapshot recorded when the bot sent/edited/deleted the message."""
        return cls._build(
            event.kind,
            event.chat_id,
            event.message_id,
            event.data,
            event.source,
            event.parse_mode,
            event.reply_keyboard,
            event.inline_message_id,
            event.file_id,
            state,
        )

    @classmethod
    def from_stored(
        cls, stored: StoredMessage, state: WorldState, *, data: dict[str, Any] | None = None
    ) -> BotMessage:
        """The message's current version (or an older ``data`` version)."""
        return cls._build(
            "deleted" if stored.deleted else "current",
            stored.chat_id,
            stored.message_id,
            data if data is not None else stored.data,
            stored.source,
            stored.parse_mode,
            stored.reply_keyboard,
            stored.inline_message_id,
            stored.file_id,
            state,
        )

    @classmethod
    def _build(
        cls,
        kind: str,
        chat_id: int,
        message_id: int,
        data: dict[str, Any],
        source: str | None,
        parse_mode: str | None,
        reply_keyboard: dict[str, Any] | None,
        inline_message_id: str | None,
        file_id: str | None,
        state: WorldState,
    ) -> BotMessage:
        record = state.files.get(file_id) if file_id else None
        return cls(
            event=kind,
            chat_id=chat_id,
            message_id=message_id,
            raw=data,
            html=source,
            parse_mode=parse_mode,
            reply_keyboard=reply_keyboard,
            inline_message_id=inline_message_id,
            file_bytes=record.data if record else None,
            file_name=record.file_name if record else None,
        )

    # -- content -------------------------------------------------------------------------
    @property
    def edited(self) -> bool:
        """This snapshot is the result of an edit."""
        return self.event == "edited"

    @property
    def text(self) -> str:
        """Visible text (or caption for media)."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def caption(self) -> str | None:
        """Caption of a document/photo."""
        return self.raw.get("caption")

    @property
    def entities(self) -> tuple[MessageEntity, ...]:
        """Entities of the text (or caption) as PTB objects."""
        items = self.raw.get("entities") or self.raw.get("caption_entities") or []
        return tuple(e for e in (MessageEntity.de_json(item, None) for item in items) if e)

    @property
    def entity_types(self) -> list[str]:
        """Just the entity types, in order - handy in assertions."""
        return [str(item["type"]) for item in self.raw.get("entities") or []] + [
            str(item["type"]) for item in self.raw.get("caption_entities") or []
        ]

    @property
    def reply_markup_dict(self) -> dict[str, Any] | None:
        """The inline keyboard as a Bot API dict."""
        return self.raw.get("reply_markup")

    @property
    def reply_markup(self) -> InlineKeyboardMarkup | None:
        """The inline keyboard as a PTB object."""
        markup = self.raw.get("reply_markup")
        return InlineKeyboardMarkup.de_json(markup, None) if markup else None

    @property
    def buttons(self) -> list[Button]:
        """All inline buttons, row by row, as ``(text, value)``."""
        rows = (self.raw.get("reply_markup") or {}).get("inline_keyboard") or []
        result: list[Button] = []
        for row in rows:
            for button in row:
                value = next(
                    (button[name] for name in INLINE_ACTIONS if button.get(name) is not None),
                    None,
                )
                result.append(Button(button["text"], value if isinstance(value, str) else None))
        return result

    @property
    def inline_buttons(self) -> list[InlineKeyboardButton]:
        """All inline buttons, row by row, as PTB objects (``.url``, ``.callback_data``...)."""
        markup = self.reply_markup
        return [button for row in markup.inline_keyboard for button in row] if markup else []

    @property
    def button_texts(self) -> list[str]:
        """Texts of all inline buttons."""
        return [button.text for button in self.buttons]

    @property
    def document(self) -> bytes | None:
        """Bytes of a sent document."""
        return self.file_bytes if "document" in self.raw else None

    @property
    def photo(self) -> bytes | None:
        """Bytes of a sent photo."""
        return self.file_bytes if "photo" in self.raw else None

    @property
    def voice(self) -> bytes | None:
        """Bytes of a sent voice note."""
        return self.file_bytes if "voice" in self.raw else None

    @property
    def message_thread_id(self) -> int | None:
        """The forum topic the message is in (``None`` outside topics)."""
        thread = self.raw.get("message_thread_id")
        return int(thread) if thread is not None and self.raw.get("is_topic_message") else None

    @property
    def forward_origin(self) -> dict[str, Any] | None:
        """Where a forwarded message came from (Bot API ``MessageOrigin`` dict)."""
        return self.raw.get("forward_origin")

    @property
    def message(self) -> Message:
        """The full PTB ``Message``."""
        return message_from_api(self.raw)

    def __str__(self) -> str:
        buttons = f" buttons={self.button_texts}" if self.buttons else ""
        return f"<{self.event} #{self.message_id} in {self.chat_id}: {self.text!r}{buttons}>"
