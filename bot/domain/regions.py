"""Provinces, territories, states: ISO 3166-2 codes with names in every bot language.

Codes and names come from `pycountry` (ISO 3166-2 and its gettext translations) rather than a
hand-typed list, so a code in content or in a user's profile is either a real subdivision or
refused. Only the subdivisions a person can live in count: the US outlying areas (Guam, Puerto
Rico…) are left out because the content covers the 50 states and DC.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache

import pycountry

COUNTRIES: tuple[str, ...] = ("ca", "mx", "us")
LANGS: tuple[str, ...] = ("en", "es", "fr")

_KINDS = {"Province", "Territory", "State", "District", "Federal entity"}

# pycountry's English (and a few translated) names differ from what people there write.
_NAMES: dict[str, dict[str, str]] = {
    "CA-QC": {"en": "Quebec", "es": "Quebec", "fr": "Québec"},
    "MX-MEX": {"en": "State of Mexico", "es": "Estado de México", "fr": "État de Mexico"},
    "MX-CMX": {"en": "Mexico City", "es": "Ciudad de México", "fr": "Mexico (ville)"},
    "CA-NB": {"fr": "Nouveau-Brunswick"},
    "CA-PE": {"fr": "Île-du-Prince-Édouard"},
    "MX-BCN": {"fr": "Basse-Californie"},
    "MX-BCS": {"fr": "Basse-Californie-du-Sud"},
    "MX-COA": {"en": "Coahuila", "es": "Coahuila", "fr": "Coahuila"},
    "MX-MIC": {"en": "Michoacán", "es": "Michoacán", "fr": "Michoacán"},
    "MX-NLE": {"fr": "Nuevo León"},
    "MX-VER": {"en": "Veracruz", "es": "Veracruz", "fr": "Veracruz"},
    "US-WV": {"fr": "Virginie-Occidentale"},
    "US-DC": {
        "en": "District of Columbia",
        "es": "Distrito de Columbia",
        "fr": "District de Columbia",
    },
}


@dataclass(frozen=True, slots=True)
class Region:
    """One province, territory or state."""

    code: str
    """ISO 3166-2, e.g. ``CA-QC``, ``US-NC``, ``MX-QUE``."""
    country: str
    """The bot's country code: ``ca``, ``mx`` or ``us``."""
    names: tuple[tuple[str, str], ...]

    def name(self, lang: str) -> str:
        table = dict(self.names)
        return table.get(lang) or table["en"]


@cache
def _translator(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def _translated(name: str, lang: str) -> str:
    return name if lang == "en" else _translator(lang).gettext(name)


@cache
def all_regions() -> tuple[Region, ...]:
    """Every region of the three countries, sorted by country then English name."""
    out: list[Region] = []
    for country in COUNTRIES:
        for sub in pycountry.subdivisions.get(country_code=country.upper()) or ():
            if sub.type not in _KINDS or sub.parent_code is not None:
                continue
            override = _NAMES.get(sub.code, {})
            names = tuple((ln, override.get(ln) or _translated(sub.name, ln)) for ln in LANGS)
            out.append(Region(code=sub.code, country=country, names=names))
    out.sort(key=lambda r: (r.country, r.name("en")))
    return tuple(out)


@cache
def _by_code() -> dict[str, Region]:
    return {r.code: r for r in all_regions()}


def region(code: str) -> Region | None:
    """The region with this ISO 3166-2 code (case-insensitive), or None."""
    return _by_code().get(code.upper())


def regions_of(country: str) -> tuple[Region, ...]:
    """The regions of one country (``ca``, ``mx``, ``us``), sorted by English name."""
    return tuple(r for r in all_regions() if r.country == country)
