"""The outbox and forum tables on both engines: reminders planning, flows, /forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.broadcast import forums, outbox, reminders
from bot.broadcast.audience import Audience
from bot.catalog.models import EventStatus
from bot.store import ChatInfo, Store, repo
from bot.store.models import Broadcast, Delivery
from tests.broadcast.conftest import catalog
from tests.store.conftest import rows_mentioning

ADMIN = 7_300_000_001
ALICE = 7_300_000_002
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


async def stored_forum(db: Store, when: str = "2027-03-15 10:00 America/Mexico_City") -> str:
    parsed = forums.parse_when(when, NOW)
    assert isinstance(parsed, forums.When)
    async with db.transaction() as s:
        await forums.create(
            s,
            forum_id="forum-2027-monterrey",
            titles={"en": "Forum", "es": "Foro", "fr": "Forum"},
            when=parsed,
            city="Monterrey",
            country="mx",
            url="https://www.gob.mx/forum",
            by=ADMIN,
            now=NOW,
        )
    return "forum-2027-monterrey"


async def merged(db: Store):  # type: ignore[no-untyped-def]
    async with db.readers() as s:
        return forums.merge(catalog(), await forums.load(s))


async def planned(db: Store) -> list[tuple[str, str, datetime | None]]:
    async with db.readers() as s:
        rows = (await s.scalars(select(Broadcast).order_by(Broadcast.id))).all()
    return [(r.purpose, r.status, r.scheduled_at) for r in rows]


async def test_reminders_follow_the_forum_and_sync_is_idempotent(store: Store) -> None:
    forum_id = await stored_forum(store)
    start = datetime(2027, 3, 15, 10, tzinfo=ZoneInfo("America/Mexico_City"))
    for _ in range(2):  # two instances starting: one set of reminders
        async with store.transaction() as s:
            await reminders.sync(s, await merged(store), NOW)
    assert await planned(store) == [
        ("reminder_7d", "queued", start - timedelta(days=7)),
        ("reminder_1d", "queued", start - timedelta(days=1)),
    ]
    moved = forums.parse_when("2027-04-01 America/Mexico_City", NOW)
    async with store.transaction() as s:
        await forums.change(s, forum_id, when=moved, now=NOW)  # type: ignore[arg-type]
    async with store.transaction() as s:
        await reminders.sync(s, await merged(store), NOW)
    assert [(p, st) for p, st, _ in await planned(store)] == [
        ("reminder_7d", "cancelled"),
        ("reminder_1d", "cancelled"),
        ("reminder_7d", "queued"),
        ("reminder_1d", "queued"),
    ]
    back = forums.parse_when("2027-03-15 10:00 America/Mexico_City", NOW)
    async with store.transaction() as s:
        await forums.change(s, forum_id, when=back, now=NOW)  # type: ignore[arg-type]
    async with store.transaction() as s:
        await reminders.sync(s, await merged(store), NOW)
    assert [st for _, st, _ in await planned(store)] == [
        "queued",
        "queued",
        "cancelled",
        "cancelled",
    ], "moved back: the first reminders return, no third set"
    async with store.transaction() as s:
        await forums.change(s, forum_id, status=EventStatus.CANCELLED.value, now=NOW)
    async with store.transaction() as s:
        await reminders.sync(s, await merged(store), NOW)
    assert {st for _, st, _ in await planned(store)} == {"cancelled"}


async def test_a_forum_a_day_away_gets_only_what_is_still_ahead(store: Store) -> None:
    await stored_forum(store, "2027-01-12 America/Mexico_City")
    async with store.transaction() as s:
        plan = await reminders.sync(s, await merged(store), NOW)
    assert [r.purpose for r in plan] == ["reminder_1d"]


def test_parsing_what_admins_type() -> None:
    when = forums.parse_when(" 2027-03-15  10:00 America/Toronto ", NOW)
    assert isinstance(when, forums.When)
    assert when.starts_at == datetime(2027, 3, 15, 10, tzinfo=ZoneInfo("America/Toronto"))
    assert when.text() == "2027-03-15 10:00 America/Toronto"
    assert forums.parse_when("2027-03-15 America/Toronto", NOW).all_day  # type: ignore[union-attr]
    assert forums.parse_when("2027-03-15 10:00", NOW) == "bad_when"
    assert forums.parse_when("2027-02-30 America/Toronto", NOW) == "bad_when"
    assert forums.parse_when("2027-03-15 Mars/Olympus", NOW) == "bad_zone"
    assert forums.parse_when("2026-03-15 America/Toronto", NOW) == "past"
    assert forums.parse_url("https://example.org/x") == "https://example.org/x"
    assert forums.parse_url("javascript:alert(1)") is None
    assert forums.new_id("Ciudad de México", NOW, {"forum-2027-ciudad-de-mexico"}) == (
        "forum-2027-ciudad-de-mexico-2"
    )


async def test_flows_live_in_the_database(store: Store) -> None:
    async with store.transaction() as s:
        await repo.set_flow(s, ADMIN, "broadcast", "text_en", {"texts": {}})
        await repo.set_flow(s, ADMIN, "broadcast", "audience", {"texts": {"en": "x"}})
    async with store.readers() as s:
        flow = await repo.get_flow(s, ADMIN)
    assert flow == repo.Flow("broadcast", "audience", {"texts": {"en": "x"}})
    async with store.transaction() as s:
        assert await repo.clear_flow(s, ADMIN)
        assert not await repo.clear_flow(s, ADMIN)


async def test_forget_user_also_clears_broadcast_rows(store: Store) -> None:
    await stored_forum(store)
    async with store.transaction() as s:
        await repo.subscribe(s, ChatInfo(ALICE, "private", None, "es"), "forums", by_user=ALICE)
        await repo.subscribe(s, ChatInfo(ADMIN, "private", None, "en"), "forums", by_user=ADMIN)
        await repo.set_flow(s, ADMIN, "broadcast", "preview", {"draft": 1})
        bid = await outbox.create(
            s, audience=Audience.of_topics(["forums"]), texts={"en": "hi"}, author_id=ADMIN
        )
        await outbox.queue(s, bid, now=NOW, report=(ADMIN, 42, "en"))
    async with store.readers() as s:
        chats = set((await s.scalars(select(Delivery.chat_id))).all())
    assert chats == {ALICE, ADMIN}
    assert {"deliveries", "admin_flows", "broadcasts", "forums"} <= set(
        await rows_mentioning(store, ADMIN)
    )
    async with store.transaction() as s:
        await repo.forget_user(s, ADMIN)
        await repo.forget_user(s, ALICE)
    assert await rows_mentioning(store, ADMIN) == {}
    assert await rows_mentioning(store, ALICE) == {}
    async with store.readers() as s:
        row = await outbox.get(s, bid)
        assert row is not None
        assert row.author_id is None
        assert (await forums.get(s, "forum-2027-monterrey")).created_by is None  # type: ignore[union-attr]
