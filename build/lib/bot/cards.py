"""Rendering: the only place HTML is produced.

A `Card` is what one answer is: Telegram HTML text plus an inline keyboard. `render` checks
Telegram's limits on every card, so `python -m bot validate` and the test suite catch a card
that production would reject before a user ever sees an error.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardMarkupLimit, MessageLimit

from bot import i18n
from bot.routes import Route

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
"""Beside the package in a checkout or an editable install; a regular install (the Docker image's
`pip install '.[postgres]'`) leaves the package in site-packages, so `templates/` is then looked
up in the working directory, like the `content/` default."""
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
MAX_BUTTONS = InlineKeyboardMarkupLimit.TOTAL_BUTTON_NUMBER
MAX_PER_ROW = 8
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    }
)
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
_BARE_AMP = re.compile(r"&(?![a-zA-Z]+;|#[0-9]+;|#x[0-9a-fA-F]+;)")
_BARE_LT = re.compile(r"<(?!/?[a-zA-Z])")


class CardError(ValueError):
    """A card breaks a Telegram limit; raised at render time, never sent."""


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button; exactly one action is set."""

    text: str
    route: Route | None = None
    url: str | None = None
    switch_inline: str | None = None

    def to_telegram(self) -> InlineKeyboardButton:
        if self.route is not None:
            return InlineKeyboardButton(self.text, callback_data=self.route.encode())
        if self.url is not None:
            return InlineKeyboardButton(self.text, url=self.url)
        return InlineKeyboardButton(self.text, switch_inline_query=self.switch_inline or "")


@dataclass(frozen=True, slots=True)
class Card:
    text: str
    keyboard: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)

    def reply_markup(self) -> InlineKeyboardMarkup | None:
        if not self.keyboard:
            return None
        return InlineKeyboardMarkup([[b.to_telegram() for b in row] for row in self.keyboard])

    @property
    def plain_text(self) -> str:
        """The text as Telegram counts it: tags removed, entities decoded."""
        return plain_text(self.text)


def plain_text(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup))


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader([TEMPLATES_DIR, Path.cwd() / "templates"]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters["date"] = i18n.fmt_date
    return env


_BLANK_LINES = re.compile(r"\n{3,}")


def render_text(template: str, lang: str, **view: object) -> str:
    """Render one template in one language; `t(key)` in templates is the UI string."""
    tpl = environment().get_template(f"{template}.j2")

    def t(key: str, **params: object) -> str:
        return i18n.t(lang, key, **params)

    text = tpl.render(t=t, lang=lang, **view)
    return _BLANK_LINES.sub("\n\n", text).strip()


def fit(build: Callable[[], Card], shrink: Callable[[], bool]) -> Card:
    """`build()`, and while Telegram's limits refuse the card, `shrink()` (leave something
    out; False when nothing more can go) and build again: for lists that grow with data
    (admin lists, statistics), showing fewer beats failing."""
    while True:
        try:
            return build()
        except CardError:
            if not shrink():
                raise


def render(
    template: str,
    lang: str,
    keyboard: Sequence[Sequence[Button]] = (),
    **view: object,
) -> Card:
    card = Card(render_text(template, lang, **view), tuple(tuple(r) for r in keyboard if r))
    check(card)
    return card


def check(card: Card) -> None:
    """Raise CardError if Telegram would reject this card."""
    length = utf16_len(card.plain_text)
    if not 1 <= length <= MAX_TEXT:
        raise CardError(f"text is {length} characters (Telegram allows 1–{MAX_TEXT})")
    if _BARE_AMP.search(card.text) or _BARE_LT.search(card.text):
        raise CardError("unescaped & or < in the HTML (Telegram cannot parse entities)")
    for tag in _TAG.findall(card.text):
        if tag.lower() not in ALLOWED_TAGS:
            raise CardError(f"tag <{tag}> is not in Telegram's HTML subset")
    total = sum(len(row) for row in card.keyboard)
    if total > MAX_BUTTONS:
        raise CardError(f"{total} buttons (Telegram allows {MAX_BUTTONS})")
    for row in card.keyboard:
        if len(row) > MAX_PER_ROW:
            raise CardError(f"a row has {len(row)} buttons (at most {MAX_PER_ROW})")
        for button in row:
            if not button.text.strip():
                raise CardError("a button has no text")
            if button.route is not None:
                button.route.encode()
