"""Screens: turn catalog items and a user's profile into view models and render Cards.

Handlers call these and send the result; nothing here knows about updates or the network,
so every screen is testable (and validated by `python -m bot validate`) without Telegram.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from bot import routes
from bot.cards import Button, Card, fit, render
from bot.catalog.catalog import Catalog
from bot.catalog.models import (
    LANGUAGES,
    Country,
    Event,
    EventStatus,
    Organisation,
    Program,
    ProgramKind,
    Status,
)
from bot.domain import pathways, regions
from bot.i18n import BABEL_LOCALES, fmt_date, fmt_datetime, fmt_time, t, t_html
from bot.store.topics import Topic

if TYPE_CHECKING:
    from bot.broadcast.audience import Audience
    from bot.broadcast.outbox import Counts
    from bot.store.models import Broadcast
    from bot.store.repo import Breakdown, Gap, Stats

PAGE_SIZE = 6
BLURB_MAX = 160
RELATED_MAX = 4


@dataclass(frozen=True, slots=True)
class Profile:
    """What the bot remembers about a user: the minimum that tailors the menus."""

    lang: str
    role: str | None = None
    country: str | None = None
    region: str | None = None
    """ISO 3166-2 code, only ever one of `country`'s regions (see `pathways.user_region`)."""


@dataclass(frozen=True, slots=True)
class Links:
    """Where a card can send someone, known only at run time: deep links need the bot's
    username; "💬 Ask a person" needs a staff chat (`STAFF_CHAT_ID`), else it is not offered."""

    bot_username: str | None = None
    ask_person: bool = False

    def start(self, payload: str) -> str | None:
        if not self.bot_username:
            return None
        from telegram.helpers import create_deep_linked_url

        return create_deep_linked_url(self.bot_username, payload)


def _nav(lang: str, back: routes.Route | None) -> tuple[Button, ...]:
    row = []
    if back is not None:
        row.append(Button(t(lang, "button.back"), back))
    row.append(Button(t(lang, "button.home"), routes.Home()))
    return tuple(row)


def _blurb(text: str) -> str:
    """First sentence or so of a text, for lists that must fit one message."""
    text = " ".join(text.split())
    if len(text) <= BLURB_MAX:
        return text
    cut = text[:BLURB_MAX].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def _pages(count: int) -> int:
    return max(1, math.ceil(count / PAGE_SIZE))


def _clamp(page: int, count: int) -> int:
    return min(max(page, 0), _pages(count) - 1)


def _country_label(lang: str, country: str | None) -> str:
    if country is None:
        return t(lang, "settings.unset")
    return f"{t(lang, f'flag.{country}')} {t(lang, f'country.{country}')}"


# Onboarding -------------------------------------------------------------------------------


def onboarding_role(profile: Profile, *, greet: bool = True) -> Card:
    lang = profile.lang
    rows = [
        (Button(t(lang, f"role.{r}"), routes.SetRole(r, onboarding=True)),) for r in routes.ROLES
    ]
    rows.append((Button(t(lang, "button.language"), routes.PickLanguage(onboarding=True)),))
    return render("onboarding_role", lang, rows, greet=greet)


def onboarding_country(profile: Profile) -> Card:
    lang = profile.lang
    rows = [
        (Button(_country_label(lang, c), routes.SetCountry(c, onboarding=True)),)
        for c in routes.COUNTRY_CHOICES
    ]
    return render("onboarding_country", lang, rows)


def language_picker(profile: Profile, *, onboarding: bool = False) -> Card:
    rows = [
        (Button(t(code, "language_name"), routes.SetLanguage(code, onboarding=onboarding)),)
        for code in LANGUAGES
    ]
    back: routes.Route = routes.PickRole(onboarding=True) if onboarding else routes.Settings()
    rows.append((Button(t(profile.lang, "button.back"), back),))
    return render("language", profile.lang, rows)


def role_picker(profile: Profile) -> Card:
    lang = profile.lang
    rows = [(Button(t(lang, f"role.{r}"), routes.SetRole(r)),) for r in routes.ROLES]
    rows.append((Button(t(lang, "button.back"), routes.Settings()),))
    return render("onboarding_role", lang, rows, greet=False)


def country_picker(profile: Profile) -> Card:
    lang = profile.lang
    rows = [
        (Button(_country_label(lang, c), routes.SetCountry(c)),) for c in routes.COUNTRY_CHOICES
    ]
    rows.append((Button(t(lang, "button.back"), routes.Settings()),))
    return render("onboarding_country", lang, rows)


# Menus -----------------------------------------------------------------------------------


def home(catalog: Catalog, profile: Profile, *, notice: str | None = None) -> Card:
    lang = profile.lang
    countries = catalog.countries()
    if profile.country in {c.value for c in countries}:
        countries.sort(key=lambda c: c.value != profile.country)
    rows: list[tuple[Button, ...]] = [
        (Button(_country_label(lang, c.value), routes.CountryMenu(c)),) for c in countries
    ]
    employer = profile.role == "employer"
    employer_country = _preferred_employer_country(catalog, profile)
    if employer_country is not None:
        employer_row = (
            Button(t(lang, "button.employers"), routes.EmployerTrack(employer_country)),
        )
        rows.insert(0 if employer else len(rows), employer_row)
    here = pathways.user_region(profile.region, profile.country)
    if here is not None:  # where this person starts comes before everything else
        label = t(lang, "button.region_start", region=here.name(lang))
        rows.insert(0, (Button(label, routes.RegionStart()),))
    elif profile.country in regions.COUNTRIES:
        rows.append((Button(t(lang, "button.set_region"), routes.PickRegion()),))
    rows.append((Button(t(lang, "button.fit"), routes.Fit()),))
    if catalog.events:
        rows.append((Button(t(lang, "button.forums"), routes.Forums()),))
    rows.append(
        (
            Button(t(lang, "button.settings"), routes.Settings()),
            Button(t(lang, "button.help"), routes.Help()),
        )
    )
    return render(
        "home",
        lang,
        rows,
        notice=notice,
        role=t(lang, f"role_short.{profile.role}") if profile.role else None,
        country=_country_label(lang, profile.country),
        employer=employer,
    )


def _preferred_employer_country(catalog: Catalog, profile: Profile) -> Country | None:
    candidates = [c for c in catalog.countries() if catalog.for_employers(c)]
    for c in candidates:
        if c.value == profile.country:
            return c
    return candidates[0] if candidates else None


def country_menu(catalog: Catalog, profile: Profile, country: Country) -> Card:
    lang = profile.lang
    rows: list[tuple[Button, ...]] = []
    for kind in catalog.kinds_in(country):
        count = len(catalog.programs_of(country, kind))
        label = t(lang, "country_menu.count", label=t(lang, f"kind.{kind.value}"), count=count)
        rows.append((Button(label, routes.KindList(country, kind)),))
    if catalog.for_employers(country):
        rows.append((Button(t(lang, "button.employers"), routes.EmployerTrack(country)),))
    if catalog.organisations_in(country):
        rows.append((Button(t(lang, "button.organisations"), routes.OrgList(country)),))
    rows.append(_nav(lang, None))
    return render(
        "country",
        lang,
        rows,
        flag=t(lang, f"flag.{country.value}"),
        country=t(lang, f"country.{country.value}"),
    )


