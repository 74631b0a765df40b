"""Screens of the user's region: the picker (onboarding and /settings) and "how to start here".

The picker shows a country's regions sorted by their name in the user's language, split into
pages of at most `PER_PAGE` named by their first and last letters ("A–M", "N–W"): the US has 51,
far more than fit one comfortable keyboard, and letter ranges say where to look.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace

from bot import routes, screens
from bot.cards import Button, Card, render
from bot.catalog.catalog import Catalog
from bot.catalog.models import Country, ProgramKind, Status
from bot.domain import pathways
from bot.domain.regions import COUNTRIES, Region, regions_of
from bot.i18n import t, t_html
from bot.screens import PAGE_SIZE, Profile, _country_label, _list_card

PER_PAGE = 27
COLUMNS = 3


def _sort_key(name: str) -> str:
    """Alphabetical as people expect it: Querétaro among the Q's, Île-du-Prince-Édouard at I."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c)
    )


def _initial(name: str) -> str:
    return _sort_key(name)[:1].upper()


def region_pages(country: str, lang: str) -> list[list[Region]]:
    """The country's regions in pages of nearly equal size, in the user's alphabetical order."""
    regions = sorted(regions_of(country), key=lambda r: _sort_key(r.name(lang)))
    if not regions:
        return []
    count = math.ceil(len(regions) / PER_PAGE)
    size = math.ceil(len(regions) / count)
    return [regions[i : i + size] for i in range(0, len(regions), size)]


def _page_label(page: list[Region], lang: str) -> str:
    first, last = _initial(page[0].name(lang)), _initial(page[-1].name(lang))
    return first if first == last else f"{first}–{last}"


def region_picker(profile: Profile, page: int = 0, *, onboarding: bool = False) -> Card:
    lang = profile.lang
    country = profile.country if profile.country in ("ca", "mx", "us") else None
    pages = region_pages(country, lang) if country else []
    page = min(max(page, 0), max(len(pages) - 1, 0))
    rows: list[tuple[Button, ...]] = []
    shown = pages[page] if pages else []
    for start in range(0, len(shown), COLUMNS):
        rows.append(
            tuple(
                Button(r.name(lang), routes.SetRegion(r.code, onboarding=onboarding))
                for r in shown[start : start + COLUMNS]
            )
        )
    pager = []
    if page > 0:
        label = f"◀️ {_page_label(pages[page - 1], lang)}"
        pager.append(Button(label, routes.PickRegion(page - 1, onboarding=onboarding)))
    if page < len(pages) - 1:
        label = f"{_page_label(pages[page + 1], lang)} ▶️"
        pager.append(Button(label, routes.PickRegion(page + 1, onboarding=onboarding)))
    rows.append(tuple(pager))
    skip_key = "button.skip" if onboarding else "button.no_region"
    rows.append((Button(t(lang, skip_key), routes.SetRegion(routes.NO_REGION, onboarding)),))
    if not onboarding:
        rows.append((Button(t(lang, "button.back"), routes.Settings()),))
    return render(
        "region_picker",
        lang,
        rows,
        question=t(lang, f"region.ask.{country or 'none'}"),
        country=_country_label(lang, country) if country else None,
        page=page + 1,
        pages=len(pages),
        range=_page_label(shown, lang) if shown else None,
    )


def region_start(catalog: Catalog, profile: Profile, region: Region, page: int = 0) -> Card:
    """Where to start in the user's region; national entry points when it has none of its own."""
    lang = profile.lang
    items: list[pathways.Local] = list(pathways.regional_items(catalog, region.code))
    intro = t(lang, "region.start_intro", region=region.name(lang))
    if not items:
        intro = t(lang, "region.start_none", region=region.name(lang))
        country = Country(region.country)
        items = [
            p
            for kind in (ProgramKind.APPRENTICESHIP, ProgramKind.JOB_SERVICE)
            for p in catalog.programs_of(country, kind)
            if not p.regions and p.status is Status.ACTIVE
        ]
    return _list_card(
        lang,
        t_html(lang, "region.start_title", region=region.name(lang)),
        items,
        page,
        routes.RegionStart,
        (),
        None,
        intro=intro,
    )


def examples(catalog: Catalog, profile: Profile) -> Iterator[tuple[str, Callable[[], Card]]]:
    """Every picker page of every country and every region's "how to start", for `validate`."""
    for country in COUNTRIES:
        local = replace(profile, country=country, region=None)
        for onboarding in (False, True):
            for page in range(len(region_pages(country, profile.lang))):
                yield (
                    f"region picker {country} p{page}{' onboarding' if onboarding else ''}",
                    lambda p=local, n=page, o=onboarding: region_picker(p, n, onboarding=o),
                )
        for here in regions_of(country):
            placed = replace(local, region=here.code)
            count = len(pathways.regional_items(catalog, here.code))
            for page in range(max(1, math.ceil(count / PAGE_SIZE))):
                yield (
                    f"region start {here.code} p{page}",
                    lambda p=placed, r=here, n=page: region_start(catalog, p, r, n),
                )
            yield f"home in {here.code}", lambda p=placed: screens.home(catalog, p)
            yield f"settings in {here.code}", lambda p=placed: screens.settings(p)
