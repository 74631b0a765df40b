"""The admin flows — /broadcast, /newforum, /editforum — as steps kept in the database.

Each step is read from `admin_flows` on every update and written back before the answer, so
the next message or button can be taken by any instance, after any restart (ARCHITECTURE,
"Stateless navigation"). Handlers parse the update and call one function here; each returns
the cards to show (`Reply`): previews first (sent as new messages, exactly as recipients will
get them), then the step's own card.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot import routes, screens
from bot.broadcast import forums, outbox, reminders, schedule
from bot.broadcast.audience import Audience, recipients
from bot.broadcast.render import Content, message_card, text_problem
from bot.cards import Card
from bot.catalog.models import LANGUAGES, Country, Event
from bot.i18n import t
from bot.store import Topic, repo
from bot.store.engine import Store
from bot.store.models import Forum, utcnow
from bot.store.topics import audience as forum_audience

if TYPE_CHECKING:
    from bot.services import Services

BROADCAST = "broadcast"
NEW_FORUM = "forum"
EDIT_FORUM = "forum_edit"


@dataclass(frozen=True, slots=True)
class Reply:
    """What to show: `previews` as new messages, then `card` (in place when `edit`).

    `report` is (broadcast id, language) when `card`, sent as a new message, must become
    that broadcast's progress message (`set_report`): its id is known only once it is sent.
    """

    card: Card
    previews: tuple[Card, ...] = ()
    edit: bool = True
    report: tuple[int, str] | None = None


@dataclass(slots=True)
class Admin:
    """Who is acting, and with what: one per update."""

    services: Services
    user_id: int
    lang: str
    now: datetime = field(default_factory=utcnow)

    @property
    def zone(self) -> ZoneInfo:
        """The operators' time zone (`TIMEZONE`): scheduled times are typed and shown in it."""
        return self.services.settings.zone

    @property
    def store(self) -> Store:
        store = self.services.store
        if store is None:
            raise RuntimeError("admin flows need the database")
        return store

    @classmethod
    def of(cls, services: Services, user_id: int, lang: str) -> Admin:
        broadcasting = services.broadcasting
        now = broadcasting.clock() if broadcasting is not None else utcnow()
        return cls(services, user_id, lang, now)


async def current(admin: Admin) -> repo.Flow | None:
    async with admin.store.readers() as session:
        return await repo.get_flow(session, admin.user_id)


async def _step(admin: Admin, flow: str, step: str, data: Mapping[str, Any]) -> None:
    async with admin.store.transaction() as session:
        await repo.set_flow(session, admin.user_id, flow, step, data, now=admin.now)


async def cancel(admin: Admin) -> Reply:
    """/cancel or ❌: leave the flow; drafts are dropped, nothing is sent or saved."""
    async with admin.store.transaction() as session:
        had = await repo.clear_flow(session, admin.user_id)
        await outbox.drop_drafts(session, admin.user_id)
    key = "forum_admin.flow_cancelled" if had else "forum_admin.nothing_to_cancel"
    return Reply(screens.admin_card(admin.lang, "broadcast.title", t(admin.lang, key)))


# /broadcast ---------------------------------------------------------------------------------


async def start_broadcast(admin: Admin) -> Reply:
    async with admin.store.transaction() as session:
        await outbox.drop_drafts(session, admin.user_id)
        await repo.set_flow(session, admin.user_id, BROADCAST, "text_en", {"texts": {}})
    return Reply(screens.flow_prompt(admin.lang, "broadcast.title", "broadcast.ask_text"))


async def broadcast_text(admin: Admin, flow: repo.Flow, text: str) -> Reply:
    """The admin typed a message text (English first, then the translations they chose), or
    — at the "when?" step — the time to send it."""
    if flow.step == "schedule":
        return await broadcast_schedule_text(admin, flow, text)
    texts: dict[str, str] = dict(flow.data.get("texts") or {})  # type: ignore[call-overload]
    step = flow.step if flow.step in ("text_en", "text_es", "text_fr") else "text_en"
    code = step.removeprefix("text_")
    problem = text_problem({code: text}, admin.lang)
    if problem is not None:
        prompt = "broadcast.ask_text" if code == "en" else f"broadcast.ask_text_{code}"
        return Reply(screens.flow_prompt(admin.lang, "broadcast.title", prompt, notice=problem))
    texts[code] = text
    if code == "en":
        await _step(admin, BROADCAST, "text_choice", {"texts": texts})
        return Reply(screens.flow_text_choice(admin.lang, "broadcast"))
    if code == "es":
        await _step(admin, BROADCAST, "text_fr", {"texts": texts})
        return Reply(screens.flow_prompt(admin.lang, "broadcast.title", "broadcast.ask_text_fr"))
    await _step(admin, BROADCAST, "audience", {"texts": texts})
    return Reply(screens.broadcast_audience_menu(admin.services.catalog, admin.lang))


