"""What this bot does not cover, so it says so instead of offering a card by accident.

Two kinds of subject are outside the catalog: places outside North America ("apprenticeship in
Germany", "becas para estudiar en el extranjero") — the programs here are Mexican, American and
Canadian — and subjects listed in `data/out_of_scope.yaml` (visas, scholarships, driving
licences…). A place the content itself names (Colombia, Chile and Peru in the Pacific Alliance
card) stays searchable: `outside` is given the words the catalog knows.

Place names come from pycountry's ISO 3166-1 table and its gettext translations, like
`bot.domain.regions`, so "Alemania" and "Allemagne" count as well as "Germany" — and a
country the content names in any language (the dual model's card says "Germany") is covered in
all three.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Collection
from functools import cache
from pathlib import Path

import pycountry
import yaml

from bot.catalog.normalize import fold
from bot.domain.regions import all_regions

HOME = frozenset({"MX", "US", "CA", "PR", "GU", "VI", "AS", "MP", "UM"})
"""The three countries, and the US territories (Registered Apprenticeship runs in Puerto Rico)."""
ELSEWHERE = (
    "abroad",
    "overseas",
    "extranjero",
    "etranger",
    "europe",
    "europa",
    "asia",
    "asie",
    "africa",
    "afrique",
    "australia",
    "australie",
)
"""Where people say they want to go without naming a country."""
_DATA = Path(__file__).with_name("data") / "out_of_scope.yaml"


@cache
def _translator(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


@cache
def foreign_places() -> dict[str, str]:
    """Folded names of every country but the three, in en/es/fr (common names too) → the
    country's code ("" for ELSEWHERE words), except names that are also a region's name at
    home (Georgia, Jersey in "New Jersey")."""
    at_home = {
        word for region in all_regions() for _, name in region.names for word in fold(name).split()
    }
    names: dict[str, str] = dict.fromkeys(ELSEWHERE, "")
    for country in pycountry.countries:
        if country.alpha_2 in HOME:
            continue
        for name in {country.name, getattr(country, "common_name", country.name)}:
            for lang in ("en", "es", "fr"):
                local = name if lang == "en" else _translator(lang).gettext(name)
                names.setdefault(fold(local), country.alpha_2)
    return {n: code for n, code in names.items() if len(n) >= 4 and not set(n.split()) <= at_home}


@cache
def subjects() -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return {topic: tuple(fold(term) for term in terms) for topic, terms in raw.items()}


def _pattern(phrases: Collection[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])")


class Scope:
    """The matcher for one catalog: built once per search index (see `for_vocabulary`)."""

    def __init__(self, known: Collection[str]) -> None:
        vocabulary = set(known)
        places = foreign_places()
        named = {code for name, code in places.items() if code and set(name.split()) <= vocabulary}
        places = [
            name
            for name, code in places.items()
            if not set(name.split()) <= vocabulary and (not code or code not in named)
        ]
        self._places = _pattern(places)
        self._subjects = {topic: _pattern(terms) for topic, terms in subjects().items()}

    def outside(self, text: str) -> str | None:
        """The subject of `text` this bot has nothing on, or None: a listed subject's name,
        or "place:<name>" for a place outside North America the content never names."""
        folded = " ".join(fold(text).split())
        for subject, pattern in self._subjects.items():
            if pattern.search(folded):
                return subject
        found = self._places.search(folded)
        return f"place:{found.group(0)}" if found else None
