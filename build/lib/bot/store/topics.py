"""Subscription topics: what a chat can ask news about, as stored strings and button codes.

Stored keys (the `subscriptions.topic` column) are readable: `forums`, `country:mx`,
`kind:apprenticeship`, `kind:apprenticeship:ca` (a kind in one country, what a program card
subscribes to) and `event:<id>` (one forum). Callback data uses `:` as its separator, so
buttons carry a compact code with dots instead: `f`, `c.mx`, `k.ap`, `k.ap.ca`, `e.<id>`.

`audience` answers the broadcast question the other way round: which topics should hear
about a given program or forum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalog.models import SLUG_MAX, Country, Event, Program, ProgramKind
from bot.routes import KIND_CODES

_KIND_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COUNTRIES = {c.value: c for c in Country}
_KINDS = {k.value: k for k in ProgramKind}

FORUMS = "forums"


@dataclass(frozen=True, slots=True)
class Topic:
    """One subscribable topic; build with the class methods, never by hand."""

    scope: str
    country: Country | None = None
    kind: ProgramKind | None = None
    event_id: str | None = None

    @classmethod
    def forums(cls) -> Topic:
        return cls("forums")

    @classmethod
    def of_country(cls, country: Country) -> Topic:
        return cls("country", country=country)

    @classmethod
    def of_kind(cls, kind: ProgramKind, country: Country | None = None) -> Topic:
        return cls("kind", country=country, kind=kind)

    @classmethod
    def of_event(cls, event_id: str) -> Topic:
        if not _valid_slug(event_id):
            raise ValueError(f"not an event id: {event_id!r}")
        return cls("event", event_id=event_id)

    @property
    def key(self) -> str:
        """The stored form."""
        match self.scope:
            case "forums":
                return FORUMS
            case "country":
                return f"country:{self.country}"
            case "kind" if self.country is None:
                return f"kind:{self.kind}"
            case "kind":
                return f"kind:{self.kind}:{self.country}"
        return f"event:{self.event_id}"

    @property
    def code(self) -> str:
        """The compact form carried in callback data."""
        match self.scope:
            case "forums":
                return "f"
            case "country":
                return f"c.{self.country}"
            case "kind":
                kind = KIND_CODES[self.kind]  # type: ignore[index]
                return f"k.{kind}" if self.country is None else f"k.{kind}.{self.country}"
        return f"e.{self.event_id}"

    @classmethod
    def parse(cls, key: str) -> Topic | None:
        """The topic a stored key names, or None for anything malformed."""
        parts = key.split(":")
        match parts:
            case ["forums"]:
                return cls.forums()
            case ["country", c] if c in _COUNTRIES:
                return cls.of_country(_COUNTRIES[c])
            case ["kind", k] if k in _KINDS:
                return cls.of_kind(_KINDS[k])
            case ["kind", k, c] if k in _KINDS and c in _COUNTRIES:
                return cls.of_kind(_KINDS[k], _COUNTRIES[c])
            case ["event", slug] if _valid_slug(slug):
                return cls.of_event(slug)
        return None

    @classmethod
    def from_code(cls, code: str) -> Topic | None:
        """The topic a button code names, or None for anything stale or forged."""
        parts = code.split(".")
        match parts:
            case ["f"]:
                return cls.forums()
            case ["c", c] if c in _COUNTRIES:
                return cls.of_country(_COUNTRIES[c])
            case ["k", k] if k in _KIND_BY_CODE:
                return cls.of_kind(_KIND_BY_CODE[k])
            case ["k", k, c] if k in _KIND_BY_CODE and c in _COUNTRIES:
                return cls.of_kind(_KIND_BY_CODE[k], _COUNTRIES[c])
            case ["e", slug] if _valid_slug(slug):
                return cls.of_event(slug)
        return None


def _valid_slug(value: str) -> bool:
    return len(value) <= SLUG_MAX and bool(_SLUG.match(value))


def for_item(item: Program | Event) -> Topic:
    """What a card's 🔔 button subscribes to.

    A program card: its kind in its country ("Apprenticeships · Canada"), the narrowest topic
    that still brings news beyond this one program — someone reading a Canadian apprenticeship
    wants new Canadian apprenticeships, not Mexican grants (that is what `country:` is for).
    A forum card: that forum; "all forum news" subscribers hear about it too (`audience`).
    """
    if isinstance(item, Program):
        return Topic.of_kind(item.kind, item.country)
    return Topic.of_event(item.id)


def audience(item: Program | Event) -> list[str]:
    """Every stored topic whose subscribers should hear about `item` (for broadcasts)."""
    if isinstance(item, Program):
        topics = [
            Topic.of_country(item.country),
            Topic.of_kind(item.kind),
            Topic.of_kind(item.kind, item.country),
        ]
    else:
        topics = [Topic.forums(), Topic.of_event(item.id), Topic.of_country(item.country)]
    return [t.key for t in topics]
