"""The validated, immutable catalog and the look-ups menus need.

Built once per load (and per reload); every menu question ("which kinds exist in Canada?")
is answered from precomputed indexes so handlers never scan the content per update.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from bot.catalog.models import (
    Country,
    Event,
    Item,
    Organisation,
    Program,
    ProgramKind,
    Status,
)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Programs, organisations and events by id, plus menu indexes."""

    programs: Mapping[str, Program]
    organisations: Mapping[str, Organisation]
    events: Mapping[str, Event]
    _by_country_kind: Mapping[tuple[Country, ProgramKind], tuple[Program, ...]] = field(repr=False)
    _orgs_by_country: Mapping[Country, tuple[Organisation, ...]] = field(repr=False)

    @classmethod
    def build(
        cls,
        programs: Iterable[Program] = (),
        organisations: Iterable[Organisation] = (),
        events: Iterable[Event] = (),
    ) -> Catalog:
        """Index already-validated items; the loader checks ids and references before this."""
        progs = {p.id: p for p in sorted(programs, key=lambda p: p.name.en.casefold())}
        orgs = {o.id: o for o in sorted(organisations, key=lambda o: o.name.en.casefold())}
        evs = {e.id: e for e in sorted(events, key=lambda e: e.starts_at)}
        by_ck: defaultdict[tuple[Country, ProgramKind], list[Program]] = defaultdict(list)
        for p in progs.values():
            by_ck[(p.country, p.kind)].append(p)
        orgs_by_c: defaultdict[Country, list[Organisation]] = defaultdict(list)
        for o in orgs.values():
            orgs_by_c[o.country].append(o)
        return cls(
            programs=MappingProxyType(progs),
            organisations=MappingProxyType(orgs),
            events=MappingProxyType(evs),
            _by_country_kind=MappingProxyType({k: tuple(v) for k, v in by_ck.items()}),
            _orgs_by_country=MappingProxyType({k: tuple(v) for k, v in orgs_by_c.items()}),
        )

    def __len__(self) -> int:
        return len(self.programs) + len(self.organisations) + len(self.events)

    def get(self, item_id: str) -> Item | None:
        return (
            self.programs.get(item_id)
            or self.organisations.get(item_id)
            or self.events.get(item_id)
        )

    def items(self) -> Iterable[Item]:
        yield from self.programs.values()
        yield from self.organisations.values()
        yield from self.events.values()

    def countries(self) -> list[Country]:
        """Countries with at least one card, in menu order (no dead ends)."""
        present = {c for c, _ in self._by_country_kind} | set(self._orgs_by_country)
        return [c for c in Country if c in present]

    def kinds_in(self, country: Country) -> list[ProgramKind]:
        """Kinds that have at least one program in the country, in a stable menu order."""
        return [k for k in ProgramKind if (country, k) in self._by_country_kind]

    def programs_of(self, country: Country, kind: ProgramKind) -> tuple[Program, ...]:
        """Active programs first, so an ended grant never tops a list; national ones before
        regional ones, so 51 state entry points never bury the national program."""
        progs = self._by_country_kind.get((country, kind), ())
        return tuple(sorted(progs, key=lambda p: (p.status is not Status.ACTIVE, bool(p.regions))))

    def organisations_in(self, country: Country) -> tuple[Organisation, ...]:
        return self._orgs_by_country.get(country, ())

    def for_employers(self, country: Country) -> list[Program | Organisation]:
        """The employer track: every item of the country that says how employers take part."""
        progs = [
            p
            for k in self.kinds_in(country)
            for p in self.programs_of(country, k)
            if p.employers is not None and p.status is Status.ACTIVE
        ]
        orgs = [o for o in self.organisations_in(country) if o.employers is not None]
        return [*progs, *orgs]

    def featured(self) -> list[Program]:
        return [p for p in self.programs.values() if p.featured and p.status is Status.ACTIVE]

    def upcoming_events(self, now: datetime) -> list[Event]:
        """Announced events not yet started, soonest first."""
        return [e for e in self.events.values() if e.is_upcoming(now)]

    def past_events(self, now: datetime) -> list[Event]:
        """Held (or cancelled, or past) events, most recent first."""
        upcoming = {e.id for e in self.upcoming_events(now)}
        return [e for e in reversed(self.events.values()) if e.id not in upcoming]

    def related_items(self, item: Item) -> list[Item]:
        return [r for r in (self.get(i) for i in item.related) if r is not None]
