"""Where a person starts, given where they live: the entry points of a region.

Plain functions over the catalog (no Telegram, no database), so home, search and the finder
agree on what "the authority or office to contact there" is.
"""

from __future__ import annotations

from bot.catalog.catalog import Catalog
from bot.catalog.models import Organisation, Program, Status
from bot.domain.regions import Region, region, regions_of

Local = Program | Organisation


def _active(item: Local) -> bool:
    return not isinstance(item, Program) or item.status is Status.ACTIVE


def _most_local_first(item: Local) -> tuple[bool, int, str]:
    # A college in Querétaro (1 region) before the national employment service (32 regions).
    return (not _active(item), len(item.regions), item.id)


def entry_points(catalog: Catalog, code: str | None) -> list[Program]:
    """The cards a person in region `code` should open first, most local first."""
    if not code:
        return []
    items = [
        item for item in catalog.programs.values() if item.entry_point and code in item.regions
    ]
    return sorted(items, key=_most_local_first)


def regional_items(catalog: Catalog, code: str | None) -> list[Local]:
    """Everything that applies to region `code` specifically (entry points included)."""
    if not code:
        return []
    items = [
        item
        for item in (*catalog.programs.values(), *catalog.organisations.values())
        if code in item.regions
    ]
    return sorted(items, key=lambda item: (not _entry(item), *_most_local_first(item)))


def nationwide(item: Local) -> bool:
    """National, or listed in every region of its country (the Servicio Nacional de Empleo has
    an office in each of the 32 states): a person whose region is unknown can still use it."""
    return not item.regions or set(item.regions) >= {r.code for r in regions_of(item.country.value)}


def _entry(item: Local) -> bool:
    return isinstance(item, Program) and item.entry_point


def user_region(code: str | None, country: str | None) -> Region | None:
    """The saved region if it is real and in the saved country (a country change voids it)."""
    found = region(code) if code else None
    if found is None or (country is not None and found.country != country):
        return None
    return found
