"""`python -m bot validate`: every card and menu, in every language, within Telegram's limits.

Rendering is where limits are enforced (`bot.cards.check`), so validating means rendering
everything a user can reach and collecting what fails.

Admins see more than users do: the /broadcast flow (prompts, audience menus, previews,
confirmation, "send later", progress and report), /broadcasts, /cancel_broadcast, /stats,
/newforum and /editforum, refusals, and the forum news and reminders the broadcaster sends.
Those screens show what admins typed and what the database counts, so they are rendered here
with the largest inputs the flows accept (`_Worst`): texts at the broadcast limit full of
characters that need escaping and of emoji, forum titles and cities at their maximum length,
a stats breakdown over every country, role, language and topic, full lists.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import finder_screens, region_screens, relay_screens, screens
from bot.broadcast import forums, outbox, schedule
from bot.broadcast.audience import COUNTRIES, Audience
from bot.broadcast.render import PURPOSES, Content, message_card, text_problem
from bot.cards import MAX_TEXT, Card, CardError, check, render, utf16_len
from bot.catalog.catalog import Catalog
from bot.catalog.loader import CatalogError, Problem, load_catalog
from bot.catalog.models import LANGUAGES, SLUG_MAX, Country, Event
from bot.config import DEFAULT_TIMEZONE
from bot.i18n import t
from bot.routes import COUNTRY_CHOICES, ROLES
from bot.store.models import QUERY_MAX as GAP_QUERY_MAX
from bot.store.models import Broadcast, Forum
from bot.store.repo import Breakdown, Gap, Stats
from bot.store.topics import Topic, for_item
from bot.store.topics import audience as forum_audience

Maker = Callable[[], Card | None]


def _screens(catalog: Catalog, profile: screens.Profile) -> Iterator[tuple[str, Maker]]:
    links = screens.Links("WorkforcePathwaysBot", ask_person=True)  # the longest keyboards
    yield "home", lambda: screens.home(catalog, profile)
    yield "forums", lambda: screens.forums(catalog, profile, datetime.now(UTC))
    yield "settings", lambda: screens.settings(profile)
    yield "help", lambda: screens.help_card(profile)
    yield "help (ask a person)", lambda: screens.help_card(profile, ask=True)
    yield "onboarding", lambda: screens.onboarding_role(profile)
    yield "onboarding-country", lambda: screens.onboarding_country(profile)
    yield "language", lambda: screens.language_picker(profile)
    yield "privacy", lambda: screens.privacy(profile)
    yield "privacy (ask a person)", lambda: screens.privacy(profile, ask=True)
    yield "forget", lambda: screens.forget_confirm(profile)
    every_topic = [topic.key for topic in screens.subscription_topics(catalog)]
    for group in (False, True):
        for current in ([], every_topic):
            label = f"{'group ' if group else ''}{len(current)} topics"
            yield (
                f"subscribe ({label})",
                lambda c=current, g=group: screens.subscribe_menu(catalog, profile, c, group=g),
            )
            yield (
                f"unsubscribe ({label})",
                lambda c=current, g=group: screens.unsubscribe_menu(catalog, profile, c, group=g),
            )
            yield (
                f"my subscriptions ({label})",
                lambda c=current, g=group: screens.my_subscriptions(catalog, profile, c, group=g),
            )
    for country in catalog.countries():
        yield (
            f"country {country.value}",
            lambda c=country: screens.country_menu(catalog, profile, c),
        )
        for kind in catalog.kinds_in(country):
            pages = screens._pages(len(catalog.programs_of(country, kind)))
            for page in range(pages):
                yield (
                    f"list {country.value}/{kind.value} p{page}",
                    lambda c=country, k=kind, p=page: screens.kind_list(catalog, profile, c, k, p),
                )
        yield (
            f"employers {country.value}",
            lambda c=country: screens.employer_track(catalog, profile, c),
        )
        yield (
            f"organisations {country.value}",
            lambda c=country: screens.org_list(catalog, profile, c),
        )
    for item in catalog.items():
        yield item.id, lambda i=item.id: screens.item_card(catalog, profile, i, links)
        for code in _section_codes(item, profile):
            yield (
                f"{item.id} section {code}",
                lambda i=item.id, c=code: screens.item_card(catalog, profile, i, links, section=c),
            )
    yield from region_screens.examples(catalog, profile)
    yield from finder_screens.examples(catalog, profile)
    yield from relay_screens.examples(profile)


# Worst-case inputs for the admin screens ------------------------------------------------------

_TEXT_PATTERN = {
    "en": "Fish & chips <b>not bold</b> > 5 & < 7 — “quotes” 'too' 🎉👩‍🔧🇲🇽🇺🇸🇨🇦\n",
    "es": "Pan & café <i>no cursiva</i> > 5 & < 7 — «comillas» ñandú 🎉👷‍♀️🇲🇽\n",
    "fr": "Pain & café <u>pas souligné</u> > 5 & < 7 — « guillemets » œuvre 🎉🧑‍🏭🇨🇦\n",
}
"""Broadcast texts: everything the template must escape, emoji (2 UTF-16 units each, and
joined sequences), accents, and line breaks."""

_TITLE_PATTERN = {
    "en": "Trilateral Forum & <Workforce> “Pathways” 🤝🇲🇽🇺🇸🇨🇦 — ",
    "es": "Foro Trilateral & <Fuerza Laboral> «Rutas» 🤝🇲🇽🇺🇸🇨🇦 — ",
    "fr": "Forum trilatéral & <Main-d'œuvre> « Parcours » 🤝🇲🇽🇺🇸🇨🇦 — ",
}
_CITY_PATTERN = "Monterrey & <Nuevo León> “Centro” 🏙 — "
"""Forum titles and cities: the flows limit them in characters (code points), so the longest
in UTF-16 units, Telegram's measure, mixes in characters outside the BMP (flags, emoji)."""