async def broadcast_same_text(admin: Admin, flow: repo.Flow, same: bool) -> Reply:
    texts: dict[str, str] = dict(flow.data.get("texts") or {})  # type: ignore[call-overload]
    if "en" not in texts:
        return await start_broadcast(admin)
    if not same:
        await _step(admin, BROADCAST, "text_es", {"texts": {"en": texts["en"]}})
        return Reply(screens.flow_prompt(admin.lang, "broadcast.title", "broadcast.ask_text_es"))
    same_texts = dict.fromkeys(LANGUAGES, texts["en"])
    problem = text_problem(same_texts, admin.lang)
    if problem is not None:  # the footer is longer in es/fr: fits in English, not for all
        await _step(admin, BROADCAST, "text_en", {"texts": {}})
        return Reply(
            screens.flow_prompt(admin.lang, "broadcast.title", "broadcast.ask_text", notice=problem)
        )
    await _step(admin, BROADCAST, "audience", {"texts": same_texts})
    return Reply(screens.broadcast_audience_menu(admin.services.catalog, admin.lang))


def audience_of(services: Services, kind: str, value: str) -> Audience | None:
    """The audience an admin's button names; None for anything stale or forged."""
    if kind == "forum":
        event = services.catalog.events.get(value)
        return Audience.of_topics(forum_audience(event)) if event is not None else None
    if kind == "topic":
        topic = Topic.from_code(value)
        return Audience.of_topics([topic.key]) if topic is not None else None
    return Audience.parse(kind, value or None)


async def broadcast_audience(admin: Admin, flow: repo.Flow, audience: Audience) -> Reply:
    """Audience chosen: write the draft, show the exact previews, the count and Send."""
    texts: dict[str, str] = dict(flow.data.get("texts") or {})  # type: ignore[call-overload]
    if set(texts) != set(LANGUAGES):
        return await start_broadcast(admin)
    settings = admin.services.settings
    async with admin.store.transaction() as session:
        await outbox.drop_drafts(session, admin.user_id)
        draft = await outbox.create(
            session, audience=audience, texts=texts, author_id=admin.user_id, now=admin.now
        )
        found = await recipients(session, audience, settings.default_language)
        await repo.set_flow(
            session, admin.user_id, BROADCAST, "preview", {"texts": texts, "draft": draft}
        )
    by_language = dict(Counter(found.values()))
    # One preview per language that has recipients: the footer is translated, so even "the
    # same text for everyone" reaches each language a little differently.
    shown = [code for code in LANGUAGES if by_language.get(code)] or [admin.lang]
    content = Content("message", texts)
    previews = tuple(message_card(content, code, admin.services.catalog) for code in shown)
    confirm = screens.broadcast_confirm(
        admin.services.catalog, admin.lang, draft, audience, by_language, len(previews)
    )
    return Reply(confirm, previews, edit=False)


def _draft_of(flow: repo.Flow | None, ref: str) -> int | None:
    """The draft a button names, if it is the admin's current one (else stale or forged)."""
    if flow is None or flow.flow != BROADCAST or str(flow.data.get("draft")) != ref:
        return None
    return routes.parse_ref(ref)


async def broadcast_send(
    admin: Admin, flow: repo.Flow | None, ref: str, report: tuple[int, int]
) -> Reply | None:
    """Send: the draft is queued and expanded; the pressed message becomes the progress
    message. None if the button is not the current draft's (stale or forged)."""
    draft = _draft_of(flow, ref)
    if draft is None:
        return None
    async with admin.store.transaction() as session:
        count = await outbox.queue(
            session,
            draft,
            now=admin.now,
            default_lang=admin.services.settings.default_language,
            report=(report[0], report[1], admin.lang),
        )
        if count is None:
            return None
        await repo.clear_flow(session, admin.user_id)
        row = await outbox.get(session, draft)
    assert row is not None
    if admin.services.broadcasting is not None:
        admin.services.broadcasting.wake()
    return Reply(screens.broadcast_progress(admin.lang, row, outbox.Counts(pending=count), 0.0))


# Send later ---------------------------------------------------------------------------------