def _list_card(
    lang: str,
    title: str,
    items: Sequence[Program | Organisation],
    page: int,
    page_route: type[routes.Route],
    route_args: tuple[object, ...],
    back: routes.Route | None,
    *,
    intro: str | None = None,
    blurb_field: str = "summary",
) -> Card:
    page = _clamp(page, len(items))
    pages = _pages(len(items))
    chunk = items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    entries = []
    rows: list[tuple[Button, ...]] = []
    for item in chunk:
        text = getattr(item, blurb_field)
        entries.append(
            {
                "name": item.name.get(lang),
                "blurb": _blurb(text.get(lang)) if text else None,
                "ended": isinstance(item, Program) and item.status is Status.ENDED,
            }
        )
        rows.append((Button(item.name.get(lang), routes.Card(item.id)),))
    pager = []
    if page > 0:
        pager.append(Button(t(lang, "button.prev"), page_route(*route_args, page - 1)))  # type: ignore[call-arg]
    if page < pages - 1:
        pager.append(Button(t(lang, "button.next"), page_route(*route_args, page + 1)))  # type: ignore[call-arg]
    rows.append(tuple(pager))
    rows.append(_nav(lang, back))
    return render(
        "item_list",
        lang,
        rows,
        title=title,
        intro=intro,
        entries=entries,
        page=page + 1,
        pages=pages,
    )


def kind_list(
    catalog: Catalog, profile: Profile, country: Country, kind: ProgramKind, page: int = 0
) -> Card:
    lang = profile.lang
    title = t_html(
        lang,
        "kind_list.title",
        flag=t(lang, f"flag.{country.value}"),
        kind=t(lang, f"kind.{kind.value}"),
        country=t(lang, f"country.{country.value}"),
    )
    items = catalog.programs_of(country, kind)
    return _list_card(
        lang, title, items, page, routes.KindList, (country, kind), routes.CountryMenu(country)
    )


def org_list(catalog: Catalog, profile: Profile, country: Country, page: int = 0) -> Card:
    lang = profile.lang
    title = t_html(
        lang,
        "org_list.title",
        flag=t(lang, f"flag.{country.value}"),
        country=t(lang, f"country.{country.value}"),
    )
    items = catalog.organisations_in(country)
    return _list_card(
        lang, title, items, page, routes.OrgList, (country,), routes.CountryMenu(country)
    )


def employer_track(catalog: Catalog, profile: Profile, country: Country, page: int = 0) -> Card:
    """Built from each item's `employers` text: the same content, never a separate copy."""
    lang = profile.lang
    title = t_html(
        lang,
        "employers.title",
        flag=t(lang, f"flag.{country.value}"),
        country=t(lang, f"country.{country.value}"),
    )
    return _list_card(
        lang,
        title,
        catalog.for_employers(country),
        page,
        routes.EmployerTrack,
        (country,),
        routes.CountryMenu(country),
        intro=t(lang, "employers.intro"),
        blurb_field="employers",
    )


# Cards -----------------------------------------------------------------------------------


def _official_url(item: Program | Organisation | Event, lang: str) -> str | None:
    """The page in the reader's language where the content names one (a Québec card opens the
    French page for a French reader); events carry a single official page."""
    if isinstance(item, Event):
        return item.official_url
    return item.official_url_for(lang)


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a card behind its own button: `code` travels in `routes.CardSection`."""

    code: str
    field: str
    label_key: str
    emoji: str


SECTIONS: tuple[Section, ...] = (
    Section("w", "who_can_apply", "card.who_can_apply", "👤"),
    Section("g", "what_you_get", "card.what_you_get", "🎁"),
    Section("d", "duration", "card.duration", "⏱"),
    Section("a", "how_to_apply", "card.how_to_apply", "📝"),
    Section("e", "employers", "card.employers", "🏭"),
    Section("f", "key_facts", "card.facts_sources", "📊"),
)
MORE = "m"
"""The "More like this" section: related items as buttons."""
SECTION_BY_CODE = {section.code: section for section in SECTIONS}
NEXT_STEP_MAX = 150
"""The overview's "next step" is the first sentence of "How to apply", cut at a word if longer:
the whole section is one tap away."""

Item = Program | Organisation | Event


def _related(catalog: Catalog, item: Item, extra: Sequence[Item] = ()) -> list[Item]:
    shown = {item.id}
    related: list[Item] = []
    for other in [*extra, *catalog.related_items(item)]:
        if other.id in shown or len(related) >= RELATED_MAX:
            continue
        shown.add(other.id)
        related.append(other)
    return related


def sections_of(item: Item, role: str | None) -> list[Section]:
    """The sections this item has text for; employers see "For employers" first."""
    found = []
    for section in SECTIONS:
        if section.code == "f":
            if getattr(item, "key_facts", None) or item.sources:
                found.append(section)
        elif getattr(item, section.field, None) is not None:
            found.append(section)
    if role == "employer":
        found.sort(key=lambda s: s.code != "e")
    return found


def _section_rows(
    lang: str, item_id: str, sections: Sequence[Section], current: str | None
) -> list[tuple[Button, ...]]:
    """Two section buttons a row; the one shown gives way to "⬅️ Overview" on top."""
    buttons = [
        Button(f"{s.emoji} {t(lang, s.label_key)}", routes.CardSection(item_id, s.code))
        for s in sections
        if s.code != current
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    if current is not None:
        rows.insert(0, (Button(t(lang, "card.overview"), routes.Card(item_id)),))
    return rows


def _item_buttons(
    catalog: Catalog,
    lang: str,
    item: Item,
    links: Links,
    extra: Sequence[Item] = (),
    *,
    sections: Sequence[Section] = (),
    current: str | None = None,
) -> list[tuple[Button, ...]]:
    """Sections, "More like this", the official site, share and (when on) a person to ask."""
    rows = _section_rows(lang, item.id, sections, current)
    related = _related(catalog, item, extra)
    if current == MORE:
        rows.extend((Button(f"↪ {_item_name(r, lang)}", routes.Card(r.id)),) for r in related)
    elif related:
        rows.append((Button(t(lang, "card.more_like_this"), routes.CardSection(item.id, MORE)),))
    official = _official_url(item, lang)
    if official:
        rows.append((Button(t(lang, "button.official_site"), url=official),))
    share_query = item.title.en if isinstance(item, Event) else (item.short_name or item.name.en)
    rows.append((Button(t(lang, "button.share"), switch_inline=share_query),))
    if links.ask_person:
        rows.append(ask_row(lang))
    return rows


def ask_row(lang: str) -> tuple[Button, ...]:
    """ "💬 Ask a person": where the catalog runs out, a human takes over."""
    return (Button(t(lang, "ask.button"), routes.Ask()),)


def next_step(text: str | None) -> str | None:
    """The first sentence of "How to apply" (cut at a word past NEXT_STEP_MAX)."""
    if not text:
        return None
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    if len(first) <= NEXT_STEP_MAX:
        return first
    return first[:NEXT_STEP_MAX].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _subscribe_row(lang: str, item_id: str, subscribed: bool | None) -> tuple[Button, ...]:
    """One-tap 🔔 on a card; `subscribed` None (state not looked up) offers to subscribe."""
    if subscribed:
        return (Button(t(lang, "subs.button_off"), routes.CardSubscribe(item_id, on=False)),)
    return (Button(t(lang, "subs.button_on"), routes.CardSubscribe(item_id, on=True)),)


def program_card(
    catalog: Catalog,
    profile: Profile,
    program: Program,
    links: Links,
    *,
    subscribed: bool | None = None,
    section: str | None = None,
) -> Card:
    """A program's overview (what it is, who it's for, the next step), or one `section` of it:
    a phone shows either whole, where the full card was a wall of text."""
    lang = profile.lang
    org = catalog.organisations.get(program.organisation) if program.organisation else None
    replaced = catalog.programs.get(program.replaced_by) if program.replaced_by else None
    extra = [x for x in (replaced, org) if x is not None]
    sections = sections_of(program, profile.role)
    rows = _item_buttons(catalog, lang, program, links, extra, sections=sections, current=section)
    rows.append(_subscribe_row(lang, program.id, subscribed))
    rows.append(_nav(lang, routes.KindList(program.country, program.kind)))
    head = {
        "flag": t(lang, f"flag.{program.country.value}"),
        "kind": t(lang, f"kind.{program.kind.value}"),
        "country": t(lang, f"country.{program.country.value}"),
        "name": program.name.get(lang),
        "short_name": program.short_name,
        "region": program.region.get(lang) if program.region else None,
    }
    if section is not None:
        return _section_card(lang, rows, program, head, section)
    return render(
        "program",
        lang,
        rows,
        p=program,
        **head,
        ended=program.status is Status.ENDED,
        replaced_by=replaced.name.get(lang) if replaced else None,
        organisation=org.name.get(lang) if org else None,
        audiences=", ".join(t(lang, f"audience.{a.value}") for a in program.audiences),
        next_step=next_step(program.how_to_apply.get(lang) if program.how_to_apply else None),
    )


def _section_card(
    lang: str, rows: list[tuple[Button, ...]], item: Item, head: dict[str, object], code: str
) -> Card:
    """One section under the card's title line (the sources with the facts, numbered)."""
    found = SECTION_BY_CODE.get(code)
    text = None
    if found is not None and found.code != "f":
        value = getattr(item, found.field, None)
        text = value.get(lang) if value is not None else None
    return render(
        "card_section",
        lang,
        rows,
        **head,
        title=t(lang, found.label_key) if found else None,
        text=text,
        facts=getattr(item, "key_facts", ()) if code == "f" else (),
        sources=item.sources if code == "f" else (),
        more=code == MORE,
        verified=item.last_verified,
    )


