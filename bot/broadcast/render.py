"""What a recipient sees: one Card per broadcast and language, built exactly as sent.

The admin's preview is made by the same function, so "preview = what recipients get" holds
by construction. An admin's text is plain text: the template escapes it (Telegram HTML), so
`<`, `&` or a stray tag can never break the message or inject markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot import routes
from bot.cards import Button, Card, CardError, render, utf16_len
from bot.catalog.catalog import Catalog
from bot.catalog.models import LANGUAGES, Event, EventStatus
from bot.i18n import fmt_date, t

PURPOSES = (
    "message",
    "forum_new",
    "forum_changed",
    "forum_cancelled",
    "reminder_7d",
    "reminder_1d",
)


class ContentGone(LookupError):
    """A card broadcast whose item is no longer in the catalog."""


@dataclass(frozen=True, slots=True)
class Content:
    """What a broadcast says: an admin's texts, or a forum card reference and why."""

    purpose: str
    texts: Mapping[str, str] | None = None
    item_id: str | None = None

    def text_for(self, lang: str) -> str | None:
        if self.texts is None:
            return None
        return self.texts.get(lang) or self.texts.get("en") or next(iter(self.texts.values()))


def when(event: Event, lang: str) -> str:
    """A forum's date (and time, in the venue's zone) as people read it."""
    if event.all_day:
        return fmt_date(event.start, lang)
    return fmt_date(event.starts_at, lang, with_time=True)


def forum_buttons(lang: str, event: Event) -> list[tuple[Button, ...]]:
    """A cancelled forum's notice offers the card, not a calendar file."""
    open_card = Button(t(lang, "calendar.open"), routes.Card(event.id))
    first: tuple[Button, ...] = (open_card,)
    if event.status is EventStatus.ANNOUNCED:
        first = (Button(t(lang, "calendar.button"), routes.Calendar(event.id)), open_card)
    rows: list[tuple[Button, ...]] = [first]
    if event.official_url:
        rows.append((Button(t(lang, "button.official_site"), url=event.official_url),))
    return rows


def message_card(content: Content, lang: str, catalog: Catalog) -> Card:
    """The message one recipient gets, in their language."""
    if content.texts is not None:
        return render("broadcast", lang, body=content.text_for(lang) or "")
    event = catalog.events.get(content.item_id or "")
    if event is None:
        raise ContentGone(f"forum {content.item_id!r} is no longer listed")
    template = "forum_reminder" if content.purpose.startswith("reminder") else "forum_update"
    return render(
        template,
        lang,
        forum_buttons(lang, event),
        headline=t(lang, f"forum_news.{content.purpose}"),
        e=event,
        when=when(event, lang),
        country=t(lang, f"country.{event.country.value}"),
    )


def text_problem(texts: Mapping[str, str], lang: str) -> str | None:
    """Why these texts cannot be broadcast (too long once rendered), in the admin's language."""
    for code in LANGUAGES:
        if code not in texts:
            continue
        try:
            message_card(Content("message", texts), code, Catalog.build())
        except CardError:
            frame = utf16_len(render("broadcast", code, body="x").plain_text) - 1
            return t(lang, "broadcast.too_long", max=4096 - frame, length=utf16_len(texts[code]))
    return None