async def broadcast_later(admin: Admin, flow: repo.Flow | None, ref: str) -> Reply | None:
    """The "Schedule…" button: the draft stays a draft; ask when (suggestions, or typed)."""
    draft = _draft_of(flow, ref)
    if flow is None or draft is None:
        return None
    await _step(admin, BROADCAST, "schedule", flow.data)
    return Reply(screens.broadcast_schedule(admin.lang, draft, admin.now, admin.zone))


async def broadcast_review(admin: Admin, flow: repo.Flow | None, ref: str) -> Reply | None:
    """Back from "when?": the confirmation again (count recomputed, previews not resent)."""
    draft = _draft_of(flow, ref)
    if flow is None or draft is None:
        return None
    async with admin.store.transaction() as session:
        row = await outbox.get(session, draft)
        if row is None or row.status != "draft":
            return None
        audience = Audience.from_json(row.audience)
        found = await recipients(session, audience, admin.services.settings.default_language)
        await repo.set_flow(session, admin.user_id, BROADCAST, "preview", flow.data)
    by_language = dict(Counter(found.values()))
    versions = sum(1 for code in LANGUAGES if by_language.get(code)) or 1
    confirm = screens.broadcast_confirm(
        admin.services.catalog, admin.lang, draft, audience, by_language, versions
    )
    return Reply(confirm)


async def broadcast_at(
    admin: Admin, flow: repo.Flow | None, ref: str, option: str, report: tuple[int, int]
) -> Reply | None:
    """A suggested time was tapped: queue the draft for it; the pressed message shows when,
    and later becomes the progress message."""
    draft = _draft_of(flow, ref)
    if draft is None:
        return None
    when = schedule.quick(option, admin.now, admin.zone)
    if when is None:
        return None
    return await _schedule(admin, draft, when, (report[0], report[1], admin.lang))


async def broadcast_schedule_text(admin: Admin, flow: repo.Flow, text: str) -> Reply:
    """A typed time: queue the draft for it, or explain the problem and ask again (the step
    and the draft stay as they were)."""
    draft = _draft_of(flow, str(flow.data.get("draft")))
    if draft is None:
        return await start_broadcast(admin)
    when = schedule.parse(text, admin.now, admin.zone)
    if isinstance(when, schedule.Problem):
        notice = when.text(admin.lang, admin.zone, admin.now)
        card = screens.broadcast_schedule(admin.lang, draft, admin.now, admin.zone, notice=notice)
        return Reply(card)
    reply = await _schedule(admin, draft, when, None)
    if reply is None:  # queued or dropped meanwhile (another instance, an old button)
        note = t(admin.lang, "broadcast.stale")
        return Reply(screens.admin_card(admin.lang, "broadcast.title", note))
    return reply


async def _schedule(
    admin: Admin, draft: int, when: datetime, report: tuple[int, int, str] | None
) -> Reply | None:
    """Draft → queued for `when` (UTC); the sender expands it when it is due. None if the
    draft was no longer a draft."""
    settings = admin.services.settings
    async with admin.store.transaction() as session:
        count = await outbox.queue(
            session,
            draft,
            now=admin.now,
            default_lang=settings.default_language,
            report=report,
            scheduled_at=when,
        )
        if count is None:
            return None
        await repo.clear_flow(session, admin.user_id)
        row = await outbox.get(session, draft)
        assert row is not None
        found = await recipients(
            session, Audience.from_json(row.audience), settings.default_language
        )
    card = screens.broadcast_scheduled(admin.lang, row, admin.zone, len(found))
    return Reply(card, report=None if report is not None else (draft, admin.lang))


async def set_report(
    services: Services, broadcast_id: int, chat_id: int, message_id: int, lang: str
) -> None:
    """The message that just showed a scheduled broadcast becomes its progress message."""
    store = services.store
    if store is None:
        return
    async with store.transaction() as session:
        await outbox.set_report(session, broadcast_id, chat_id, message_id, lang)


async def broadcast_list(admin: Admin) -> Reply:
    async with admin.store.readers() as session:
        waiting = await outbox.scheduled(session)
        total = await outbox.scheduled_count(session)
        entries = await outbox.recent(session)
    card = screens.broadcast_list(
        admin.services.catalog, admin.lang, waiting, entries, admin.zone, waiting_total=total
    )
    return Reply(card)


async def stop_menu(admin: Admin) -> Reply:
    async with admin.store.readers() as session:
        rows = await outbox.cancellable(session)
    return Reply(screens.broadcast_stop_menu(admin.services.catalog, admin.lang, rows, admin.zone))