def organisation_card(
    catalog: Catalog,
    profile: Profile,
    org: Organisation,
    links: Links,
    *,
    section: str | None = None,
) -> Card:
    lang = profile.lang
    runs = [p for p in catalog.programs.values() if p.organisation == org.id]
    sections = sections_of(org, profile.role)
    rows = _item_buttons(catalog, lang, org, links, runs, sections=sections, current=section)
    rows.append(_nav(lang, routes.OrgList(org.country)))
    head = {
        "flag": t(lang, f"flag.{org.country.value}"),
        "kind": t(lang, f"org_kind.{org.kind.value}"),
        "country": t(lang, f"country.{org.country.value}"),
        "name": org.name.get(lang),
        "short_name": org.short_name,
        "region": None,
    }
    if section is not None:
        return _section_card(lang, rows, org, head, section)
    return render("organisation", lang, rows, o=org, **head)


def _when(event: Event, lang: str) -> str:
    if event.all_day:
        return fmt_date(event.start, lang)
    return fmt_date(event.starts_at, lang, with_time=True)


def forum_card(
    catalog: Catalog,
    profile: Profile,
    event: Event,
    links: Links,
    *,
    subscribed: bool | None = None,
    now: datetime | None = None,
    section: str | None = None,
) -> Card:
    """A forum's card; a forum already held (or cancelled) offers no calendar file and no
    subscription, only "unsubscribe" to a chat that still follows it. Forum cards are short:
    their only section is "More like this"."""
    lang = profile.lang
    rows = _item_buttons(catalog, lang, event, links, current=section)
    if section is not None:
        rows.append(_nav(lang, routes.Forums()))
        head = {
            "flag": "🤝",
            "kind": t(lang, f"event_status.{event.status.value}"),
            "country": t(lang, f"country.{event.country.value}"),
            "name": event.title.get(lang),
            "short_name": None,
            "region": None,
        }
        return _section_card(lang, rows, event, head, section)
    if event.is_upcoming(now or datetime.now(UTC)):
        rows.append((Button(t(lang, "calendar.button"), routes.Calendar(event.id)),))
        rows.append(_subscribe_row(lang, event.id, subscribed))
    elif subscribed:
        rows.append(_subscribe_row(lang, event.id, subscribed))
    rows.append(_nav(lang, routes.Forums()))
    return render(
        "forum",
        lang,
        rows,
        e=event,
        when=_when(event, lang),
        status=t(lang, f"event_status.{event.status.value}"),
        country=t(lang, f"country.{event.country.value}"),
    )


def item_card(
    catalog: Catalog,
    profile: Profile,
    item_id: str,
    links: Links,
    *,
    subscribed: bool | None = None,
    section: str | None = None,
) -> Card | None:
    """The card of any catalog item, or None when the id is unknown (stale or forged).

    `subscribed`: whether the chat has the card's topic (`bot.store.topics.for_item`), for
    the 🔔 button of program and forum cards; None when not looked up. `section`: one of
    `routes.CARD_SECTIONS` instead of the overview (None when the item has no such section).
    """
    item = catalog.get(item_id)
    if item is None:
        return None
    has = {s.code for s in sections_of(item, None)} if not isinstance(item, Event) else set()
    if section is not None and section != MORE and section not in has:
        return None
    if isinstance(item, Program):
        return program_card(catalog, profile, item, links, subscribed=subscribed, section=section)
    if isinstance(item, Organisation):
        return organisation_card(catalog, profile, item, links, section=section)
    return forum_card(catalog, profile, item, links, subscribed=subscribed, section=section)


