"""Who is asking changes what the best answer is: search results re-ranked for the asker.

The search index scores text only; this layer knows the asker's saved country, region and
role. It is a pure function over a `SearchResult` and the catalog (no Telegram, no database),
so the chat search, inline mode and the relevance bench all rank the same way.

The rules, in order:
- When the query names a country ("red seal canada", "en México"), that wins: no bias.
- Otherwise results from the asker's own country come first; those from other countries
  follow, flagged `foreign` so the list can say so. A card from another country is the clear
  winner only when nothing from the asker's country matched at all.
- Within a country, a card for the asker's own region (an entry point, a local college) is
  lifted and a card for some other region of the country is lowered: a job seeker in North
  Carolina asking "apprenticeship" wants ApprenticeshipNC, not the office of Oregon.
- The asker's role lifts cards meant for them (an employer's "funding" → employer grants).
Programs that ended are lowered by the index itself (`search.ENDED_FACTOR`), for everyone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.catalog.catalog import Catalog
from bot.catalog.models import Audience, Event, Program
from bot.catalog.search import Hit, SearchResult

ROLE_AUDIENCES: dict[str, frozenset[Audience]] = {
    "student": frozenset({Audience.STUDENTS}),
    "employer": frozenset({Audience.EMPLOYERS}),
    "educator": frozenset({Audience.EDUCATORS, Audience.STUDENTS}),
}
"""The catalog's audiences each onboarding role reads as "for me"."""

OWN_REGION = 1.6
OTHER_REGION = 0.45
FOR_MY_ROLE = 1.25
NOT_FOR_MY_ROLE = 0.8


@dataclass(frozen=True, slots=True)
class Asker:
    """What the bot knows about whoever asks; all None in a group with no settings."""

    country: str | None = None
    region: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Ranked:
    """Hits in the order to show them, with which of them come from another country."""

    hits: tuple[Hit, ...]
    foreign: frozenset[str]
    """Ids of hits from a country other than the asker's (labelled as such in lists)."""
    clear_winner: bool

    @property
    def ids(self) -> list[str]:
        return [hit.item_id for hit in self.hits]


NOTHING = Ranked((), frozenset(), False)


class _Saved(Protocol):
    """What a saved profile offers (`screens.Profile`), without importing the view layer."""

    @property
    def country(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def role(self) -> str | None: ...


def asker_of(profile: _Saved) -> Asker:
    """The asker as the profile saved them (a group's profile carries only what it set)."""
    return Asker(profile.country, profile.region, profile.role)


def rank_for(asker: Asker, result: SearchResult, catalog: Catalog) -> Ranked:
    """Re-rank `result` for `asker` by the rules in the module docstring; deterministic."""
    if not result.hits:
        return NOTHING
    country = None if result.country is not None else asker.country
    audiences = ROLE_AUDIENCES.get(asker.role or "", frozenset())
    scored: list[tuple[bool, int, float, int, Hit]] = []
    foreign: set[str] = set()
    tier, previous = 0, math.inf
    for position, hit in enumerate(result.hits):
        # The index lists tiers one after the other (items matching the words, then those
        # matching only a filter such as "employers"), each best first: a score that rises
        # starts the next tier, and no factor here moves an item across tiers.
        if hit.score > previous:
            tier += 1
        previous = hit.score
        item = catalog.get(hit.item_id)
        if item is None:
            continue
        factor = 1.0
        regions: Sequence[str] = () if isinstance(item, Event) else item.regions
        if asker.region and regions:
            factor *= OWN_REGION if asker.region in regions else OTHER_REGION
        if audiences and isinstance(item, Program):
            factor *= FOR_MY_ROLE if audiences & set(item.audiences) else NOT_FOR_MY_ROLE
        away = country is not None and item.country.value != country
        if away:
            foreign.add(hit.item_id)
        adjusted = replace(hit, score=hit.score * factor)
        scored.append((away, tier, -adjusted.score, position, adjusted))
    scored.sort(key=lambda entry: entry[:4])
    hits = tuple(entry[4] for entry in scored)
    winner = result.clear_winner and bool(hits)
    if winner and hits[0].item_id != result.hits[0].item_id:
        # The index's winner lost its place to a card it did not judge decisive.
        winner = False
    return Ranked(hits, frozenset(foreign), winner)
