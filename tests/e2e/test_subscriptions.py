"""Subscriptions, privacy and blocking through the real Application, over HTTP, on the emulator.

The bot is built exactly as in production (`build_application`, via the e2e `running_bot`);
only the token and API root point at the sandbox. Every test runs on both engines: the `store`
fixtures come from tests/store (SQLite always, PostgreSQL when TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import pytest
import pytest_asyncio

from bot.catalog.catalog import Catalog
from bot.catalog.models import EventStatus
from bot.config import Settings
from bot.flood import FloodGate
from bot.i18n import t
from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxUser
from bot.sandbox.records import BotMessage
from bot.screens import topic_label
from bot.services import AppType
from bot.store import Store, Topic, repo
from bot.store.topics import for_item
from tests.e2e.conftest import running_bot
from tests.store.conftest import database_url, empty_store, rows_mentioning, store

__all__ = ["database_url", "empty_store", "store"]  # the store fixtures, on both engines


@asynccontextmanager
async def bot_on(
    tg: Sandbox, settings: Settings, catalog: Catalog, db: Store
) -> AsyncIterator[AppType]:
    """The production Application on `db`, flood gate relaxed (tests type fast)."""
    async with running_bot(tg, settings, catalog, store=db, rate_limiter=False) as app:
        app.bot_data["services"].flood = FloodGate(rate=1000, burst=1000)
        yield app


UPCOMING = "forum-2099-test"


@pytest.fixture
def catalog(catalog: Catalog) -> Catalog:
    """The shipped forums all took place; subscribing needs one still to come."""
    first = next(iter(catalog.events.values()))
    upcoming = first.model_copy(
        update={
            "id": UPCOMING,
            "status": EventStatus.ANNOUNCED,
            "start": date.today() + timedelta(days=400),
        }
    )
    events = [*catalog.events.values(), upcoming]
    return Catalog.build(catalog.programs.values(), catalog.organisations.values(), events)


@pytest_asyncio.fixture
async def subs_bot(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> AsyncIterator[AppType]:
    async with bot_on(tg, settings, catalog, store) as app:
        yield app
    assert tg.unanswered_callbacks == [], "every button press must be answered"


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Until `check()` holds: database effects of updates the bot answers with no message."""
    deadline = time.monotonic() + 5.0
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("the database never reached the expected state")
        await asyncio.sleep(0.02)


async def recipients(db: Store) -> list[int]:
    async with db.readers() as s:
        return await repo.recipients(s, ["forums"])


async def topics(db: Store, chat_id: int) -> list[str]:
    async with db.readers() as s:
        return await repo.topics_of(s, chat_id)


