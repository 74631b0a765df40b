"""Decisions of "Ask a person", without Telegram: names staff see, what to tell whom, when.

The Telegram side (`bot.staff_relay`) asks these questions and does what they answer, so the
rules can be read and tested in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from telegram.constants import ForumTopicLimit, MessageLimit

from bot.domain.hours import Hours

TOPIC_NAME_MAX = ForumTopicLimit.MAX_NAME_LENGTH
TEXT_MAX = MessageLimit.MAX_TEXT_LENGTH
CAPTION_MAX = MessageLimit.CAPTION_LENGTH
AWAY_NOTICE_EVERY = timedelta(hours=12)
"""Outside working hours the user is told once, not after every message of the evening."""


@dataclass(frozen=True, slots=True)
class Who:
    """What staff may know about the person: never a name or phone number, the username only
    if they agreed."""

    handle: str
    lang: str
    role: str | None
    country: str | None
    region: str | None
    username: str | None = None

    @property
    def where(self) -> str | None:
        return self.region or (self.country.upper() if self.country else None)


def topic_name(who: Who) -> str:
    """ "#K7QX · ES · student · CA-ON" (+ " · @name" when shared), within Telegram's 128."""
    parts = [who.handle, who.lang.upper(), who.role or "?", who.where or "?"]
    if who.username:
        parts.append(f"@{who.username}")
    name = " · ".join(parts)
    return name if len(name) <= TOPIC_NAME_MAX else name[: TOPIC_NAME_MAX - 1] + "…"


def forgotten_topic_name(handle: str) -> str:
    """After /forget the topic keeps only the handle: nothing about the person stays in it."""
    return f"{handle} · forgotten"


def oversized(text: str | None, caption: str | None) -> tuple[int, int] | None:
    """(length, limit) when a message is longer than Telegram lets anyone send, else None.

    Telegram's own clients cannot send these, but a copy must never fail half-way: a text the
    user could send (a forged update, a future client) is refused with the limit, not lost.
    """
    if text is not None and utf16_len(text) > TEXT_MAX:
        return utf16_len(text), TEXT_MAX
    if caption is not None and utf16_len(caption) > CAPTION_MAX:
        return utf16_len(caption), CAPTION_MAX
    return None


def utf16_len(text: str) -> int:
    """Telegram counts UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def away_notice_due(
    hours: Hours | None,
    now: datetime,
    zone: tzinfo,
    last_notice: datetime | None,
) -> bool:
    """Whether to send the "staff are away" reply now: outside hours, and not told lately."""
    if hours is None or hours.open_at(now, zone):
        return False
    return last_notice is None or now - last_notice >= AWAY_NOTICE_EVERY