STOPPED = "stopped"
NOT_STOPPABLE = "not_stoppable"
NO_SUCH = "no_such"


async def stop(admin: Admin, broadcast_id: int) -> tuple[str, Reply]:
    """Stop a broadcast: (STOPPED if it was running or queued, NOT_STOPPABLE if it had
    finished, NO_SUCH if there is none with that id; the refreshed menu). The id comes from
    `routes.parse_ref`: ASCII digits, within the database's range."""
    async with admin.store.transaction() as session:
        stopped = await outbox.cancel(session, broadcast_id, now=admin.now)
        found = stopped or await outbox.get(session, broadcast_id) is not None
    if admin.services.broadcasting is not None:
        admin.services.broadcasting.wake()
    outcome = STOPPED if stopped else NOT_STOPPABLE if found else NO_SUCH
    return outcome, await stop_menu(admin)


async def statistics(admin: Admin) -> Reply:
    async with admin.store.readers() as session:
        figures = await repo.stats(session)
        breakdown = await repo.breakdown(session)
        gaps = await repo.top_gaps(session, 10)
    card = screens.stats_card(admin.services.catalog, admin.lang, figures, breakdown, gaps)
    return Reply(card)


# /newforum and /editforum -------------------------------------------------------------------


async def start_new_forum(admin: Admin) -> Reply:
    await _step(admin, NEW_FORUM, "title_en", {"titles": {}})
    return Reply(screens.flow_prompt(admin.lang, "forum_admin.title_new", "forum_admin.ask_title"))


FORUM_YEARS_AHEAD = 10
"""How far ahead a forum may be announced: further is a typo in the year (and near year 9999
the calendar file and the reminders' date arithmetic overflow)."""


def forum_date_range(now: datetime) -> tuple[date, date]:
    """The first and last day a forum typed now may start on (today … today + 10 years)."""
    first = now.date()
    try:
        last = first.replace(year=first.year + FORUM_YEARS_AHEAD)
    except ValueError:  # 29 February, ten years later not a leap year
        last = first.replace(year=first.year + FORUM_YEARS_AHEAD, day=28)
    return first, last


def _forum_when(admin: Admin, text: str) -> forums.When | str:
    """A typed forum start (`forums.parse_when`) within `forum_date_range`, or the notice that
    explains what is wrong (in the admin's language)."""
    when = forums.parse_when(text, admin.now)
    if isinstance(when, str):
        return t(admin.lang, f"forum_admin.{when}")
    day = when.start.date() if isinstance(when.start, datetime) else when.start
    first, last = forum_date_range(admin.now)
    if day > last:
        return t(
            admin.lang, "forum_admin.out_of_range", first=first.isoformat(), last=last.isoformat()
        )
    return when


def _prompt(admin: Admin, flow: str, key: str, notice: str | None = None) -> Reply:
    title = "forum_admin.title_new" if flow == NEW_FORUM else "forum_admin.title_edit"
    return Reply(screens.flow_prompt(admin.lang, title, f"forum_admin.{key}", notice=notice))


async def forum_text(admin: Admin, flow: repo.Flow, text: str) -> Reply:
    """The admin typed a title, a date, a city or a link for the forum being made or edited."""
    data = dict(flow.data)
    step = flow.step
    value = " ".join(text.split())
    if step in ("title_en", "title_es", "title_fr", "title_choice"):
        code = "en" if step == "title_choice" else step.removeprefix("title_")
        if not 0 < len(value) <= forums.TITLE_MAX:
            return _prompt(admin, flow.flow, "bad_title" if code == "en" else f"ask_title_{code}")
        titles = {**dict(data.get("titles") or {}), code: value}  # type: ignore[call-overload]
        data["titles"] = titles
        if code == "en":
            await _step(admin, flow.flow, "title_choice", data)
            return Reply(screens.flow_text_choice(admin.lang, "forum_admin"))
        if code == "es":
            await _step(admin, flow.flow, "title_fr", data)
            return _prompt(admin, flow.flow, "ask_title_fr")
        return await _after_titles(admin, flow.flow, data)
    if step == "when":
        when = _forum_when(admin, value)
        if isinstance(when, str):
            return _prompt(admin, flow.flow, "ask_when", when)
        data["when"] = when.text()
        if flow.flow == EDIT_FORUM:
            return await _save_edit(admin, data)
        await _step(admin, NEW_FORUM, "city", data)
        return _prompt(admin, NEW_FORUM, "ask_city")
    if step == "city":
        if not 0 < len(value) <= forums.CITY_MAX:
            return _prompt(admin, flow.flow, "ask_city", t(admin.lang, "forum_admin.bad_city"))
        data["city"] = value
        if flow.flow == EDIT_FORUM:
            return await _save_edit(admin, data)
        await _step(admin, NEW_FORUM, "country", data)
        zone = str(data["when"]).rsplit(" ", 1)[-1]
        return Reply(screens.forum_country_menu(admin.lang, forums.guess_country(zone)))
    if step == "link":
        url = forums.parse_url(value)
        if url is None:
            return _prompt(admin, flow.flow, "ask_link", t(admin.lang, "forum_admin.bad_link"))
        data["url"] = url
        if flow.flow == EDIT_FORUM:
            return await _save_edit(admin, data)
        await _step(admin, NEW_FORUM, "review", data)
        return _review(admin, data)
    if step == "country":
        zone = str(data.get("when", "")).rsplit(" ", 1)[-1]
        return Reply(screens.forum_country_menu(admin.lang, forums.guess_country(zone)))
    return _review(admin, data)