def forums(catalog: Catalog, profile: Profile, now: datetime) -> Card:
    lang = profile.lang
    upcoming = catalog.upcoming_events(now)
    past = catalog.past_events(now)

    def view(e: Event) -> dict[str, str]:
        return {
            "when": fmt_date(e.starts_at if not e.all_day else e.start, lang),
            "title": e.title.get(lang),
            "city": e.city.get(lang),
            "status": t(lang, f"event_status.{e.status.value}"),
        }

    rows = [(Button(f"🤝 {e.title.get(lang)}", routes.Card(e.id)),) for e in [*upcoming, *past]]
    rows.append(_nav(lang, None))
    return render(
        "forums", lang, rows, upcoming=[view(e) for e in upcoming], past=[view(e) for e in past]
    )


def settings(profile: Profile, *, notice: str | None = None) -> Card:
    lang = profile.lang
    rows = [
        (Button(t(lang, "button.language"), routes.PickLanguage()),),
        (Button(t(lang, "button.role"), routes.PickRole()),),
        (Button(t(lang, "button.country"), routes.PickCountry()),),
    ]
    if profile.country in regions.COUNTRIES:
        rows.append((Button(t(lang, "button.region"), routes.PickRegion()),))
    rows.append(_nav(lang, None))
    here = pathways.user_region(profile.region, profile.country)
    return render(
        "settings",
        lang,
        rows,
        notice=notice,
        language=t(lang, "language_name"),
        role=t(lang, f"role_short.{profile.role}") if profile.role else t(lang, "settings.unset"),
        country=_country_label(lang, profile.country),
        region=here.name(lang) if here else None,
    )


COMMANDS: tuple[str, ...] = (
    "start",
    "fit",
    "search",
    "forums",
    "subscribe",
    "unsubscribe",
    "mysubscriptions",
    "settings",
    "language",
    "privacy",
    "forget",
    "help",
)


ASK_COMMANDS: tuple[str, ...] = ("ask", "done")
"""Listed (in /help and the command menu) only when a staff chat is configured."""


def commands_for(*, ask: bool) -> tuple[str, ...]:
    """The public commands, in menu order: "Ask a person" after search when it is on."""
    if not ask:
        return COMMANDS
    at = COMMANDS.index("search") + 1
    return (*COMMANDS[:at], *ASK_COMMANDS, *COMMANDS[at:])


def help_card(profile: Profile, *, notice: str | None = None, ask: bool = False) -> Card:
    lang = profile.lang
    commands = [(name, t(lang, f"commands.{name}")) for name in commands_for(ask=ask)]
    rows = [(Button(t(lang, "button.search_inline"), switch_inline=""),)]
    if ask:
        rows.append(ask_row(lang))
    rows.append(_nav(lang, None))
    return render("help", lang, rows, notice=notice, commands=commands, ask=ask)


def notice(profile: Profile, message: str, *, home_button: bool = True) -> Card:
    rows = [_nav(profile.lang, None)] if home_button else []
    return render("notice", profile.lang, rows, message=message)


# Search ----------------------------------------------------------------------------------

SEARCH_SHOWN = 6


def _item_name(item: Program | Organisation | Event, lang: str) -> str:
    return item.title.get(lang) if isinstance(item, Event) else item.name.get(lang)


def _item_label(item: Program | Organisation | Event, lang: str) -> str:
    """Where an item sits, for result lists: "Apprenticeships · Canada"."""
    country = t(lang, f"country.{item.country.value}")
    if isinstance(item, Program):
        return f"{t(lang, f'kind.{item.kind.value}')} · {country}"
    if isinstance(item, Organisation):
        return f"{t(lang, f'org_kind.{item.kind.value}')} · {country}"
    return f"{t(lang, f'event_status.{item.status.value}')} · {country}"


def search_results(
    catalog: Catalog,
    profile: Profile,
    query: str,
    item_ids: Sequence[str],
    *,
    filters: Sequence[str] = (),
    winner: bool = False,
    links: Links | None = None,
    foreign: Collection[str] = (),
) -> Card:
    """Best matches as buttons; a clear winner is shown as its own card with the others below.

    `foreign`: ids from another country than the asker's; they come last and the list says
    where they are, so nobody in Querétaro mistakes a Canadian card for a local one."""
    lang = profile.lang
    items = [i for i in (catalog.get(x) for x in item_ids) if i is not None]
    if winner and items:
        top, others = items[0], items[1:SEARCH_SHOWN]
        card = item_card(catalog, profile, top.id, links or Links())
        assert card is not None
        linked = {
            b.route.item_id
            for row in card.keyboard
            for b in row
            if isinstance(b.route, routes.Card)
        }
        others = [o for o in others if o.id not in linked]
        extra = tuple((Button(f"🔎 {_item_name(o, lang)}", routes.Card(o.id)),) for o in others[:3])
        return Card(card.text, (*extra, *card.keyboard)) if extra else card
    entries = [
        {
            "name": _item_name(i, lang),
            "blurb": _item_label(i, lang),
            "ended": _ended(i),
            "foreign": i.id in foreign,
        }
        for i in items[:SEARCH_SHOWN]
    ]
    rows = [(Button(_item_name(i, lang), routes.Card(i.id)),) for i in items[:SEARCH_SHOWN]]
    rows.append(_nav(lang, None))
    return render(
        "search",
        lang,
        rows,
        query=_short(query),
        entries=entries,
        filters=", ".join(filters),
        suggestions=[],
        noted=False,
    )


def _ended(item: Program | Organisation | Event) -> bool:
    return isinstance(item, Program) and item.status is Status.ENDED


def _short(query: str, limit: int = 80) -> str:
    query = " ".join(query.split())
    return query if len(query) <= limit else query[: limit - 1] + "…"


def no_results(
    profile: Profile,
    query: str,
    suggestions: Sequence[str],
    *,
    noted: bool,
    extra: Sequence[Button] = (),
    ask: bool = False,
) -> Card:
    """No dead end: nearest terms as buttons, the asker's own entry points ("In Ontario: how
    to start"), a person to ask (when a staff chat is set), the menu, and (when offered) a
    notify-me button."""
    lang = profile.lang
    rows: list[tuple[Button, ...]] = []
    for term in suggestions[:4]:
        route = routes.search_route(term)
        if route is not None:
            rows.append((Button(f"🔎 {term}", route),))
    here = pathways.user_region(profile.region, profile.country)
    if here is not None:
        label = t(lang, "button.region_start", region=here.name(lang))
        rows.append((Button(label, routes.RegionStart()),))
    if ask:
        rows.append(ask_row(lang))
    rows.extend((b,) for b in extra)
    rows.append(_nav(lang, None))
    return render(
        "search",
        lang,
        rows,
        query=_short(query),
        entries=[],
        filters="",
        suggestions=[s for s in suggestions[:4] if routes.search_route(s)],
        noted=noted,
    )


