"""Forums admins announce in chat: /newforum across two Applications on one database,
reminders in the outbox (sent when due, moved or cancelled with the forum), "📅 Add to
calendar" as a real .ics file. Both engines.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from bot import routes
from bot.catalog.catalog import Catalog
from bot.catalog.models import EventStatus
from bot.config import Settings
from bot.i18n import t
from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxUser
from bot.services import Services
from bot.store import Store
from bot.store.models import Broadcast
from tests.e2e.conftest import ADMIN_ID, press_data
from tests.e2e.test_broadcast import ask, bot_on, subscribe, tap
from tests.store.conftest import database_url, empty_store, store

__all__ = ["database_url", "empty_store", "store"]

START = datetime(2027, 3, 15, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))
WHEN = "2027-03-15 10:00 America/Mexico_City"


async def reminders(db: Store) -> list[tuple[str, str, datetime | None]]:
    async with db.readers() as s:
        rows = (
            await s.scalars(
                select(Broadcast).where(Broadcast.purpose.like("reminder%")).order_by(Broadcast.id)
            )
        ).all()
    return [(r.purpose, r.status, r.scheduled_at) for r in rows]


async def new_forum_in_two_apps(
    tg: Sandbox, settings: Settings, catalog: Catalog, db: Store, ada: SandboxUser
) -> str:
    """Steps 1–2 on one Application, the rest on another one (same database)."""
    async with bot_on(tg, settings, catalog, db):
        prompt = await ask(ada, "/newforum")
        assert t("en", "forum_admin.ask_title") in prompt.text
        choice = await ask(ada, "4th Trilateral Forum on Workforce Development")
        when = await tap(ada, choice, t("en", "forum_admin.button_same"))
        assert "America/Mexico_City" in when.text
        bad = await ask(ada, "next March")
        assert t("en", "forum_admin.bad_when").split(".")[0][:20] in bad.text
        city = await ask(ada, WHEN)
        assert t("en", "forum_admin.ask_city") in city.text
    second = Store.from_url(db.url.render_as_string(hide_password=False))
    try:
        async with bot_on(tg, settings, catalog, second) as app:
            countries = await ask(ada, "Monterrey, Nuevo León")
            assert countries.button_texts[0].endswith(t("en", "country.mx")), "guessed from zone"
            link = await tap(ada, countries, f"{t('en', 'flag.mx')} {t('en', 'country.mx')}")
            assert t("en", "forum_admin.ask_link") in link.text
            await ask(ada, "http://not-https.example")
            await ada.send("https://www.gob.mx/se/forum-2027")
            preview, review = await ada.wait_messages(2)
            assert "4th Trilateral Forum" in preview.text
            assert "Monterrey, Nuevo León" in preview.text
            assert t("en", "calendar.button") in preview.button_texts
            saved = await tap(ada, review, t("en", "forum_admin.button_publish"))
            assert "Published" in saved.text
            assert "Reminders scheduled" in saved.text
            services: Services = app.bot_data["services"]
            forum_id = next(e.id for e in services.forums)
            forums = await ask(ada, "/forums")
            assert "4th Trilateral Forum" in forums.text
            found = await ask(ada, "4th Trilateral Forum Monterrey")
            assert "4th Trilateral Forum" in found.text, "the search index has it"
    finally:
        await second.close()
    return forum_id


async def test_new_forum_across_two_applications_with_reminders_and_announcement(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    ada = tg.user("Ada", user_id=ADMIN_ID)
    fan = tg.user("Fan", language_code="es")
    async with bot_on(tg, settings, catalog, store):
        await subscribe(fan, "es")
    forum_id = await new_forum_in_two_apps(tg, settings, catalog, store, ada)
    assert forum_id == "forum-2027-monterrey-nuevo-leon"
    planned = await reminders(store)
    assert planned == [
        ("reminder_7d", "queued", (START - timedelta(days=7)).astimezone(UTC)),
        ("reminder_1d", "queued", (START - timedelta(days=1)).astimezone(UTC)),
    ]

    async with bot_on(tg, settings, catalog, store):  # a restart: the forum is still there
        card = await ask(fan, f"/start {forum_id}")
        assert "4th Trilateral Forum" in card.text
        edit = await ask(ada, "/editforum")
        menu = await tap(ada, edit, "🤝 4th Trilateral Forum on Workforce Development")
        prompt = await tap(ada, menu, t("en", "forum_admin.field_when"))
        assert t("en", "forum_admin.ask_when")[:20] in prompt.text
        saved = await ask(ada, "2027-03-22 America/Mexico_City")
        assert "Saved" in saved.text
        assert t("en", "forum_admin.button_announce", count=1) in saved.button_texts
        await tap(ada, saved, t("en", "forum_admin.button_announce", count=1))
        news = await fan.wait_message(timeout=10)
        assert (
            t("es", "forum_news.forum_changed").replace("<b>", "").replace("</b>", "") in news.text
        )
        assert "22 de marzo de 2027" in news.text
        assert t("es", "calendar.button") in news.button_texts

        press = await fan.press(news, t("es", "calendar.button"))
        assert (await press.answer()).text == t("es", "calendar.sent")
        document = await fan.wait_message()
        assert document.file_name == f"{forum_id}.ics"
        cal = Calendar.from_ical(document.document)
        event = cal.events[0]
        assert event.decoded("dtstart") == date(2027, 3, 22), "a date-only forum is all day"
        assert event.decoded("dtend") == date(2027, 3, 23)
        assert str(event["summary"]) == "4th Trilateral Forum on Workforce Development"

    new_start = datetime(2027, 3, 22, tzinfo=ZoneInfo("America/Mexico_City"))
    planned = await reminders(store)
    assert [(p, s) for p, s, _ in planned] == [
        ("reminder_7d", "cancelled"),
        ("reminder_1d", "cancelled"),
        ("reminder_7d", "queued"),
        ("reminder_1d", "queued"),
    ]
    assert planned[2][2] == (new_start - timedelta(days=7)).astimezone(UTC)
    assert tg.unanswered_callbacks == []


async def test_a_due_reminder_is_sent_and_a_cancelled_forum_gets_none(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    ada = tg.user("Ada", user_id=ADMIN_ID)
    fan = tg.user("Fan", language_code="fr")
    async with bot_on(tg, settings, catalog, store) as app:
        await subscribe(fan, "fr")
        services: Services = app.bot_data["services"]
        await ask(ada, "/newforum")
        choice = await ask(ada, "Forum on skills")
        await tap(ada, choice, t("en", "forum_admin.button_same"))
        await ask(ada, WHEN)
        countries = await ask(ada, "Ciudad de México")
        await tap(ada, countries, f"{t('en', 'flag.mx')} {t('en', 'country.mx')}")
        await ada.send("https://www.gob.mx/se/skills")
        _, review = await ada.wait_messages(2)
        saved = await tap(ada, review, t("en", "forum_admin.button_publish"))
        await tap(ada, saved, t("en", "forum_admin.button_no"))

        broadcasting = services.broadcasting
        assert broadcasting is not None
        week_before = START - timedelta(days=7)
        broadcasting.sender.clock = lambda: week_before + timedelta(minutes=1)  # time flies
        broadcasting.wake()
        reminder = await fan.wait_message(timeout=10)
        assert "dans une semaine" in reminder.text
        assert "Forum on skills" in reminder.text
        assert "15 mars 2027" in reminder.text
        assert "10 h 00" in reminder.text or "10:00" in reminder.text, "the venue's time"

        press = await fan.press(reminder, t("fr", "calendar.button"))
        await press.answer()
        document = await fan.wait_message()
        event = Calendar.from_ical(document.document).events[0]
        assert event["dtstart"].params["TZID"] == "America/Mexico_City"
        assert event.decoded("dtstart") == START
        assert "BEGIN:VTIMEZONE" in document.document.decode()

        forum_id = next(e.id for e in services.forums)
        edit = await ask(ada, "/editforum")
        menu = await tap(ada, edit, "🤝 Forum on skills")
        cancelled = await tap(ada, menu, t("en", "forum_admin.field_cancel"))
        assert "Cancelled: Forum on skills" in cancelled.text
        card = await ask(fan, f"/start {forum_id}")
        assert t("fr", "event_status.cancelled") in card.text
    deadline = time.monotonic() + 5
    while (await reminders(store))[0][1] != "done":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert [(p, s) for p, s, _ in await reminders(store)] == [
        ("reminder_7d", "done"),
        ("reminder_1d", "cancelled"),
    ]


async def test_a_content_forum_exports_as_an_all_day_event(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    held = next(iter(catalog.events.values()))
    event = held.model_copy(
        update={"status": EventStatus.ANNOUNCED, "start": date.today() + timedelta(days=400)}
    )
    catalog = Catalog.build(catalog.programs.values(), catalog.organisations.values(), [event])
    async with bot_on(tg, settings, catalog, store):
        user = tg.user("Uma", language_code="en")
        card = await ask(user, f"/start {event.id}")
        press = await user.press(card, t("en", "calendar.button"))
        await press.answer()
        document = await user.wait_message()
    ics = Calendar.from_ical(document.document).events[0]
    assert ics.decoded("dtstart") == event.start
    assert "VALUE=DATE" in document.document.decode()
    assert "BEGIN:VTIMEZONE" not in document.document.decode(), "all-day: no zone needed"
    assert str(ics["uid"]) == f"{event.id}@workforce-pathways.bot"


async def test_a_held_forum_offers_no_calendar_and_no_subscription(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    """The shipped forums all took place: their cards keep the facts and drop "Add to calendar"
    and "Subscribe"; an old or forged calendar button is answered, not obeyed."""
    held = [e for e in catalog.events.values() if e.status is EventStatus.HELD]
    assert held
    async with bot_on(tg, settings, catalog, store):
        user = tg.user("Hana", language_code="es")
        for event in held:
            card = await ask(user, f"/start {event.id}")
            assert event.title.es in card.text
            assert t("es", "calendar.button") not in card.button_texts
            assert t("es", "subs.button_on") not in card.button_texts
        press = await press_data(tg, user, card, routes.Calendar(held[0].id).encode())
        answer = await press.answer()
        assert answer.text == t("es", "calendar.past")
        assert answer.show_alert
        assert [m for m in user.messages() if m.document is not None] == []