async def forum_same_title(admin: Admin, flow: repo.Flow, same: bool) -> Reply:
    data = dict(flow.data)
    titles: dict[str, str] = dict(data.get("titles") or {})  # type: ignore[call-overload]
    if "en" not in titles:
        return _prompt(admin, flow.flow, "ask_title")
    if not same:
        data["titles"] = {"en": titles["en"]}
        await _step(admin, flow.flow, "title_es", data)
        return _prompt(admin, flow.flow, "ask_title_es")
    data["titles"] = dict.fromkeys(LANGUAGES, titles["en"])
    return await _after_titles(admin, flow.flow, data)


async def _after_titles(admin: Admin, flow: str, data: dict[str, Any]) -> Reply:
    if flow == EDIT_FORUM:
        return await _save_edit(admin, data)
    await _step(admin, NEW_FORUM, "when", data)
    return _prompt(admin, NEW_FORUM, "ask_when")


async def forum_country(admin: Admin, flow: repo.Flow, country: Country) -> Reply:
    data = {**flow.data, "country": country.value}
    await _step(admin, NEW_FORUM, "link", data)
    return _prompt(admin, NEW_FORUM, "ask_link")


def _draft_event(admin: Admin, data: Mapping[str, Any], forum_id: str) -> Event:
    """The forum as it will be stored, as a catalog Event (for the preview)."""
    when = _forum_when(admin, str(data["when"]))
    if isinstance(when, str):
        raise ValueError(when)
    row = Forum(
        id=forum_id,
        title=dict(data["titles"]),
        starts_at=when.starts_at,
        all_day=when.all_day,
        timezone=when.timezone,
        city=str(data["city"]),
        country=str(data["country"]),
        url=str(data["url"]),
        status="announced",
        updated_at=admin.now,
    )
    return forums.to_event(row)


def _review(admin: Admin, data: Mapping[str, Any]) -> Reply:
    catalog = admin.services.catalog
    event = _draft_event(admin, data, "forum-preview")
    preview = screens.forum_card(catalog, screens.Profile(admin.lang), event, admin.services.links)
    return Reply(screens.forum_review(admin.lang), (preview,), edit=False)


async def forum_publish(admin: Admin, flow: repo.Flow) -> Reply:
    """Store the reviewed forum, merge it into the catalog, schedule its reminders."""
    data = flow.data
    when = _forum_when(admin, str(data["when"]))
    if isinstance(when, str):  # the date passed while the admin was reviewing
        await _step(admin, NEW_FORUM, "when", data)
        return _prompt(admin, NEW_FORUM, "ask_when", when)
    taken = set(admin.services.catalog.events) | {e.id for e in admin.services.forums}
    async with admin.store.transaction() as session:
        taken |= {f.id for f in await forums.load(session)}
        forum_id = forums.new_id(str(data["city"]), when.start, taken)
        await forums.create(
            session,
            forum_id=forum_id,
            titles=dict(data["titles"]),  # type: ignore[call-overload]
            when=when,
            city=str(data["city"]),
            country=str(data["country"]),
            url=str(data["url"]),
            by=admin.user_id,
            now=admin.now,
        )
        await repo.clear_flow(session, admin.user_id)
    return await _saved(admin, forum_id, "new")