def inline_card(catalog: Catalog, profile: Profile, item_id: str, links: Links) -> Card | None:
    """An item card for inline mode: same text, only URL buttons (it lands in others' chats)."""
    card = item_card(catalog, profile, item_id, links)
    if card is None:
        return None
    item = catalog.get(item_id)
    assert item is not None
    rows: list[tuple[Button, ...]] = []
    official = _official_url(item, profile.lang)
    if official:
        rows.append((Button(t(profile.lang, "button.official_site"), url=official),))
    deep = links.start(item_id)
    if deep:
        rows.append((Button(t(profile.lang, "button.open_in_bot"), url=deep),))
    return Card(card.text, tuple(rows))


def item_description(item: Program | Organisation | Event, lang: str) -> str:
    return f"{_item_label(item, lang)} — {_blurb(item.summary.get(lang))}"


# Subscriptions and privacy ------------------------------------------------------------------


def subscription_topics(catalog: Catalog) -> list[Topic]:
    """What the /subscribe menu offers: forums, countries, and kinds that have programs.

    Only topics the catalog has content for (no dead ends); kinds in menu order.
    """
    topics: list[Topic] = []
    if catalog.events:
        topics.append(Topic.forums())
    countries = catalog.countries()
    topics.extend(Topic.of_country(c) for c in countries)
    present = {k for c in countries for k in catalog.kinds_in(c)}
    topics.extend(Topic.of_kind(k) for k in ProgramKind if k in present)
    return topics


def topic_label(catalog: Catalog, lang: str, topic: Topic) -> str:
    """A topic as a person reads it, e.g. "🇨🇦 Apprenticeships · Canada"."""
    flag = t(lang, f"flag.{topic.country.value}") if topic.country else ""
    country = t(lang, f"country.{topic.country.value}") if topic.country else ""
    match topic.scope:
        case "forums":
            return t(lang, "topic.forums")
        case "country":
            return t(lang, "topic.country", flag=flag, country=country)
        case "kind" if topic.country is None:
            return t(lang, "topic.kind", kind=t(lang, f"kind.{topic.kind}"))
        case "kind":
            return t(
                lang,
                "topic.kind_country",
                flag=flag,
                kind=t(lang, f"kind.{topic.kind}"),
                country=country,
            )
    event = catalog.events.get(topic.event_id or "")
    if event is None:
        return t(lang, "topic.event_gone")
    return t(lang, "topic.event", title=event.title.get(lang))


def _known(keys: Sequence[str]) -> list[Topic]:
    return [topic for key in keys if (topic := Topic.parse(key)) is not None]


def _subscriptions_card(
    profile: Profile,
    rows: list[tuple[Button, ...]],
    intro: str,
    labels: Sequence[str],
    *,
    group: bool,
    notice: str | None,
) -> Card:
    return render(
        "subscriptions",
        profile.lang,
        rows,
        notice=notice,
        intro=intro,
        labels=labels,
        group=group,
    )


def subscribe_menu(
    catalog: Catalog,
    profile: Profile,
    current: Sequence[str],
    *,
    group: bool = False,
    notice: str | None = None,
) -> Card:
    """/subscribe: every topic as a toggle, ✅ on those the chat has."""
    lang = profile.lang
    have = set(current)
    rows: list[tuple[Button, ...]] = []
    for topic in subscription_topics(catalog):
        on = topic.key in have
        label = topic_label(catalog, lang, topic)
        rows.append((Button(f"✅ {label}" if on else label, routes.PickTopic(topic.code, not on)),))
    rows.append(
        (
            Button(t(lang, "subs.button_mine"), routes.MySubscriptions()),
            Button(t(lang, "button.home"), routes.Home()),
        )
    )
    return _subscriptions_card(
        profile, rows, t(lang, "subs.pick_intro"), (), group=group, notice=notice
    )


def unsubscribe_menu(
    catalog: Catalog,
    profile: Profile,
    current: Sequence[str],
    *,
    group: bool = False,
    notice: str | None = None,
) -> Card:
    """/unsubscribe: one button per current topic; none → say so and offer /subscribe."""
    lang = profile.lang
    topics = _known(current)
    rows: list[tuple[Button, ...]] = [
        (Button(f"❌ {topic_label(catalog, lang, topic)}", routes.DropTopic(topic.code)),)
        for topic in topics
    ]
    if not topics:
        rows.append((Button(t(lang, "subs.button_add"), routes.SubscribeMenu()),))
    rows.append(_nav(lang, routes.MySubscriptions()))
    intro = t(lang, "subs.remove_intro" if topics else "subs.none")
    return _subscriptions_card(profile, rows, intro, (), group=group, notice=notice)


def my_subscriptions(
    catalog: Catalog,
    profile: Profile,
    current: Sequence[str],
    *,
    group: bool = False,
    notice: str | None = None,
) -> Card:
    """/mysubscriptions: the chat's topics, with buttons to add and remove."""
    lang = profile.lang
    topics = _known(current)
    labels = [topic_label(catalog, lang, topic) for topic in topics]
    buttons = [Button(t(lang, "subs.button_add"), routes.SubscribeMenu())]
    if topics:
        buttons.append(Button(t(lang, "subs.button_remove"), routes.UnsubscribeMenu()))
    rows = [tuple(buttons), _nav(lang, None)]
    if not topics:
        intro = t(lang, "subs.none")
    else:
        intro = t(lang, "subs.mine_group" if group else "subs.mine")
    return _subscriptions_card(profile, rows, intro, labels, group=group, notice=notice)


def privacy(profile: Profile, *, notice: str | None = None, ask: bool = False) -> Card:
    """/privacy: what is stored, why, and how to delete it (and, when "Ask a person" is on,
    what the relay keeps)."""
    lang = profile.lang
    rows = [
        (Button(t(lang, "privacy.button_forget"), routes.ForgetAsk()),),
        _nav(lang, None),
    ]
    return render("privacy", lang, rows, notice=notice, ask=ask)


def forget_confirm(profile: Profile) -> Card:
    """/forget: ask before deleting anything (Yes / No)."""
    lang = profile.lang
    rows = [
        (Button(t(lang, "privacy.button_yes"), routes.ForgetYes()),),
        (Button(t(lang, "privacy.button_no"), routes.ForgetNo()),),
    ]
    return render("privacy_forget", lang, rows)


# Admin: broadcasts, forums, statistics ------------------------------------------------------
# Admin screens show admin-typed values (titles, cities) inside UI strings: they are escaped
# here, since those strings are Telegram HTML.

AUDIENCE_MENUS: tuple[str, ...] = ("country", "role", "language", "forum", "topic")


def fmt_number(value: float, lang: str) -> str:
    """A rate such as 24.8 the way the admin's locale writes it (24,8 in Québec)."""
    from babel.numbers import format_decimal

    return str(
        format_decimal(round(value, 1), format="#,##0.#", locale=BABEL_LOCALES.get(lang, "en_US"))
    )


