"""Deep-link payloads: `t.me/<bot>?start=<payload>` for every item, country and the forums.

Payload rules (Telegram): at most 64 characters of `A-Za-z0-9_-`. Item ids are slugs, which
never contain `_`, so `country_mx` and `forums` cannot collide with an item id.
"""

from __future__ import annotations

import re

from bot import routes
from bot.catalog.catalog import Catalog
from bot.catalog.models import Country

_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FORUMS = "forums"
FROM_INLINE = "inline"
"""Sent by the inline "open the bot" button: just open the home menu."""
COUNTRY_PREFIX = "country_"
ASK = "ask"
"""`?start=ask` opens "Ask a person" (when a staff chat is set): for posters and program sites."""


def payload_for(route: routes.Route) -> str:
    if isinstance(route, routes.Card):
        return route.item_id
    if isinstance(route, routes.CountryMenu):
        return f"{COUNTRY_PREFIX}{route.country.value}"
    if isinstance(route, routes.Forums):
        return FORUMS
    raise ValueError(f"no deep link for {route!r}")


def resolve(payload: str, catalog: Catalog) -> routes.Route | None:
    """The route a /start payload opens, or None if it points at nothing we know."""
    if not _PAYLOAD.match(payload):
        return None
    if payload == FORUMS:
        return routes.Forums()
    if payload == FROM_INLINE:
        return routes.Home()
    if payload.startswith(COUNTRY_PREFIX):
        code = payload.removeprefix(COUNTRY_PREFIX)
        return routes.CountryMenu(Country(code)) if code in {c.value for c in Country} else None
    if catalog.get(payload) is not None:
        return routes.Card(payload)
    return None


def all_payloads(catalog: Catalog) -> list[tuple[str, str]]:
    """(payload, label) for every deep link organisers may print."""
    out = [(FORUMS, "Trilateral Forums")]
    out += [(payload_for(routes.CountryMenu(c)), c.name) for c in catalog.countries()]
    for item in catalog.items():
        label = getattr(item, "name", None) or item.title  # type: ignore[union-attr]
        out.append((item.id, label.en))
    return out