async def _saved(admin: Admin, forum_id: str, what: str) -> Reply:
    """After a change: refresh the catalog here (others notice within seconds), re-plan the
    reminders, and offer to tell the forum's subscribers."""
    broadcasting = admin.services.broadcasting
    if broadcasting is not None:
        await broadcasting.refresh_forums(force=True)
        await broadcasting.sync_reminders()
    event = admin.services.catalog.events[forum_id]
    async with admin.store.readers() as session:
        planned = await reminders.scheduled(session, forum_id)
        count = len(
            await recipients(
                session,
                Audience.of_topics(forum_audience(event)),
                admin.services.settings.default_language,
            )
        )
    times = [row.scheduled_at for row in planned if row.scheduled_at is not None]
    return Reply(screens.forum_saved(admin.lang, event, what, times, count))


def stored_forums(admin: Admin) -> list[Event]:
    return sorted(admin.services.forums, key=lambda e: e.starts_at)


async def edit_list(admin: Admin) -> Reply:
    return Reply(screens.forum_edit_list(admin.lang, stored_forums(admin)))


def _stored(admin: Admin, forum_id: str) -> Event | None:
    return next((e for e in admin.services.forums if e.id == forum_id), None)


async def edit_menu(admin: Admin, forum_id: str) -> Reply | None:
    event = _stored(admin, forum_id)
    return None if event is None else Reply(screens.forum_edit_menu(admin.lang, event))


FIELD_STEPS = {"title": "title_en", "when": "when", "city": "city", "link": "link"}
FIELD_PROMPTS = {"title": "ask_title", "when": "ask_when", "city": "ask_city", "link": "ask_link"}


async def edit_field(admin: Admin, forum_id: str, name: str) -> Reply | None:
    """Start changing one field, or cancel the forum at once."""
    if _stored(admin, forum_id) is None:
        return None
    if name == "cancel":
        async with admin.store.transaction() as session:
            await forums.change(session, forum_id, status="cancelled", now=admin.now)
            await repo.clear_flow(session, admin.user_id)
        return await _saved(admin, forum_id, "cancelled")
    if name not in FIELD_STEPS:
        return None
    await _step(admin, EDIT_FORUM, FIELD_STEPS[name], {"forum": forum_id, "titles": {}})
    return _prompt(admin, EDIT_FORUM, FIELD_PROMPTS[name])


async def _save_edit(admin: Admin, data: Mapping[str, Any]) -> Reply:
    forum_id = str(data["forum"])
    changes: dict[str, Any] = {}
    if data.get("titles") and set(data["titles"]) == set(LANGUAGES):
        changes["titles"] = dict(data["titles"])
    if "when" in data:
        when = _forum_when(admin, str(data["when"]))
        if isinstance(when, str):
            return _prompt(admin, EDIT_FORUM, "ask_when", when)
        changes["when"] = when
    if "city" in data:
        changes["city"] = str(data["city"])
    if "url" in data:
        changes["url"] = str(data["url"])
    async with admin.store.transaction() as session:
        row = await forums.change(session, forum_id, now=admin.now, **changes)
        await repo.clear_flow(session, admin.user_id)
    if row is None:
        return Reply(
            screens.admin_card(
                admin.lang, "forum_admin.title_edit", t(admin.lang, "forum_admin.gone")
            )
        )
    return await _saved(admin, forum_id, "changed")


async def announce(admin: Admin, forum_id: str, what: str, report: tuple[int, int]) -> Reply | None:
    """Tell a forum's subscribers it was published, changed or cancelled (or decline)."""
    if what == "no":
        return Reply(
            screens.admin_card(
                admin.lang, "forum_admin.title_edit", t(admin.lang, "forum_admin.not_announced")
            )
        )
    event = admin.services.catalog.events.get(forum_id)
    if event is None or what not in ("new", "changed", "cancelled"):
        return None
    async with admin.store.transaction() as session:
        draft = await outbox.create(
            session,
            audience=Audience.of_topics(forum_audience(event)),
            item_id=forum_id,
            purpose=f"forum_{what}",
            author_id=admin.user_id,
            now=admin.now,
        )
        count = await outbox.queue(
            session,
            draft,
            now=admin.now,
            default_lang=admin.services.settings.default_language,
            report=(report[0], report[1], admin.lang),
        )
        row = await outbox.get(session, draft)
    assert row is not None
    if admin.services.broadcasting is not None:
        admin.services.broadcasting.wake()
    return Reply(
        screens.broadcast_progress(admin.lang, row, outbox.Counts(pending=count or 0), 0.0)
    )