def fmt_duration(seconds: float, lang: str) -> str:
    """How long a broadcast took, e.g. "2 minutes" / "2 minutos" (Babel, rounded)."""
    from datetime import timedelta

    from babel.dates import format_timedelta

    return str(
        format_timedelta(
            timedelta(seconds=max(seconds, 1)),
            threshold=1.5,
            locale=BABEL_LOCALES.get(lang, "en_US"),
        )
    )


def admin_card(
    lang: str,
    title_key: str,
    message: str,
    rows: Sequence[Sequence[Button]] = (),
    *,
    notice: str | None = None,
) -> Card:
    """A step of an admin flow: a title, an optional notice (e.g. what was wrong), a message."""
    return render(
        "broadcast_admin", lang, rows, title=t(lang, title_key), message=message, notice=notice
    )


def _cancel_row(lang: str) -> tuple[Button, ...]:
    return (Button(t(lang, "broadcast.button_cancel"), routes.FlowCancel()),)


def flow_prompt(lang: str, title_key: str, message_key: str, *, notice: str | None = None) -> Card:
    """Ask an admin to type something (text, date, link…); a Cancel button leaves the flow."""
    return admin_card(lang, title_key, t(lang, message_key), [_cancel_row(lang)], notice=notice)


def flow_text_choice(lang: str, section: str) -> Card:
    """After the English text: the same for every language, or add Spanish and French."""
    title = "broadcast.title" if section == "broadcast" else "forum_admin.title_new"
    rows = [
        (Button(t(lang, f"{section}.button_same"), routes.FlowTexts(same=True)),),
        (Button(t(lang, f"{section}.button_translate"), routes.FlowTexts(same=False)),),
        _cancel_row(lang),
    ]
    key = "broadcast.text_choice" if section == "broadcast" else "forum_admin.title_choice"
    return admin_card(lang, title, t(lang, key), rows)


def broadcast_audience_menu(catalog: Catalog, lang: str, level: str = "root") -> Card:
    """Who gets the broadcast: everyone, or a sub-menu of countries, roles, languages,
    forums or topics."""
    rows: list[tuple[Button, ...]] = []
    match level:
        case "country":
            rows = [
                (Button(_country_label(lang, c), routes.BroadcastAudience("country", c)),)
                for c in routes.COUNTRY_CHOICES
                if c != "all"
            ]
        case "role":
            rows = [
                (Button(t(lang, f"role.{r}"), routes.BroadcastAudience("role", r)),)
                for r in routes.ROLES
            ]
        case "language":
            rows = [
                (Button(t(code, "language_name"), routes.BroadcastAudience("language", code)),)
                for code in LANGUAGES
            ]
        case "forum":
            now = datetime.now(UTC)
            events = [*catalog.upcoming_events(now), *catalog.past_events(now)]
            rows = [
                (Button(f"🤝 {e.title.get(lang)}", routes.BroadcastAudience("forum", e.id)),)
                for e in events[:20]
            ]
        case "topic":
            rows = [
                (
                    Button(
                        topic_label(catalog, lang, topic),
                        routes.BroadcastAudience("topic", topic.code),
                    ),
                )
                for topic in subscription_topics(catalog)
            ]
        case _:
            rows = [
                (
                    Button(
                        t(lang, "broadcast.audience_everyone"), routes.BroadcastAudience("everyone")
                    ),
                )
            ]
            rows.extend(
                (Button(t(lang, f"broadcast.menu_{menu}"), routes.BroadcastMenu(menu)),)
                for menu in AUDIENCE_MENUS
            )
    if level != "root":
        rows.append((Button(t(lang, "button.back"), routes.BroadcastMenu("root")),))
    rows.append(_cancel_row(lang))
    notice = t(lang, "broadcast.no_forums") if level == "forum" and not catalog.events else None
    return admin_card(
        lang, "broadcast.title", t(lang, "broadcast.ask_audience"), rows, notice=notice
    )


def audience_label(catalog: Catalog, lang: str, audience: Audience) -> str:
    """An audience as the admin reads it, e.g. "people interested in 🇲🇽 Mexico"."""
    match audience.kind:
        case "country":
            return t(lang, "broadcast.label_country", country=_country_label(lang, audience.value))
        case "role":
            return t(lang, "broadcast.label_role", role=t(lang, f"role_short.{audience.value}"))
        case "language":
            return t(
                lang,
                "broadcast.label_language",
                language=t(audience.value or "en", "language_name"),
            )
        case "topics":
            labels = [
                topic_label(catalog, lang, topic)
                for key in audience.topics
                if (topic := Topic.parse(key)) is not None
            ]
            return t(lang, "broadcast.label_topics", topics=", ".join(labels))
    return t(lang, "broadcast.label_everyone")


def broadcast_confirm(
    catalog: Catalog,
    lang: str,
    draft_id: int,
    audience: Audience,
    by_language: dict[str, int],
    versions: int,
) -> Card:
    """Under the preview: the audience, the recipient count, and Send / Change / Cancel."""
    count = sum(by_language.values())
    message = t(
        lang,
        "broadcast.confirm",
        audience=html.escape(audience_label(catalog, lang, audience)),
        count=count,
    )
    if count:
        detail = ", ".join(f"{code} {n}" for code, n in sorted(by_language.items()))
        message += "\n" + t(lang, "broadcast.by_language", detail=detail)
    message = t(lang, "broadcast.preview_note", count=versions) + "\n\n" + message
    rows: list[tuple[Button, ...]] = []
    if count:
        rows.append(
            (
                Button(
                    t(lang, "broadcast.button_send", count=count),
                    routes.BroadcastSend(str(draft_id)),
                ),
            )
        )
        rows.append(
            (Button(t(lang, "broadcast.button_schedule"), routes.BroadcastLater(str(draft_id))),)
        )
    rows.append((Button(t(lang, "broadcast.button_change"), routes.BroadcastMenu("root")),))
    rows.append(_cancel_row(lang))
    notice = None if count else t(lang, "broadcast.nobody")
    return admin_card(lang, "broadcast.title", message, rows, notice=notice)


def _status(lang: str, status: str) -> str:
    return t(lang, f"broadcast.status_{status}")


def broadcast_progress(lang: str, row: Broadcast, figures: Counts, rate: float) -> Card:
    """The admin's progress message, edited while the broadcast runs."""
    total = max(row.total, figures.total)
    pending = figures.open if row.finished_at is None else 0
    return render(
        "broadcast_progress",
        lang,
        title=t(lang, "broadcast.progress_title", id=row.id, status=_status(lang, row.status)),
        figures=t(
            lang,
            "broadcast.figures",
            sent=figures.sent,
            total=total,
            pending=pending,
            failed=figures.failed,
            blocked=figures.blocked,
        ),
        rate=t(lang, "broadcast.rate", rate=fmt_number(rate, lang)) if rate > 0 else None,
    )


