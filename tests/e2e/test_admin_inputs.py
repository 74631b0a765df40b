"""Admin inputs a security review found reaching `int()` or date arithmetic unchecked:
odd digits in broadcast ids (typed or in forged buttons) and forum dates in year 9999. Each
gets a clear answer through the real Application; nothing is stopped, sent or saved. Both
engines.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.broadcast import outbox
from bot.broadcast.audience import Audience
from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.i18n import t
from bot.sandbox.client import Sandbox
from bot.store import Store, repo
from bot.store.models import Broadcast, Forum, utcnow
from tests.e2e.conftest import ADMIN_ID, press_data
from tests.e2e.test_broadcast import ask, bot_on, tap
from tests.store.conftest import database_url, empty_store, store

__all__ = ["database_url", "empty_store", "store"]


async def queued_broadcasts(db: Store, count: int) -> list[int]:
    """`count` broadcasts waiting for a time a month away (nothing is due during the test)."""
    now = utcnow()
    ids = []
    async with db.transaction() as session:
        for number in range(count):
            ids.append(
                await outbox.create(
                    session,
                    audience=Audience.everyone(),
                    texts=dict.fromkeys(("en", "es", "fr"), f"News {number}"),
                    author_id=ADMIN_ID,
                    status="queued",
                    scheduled_at=now + timedelta(days=30),
                    now=now,
                )
            )
    return ids


async def statuses(db: Store) -> dict[int, str]:
    async with db.readers() as session:
        return {b.id: b.status for b in (await session.scalars(select(Broadcast))).all()}


BAD_IDS = ("²", "99999999999999999999", "١٢", "１２", "0", "-12", "12abc")


async def test_cancel_broadcast_with_a_malformed_id_is_answered_and_stops_nothing(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    ids = await queued_broadcasts(store, 12)
    assert ids[-1] == 12
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID)
        for raw in BAD_IDS:
            answer = await ask(ada, f"/cancel_broadcast {raw}")
            assert t("en", "broadcast.bad_id") in answer.text, raw
            assert t("en", "errors.generic") not in answer.text, raw
        missing = await ask(ada, "/cancel_broadcast 2147483647")
        assert t("en", "broadcast.no_such", id=2147483647) in missing.text
        stopped = await ask(ada, "/cancel_broadcast #12")
        assert t("en", "broadcast.stopped", id=12) in stopped.text
    assert await statuses(store) == {**dict.fromkeys(ids, "queued"), 12: "cancelled"}


async def test_forged_buttons_with_malformed_ids_get_the_stale_answer(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    ids = await queued_broadcasts(store, 12)
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID)
        card = await ask(ada, "/help")
        for data in (
            "1:bs:²",
            "1:bs:١٢",
            "1:bs:99999999999999999999",
            "1:bs:012",
            "1:bc:²",
            "1:bl:²",
            "1:br:²",
            "1:bt:²:1h",
            "1:bt:١٢:tomorrow",
        ):
            press = await press_data(tg, ada, card, data)
            assert (await press.answer()).text == t("en", "errors.stale_button"), data
        await tg.wait_idle()
        assert tg.unanswered_callbacks == []
        sent = [m.text for m in ada.messages()]
        assert all(t("en", "errors.generic") not in text for text in sent)
    assert set((await statuses(store)).values()) == {"queued"}
    assert len(ids) == 12


FAR = ("9999-12-31 23:00 America/Mexico_City", "9998-06-01 America/Toronto")


async def test_a_forum_in_year_9999_is_refused_naming_the_range_and_nothing_is_saved(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    range_text = t("en", "forum_admin.out_of_range", first="\0", last="\0").split("\0")[0]
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID)
        await ask(ada, "/newforum")
        choice = await ask(ada, "Forum far away")
        await tap(ada, choice, t("en", "forum_admin.button_same"))
        for text in FAR:
            refused = await ask(ada, text)
            assert range_text in refused.text, text
            assert t("en", "forum_admin.ask_when")[:20] in refused.text
            assert t("en", "errors.generic") not in refused.text
        async with store.readers() as session:
            flow = await repo.get_flow(session, ada.id)
        assert flow is not None
        assert flow.step == "when"
        assert "when" not in flow.data
        city = await ask(ada, "2027-03-15 10:00 America/Mexico_City")
        assert t("en", "forum_admin.ask_city") in city.text
        await ask(ada, "/cancel")
    async with store.readers() as session:
        assert (await session.scalars(select(Forum))).all() == []


async def test_editing_a_forum_to_year_9999_is_refused_and_the_date_is_kept(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    range_text = t("en", "forum_admin.out_of_range", first="\0", last="\0").split("\0")[0]
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID)
        await ask(ada, "/newforum")
        choice = await ask(ada, "Forum on skills")
        await tap(ada, choice, t("en", "forum_admin.button_same"))
        await ask(ada, "2027-03-15 10:00 America/Mexico_City")
        countries = await ask(ada, "Monterrey")
        await tap(ada, countries, f"{t('en', 'flag.mx')} {t('en', 'country.mx')}")
        await ada.send("https://www.gob.mx/se/skills")
        _, review = await ada.wait_messages(2)
        await tap(ada, review, t("en", "forum_admin.button_publish"))
        async with store.readers() as session:
            before = (await session.scalars(select(Forum))).one()

        edit = await ask(ada, "/editforum")
        menu = await tap(ada, edit, "🤝 Forum on skills")
        await tap(ada, menu, t("en", "forum_admin.field_when"))
        refused = await ask(ada, "9999-12-31 America/Mexico_City")
        assert range_text in refused.text
        assert t("en", "errors.generic") not in refused.text
        await ask(ada, "/cancel")
    async with store.readers() as session:
        after = (await session.scalars(select(Forum))).one()
    assert (after.starts_at, after.all_day, after.updated_at) == (
        before.starts_at,
        before.all_day,
        before.updated_at,
    )
