"""Send later: an admin schedules a broadcast from chat, through the real Application on the
emulator, on both engines.

Time is the sender's clock (`BroadcastSender.clock`, the one production uses for schedules):
the tests let real time pass while the broadcast is not due, then move that clock past the
scheduled time — the broadcast goes out through the same outbox, sender and Bot API as any
other. Nothing sleeps for an hour.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.i18n import fmt_datetime, t
from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxUser
from bot.sandbox.records import BotMessage
from bot.services import AppType
from bot.store import Store, repo
from bot.store.models import Broadcast, Delivery, utcnow
from tests.e2e.conftest import ADMIN_ID, press_data
from tests.e2e.test_broadcast import ask, bot_on, subscribe, tap, until
from tests.store.conftest import database_url, empty_store, store

__all__ = ["database_url", "empty_store", "store"]


async def draft_for_forum_subscribers(admin: SandboxUser, text: str, lang: str) -> BotMessage:
    """/broadcast → one text for everyone → forum subscribers; the confirmation card."""
    await ask(admin, "/broadcast")
    choice = await ask(admin, text)
    menu = await tap(admin, choice, t(lang, "broadcast.button_same"))
    menu = await tap(admin, menu, t(lang, "broadcast.menu_topic"))
    await admin.press(menu, t(lang, "topic.forums"))
    while True:  # the previews (one per language with recipients), then the confirmation
        message = await admin.wait_message()
        if t(lang, "broadcast.button_change") in message.button_texts:
            return message


def button(message: BotMessage, prefix: str) -> str:
    """The callback data of the button whose data starts with `prefix`."""
    return next(
        str(b.callback_data)
        for b in message.inline_buttons
        if str(b.callback_data).startswith(prefix)
    )


async def only(store: Store) -> Broadcast:
    async with store.readers() as s:
        return (await s.scalars(select(Broadcast))).one()


async def deliveries(store: Store) -> int:
    async with store.readers() as s:
        return int(await s.scalar(select(func.count()).select_from(Delivery)) or 0)


def time_flies(app: AppType, to: datetime) -> None:
    """From now on the sender's (and the flows') clock reads `to` plus the real time since."""
    broadcasting = app.bot_data["services"].broadcasting
    offset = to - utcnow()
    broadcasting.sender.clock = lambda: utcnow() + offset
    broadcasting.wake()


async def stays_unsent(app: AppType, store: Store, seconds: float = 1.0) -> None:
    """The leading sender looks at the outbox every 50 ms: give it many looks."""
    sender = app.bot_data["services"].broadcasting.sender
    await until(lambda: sender.leading)
    await asyncio.sleep(seconds)
    assert await deliveries(store) == 0, "not expanded before its time"


async def test_a_suggested_time_is_listed_and_sent_only_when_it_comes(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    text = "Forum registration opens today"
    async with bot_on(tg, settings, catalog, store) as app:
        ada = tg.user("Ada", user_id=ADMIN_ID)
        readers = {
            "en": tg.user("Ann", language_code="en"),
            "fr": tg.user("Luc", language_code="fr"),
        }
        for lang, user in readers.items():
            await subscribe(user, lang)
        confirm = await draft_for_forum_subscribers(ada, text, "en")
        assert t("en", "broadcast.button_send", count=2) in confirm.button_texts

        when = await tap(ada, confirm, t("en", "broadcast.button_schedule"))
        assert "YYYY-MM-DD HH:MM" in when.text
        assert "America/Mexico_City" in when.text, "the operators' zone (TIMEZONE) is stated"
        pressed_at = utcnow()
        in_an_hour = next(
            b.text for b in when.inline_buttons if str(b.callback_data).endswith(":1h")
        )
        assert in_an_hour.startswith("⏰ In 1 hour (")
        done = await tap(ada, when, in_an_hour)

        row = await only(store)
        assert row.status == "queued"
        assert row.scheduled_at is not None
        assert timedelta(hours=1) <= row.scheduled_at - pressed_at <= timedelta(minutes=61)
        assert row.scheduled_at.second == 0
        assert row.scheduled_at.utcoffset() == timedelta(0), "stored in UTC"
        shown = fmt_datetime(row.scheduled_at, "en", settings.zone)
        assert "Central Standard Time" in shown
        assert (
            t("en", "broadcast.scheduled_title", id=row.id).replace("<b>", "").replace("</b>", "")
            in done.text
        )
        assert shown in done.text
        assert "Recipients if it went out now: 2" in done.text
        assert done.message_id == confirm.message_id, "the card became the scheduled card"
        again = await press_data(tg, ada, done, f"1:bt:{row.id}:1h")  # a double tap
        assert (await again.answer()).text == t("en", "broadcast.stale")

        listing = await ask(ada, "/broadcasts")
        assert "Scheduled broadcasts" in listing.text
        assert f"#{row.id} · 🕘 scheduled for {shown}" in listing.text
        assert text in listing.text

        await stays_unsent(app, store)
        assert all(text not in m.text for u in readers.values() for m in u.messages())
        assert (await only(store)).status == "queued"

        time_flies(app, row.scheduled_at + timedelta(seconds=1))
        for user in readers.values():
            await until(lambda u=user: any(text in m.text for m in u.messages()))
        await until(lambda: any(m.text.startswith("✅ Broadcast") for m in ada.messages()))
        progress = next(m for m in ada.messages() if m.message_id == done.message_id)
        assert "Sent 2 of 2" in progress.text, "the scheduled card became the progress message"
    row = await only(store)
    assert (row.status, row.sent, row.total) == ("done", 2, 2)
    assert row.started_at is not None
    assert row.started_at >= row.scheduled_at
    for user in readers.values():
        assert sum(text in m.text for m in user.messages()) == 1
    assert tg.unanswered_callbacks == []


async def test_typed_times_the_past_is_refused_and_a_cancelled_one_reaches_nobody(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    text = "Reunión informativa el viernes"
    async with bot_on(tg, settings, catalog, store) as app:
        ada = tg.user("Ada", user_id=ADMIN_ID, language_code="es")
        reader = tg.user("Rita", language_code="es")
        await subscribe(reader, "es")
        confirm = await draft_for_forum_subscribers(ada, text, "es")
        draft = int(button(confirm, "1:bc:").rsplit(":", 1)[1])
        when = await tap(ada, confirm, t("es", "broadcast.button_schedule"))
        assert "AAAA-MM-DD HH:MM" in when.text
        back = await tap(ada, when, t("es", "button.back"))
        assert "Total: 1" in back.text, "back to the confirmation, count recomputed"
        when = await tap(ada, back, t("es", "broadcast.button_schedule"))

        refused = await ask(ada, "2020-01-01 10:00")
        assert "Esa hora ya pasó: miércoles, 1 de enero de 2020, 10:00" in refused.text
        assert len(refused.inline_buttons) >= 4, "the suggestions are offered again"
        refused = await ask(ada, "3/12 9:30")
        assert "No pude entender eso" in refused.text
        async with store.readers() as s:
            flow = await repo.get_flow(s, ADMIN_ID)
        assert flow is not None
        assert (flow.step, flow.data["draft"]) == ("schedule", draft), "nothing lost"
        assert (await only(store)).status == "draft"

        zone = settings.zone
        local = (app.bot_data["services"].broadcasting.clock().astimezone(zone)).replace(
            hour=10, minute=30, second=0, microsecond=0
        ) + timedelta(days=2)
        done = await ask(ada, f"{local:%Y-%m-%d %H:%M}")
        row = await only(store)
        assert row.status == "queued"
        assert row.scheduled_at == local
        assert fmt_datetime(local, "es", zone) in done.text
        assert "(hora estándar central)" in done.text
        while row.report_message_id is None:  # recorded right after the card was sent
            await asyncio.sleep(0.02)
            row = await only(store)
        assert (row.report_chat_id, row.report_message_id) == (ADMIN_ID, done.message_id)
        async with store.readers() as s:
            assert await repo.get_flow(s, ADMIN_ID) is None

        stop = await ask(ada, "/cancel_broadcast")
        label = stop.inline_buttons[0].text
        assert label.startswith(f"🛑 #{row.id} · 🕘 ")
        press = await ada.press(stop, 0)
        assert (await press.answer()).text == t("es", "broadcast.stopped", id=row.id)
        refreshed = await ada.wait_message()
        assert t("es", "broadcast.stop_none") in refreshed.text, "nothing left to stop"

        time_flies(app, local + timedelta(minutes=5))
        await stays_unsent(app, store)
        listing = await ask(ada, "/broadcasts")
        assert t("es", "broadcast.status_cancelled") in listing.text
        assert "Avisos programados" not in listing.text
    row = await only(store)
    assert row.status == "cancelled"
    assert row.started_at is None
    assert row.finished_at is not None
    assert await deliveries(store) == 0
    assert all(text not in m.text for m in reader.messages())


async def test_non_admins_cannot_schedule_with_forged_buttons(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID)
        fan = tg.user("Fan", language_code="en")
        await subscribe(fan, "en")
        confirm = await draft_for_forum_subscribers(ada, "Admins only", "en")
        await tap(ada, confirm, t("en", "broadcast.button_schedule"))
        row = await only(store)
        mallory = tg.user("Mallory", language_code="fr")
        card = await ask(mallory, "/help")
        for data in (f"1:bl:{row.id}", f"1:bt:{row.id}:1h", f"1:bt:{row.id}:monday"):
            press = await press_data(tg, mallory, card, data)
            assert (await press.answer()).text == t("fr", "admin.refused"), data
        for command in ("/broadcasts", f"/cancel_broadcast {row.id}"):
            assert t("fr", "admin.refused") in (await ask(mallory, command)).text
        press = await press_data(tg, mallory, card, f"1:br:{row.id}")
        assert (await press.answer()).text == t("fr", "admin.refused")
        await tg.wait_idle()
    row = await only(store)
    assert (row.status, row.scheduled_at) == ("draft", None), "untouched"
    async with store.readers() as s:
        flow = await repo.get_flow(s, ADMIN_ID)
        assert await repo.get_flow(s, mallory.id) is None
    assert flow is not None
    assert flow.step == "schedule", "the admin's flow is untouched"
    assert all("Admins only" not in m.text for m in fan.messages())
