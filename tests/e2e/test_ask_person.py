""" "Ask a person" end to end: the real Application relays between a user's private chat and
their topic in a staff forum on the emulator, with the mapping in the database (both engines).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.flood import FloodGate
from bot.i18n import t
from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxGroup, SandboxUser
from bot.sandbox.records import BotMessage
from bot.services import AppType, Services
from bot.store import Store, repo
from bot.store.models import StaffMessage, StaffThread
from tests.e2e.conftest import running_bot
from tests.store.conftest import database_url, empty_store, rows_mentioning, store

__all__ = ["database_url", "empty_store", "store"]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def staffed(settings: Settings, chat: SandboxGroup, **more: object) -> Settings:
    return settings.model_copy(update={"staff_chat_id": chat.id, **more})


@asynccontextmanager
async def bot_on(
    tg: Sandbox, settings: Settings, catalog: Catalog, db: Store
) -> AsyncIterator[AppType]:
    async with running_bot(tg, settings, catalog, store=db, rate_limiter=False) as app:
        app.bot_data["services"].flood = FloodGate(rate=1000, burst=1000)
        yield app


async def with_profile(db: Store, user: SandboxUser, **profile: str) -> None:
    await db.start()
    async with db.transaction() as s:
        await repo.save_profile(s, user.id, profile)


async def ask(user: SandboxUser) -> BotMessage:
    await user.send("/ask")
    return await user.wait_message()


async def opened(user: SandboxUser, forum: SandboxGroup) -> int:
    """`user` asks; the topic staff got, its header already read."""
    await ask(user)
    thread_id = only_topic(forum)
    await forum.wait_messages(1, thread=thread_id)
    return thread_id


def only_topic(forum: SandboxGroup) -> int:
    (thread_id,) = forum.topics
    return thread_id


async def topic_texts(forum: SandboxGroup, thread_id: int, count: int) -> list[str]:
    return [m.text or "" for m in await forum.wait_messages(count, thread=thread_id)]


async def test_from_nothing_found_to_an_answer_and_closed(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    ana = tg.user("Ana", language_code="es")
    await with_profile(store, ana, lang="es", role="student", country="mx", region="MX-QUE")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        await ana.send("piloto aviador")
        nothing = await ana.wait_message()
        assert nothing.text.startswith("🔎"), nothing.text
        await ana.press(nothing, t("es", "ask.button"))
        intro = await ana.wait_message()
        assert "Workforce Pathways" in intro.text
        assert "/done" in intro.text
        thread_id = only_topic(forum)
        topic = forum.topic(thread_id)
        assert topic.name.endswith("· ES · student · MX-QUE"), topic.name
        handle = topic.name.split(" · ")[0]
        assert handle in intro.text, "the user is told the name staff see"
        assert "Ana" not in topic.name
        (header,) = await topic_texts(forum, thread_id, 1)
        assert handle in header
        assert "MX-QUE" in header

        await ana.send("¿Dónde puedo estudiar para piloto?")
        assert await ana.wait_message() is not None  # "sent to the team"
        (copy,) = await topic_texts(forum, thread_id, 1)
        assert copy == "¿Dónde puedo estudiar para piloto?"

        await sam.send("Hola Ana, te recomiendo la AFAC.", chat=forum, thread=thread_id)
        note, answer = await ana.wait_messages(2)
        assert note.text == t("es", "ask.answered").replace("<b>", "").replace("</b>", "")
        assert answer.text == "Hola Ana, te recomiendo la AFAC."
        await sam.send("Y también el CONALEP.", chat=forum, thread=thread_id)
        (more,) = await ana.wait_messages(1)
        assert more.text == "Y también el CONALEP.", "one note per staff turn"

        await sam.send("/close", chat=forum, thread=thread_id)
        closed = await ana.wait_message()
        assert closed.text == t("es", "ask.closed_by_staff")
        await tg.wait_idle()
        assert forum.topic(thread_id).closed
        await ana.send("Red Seal")
        search = await ana.wait_message()
        assert "Red Seal" in search.text, "after /close, text is a search again"
        await tg.wait_idle()
        bot_posts = [m.text or "" for m in forum.messages(thread=thread_id)]
        assert len(bot_posts) == 3, "header, copy, closed note: the search stayed private"
        assert bot_posts[-1] == t("en", "staff.closed").format(handle=handle)
    async with store.readers() as s:
        row = await s.get(StaffThread, ana.id)
    assert row is not None
    assert row.status == "closed"
    assert not hasattr(row, "text"), "no message text is stored"


async def test_two_users_at_once_never_cross(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    people = [tg.user(f"P{i}") for i in range(4)]
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        await asyncio.gather(*(ask(p) for p in people))
        assert len(forum.topics) == 4
        by_handle = {}
        for person in people:
            async with store.readers() as s:
                row = await s.get(StaffThread, person.id)
            assert row is not None
            assert row.thread_id is not None
            by_handle[person.id] = row.thread_id
        assert len(set(by_handle.values())) == 4
        await asyncio.gather(*(p.send(f"question from {p.first_name}") for p in people))
        await tg.wait_idle()
        await asyncio.gather(
            *(
                sam.send(f"answer for {p.first_name}", chat=forum, thread=by_handle[p.id])
                for p in people
            )
        )
        for person in people:
            sent, _note, answer = await person.wait_messages(3)  # the intro was read by ask()
            assert sent.text == t("en", "ask.sent")
            assert answer.text == f"answer for {person.first_name}"
        for person in people:
            texts = [m.text or "" for m in person.messages()]
            assert f"answer for {person.first_name}" in texts
            assert not any(f"answer for {o.first_name}" in texts for o in people if o is not person)
            in_topic = [m.text or "" for m in forum.messages(thread=by_handle[person.id])]
            assert f"question from {person.first_name}" in in_topic
            assert not any(
                f"question from {o.first_name}" in in_topic for o in people if o is not person
            )


async def test_survives_a_restart_and_works_across_two_applications(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    lea = tg.user("Léa", language_code="fr")
    config = staffed(settings, forum)
    async with bot_on(tg, config, catalog, store):
        await ask(lea)
        await lea.send("Bonjour, j'ai une question sur le Sceau rouge.")
        await lea.wait_message()
    thread_id = only_topic(forum)
    second = Store.from_url(store.url.render_as_string(hide_password=False))
    try:
        async with bot_on(tg, config, catalog, second):
            await sam.send("Bonjour Léa!", chat=forum, thread=thread_id)
            _note, answer = await lea.wait_messages(2)
            assert answer.text == "Bonjour Léa!"
            await lea.send("Merci!")
            await tg.wait_idle()
            texts = [m.text for m in forum.messages(thread=thread_id)]
            assert texts[-1] == "Merci!", "the same topic, from the other instance"
            assert len(forum.topics) == 1
    finally:
        await second.close()


async def test_forget_mid_conversation_closes_the_topic_and_keeps_nothing(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    ana = tg.user("Ana")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        await ask(ana)
        await ana.send("hello")
        await ana.wait_message()
        thread_id = only_topic(forum)
        handle = forum.topic(thread_id).name.split(" · ")[0]
        await ana.send("/forget")
        confirm = await ana.wait_message()
        await ana.press(confirm, t("en", "privacy.button_yes"))
        await ana.wait_message()
        await tg.wait_idle()
        topic = forum.topic(thread_id)
        assert topic.closed
        assert topic.name == f"{handle} · forgotten"
        assert t("en", "staff.forgotten").split(":")[0].replace("{handle}", handle) in (
            forum.messages(thread=thread_id)[-1].text or ""
        )
        before = len(ana.messages())
        await sam.send("are you there?", chat=forum, thread=thread_id)
        await tg.wait_idle()
        assert len(ana.messages()) == before, "no link to the user is left"
    assert await rows_mentioning(store, ana.id) == {}


async def test_non_staff_member_cannot_answer_or_run_staff_commands(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    intern = tg.user("Intern")
    forum = tg.forum("Program staff", admins=[sam], members=[intern])
    ana = tg.user("Ana")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        thread_id = await opened(ana, forum)
        before = len(ana.messages())
        for text in ("/close", "/who", "/block", "hi Ana, send me your phone"):
            await intern.send(text, chat=forum, thread=thread_id)
            refusal = await forum.wait_message(thread=thread_id)
            assert refusal.text == t("en", "staff.not_staff")
        await tg.wait_idle()
        assert len(ana.messages()) == before
        async with store.readers() as s:
            row = await s.get(StaffThread, ana.id)
        assert row is not None
        assert row.status == "open"
        assert not row.blocked
        await sam.send("/who", chat=forum, thread=thread_id)
        who = await forum.wait_message(thread=thread_id)
        assert forum.topic(thread_id).name.split(" · ")[0] in (who.text or "")


async def test_media_round_trip(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    ana = tg.user("Ana")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        thread_id = await opened(ana, forum)
        await ana.send_photo(PNG, caption="my certificate")
        await ana.wait_message()
        await ana.send_document(b"%PDF-1.4 resume", "resume.pdf", mime_type="application/pdf")
        await ana.send_voice(b"OggS voice bytes", duration=3)
        photo, document, voice = await forum.wait_messages(3, thread=thread_id)
        assert photo.file_bytes == PNG
        assert photo.raw["caption"] == "my certificate"
        assert document.file_bytes == b"%PDF-1.4 resume"
        assert document.file_name == "resume.pdf"
        assert voice.file_bytes == b"OggS voice bytes"
        assert "voice" in voice.raw
        await sam.send_photo(PNG, caption="our brochure", chat=forum, thread=thread_id)
        _note, back = await ana.wait_messages(2)
        assert back.file_bytes == PNG
        assert back.raw["caption"] == "our brochure"


async def test_a_flood_from_one_user_does_not_hold_up_another(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    flooder, calm = tg.user("Flood"), tg.user("Calm")
    async with bot_on(tg, staffed(settings, forum), catalog, store) as app:
        services: Services = app.bot_data["services"]
        assert services.relay is not None
        services.relay.flood = FloodGate(rate=0.001, burst=6)  # no refill during the test
        await ask(flooder)
        await ask(calm)
        await tg.wait_idle()
        for i in range(30):
            await flooder.send(f"spam {i}")
        await calm.send("a real question")
        await tg.wait_idle()
    calm_thread = next(m.message_thread_id for m in forum.messages() if m.text == "a real question")
    assert calm_thread is not None
    relayed = [m.text for m in forum.messages() if (m.text or "").startswith("spam")]
    assert relayed == [f"spam {i}" for i in range(6)], "the burst, in order, then refused"
    told = [m.text for m in flooder.messages() if m.text == t("en", "ask.slow_down")]
    assert len(told) == 1, "told once, not once per message"


async def test_staff_chat_without_topics_falls_back_to_replies(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    group = tg.group("Staff (no topics)", admins=[sam], bot_status="administrator")
    ana = tg.user("Ana")
    async with bot_on(tg, staffed(settings, group), catalog, store):
        await ask(ana)
        header = await group.wait_message()
        assert "/close" in (header.text or "")
        await ana.send("question one")
        await ana.wait_message()
        copy = await group.wait_message()
        assert copy.text == "question one"
        await sam.send("answer to the header", chat=group, reply_to=header.message_id)
        await sam.send("answer to the copy", chat=group, reply_to=copy.message_id)
        _note, first, second = await ana.wait_messages(3)
        assert (first.text, second.text) == ("answer to the header", "answer to the copy")
        await sam.send("just chatting with colleagues", chat=group)
        await sam.send("/close", chat=group, reply_to=copy.message_id)
        closed = await ana.wait_message()
        assert closed.text == t("en", "ask.closed_by_staff")
    async with store.readers() as s:
        ids = await s.scalar(select(func.count()).select_from(StaffMessage))
    assert ids == 2, "the header and one copy: ids only"


async def test_a_user_who_blocks_the_bot_is_reported_to_staff_once(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    ana = tg.user("Ana")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        thread_id = await opened(ana, forum)
        ana.block()
        gone = await forum.wait_message(thread=thread_id)
        assert "blocked the bot" in (gone.text or "")
        await sam.send("hello?", chat=forum, thread=thread_id)
        await sam.send("anyone?", chat=forum, thread=thread_id)
        await forum.expect_no_message(thread=thread_id, within=0.5)
        await ana.send("sorry, I'm back")
        back = await forum.wait_message(thread=thread_id)
        assert back.text == "sorry, I'm back"
        gone_notes = [
            m for m in forum.messages(thread=thread_id) if "blocked the bot" in (m.text or "")
        ]
        assert len(gone_notes) == 1, "told once"


async def test_username_only_with_consent_asked_once(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    ana = tg.user("Ana", username="ana_mx")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        question = await ask(ana)
        assert "@ana_mx" in question.text
        assert not forum.topics
        await ana.press(question, t("en", "ask.share_no"))
        intro = await ana.wait_message()
        assert "/done" in intro.text
        assert "ana_mx" not in forum.topic(only_topic(forum)).name
        await ana.send("/done")
        await ana.wait_message()
        again = await ask(ana)
        assert "/done" in again.text, "not asked a second time"
    async with store.readers() as s:
        row = await s.get(StaffThread, ana.id)
    assert row is not None
    assert row.share_username is False


async def test_outside_staff_hours_the_user_is_told_once(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    ana = tg.user("Ana")
    later = (datetime.now(settings.zone) + timedelta(hours=12)).replace(minute=0)
    days = "Mon-Sun"
    hours = f"{days} {later:%H}:00-{later:%H}:30"
    async with bot_on(tg, staffed(settings, forum, staff_hours=hours), catalog, store):
        await ask(ana)
        await ana.send("first")
        _sent, away = await ana.wait_messages(2)
        assert "away" in away.text
        assert later.strftime("%-I") in away.text
        await ana.send("second")
        await ana.expect_no_message(within=0.5)


async def test_oversized_and_uncopyable_messages_get_a_clear_answer(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    ana = tg.user("Ana")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        thread_id = await opened(ana, forum)
        forged: dict[str, Any] = {
            "message": {
                "message_id": 900,
                "date": int(datetime.now().timestamp()),
                "chat": {"id": ana.id, "type": "private", "first_name": "Ana"},
                "from": {"id": ana.id, "is_bot": False, "first_name": "Ana"},
                "text": "x" * 5000,
            }
        }
        await tg.inject(forged)
        refused = await ana.wait_message()
        assert "5000" in refused.text
        assert "4096" in refused.text
        await forum.expect_no_message(thread=thread_id, within=0.3)


async def test_without_a_staff_chat_nothing_offers_a_person(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    ana = tg.user("Ana")
    async with bot_on(tg, settings, catalog, store):
        await ana.send("piloto aviador")
        nothing = await ana.wait_message()
        assert t("en", "ask.button") not in nothing.button_texts
        await ana.send("/ask")
        off = await ana.wait_message()
        assert off.text == t("en", "ask.not_set_up")
        commands = [c["command"] for c in tg.commands()]
        assert "ask" not in commands


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
async def test_privacy_explains_the_relay(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store, lang: str
) -> None:
    forum = tg.forum("Program staff")
    ana = tg.user("Ana", language_code=lang)
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        await ana.send("/privacy")
        card = await ana.wait_message()
        assert t(lang, "privacy.relay_title") in card.text
        await ana.send("/help")
        help_card = await ana.wait_message()
        assert t(lang, "ask.button") in help_card.button_texts
        assert "/ask" in help_card.text
        assert "ask" in [c["command"] for c in tg.commands()]


async def test_a_topic_staff_deleted_or_closed_by_hand_comes_back(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    sam = tg.user("Sam")
    forum = tg.forum("Program staff", admins=[sam])
    ana = tg.user("Ana")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        await ask(ana)
        first = only_topic(forum)
        forum.close_topic(first, by=sam)
        await ana.send("still there?")
        await ana.wait_message()
        await tg.wait_idle()
        assert not forum.topic(first).closed, "reopened for the user's message"
        assert forum.messages(thread=first)[-1].text == "still there?"
        forum.delete_topic(first, by=sam)
        await ana.send("hello again")
        await tg.wait_idle()
        live = [tid for tid, topic in forum.topics.items() if not topic.deleted]
        assert len(live) == 1
        assert live[0] != first
        texts = [m.text or "" for m in forum.messages(thread=live[0])]
        assert "/close" in texts[0], "a new header first"
        assert texts[-1] == "hello again"


async def test_deep_link_opens_it_and_groups_are_sent_to_the_private_chat(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    forum = tg.forum("Program staff")
    ana = tg.user("Ana")
    group = tg.group("Class of 2027", members=[ana])
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        await ana.send(f"/ask@{tg.bot_username}", chat=group)
        refused = await group.wait_message()
        assert refused.text == t("en", "ask.private_only")
        assert not forum.topics
        await ana.send("/start ask")
        intro = await ana.wait_message()
        assert "/done" in intro.text
        assert len(forum.topics) == 1


async def test_a_staff_chat_the_bot_cannot_reach_is_said_and_nothing_is_left_half_open(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    forum = tg.forum("Program staff", bot_status="kicked")
    ana = tg.user("Ana")
    async with bot_on(tg, staffed(settings, forum), catalog, store):
        refused = await ask(ana)
        assert refused.text == t("en", "ask.unreachable")
        await ana.send("Red Seal")
        search = await ana.wait_message()
        assert "Red Seal" in search.text, "not stuck talking to nobody"
    async with store.readers() as s:
        row = await s.get(StaffThread, ana.id)
    assert row is not None
    assert row.status == "closed"