def broadcast_report(lang: str, row: Broadcast) -> Card:
    """The final report: the figures stored when the broadcast closed."""
    seconds = 0.0
    if row.started_at is not None and row.finished_at is not None:
        seconds = (row.finished_at - row.started_at).total_seconds()
    key = "broadcast.report_cancelled" if row.status == "cancelled" else "broadcast.report_done"
    return render(
        "broadcast_report",
        lang,
        title=t(lang, key, id=row.id),
        body=t(
            lang,
            "broadcast.report",
            sent=row.sent,
            total=row.total,
            failed=row.failed,
            blocked=row.blocked,
            cancelled=row.cancelled,
            duration=fmt_duration(seconds, lang),
        ),
    )


def _what(catalog: Catalog, lang: str, row: Broadcast) -> str:
    """A line naming a broadcast: its purpose and its first words or its forum."""
    purpose = t(lang, f"broadcast.purpose_{row.purpose}")
    if row.texts:
        text = row.texts.get(lang) or row.texts.get("en") or ""
        return f"{purpose}: {_blurb(text)[:60]}"
    event = catalog.events.get(row.item_id or "")
    title = event.title.get(lang) if event else row.item_id or ""
    return f"{purpose}: {_blurb(title)[:60]}"


def _quick_label(lang: str, option: str, when: datetime, zone: tzinfo) -> str:
    from babel.dates import get_day_names

    clock = fmt_time(when, lang, zone)
    if option == "1h":
        return t(lang, "broadcast.quick_hour", time=clock)
    if option == "tomorrow":
        return t(lang, "broadcast.quick_tomorrow", time=clock)
    weekday = when.astimezone(zone).weekday()
    day = str(get_day_names("wide", locale=BABEL_LOCALES.get(lang, "en_US"))[weekday])
    return t(lang, "broadcast.quick_weekday", day=day[:1].upper() + day[1:], time=clock)


def broadcast_schedule(
    lang: str,
    draft_id: int,
    now: datetime,
    zone: tzinfo,
    *,
    notice: str | None = None,
) -> Card:
    """Send later: suggested times, or type one (the format, the zone and the time now)."""
    from bot.broadcast import schedule

    ref = str(draft_id)
    rows: list[tuple[Button, ...]] = [
        (Button(_quick_label(lang, option, when, zone), routes.BroadcastAt(ref, option)),)
        for option, when in schedule.suggestions(now, zone)
    ]
    rows.append((Button(t(lang, "button.back"), routes.BroadcastReview(ref)),))
    rows.append(_cancel_row(lang))
    message = t(
        lang,
        "broadcast.ask_when",
        example=schedule.example(now, zone),
        zone=html.escape(str(zone)),
        now=fmt_datetime(now, lang, zone),
        days=schedule.MAX_DAYS,
    )
    return admin_card(lang, "broadcast.title", message, rows, notice=notice)


def broadcast_scheduled(lang: str, row: Broadcast, zone: tzinfo, count: int) -> Card:
    """A draft was queued for later: when, for how many now, and how to stop it."""
    assert row.scheduled_at is not None
    return render(
        "broadcast_admin",
        lang,
        [(Button(t(lang, "broadcast.button_unschedule"), routes.BroadcastStop(str(row.id))),)],
        title=t(lang, "broadcast.scheduled_title", id=row.id),
        message=t(
            lang,
            "broadcast.scheduled",
            when=fmt_datetime(row.scheduled_at, lang, zone),
            count=count,
        ),
        notice=None,
    )


def _scheduled_for(lang: str, row: Broadcast, zone: tzinfo) -> str | None:
    if row.status != "queued" or row.scheduled_at is None:
        return None
    return t(lang, "broadcast.scheduled_for", date=fmt_datetime(row.scheduled_at, lang, zone))


def broadcast_list(
    catalog: Catalog,
    lang: str,
    waiting: Sequence[Broadcast],
    entries: Sequence[tuple[Broadcast, Counts]],
    zone: tzinfo,
    *,
    waiting_total: int | None = None,
) -> Card:
    """/broadcasts: those waiting for their time (soonest first, with the time in the
    operators' zone; `waiting_total` of them in all), then the latest ones with their
    figures. What does not fit in one message is left out: the oldest recent ones first,
    then the latest waiting ones (counted in a "… more" line)."""
    scheduled = [
        {
            "id": row.id,
            "what": _what(catalog, lang, row),
            "when": _scheduled_for(lang, row, zone),
        }
        for row in waiting
    ]
    items = []
    for row, figures in entries:
        items.append(
            {
                "id": row.id,
                "status": _status(lang, row.status),
                "what": _what(catalog, lang, row),
                "when": fmt_date(row.created_at, lang),
                "scheduled": _scheduled_for(lang, row, zone),
                "figures": t(
                    lang,
                    "broadcast.list_figures",
                    sent=figures.sent,
                    pending=figures.open,
                    failed=figures.failed,
                    blocked=figures.blocked,
                ),
            }
        )
    more = (waiting_total if waiting_total is not None else len(scheduled)) - len(scheduled)

    def build() -> Card:
        note = t(lang, "broadcast.list_more_scheduled", count=more) if more > 0 else None
        return render("broadcast_list", lang, items=items, scheduled=scheduled, more=note)

    def shrink() -> bool:
        nonlocal more
        if items:
            items.pop()  # the oldest of the recent ones
        elif len(scheduled) > 1:
            scheduled.pop()  # the latest of those waiting
            more += 1
        else:
            return False
        return True

    return fit(build, shrink)  # long texts and zone names: show fewer rather than fail


def _short_when(lang: str, value: datetime, zone: tzinfo) -> str:
    """A scheduled time on a button: "Dec 3, 9:30 AM" / "3 déc., 09 h 30"."""
    from babel.dates import format_skeleton

    local = value.astimezone(zone)
    day = format_skeleton("MMMd", local, tzinfo=zone, locale=BABEL_LOCALES.get(lang, "en_US"))
    return f"{day}, {fmt_time(local, lang, zone)}"


def broadcast_stop_menu(
    catalog: Catalog, lang: str, rows: Sequence[Broadcast], zone: tzinfo
) -> Card:
    """/cancel_broadcast: one button per queued or running broadcast (🕘 and the time for
    those still waiting for it)."""
    buttons = []
    for row in rows:
        what = _what(catalog, lang, row)
        if row.status == "queued" and row.scheduled_at is not None:
            what = f"🕘 {_short_when(lang, row.scheduled_at, zone)} · {what}"
        label = t(lang, "broadcast.stop_button", id=row.id, what=what)[:60]
        buttons.append((Button(label, routes.BroadcastStop(str(row.id))),))
    message = t(lang, "broadcast.stop_intro" if rows else "broadcast.stop_none")
    return render(
        "broadcast_admin",
        lang,
        buttons,
        title=t(lang, "broadcast.stop_title"),
        message=message,
        notice=None,
    )