async def ask(user: SandboxUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.wait_message()


async def tap(
    user: SandboxUser, message: BotMessage, button: str, **kw: Any
) -> tuple[Any, BotMessage]:
    """Press a button; (the callback answer, the message as the bot redrew it)."""
    press = await user.press(message, button, **kw)
    answer = await press.answer()
    return answer, await user.wait_message(**kw)


FORUMS = t("en", "topic.forums")


async def skip_region(user: SandboxUser, picker: BotMessage, lang: str) -> BotMessage:
    """Onboarding asks the region after the country; skip it (and its location keyboard)."""
    await user.wait_message()  # the "📍 Use my location" reply keyboard, in its own message
    _, home = await tap(user, picker, t(lang, "button.skip"))
    removal = await user.wait_message()
    assert removal.reply_keyboard == {"remove_keyboard": True}
    return home


@pytest.mark.usefixtures("subs_bot")
async def test_subscribe_from_the_picker_list_and_unsubscribe(tg: Sandbox, store: Store) -> None:
    alice = tg.user("Alice")
    menu = await ask(alice, "/subscribe")
    assert FORUMS in menu.button_texts

    answer, menu = await tap(alice, menu, FORUMS)
    assert answer.text == t("en", "subs.subscribed", topic=FORUMS)
    assert f"✅ {FORUMS}" in menu.button_texts
    assert await topics(store, alice.id) == ["forums"]

    mine = await ask(alice, "/mysubscriptions")
    assert FORUMS in mine.text

    listing = await ask(alice, "/unsubscribe")
    answer, listing = await tap(alice, listing, f"❌ {FORUMS}")
    assert answer.text == t("en", "subs.unsubscribed", topic=FORUMS)
    assert t("en", "subs.none") in listing.text
    assert await topics(store, alice.id) == []


@pytest.mark.usefixtures("subs_bot")
async def test_one_tap_from_a_program_card_and_a_forum_card(
    tg: Sandbox, store: Store, catalog: Catalog
) -> None:
    alice = tg.user("Alice")
    program = next(iter(catalog.programs.values()))
    topic = for_item(program)
    label = topic_label(catalog, "en", topic)
    card = await ask(alice, f"/start {program.id}")
    answer, card = await tap(alice, card, t("en", "subs.button_on"))
    assert answer.text == t("en", "subs.subscribed", topic=label)
    assert t("en", "subs.button_off") in card.button_texts
    assert program.name.en in card.text  # the same card, redrawn with the new button
    assert await topics(store, alice.id) == [topic.key]

    held = next(e for e in catalog.events.values() if e.status is EventStatus.HELD)
    card = await ask(alice, f"/start {held.id}")
    assert t("en", "subs.button_on") not in card.button_texts, "a forum already held"
    event = catalog.events[UPCOMING]
    card = await ask(alice, f"/start {event.id}")
    await tap(alice, card, t("en", "subs.button_on"))
    assert await topics(store, alice.id) == [topic.key, Topic.of_event(event.id).key]

    mine = await ask(alice, "/mysubscriptions")
    assert label in mine.text
    assert event.title.en in mine.text

    card = await ask(alice, f"/start {program.id}")  # opened again: the button shows the state
    assert t("en", "subs.button_off") in card.button_texts
    assert t("en", "subs.button_on") not in card.button_texts
    answer, card = await tap(alice, card, t("en", "subs.button_off"))
    assert answer.text == t("en", "subs.unsubscribed", topic=label)
    assert await topics(store, alice.id) == [Topic.of_event(event.id).key]


@pytest.mark.usefixtures("subs_bot")
async def test_only_group_admins_change_the_group_s_subscriptions(
    tg: Sandbox, store: Store
) -> None:
    bob, carol = tg.user("Bob"), tg.user("Carol")
    group = tg.group("Welders MX", members=[carol], admins=[bob])

    await bob.send("/subscribe", chat=group)
    menu = await group.wait_message()
    assert t("en", "subs.group_note") in menu.text
    press = await bob.press(menu, FORUMS, chat=group)
    assert (await press.answer()).text == t("en", "subs.subscribed", topic=FORUMS)
    menu = await group.wait_message()
    assert await topics(store, group.id) == ["forums"]

    press = await carol.press(menu, f"✅ {FORUMS}", chat=group)
    refusal = await press.answer()
    assert refusal.text == t("en", "subs.admins_only")
    assert refusal.show_alert
    assert await topics(store, group.id) == ["forums"]

    await carol.send("/unsubscribe", chat=group)
    assert t("en", "subs.admins_only") in (await group.wait_message()).text
    await carol.send("/mysubscriptions", chat=group)  # looking is fine
    assert FORUMS in (await group.wait_message()).text


@pytest.mark.usefixtures("subs_bot")
async def test_forget_deletes_everything_after_confirmation(tg: Sandbox, store: Store) -> None:
    alice = tg.user("Alice")
    welcome = await ask(alice, "/start")
    _, step = await tap(alice, welcome, t("en", "role.employer"))
    _, picker = await tap(alice, step, f"{t('en', 'flag.ca')} {t('en', 'country.ca')}")
    await skip_region(alice, picker, "en")
    menu = await ask(alice, "/subscribe")
    await tap(alice, menu, FORUMS)
    assert set(await rows_mentioning(store, alice.id)) >= {"users", "chats", "subscriptions"}

    confirm = await ask(alice, "/forget")
    _, kept = await tap(alice, confirm, t("en", "privacy.button_no"))
    assert t("en", "privacy.kept") in kept.text
    assert await topics(store, alice.id) == ["forums"]

    confirm = await ask(alice, "/forget")
    _, done = await tap(alice, confirm, t("en", "privacy.button_yes"))
    assert t("en", "privacy.forgotten") in done.text
    assert done.buttons == []

    async def nothing_left() -> bool:
        # the button press that asked leaves the inbox once handled (≤ 50 ms after the answer)
        return await rows_mentioning(store, alice.id) == {}

    await eventually(nothing_left)

    privacy = await ask(alice, "/privacy")
    assert t("en", "privacy.never_title") in privacy.text


async def test_a_restart_keeps_profile_and_subscriptions(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    alice = tg.user("Alice", language_code="en")
    mexico = t("es", "topic.country", flag=t("es", "flag.mx"), country=t("es", "country.mx"))
    async with bot_on(tg, settings, catalog, store):
        welcome = await ask(alice, "/start")
        _, picker = await tap(alice, welcome, t("en", "button.language"))
        _, step = await tap(alice, picker, t("es", "language_name"))
        _, step = await tap(alice, step, t("es", "role.student"))
        _, picker = await tap(alice, step, f"{t('es', 'flag.mx')} {t('es', 'country.mx')}")
        await skip_region(alice, picker, "es")
        menu = await ask(alice, "/subscribe")
        await tap(alice, menu, mexico)

    second = Store.from_url(store.url.render_as_string(hide_password=False))
    try:
        async with bot_on(tg, settings, catalog, second):  # another process, same database
            mine = await ask(alice, "/mysubscriptions")
            assert t("es", "subs.mine") in mine.text  # Spanish, chosen before the restart
            assert mexico in mine.text
            current = await ask(alice, "/settings")
            assert t("es", "role_short.student") in current.text
    finally:
        await second.close()
    assert tg.unanswered_callbacks == []


@pytest.mark.usefixtures("subs_bot")
async def test_blocking_is_noticed_and_skipped(tg: Sandbox, store: Store) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    for user in (alice, bob):
        menu = await ask(user, "/subscribe")
        await tap(user, menu, FORUMS)

    async def recipients_are(expected: list[int]) -> None:
        async def check() -> bool:
            return await recipients(store) == expected

        await eventually(check)

    alice.block()  # my_chat_member: member → kicked
    await recipients_are([bob.id])
    alice.unblock()  # kicked → member
    await recipients_are(sorted([alice.id, bob.id]))

    menu = await ask(bob, "/mysubscriptions")
    bob.record.blocked = True  # he blocked the bot, but that my_chat_member update was lost
    press = await bob.press(menu, t("en", "subs.button_add"))
    await press.answer()  # then redrawing the menu gets 403, and the error handler marks him
    await recipients_are([alice.id])
    async with store.readers() as s:
        row = await repo.get_user(s, bob.id)
    assert row is not None
    assert row.blocked


@pytest.mark.usefixtures("subs_bot")
async def test_a_group_upgrade_takes_its_subscriptions_along(tg: Sandbox, store: Store) -> None:
    bob = tg.user("Bob")
    group = tg.group("Welders", admins=[bob], chat_type="group")
    await bob.send("/subscribe", chat=group)
    menu = await group.wait_message()
    await (await bob.press(menu, FORUMS, chat=group)).answer()
    await group.wait_message()

    supergroup = -1_009_999_000_001
    await tg.inject(
        {
            "update_id": 0,
            "message": {
                "message_id": 999,
                "date": 0,
                "chat": {"id": group.id, "type": "group", "title": "Welders"},
                "from": {"id": bob.id, "is_bot": False, "first_name": "Bob"},
                "migrate_to_chat_id": supergroup,
            },
        }
    )

    async def moved() -> bool:
        return await topics(store, supergroup) == ["forums"]

    await eventually(moved)
    assert await topics(store, group.id) == []