STORED_FORUMS = 12
"""Forums announced in chat for /editforum, /stats and the lists: a decade of yearly forums
and a couple of extra sessions, each at the maximum length the flow accepts."""


def _repeat(pattern: str, units: int) -> str:
    """`pattern` repeated to exactly `units` UTF-16 units, ending in a visible character."""
    out: list[str] = []
    size = 0
    index = 0
    while size < units:
        char = pattern[index % len(pattern)]
        index += 1
        width = utf16_len(char)
        if size + width > units:
            char, width = "x", 1
        out.append(char)
        size += width
    text = "".join(out)
    while text and text[-1].isspace():  # templates strip: keep the length exact
        text = text[:-1] + "x"
    return text


def _points(pattern: str, count: int) -> str:
    """`pattern` repeated to exactly `count` code points (the flows measure len(), not UTF-16),
    whitespace collapsed and stripped as `bot.broadcast.flows.forum_text` does."""
    text = " ".join((pattern * (count // len(pattern) + 2)).split())
    return text[:count].rstrip() + "x" * (count - len(text[:count].rstrip()))


def _slug_id(number: int) -> str:
    """A forum id at SLUG_MAX, the longest `forums.new_id` makes (the callback-data worst case)."""
    stem = f"forum-2031-monterrey-nuevo-leon-{number}-"
    return (stem + "x" * SLUG_MAX)[:SLUG_MAX]


@dataclass(slots=True)
class _Worst:
    """The largest inputs the admin flows accept, built once per validation."""

    catalog: Catalog
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    stored: list[Event] = field(default_factory=list)
    merged: Catalog = field(init=False)
    max_texts: dict[str, str] = field(default_factory=dict)
    same_text: str = ""
    """The longest text "same text for everyone" accepts: it must fit every language's frame."""
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stored = [self._forum(n) for n in range(STORED_FORUMS)]
        self.merged = forums.merge(self.catalog, self.stored)
        for code in LANGUAGES:
            self.max_texts[code] = self._max_text(code)
        self.same_text = self._max_same_text()

    def _forum(self, number: int) -> Event:
        country = list(Country)[number % len(Country)]
        zone = ("America/Mexico_City", "America/Los_Angeles", "America/St_Johns")[number % 3]
        start = datetime(2031, 3, 15, 10, 30, tzinfo=ZoneInfo(zone)) + timedelta(days=number)
        url = "https://www.example.gob.mx/foro-trilateral?edicion=2031&lang=es&ref=<bot>&q="
        row = Forum(
            id=_slug_id(number),
            title={code: _points(_TITLE_PATTERN[code], forums.TITLE_MAX) for code in LANGUAGES},
            starts_at=start.astimezone(UTC),
            all_day=False,
            timezone=zone,
            city=_points(_CITY_PATTERN, forums.CITY_MAX),
            country=country.value,
            url=(url + "x" * forums.URL_MAX)[: forums.URL_MAX],
            status="cancelled" if number == STORED_FORUMS - 1 else "announced",
            updated_at=self.now,
        )
        return forums.to_event(row)

    def _max_same_text(self) -> str:
        """The longest English text `/broadcast` accepts for everyone (`broadcast_same_text`)."""
        frame = max(utf16_len(render("broadcast", c, body="x").plain_text) - 1 for c in LANGUAGES)
        longest = _repeat(_TEXT_PATTERN["en"], MAX_TEXT - frame)
        if text_problem(dict.fromkeys(LANGUAGES, longest), "en") is not None:
            self.problems.append(
                f"broadcast same text: a text of {utf16_len(longest)} UTF-16 units is refused, "
                "though it fits every language's frame"
            )
        return longest

    def _max_text(self, code: str) -> str:
        """The longest text `/broadcast` accepts in language `code` (`text_problem`)."""
        frame = utf16_len(render("broadcast", code, body="x").plain_text) - 1
        longest = _repeat(_TEXT_PATTERN[code], MAX_TEXT - frame)
        if text_problem({code: longest}, "en") is not None:
            self.problems.append(
                f"broadcast text [{code}]: a text of {utf16_len(longest)} UTF-16 units is "
                "refused, though the broadcast limit message allows it"
            )
        too_long = _repeat(_TEXT_PATTERN[code], MAX_TEXT - frame + 1)
        if text_problem({code: too_long}, "en") is None:
            self.problems.append(
                f"broadcast text [{code}]: a text of {utf16_len(too_long)} UTF-16 units is "
                "accepted, though it cannot be sent"
            )
        return longest

    def events(self) -> list[Event]:
        return list(self.merged.events.values())

    def longest_event(self) -> Event:
        return max(self.events(), key=lambda e: max(utf16_len(e.title.get(c)) for c in LANGUAGES))

    def every_topic(self, catalog: Catalog | None = None) -> list[str]:
        """Every topic a chat can subscribe to (the /subscribe menu, each program card's and
        each forum card's 🔔), and a forum since removed from the catalog."""
        catalog = catalog or self.merged
        topics = screens.subscription_topics(catalog)
        topics.extend(for_item(p) for p in catalog.programs.values())
        topics.extend(for_item(e) for e in catalog.events.values())
        topics.append(Topic.of_event("forum-1999-no-longer-listed"))
        return list(dict.fromkeys(topic.key for topic in topics))

    def stats(self, catalog: Catalog | None = None) -> Stats:
        """/stats figures in the millions, with subscribers on every topic of `catalog`."""
        topics = self.every_topic(catalog)
        return Stats(
            users=12_345_678,
            blocked_users=1_234_567,
            chats=12_345_678,
            groups=123_456,
            subscriptions=98_765_432,
            by_topic={key: 1_000_000 - n for n, key in enumerate(topics)},
            search_gaps=999_999,
        )

    def broadcast(
        self,
        number: int,
        status: str,
        *,
        purpose: str = "message",
        texts: Mapping[str, str] | None = None,
        item_id: str | None = None,
        scheduled: datetime | None = None,
    ) -> Broadcast:
        """A broadcasts row as the outbox stores it, with figures in the millions."""
        created = self.now - timedelta(days=number)
        finished = status in ("done", "cancelled")
        return Broadcast(
            id=2_147_483_000 + number,
            author_id=9_999_999_999,
            kind="text" if texts is not None else "card",
            purpose=purpose,
            texts=dict(texts) if texts is not None else None,
            item_id=item_id,
            audience={"kind": "everyone"},
            status=status,
            created_at=created,
            scheduled_at=scheduled,
            started_at=created if status in ("sending", "done", "cancelled") else None,
            finished_at=created + timedelta(hours=26, minutes=40) if finished else None,
            total=1_234_567,
            sent=1_000_000,
            failed=111_111,
            blocked=100_000,
            cancelled=23_456 if status == "cancelled" else 0,
            report_lang="en",
        )

    def broadcasts(self) -> list[Broadcast]:
        """A full /broadcasts page: every purpose and status, the longest texts and titles."""
        long_id = self.stored[0].id
        rows = [
            self.broadcast(0, "sending", texts=self.max_texts),
            self.broadcast(1, "queued", texts=dict.fromkeys(LANGUAGES, self.max_texts["en"])),
        ]
        statuses = ("queued", "sending", "done", "cancelled")
        for purpose in PURPOSES[1:]:
            rows.append(
                self.broadcast(len(rows), statuses[len(rows) % 4], purpose=purpose, item_id=long_id)
            )
        rows.append(self.broadcast(len(rows), "done", purpose="forum_new", item_id="forum-gone"))
        return rows

    def waiting(self, count: int) -> list[Broadcast]:
        """Broadcasts queued for later (`outbox.scheduled`): the longest texts, and forum
        reminders and news about the longest-titled forums."""
        rows = []
        for n in range(count):
            when = self.now + timedelta(days=89, hours=n)
            if n % 2:
                purpose = PURPOSES[1 + n % (len(PURPOSES) - 1)]
                item = self.stored[n % len(self.stored)].id
                rows.append(self.broadcast(n, "queued", purpose=purpose, item_id=item))
            else:
                rows.append(self.broadcast(n, "queued", texts=self.max_texts))
            rows[-1].scheduled_at = when
        return rows

    def gaps(self, count: int) -> list[Gap]:
        pattern = "soldadura & <tig> “aprendiz” monterrey 🔥 "
        return [
            Gap(
                (f"{n} " + pattern * 20)[:GAP_QUERY_MAX].strip(),
                ("und", "en", "es", "fr")[n % 4],
                999_999 - n,
                self.now,
                self.now,
            )
            for n in range(count)
        ]


def _limit(function: Callable[..., object], name: str = "limit") -> int:
    """The default page size of an outbox or repo query (what the admin screens get)."""
    return int(inspect.signature(function).parameters[name].default)


STATS_GAPS = 10
"""`bot.broadcast.flows.statistics` shows the top 10 searches without results."""

ZONES = (DEFAULT_TIMEZONE, "America/St_Johns", "America/Argentina/ComodRivadavia")
"""Operators' zones (`TIMEZONE`): the default, a half-hour offset with a long name, the
longest zone id."""
WEDNESDAY = datetime(2031, 3, 12, 23, 59, tzinfo=UTC)
"""A `now` on which every "Send later" suggestion is offered (on Sundays "Monday" is not)."""


def _schedule_problem(key: str | None, lang: str, zone: ZoneInfo, now: datetime) -> str | None:
    """The notice for a refused typed time (`bot.broadcast.schedule.Problem`)."""
    if key is None:
        return None
    local = (now + timedelta(days=-400 if key == "past" else 400)).astimezone(zone)
    return schedule.Problem(key, local).text(lang, zone, now)


def _admin_screens(catalog: Catalog, worst: _Worst, lang: str) -> Iterator[tuple[str, Maker]]:
    """Every admin screen in `lang`, with the worst-case inputs (`_Worst`)."""
    merged = worst.merged
    profile = screens.Profile(lang)
    links = screens.Links("WorkforcePathwaysBot")

    # Refusals and notices (bot.handlers.admin, bot.handlers.broadcasts)
    yield "refusal", lambda: screens.notice(profile, t(lang, "admin.refused"))
    yield "reloaded", lambda: screens.notice(profile, t(lang, "admin.reloaded", count=99_999))

    def reload_failed() -> Card:
        problems = [
            f"content/programs/mx/{n:03}-aprendizaje-dual-{'x' * 30}.yaml: programs[{n}].name.fr: "
            + "field required & <missing> — “texte” 🇲🇽 " * 3
            for n in range(40)
        ]
        text = t(lang, "admin.reload_failed", count=len(problems)) + "\n"
        text += "\n".join(f"• {p}" for p in problems[:15])
        text += "\n" + t(lang, "admin.more_problems", count=len(problems) - 15)
        return screens.notice(profile, text[:3500])

    yield "reload failed", reload_failed
    for key in ("broadcast.stopped", "broadcast.not_stoppable"):
        yield key, lambda k=key: screens.notice(profile, t(lang, k, id=2_147_483_647))
    yield (
        "text only",
        lambda: screens.admin_card(lang, "broadcast.title", t(lang, "broadcast.text_only")),
    )
    for key in ("forum_admin.flow_cancelled", "forum_admin.nothing_to_cancel"):
        yield key, lambda k=key: screens.admin_card(lang, "broadcast.title", t(lang, k))

    # /broadcast: prompts, the too-long notice, the text choice
    for code in LANGUAGES:
        prompt = "broadcast.ask_text" if code == "en" else f"broadcast.ask_text_{code}"
        yield prompt, lambda p=prompt: screens.flow_prompt(lang, "broadcast.title", p)
        too_long = worst.max_texts[code] + "😀" * 2000

        def refused(p: str = prompt, c: str = code, text: str = too_long) -> Card:
            notice = text_problem({c: text}, lang)
            if notice is None:
                raise CardError(f"a {utf16_len(text)}-unit {c} text was not refused")
            return screens.flow_prompt(lang, "broadcast.title", p, notice=notice)

        yield f"{prompt} (too long)", refused
    for section in ("broadcast", "forum_admin"):
        yield f"text choice ({section})", lambda s=section: screens.flow_text_choice(lang, s)

    # /broadcast: the audience menus
    for level in ("root", *screens.AUDIENCE_MENUS):
        yield (
            f"audience menu {level}",
            lambda lv=level: screens.broadcast_audience_menu(merged, lang, lv),
        )
    no_forums = Catalog.build(catalog.programs.values(), catalog.organisations.values())
    yield (
        "audience menu forum (none)",
        lambda: screens.broadcast_audience_menu(no_forums, lang, "forum"),
    )

    # /broadcast: previews (exactly what recipients get) of the longest texts
    translated = Content("message", worst.max_texts)
    same = Content("message", dict.fromkeys(LANGUAGES, worst.same_text))
    yield "preview (translated texts)", lambda: message_card(translated, lang, merged)
    yield "preview (same text for everyone)", lambda: message_card(same, lang, merged)

    # /broadcast: the confirmation, for every audience the menus offer
    audiences: list[tuple[str, Audience]] = [("everyone", Audience.everyone())]
    for kind, values in (("country", COUNTRIES), ("role", ROLES), ("language", LANGUAGES)):
        audiences.extend((f"{kind} {v}", Audience(kind, v)) for v in values)
    for event in worst.events():
        audiences.append((f"forum {event.id}", Audience.of_topics(forum_audience(event))))
    for topic in screens.subscription_topics(merged):
        audiences.append((f"topic {topic.code}", Audience.of_topics([topic.key])))
    everyone = {"en": 1_234_567, "es": 2_345_678, "fr": 3_456_789}
    for name, audience in audiences:
        for label, by_language in (("", everyone), (" (nobody)", {})):
            yield (
                f"confirm {name}{label}",
                lambda a=audience, b=by_language: screens.broadcast_confirm(
                    merged, lang, 2_147_483_647, a, b, len(b) or 1
                ),
            )

    # Progress and report (bot.broadcast.sender)
    for status in ("draft", "queued", "sending", "done", "cancelled"):
        row = worst.broadcast(0, status, texts=worst.max_texts)
        figures = outbox.Counts(
            pending=99_999, sending=99_999, sent=1_000_000, failed=111_111, blocked=100_000
        )
        for rate in (0.0, 12_345.6):
            yield (
                f"progress {status} rate {rate}",
                lambda r=row, f=figures, x=rate: screens.broadcast_progress(lang, r, f, x),
            )
    for status in ("done", "cancelled"):
        for hours in (0, 0.5, 26.7, 24 * 45):
            row = worst.broadcast(0, status, texts=worst.max_texts)
            if row.started_at is not None:
                row.finished_at = row.started_at + timedelta(hours=hours)
            yield f"report {status} {hours}h", lambda r=row: screens.broadcast_report(lang, r)

    # Send later (bot.broadcast.schedule), /broadcasts and /cancel_broadcast, in the
    # operators' zone (`TIMEZONE`)
    rows = worst.broadcasts()
    page = _limit(outbox.recent)
    recent = [
        (row, outbox.Counts(pending=99_999, sent=1_000_000, failed=111_111, blocked=100_000))
        for row in (rows * page)[:page]
    ]
    waiting = worst.waiting(_limit(outbox.scheduled))
    open_rows = [r for r in rows if r.status in ("queued", "sending")]
    stoppable = (waiting + open_rows)[: _limit(outbox.cancellable)]
    for zone in (ZoneInfo(name) for name in ZONES):
        for now in (worst.now, WEDNESDAY):
            for problem in (None, *schedule.PROBLEMS):
                yield (
                    f"send later {zone} {now:%a} ({problem})",
                    lambda z=zone, n=now, p=problem: screens.broadcast_schedule(
                        lang,
                        2_147_483_647,
                        n,
                        z,
                        notice=_schedule_problem(p, lang, z, n),
                    ),
                )
        for count in (0, 9_999_999):
            yield (
                f"scheduled {zone} {count}",
                lambda z=zone, c=count: screens.broadcast_scheduled(lang, waiting[0], z, c),
            )
        yield (
            f"broadcasts {zone} (none)",
            lambda z=zone: screens.broadcast_list(merged, lang, [], [], z),
        )
        yield (
            f"broadcasts {zone} (full)",
            lambda z=zone: screens.broadcast_list(merged, lang, waiting, recent, z),
        )
        yield (
            f"cancel_broadcast {zone} (none)",
            lambda z=zone: screens.broadcast_stop_menu(merged, lang, [], z),
        )
        yield (
            f"cancel_broadcast {zone} (full)",
            lambda z=zone: screens.broadcast_stop_menu(merged, lang, stoppable, z),
        )

    # /stats: every country, role and language (and "not set"), every topic, top searches
    breakdown = Breakdown(
        by_country={c: 1_000_000 + n for n, c in enumerate([*COUNTRY_CHOICES, ""])},
        by_role={r: 2_000_000 + n for n, r in enumerate([*ROLES, ""])},
        by_language={code: 3_000_000 + n for n, code in enumerate([*LANGUAGES, ""])},
    )
    empty = Stats(0, 0, 0, 0, 0, {}, 0)
    yield (
        "stats (empty)",
        lambda: screens.stats_card(merged, lang, empty, Breakdown({}, {}, {}), []),
    )
    for label, topics_of, gaps in (
        ("shipped forums, no searches", catalog, 0),
        ("shipped forums, top searches", catalog, STATS_GAPS),
        (f"shipped + {STORED_FORUMS} stored forums, no searches", merged, 0),
        (f"shipped + {STORED_FORUMS} stored forums, top searches", merged, STATS_GAPS),
    ):
        yield (
            f"stats ({label})",
            lambda c=topics_of, g=gaps: screens.stats_card(
                merged, lang, worst.stats(c), breakdown, worst.gaps(g)
            ),
        )

    # /newforum
    yield (
        "newforum ask title",
        lambda: screens.flow_prompt(lang, "forum_admin.title_new", "forum_admin.ask_title"),
    )
    for title in ("forum_admin.title_new", "forum_admin.title_edit"):
        for key, notice in (
            ("bad_title", None),
            ("ask_title_es", None),
            ("ask_title_fr", None),
            ("ask_when", None),
            ("ask_when", "bad_when"),
            ("ask_when", "bad_zone"),
            ("ask_when", "past"),
            ("ask_city", None),
            ("ask_city", "bad_city"),
            ("ask_link", None),
            ("ask_link", "bad_link"),
        ):
            yield (
                f"{title} {key} ({notice})",
                lambda ti=title, k=key, n=notice: screens.flow_prompt(
                    lang,
                    ti,
                    f"forum_admin.{k}",
                    notice=t(lang, f"forum_admin.{n}") if n else None,
                ),
            )
    for guess in (None, *forums.COUNTRY_BY_ZONE_PREFIX.values()):
        yield f"newforum country ({guess})", lambda g=guess: screens.forum_country_menu(lang, g)
    for event in worst.stored[:2]:
        yield (
            f"newforum preview {event.id}",
            lambda e=event: screens.forum_card(merged, profile, e, links),
        )
    yield "newforum review", lambda: screens.forum_review(lang)

    # After publishing or changing: what was done, reminders, the offer to announce
    for event in (worst.stored[0], worst.stored[-1], worst.longest_event()):
        reminders = [event.starts_at - timedelta(days=7), event.starts_at - timedelta(days=1)]
        for what in ("new", "changed", "cancelled"):
            for times in ([], reminders):
                for subscribers in (0, 9_999_999):
                    yield (
                        f"forum saved {event.id} {what} {len(times)} reminders {subscribers}",
                        lambda e=event, w=what, r=times, s=subscribers: screens.forum_saved(
                            lang, e, w, r, s
                        ),
                    )
    for key in ("forum_admin.gone", "forum_admin.not_announced"):
        yield key, lambda k=key: screens.admin_card(lang, "forum_admin.title_edit", t(lang, k))

    # /editforum
    yield "editforum (none)", lambda: screens.forum_edit_list(lang, [])
    yield "editforum (list)", lambda: screens.forum_edit_list(lang, worst.stored)
    for event in (worst.stored[0], worst.stored[-1]):
        yield f"editforum menu {event.id}", lambda e=event: screens.forum_edit_menu(lang, e)

    # Forum news and reminders, sent by the broadcaster
    for event in worst.events():
        for purpose in PURPOSES[1:]:
            content = Content(purpose, item_id=event.id)
            yield (
                f"{purpose} {event.id}",
                lambda c=content: message_card(c, lang, merged),
            )


# Running ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Report:
    """What `validate` checked: user cards, admin cards per language, and every problem."""

    user_cards: int = 0
    admin_cards: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def admin_total(self) -> int:
        return sum(self.admin_cards.values())

    @property
    def checked(self) -> int:
        return self.user_cards + self.admin_total

    def summary(self) -> str:
        per_language = ", ".join(f"{code} {n}" for code, n in self.admin_cards.items())
        return (
            f"{self.checked} cards rendered within Telegram's limits "
            f"({self.user_cards} user cards, {self.admin_total} admin cards: {per_language})"
        )


def _render(make: Maker) -> str | None:
    """Render one card and check it again (a screen may build a Card without `render`)."""
    try:
        card = make()
        if card is not None:
            check(card)
    except CardError as exc:
        return str(exc)
    except ValueError as exc:  # e.g. a route over 64 bytes (`Route.encode`)
        return f"{type(exc).__name__}: {exc}"
    return None


def run(catalog: Catalog) -> Report:
    """Render every user and admin card in every language."""
    report = Report()
    for lang in LANGUAGES:
        for role in ROLES:
            for country in COUNTRY_CHOICES:
                profile = screens.Profile(lang=lang, role=role, country=country)
                for name, make in _screens(catalog, profile):
                    report.user_cards += 1
                    if (problem := _render(make)) is not None:
                        report.problems.append(f"{name} [{lang}, {role}, {country}]: {problem}")
    worst = _Worst(catalog)
    report.problems.extend(f"admin: {p}" for p in worst.problems)
    for lang in LANGUAGES:
        report.admin_cards[lang] = 0
        for name, make in _admin_screens(catalog, worst, lang):
            report.admin_cards[lang] += 1
            if (problem := _render(make)) is not None:
                report.problems.append(f"admin: {name} [{lang}]: {problem}")
    report.problems = sorted(set(report.problems))
    return report


def _section_codes(item: object, profile: screens.Profile) -> list[str]:
    """Every section a card offers (its own and "More like this")."""
    if isinstance(item, Event):
        return [screens.MORE]
    return [s.code for s in screens.sections_of(item, profile.role)] + [screens.MORE]  # type: ignore[arg-type]


def card_problems(catalog: Catalog) -> list[Problem]:
    """Every item's card and inline card in every language, checked against Telegram's limits.

    The part of `run` that content alone can break (an over-long summary), cheap enough (~350
    renders) for start-up and /reload: content that `validate` rejects must never go live, where
    the card, every search that finds it and the inline page holding it would fail.
    """
    links = screens.Links("WorkforcePathwaysBot", ask_person=True)
    problems = []
    for item in catalog.items():
        for lang in LANGUAGES:
            profile = screens.Profile(lang=lang, role="employer", country=item.country.value)
            makers: list[tuple[str, Maker]] = [
                ("card", functools.partial(screens.item_card, catalog, profile, item.id, links)),
                (
                    "inline card",
                    functools.partial(screens.inline_card, catalog, profile, item.id, links),
                ),
            ]
            makers += [
                (
                    f"card section {code}",
                    functools.partial(
                        screens.item_card, catalog, profile, item.id, links, section=code
                    ),
                )
                for code in _section_codes(item, profile)
            ]
            for what, make in makers:
                if (problem := _render(make)) is not None:
                    problems.append(Problem("", f"{what} [{lang}]", problem, item.id))
    return problems


def load_checked(content_dir: Path) -> Catalog:
    """`load_catalog`, then `card_problems`: raises CatalogError listing both kinds."""
    catalog = load_catalog(content_dir)
    problems = card_problems(catalog)
    if problems:
        raise CatalogError(problems)
    return catalog


def validate(catalog: Catalog) -> tuple[int, list[str]]:
    """Render everything; returns (cards checked, problems)."""
    report = run(catalog)
    return report.checked, report.problems