def stats_card(
    catalog: Catalog,
    lang: str,
    figures: Stats,
    breakdown: Breakdown,
    gaps: Sequence[Gap],
) -> Card:
    """/stats: users and subscribers by country, role, language and topic; unmet searches.

    Topics (one per stored forum) and searches are open-ended: labels are cut, and what does
    not fit in one message is left out — the least-subscribed topics first, then the rarest
    searches — and counted in a "… more" line.
    """

    def named(counts: dict[str, int], label: Callable[[str], str]) -> list[tuple[str, int]]:
        return sorted(
            ((label(key) if key else t(lang, "stats.unset"), n) for key, n in counts.items()),
            key=lambda pair: -pair[1],
        )

    topics = []
    for key, n in sorted(figures.by_topic.items(), key=lambda pair: -pair[1]):
        topic = Topic.parse(key)
        label = topic_label(catalog, lang, topic) if topic else key
        topics.append((_short(label, STATS_LABEL_MAX), n))
    fixed = [
        (
            t(lang, "stats.by_country"),
            named(breakdown.by_country, lambda c: _country_label(lang, c)),
        ),
        (t(lang, "stats.by_role"), named(breakdown.by_role, lambda r: t(lang, f"role_short.{r}"))),
        (
            t(lang, "stats.by_language"),
            named(breakdown.by_language, lambda code: t(code, "language_name")),
        ),
    ]
    unmet = [(_short(g.query, STATS_LABEL_MAX), g.lang, g.count) for g in gaps]
    hidden_topics = hidden_gaps = 0

    def build() -> Card:
        return render(
            "stats",
            lang,
            users=t(lang, "stats.users", users=figures.users, blocked=figures.blocked_users),
            chats=t(
                lang,
                "stats.chats",
                chats=figures.chats,
                groups=figures.groups,
                subscriptions=figures.subscriptions,
            ),
            sections=[
                *((title, rows, None) for title, rows in fixed),
                (t(lang, "stats.by_topic"), topics, _more(lang, hidden_topics)),
            ],
            gaps=unmet,
            more_gaps=_more(lang, hidden_gaps),
        )

    def shrink() -> bool:
        nonlocal hidden_topics, hidden_gaps
        if len(topics) > 1:
            topics.pop()
            hidden_topics += 1
        elif unmet:
            unmet.pop()
            hidden_gaps += 1
        else:
            return False
        return True

    return fit(build, shrink)


STATS_LABEL_MAX = 60
"""Characters of a topic label or a search shown in /stats (forum titles, queries: open-ended)."""


def _more(lang: str, count: int) -> str | None:
    return t(lang, "stats.more", count=count) if count else None


def forum_country_menu(lang: str, guess: str | None) -> Card:
    """/newforum: the forum's country (the zone's country first)."""
    order = sorted(Country, key=lambda c: c.value != guess)
    rows = [(Button(_country_label(lang, c.value), routes.ForumCountry(c)),) for c in order]
    rows.append(_cancel_row(lang))
    return admin_card(lang, "forum_admin.title_new", t(lang, "forum_admin.ask_country"), rows)


def forum_review(lang: str) -> Card:
    """/newforum: under the card preview, Publish or Cancel."""
    rows = [
        (Button(t(lang, "forum_admin.button_publish"), routes.ForumPublish()),),
        _cancel_row(lang),
    ]
    return admin_card(lang, "forum_admin.title_new", t(lang, "forum_admin.review"), rows)


def forum_saved(
    lang: str,
    event: Event,
    what: str,
    reminder_times: Sequence[datetime],
    subscribers: int,
) -> Card:
    """After publishing or changing a forum: what was done, its reminders, and the offer to
    tell its subscribers (`what`: new, changed, cancelled)."""
    title = html.escape(event.title.get(lang))
    key = {"new": "published", "changed": "saved", "cancelled": "cancelled_forum"}[what]
    lines = [t(lang, f"forum_admin.{key}", title=title)]
    if what != "cancelled":
        if reminder_times:
            dates = ", ".join(
                fmt_date(r.astimezone(event.starts_at.tzinfo), lang, with_time=True)
                for r in reminder_times
            )
            lines.append(t(lang, "forum_admin.reminders", dates=dates))
        else:
            lines.append(t(lang, "forum_admin.no_reminders"))
    rows: list[tuple[Button, ...]] = []
    if subscribers:
        lines.append(t(lang, "forum_admin.offer", count=subscribers))
        rows.append(
            (
                Button(
                    t(lang, "forum_admin.button_announce", count=subscribers),
                    routes.ForumAnnounce(event.id, what),
                ),
            )
        )
        rows.append(
            (Button(t(lang, "forum_admin.button_no"), routes.ForumAnnounce(event.id, "no")),)
        )
    else:
        lines.append(t(lang, "forum_admin.offer_none"))
    title_key = "forum_admin.title_new" if what == "new" else "forum_admin.title_edit"
    return admin_card(lang, title_key, "\n\n".join(lines), rows)


EDIT_LIST_MAX = 40
"""Forums offered by /editforum: Telegram allows 100 buttons a message, and the oldest forums
are the least likely to need an edit."""


def forum_edit_list(lang: str, events: Sequence[Event]) -> Card:
    """/editforum: the forums admins announced here (content forums live in content/), by
    date; past `EDIT_LIST_MAX`, the oldest are left out and counted."""
    shown = list(events)[-EDIT_LIST_MAX:]
    rows = [(Button(f"🤝 {e.title.get(lang)}", routes.ForumEdit(e.id)),) for e in shown]
    text = t(lang, "forum_admin.edit_pick" if events else "forum_admin.edit_none")
    if len(events) > len(shown):
        text += "\n" + t(lang, "forum_admin.edit_older", count=len(events) - len(shown))
    return admin_card(lang, "forum_admin.title_edit", text, rows)


def forum_edit_menu(lang: str, event: Event) -> Card:
    """/editforum: which field to change, or cancel the forum."""
    rows: list[tuple[Button, ...]] = [
        (
            Button(t(lang, "forum_admin.field_title"), routes.ForumField(event.id, "title")),
            Button(t(lang, "forum_admin.field_when"), routes.ForumField(event.id, "when")),
        ),
        (
            Button(t(lang, "forum_admin.field_city"), routes.ForumField(event.id, "city")),
            Button(t(lang, "forum_admin.field_link"), routes.ForumField(event.id, "link")),
        ),
    ]
    if event.status is not EventStatus.CANCELLED:
        rows.append(
            (Button(t(lang, "forum_admin.field_cancel"), routes.ForumField(event.id, "cancel")),)
        )
    rows.append(_cancel_row(lang))
    message = t(lang, "forum_admin.edit_menu", title=html.escape(event.title.get(lang)))
    return admin_card(lang, "forum_admin.title_edit", message, rows)
