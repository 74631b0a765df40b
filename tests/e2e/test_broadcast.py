"""/broadcast and the other admin tools through the real Application on the emulator.

The admin writes a message per language, picks an audience, sees the exact previews and the
count, confirms, watches the progress message and gets the final report; recipients get the
same text they would have seen in the preview. Anyone else is refused everything — commands
and forged buttons — and the refusal is logged. Both engines.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from sqlalchemy import func, select

from bot.broadcast.sender import SenderConfig
from bot.cards import render, utf16_len
from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.flood import FloodGate
from bot.i18n import t
from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxUser
from bot.sandbox.records import BotMessage
from bot.services import AppType
from bot.store import Store, repo
from bot.store.models import AdminFlow, Broadcast
from tests.e2e.conftest import ADMIN_ID, press_data, running_bot
from tests.store.conftest import database_url, empty_store, store

__all__ = ["database_url", "empty_store", "store"]

QUICK = SenderConfig(rate=50, poll_interval=0.05, progress_interval=0.3, heartbeat=0.5)
"""Production algorithm, shorter pauses between looks at the outbox."""


@asynccontextmanager
async def bot_on(
    tg: Sandbox, settings: Settings, catalog: Catalog, db: Store, **config: object
) -> AsyncIterator[AppType]:
    cfg = replace(QUICK, **config)  # type: ignore[arg-type]
    async with running_bot(
        tg, settings, catalog, store=db, rate_limiter=False, broadcast_config=cfg
    ) as app:
        app.bot_data["services"].flood = FloodGate(rate=1000, burst=1000)
        yield app


async def ask(user: SandboxUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.wait_message()


async def tap(user: SandboxUser, message: BotMessage, button: str) -> BotMessage:
    press = await user.press(message, button)
    await press.answer()
    return await user.wait_message()


async def subscribe(user: SandboxUser, lang: str) -> None:
    menu = await ask(user, "/subscribe")
    await tap(user, menu, t(lang, "topic.forums"))


async def until(check: object, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


async def test_an_admin_broadcasts_in_three_languages_with_preview_progress_and_report(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID)
        readers = {
            "en": tg.user("Ann", language_code="en"),
            "es": tg.user("Beto", language_code="es"),
            "fr": tg.user("Céline", language_code="fr"),
        }
        for lang, user in readers.items():
            await subscribe(user, lang)
        outsider = tg.user("Olga", language_code="en")
        await ask(outsider, "/help")  # a user, but not a forum subscriber

        prompt = await ask(ada, "/broadcast")
        assert t("en", "broadcast.ask_text") in prompt.text
        menu_commands = [c["command"] for c in tg.commands({"type": "chat", "chat_id": ADMIN_ID})]
        assert {"broadcast", "stats", "newforum", "start"} <= set(menu_commands)
        choice = await ask(ada, "The forum opens <b>soon</b> & registration is open")
        assert t("en", "broadcast.text_choice") in choice.text
        step = await tap(ada, choice, t("en", "broadcast.button_translate"))
        assert t("en", "broadcast.ask_text_es") in step.text
        step = await ask(ada, "El foro abre pronto y el registro está abierto")
        assert t("en", "broadcast.ask_text_fr") in step.text
        menu = await ask(ada, "Le forum ouvre bientôt; l'inscription est ouverte")
        menu = await tap(ada, menu, t("en", "broadcast.menu_topic"))
        await ada.press(menu, t("en", "topic.forums"))
        previews = await ada.wait_messages(4)
        confirm = previews.pop()
        assert "Recipients: 3" in confirm.text
        assert "By language: en 1, es 1, fr 1" in confirm.text
        assert [p.text.split("\n")[0] for p in previews] == [
            "The forum opens <b>soon</b> & registration is open",
            "El foro abre pronto y el registro está abierto",
            "Le forum ouvre bientôt; l'inscription est ouverte",
        ], "the admin's text is plain text, escaped, never markup"
        assert "bold" not in previews[0].entity_types, "no bold was injected"

        progress = await tap(ada, confirm, t("en", "broadcast.button_send", count=3))
        assert "Broadcast #" in progress.text
        report = None
        deadline = time.monotonic() + 15
        while report is None:
            message = await ada.wait_message(timeout=max(0.1, deadline - time.monotonic()))
            if message.text.startswith("✅ Broadcast"):
                report = message
        assert "Sent: 3 of 3" in report.text
        assert "Failed: 0" in report.text
        final = tg.messages(ada)[-2]
        assert "Sent 3 of 3" in final.text, "the progress message shows the final figures"
        edits = tg.history(ada, final.message_id)
        texts = [version.text for version in edits]
        assert len(texts) == len(set(texts)), "never edited to the same text"

        for preview, (lang, user) in zip(previews, readers.items(), strict=True):
            got = user.messages()[-1]
            assert got.text == preview.text, f"{lang}: the preview is what recipients get"
            assert got.raw.get("entities") == preview.raw.get("entities")
        assert all("forum opens" not in m.text for m in outsider.messages())

        listing = await ask(ada, "/broadcasts")
        assert "sent 3 · pending 0 · failed 0 · blocked 0" in listing.text
    async with store.readers() as s:
        row = (await s.scalars(select(Broadcast))).one()
        assert (row.status, row.sent, row.total) == ("done", 3, 3)
        assert await s.scalar(select(func.count()).select_from(AdminFlow)) == 0
    assert tg.unanswered_callbacks == []


async def test_the_same_text_for_everyone_and_a_cancelled_draft(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID, language_code="es")
        reader = tg.user("Rita", language_code="fr")
        await ask(reader, "/help")
        async with store.transaction() as s:  # languages they chose (else: DEFAULT_LANGUAGE)
            await repo.save_profile(s, reader.id, {"lang": "fr"})
            await repo.save_profile(s, ada.id, {"lang": "es"})
        choice = await ask(ada, "/broadcast")
        choice = await ask(ada, "x" * 4090)
        assert "4090" in choice.text, "too long once framed: says how long, and the limit"
        choice = await ask(ada, "Short news")
        menu = await tap(ada, choice, t("es", "broadcast.button_same"))
        await ada.press(menu, t("es", "broadcast.audience_everyone"))
        es, fr, confirm = await ada.wait_messages(3)
        assert es.text == f"Short news\n\n{t('es', 'broadcast.footer')}"
        assert fr.text == f"Short news\n\n{t('fr', 'broadcast.footer')}"
        assert "Total: 2" in confirm.text  # the admin is a user too
        send = next(
            b.callback_data for b in confirm.inline_buttons if "1:bc:" in str(b.callback_data)
        )
        done = await tap(ada, confirm, t("es", "broadcast.button_cancel"))
        assert t("es", "forum_admin.flow_cancelled") in done.text
        press = await press_data(tg, ada, done, str(send))  # an old Send button, pressed late
        assert (await press.answer()).text == t("es", "broadcast.stale")
        await tg.wait_idle()
    async with store.readers() as s:
        assert (await s.scalars(select(Broadcast))).all() == []
    assert all("Short news" not in m.text for m in reader.messages())


async def test_same_text_for_everyone_must_fit_every_languages_footer(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    """A text that fits under the English footer but not the longer Spanish and French ones
    is refused at "same text for everyone", back at the text step with the limit; nothing
    is queued, and a shorter text then goes through."""
    en_frame = utf16_len(render("broadcast", "en", body="x").plain_text) - 1
    fits_en_only = "y" * (4096 - en_frame)
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID, language_code="en")
        await ask(ada, "/broadcast")
        choice = await ask(ada, fits_en_only)
        assert t("en", "broadcast.text_choice") in choice.text, "fits in English alone"
        again = await tap(ada, choice, t("en", "broadcast.button_same"))
        assert str(len(fits_en_only)) in again.text, "says how long it is, and the limit"
        assert t("en", "broadcast.ask_text") in again.text
        choice = await ask(ada, "Short news")
        menu = await tap(ada, choice, t("en", "broadcast.button_same"))
        assert t("en", "broadcast.audience_everyone") in menu.button_texts
    async with store.readers() as s:
        assert all(b.status == "draft" for b in (await s.scalars(select(Broadcast))).all())


ADMIN_COMMANDS = (
    "/broadcast",
    "/broadcasts",
    "/cancel_broadcast",
    "/cancel_broadcast 1",
    "/stats",
    "/cancel",
    "/newforum",
    "/editforum",
)
FORGED = (
    "1:ft:1",
    "1:fq",
    "1:bm:country",
    "1:ba:everyone:",
    "1:ba:topic:f",
    "1:bc:1",
    "1:bl:1",
    "1:bt:1:1h",
    "1:bt:1:tomorrow",
    "1:br:1",
    "1:bs:1",
    "1:fe:forum-2021-dallas",
    "1:ff:forum-2021-dallas:cancel",
    "1:fc:mx",
    "1:fp",
    "1:fw:forum-2021-dallas:new",
)


async def test_non_admins_are_refused_every_admin_command_and_button(
    tg: Sandbox,
    settings: Settings,
    catalog: Catalog,
    store: Store,
    token_never_logged: io.StringIO,
) -> None:
    async with bot_on(tg, settings, catalog, store):
        mallory = tg.user("Mallory", language_code="es")
        for command in ADMIN_COMMANDS:
            answer = await ask(mallory, command)
            assert t("es", "admin.refused") in answer.text, command
        card = await ask(mallory, "/help")
        for data in FORGED:
            press = await press_data(tg, mallory, card, data)
            assert (await press.answer()).text == t("es", "admin.refused"), data
        await tg.wait_idle()
        assert "broadcast" not in [c["command"] for c in tg.commands()]
    logs = token_never_logged.getvalue()
    assert logs.count("non-admin") >= len(ADMIN_COMMANDS) + len(FORGED)
    async with store.readers() as s:
        assert (await s.scalars(select(Broadcast))).all() == []
        assert await repo.get_flow(s, mallory.id) is None
    tg_requests = [r for r in tg.requests if r.method == "sendMessage"]
    assert all("Broadcast" not in str(r.params.get("text")) for r in tg_requests)


async def test_stats_and_stopping_a_broadcast(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with bot_on(tg, settings, catalog, store, rate=2):
        ada = tg.user("Ada", user_id=ADMIN_ID)
        people = [tg.user(f"P{i}", language_code="es") for i in range(6)]
        for user in people:
            await subscribe(user, "es")
        for person in people[:3]:  # a term is shown to editors once 3 searches asked for it
            await ask(person, "/search zzzz qqqq")
        await ask(people[3], "/search only once here")
        stats = await ask(ada, "/stats")
        assert "Users: 7" in stats.text
        assert "Subscribers by topic" in stats.text
        assert "zzzz qqqq" in stats.text
        assert "only once here" not in stats.text

        await ask(ada, "/broadcast")
        choice = await ask(ada, "Slow news")
        menu = await tap(ada, choice, t("en", "broadcast.button_same"))
        menu = await tap(ada, menu, t("en", "broadcast.menu_language"))
        await ada.press(menu, t("es", "language_name"))
        _, confirm = await ada.wait_messages(2)  # one preview: every recipient reads Spanish
        await tap(ada, confirm, t("en", "broadcast.button_send", count=6))
        stop = await ask(ada, "/cancel_broadcast")
        assert t("en", "broadcast.stop_intro") in stop.text
        press = await ada.press(stop, 0)
        assert "stopped" in (await press.answer()).text
    async with store.readers() as s:
        row = (await s.scalars(select(Broadcast))).one()
    assert row.status == "cancelled"
    received = sum(1 for u in people if any("Slow news" in m.text for m in u.messages()))
    assert received < 6
    assert received == row.sent or row.finished_at is None


async def test_interactive_replies_keep_flowing_while_a_broadcast_runs(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    from tests.broadcast.conftest import crowd

    people = await crowd(tg, store, 150, first_id=8_200_000_000)
    async with bot_on(tg, settings, catalog, store, rate=25) as app:
        ada = tg.user("Ada", user_id=ADMIN_ID)
        await ask(ada, "/broadcast")
        choice = await ask(ada, "Big news")
        menu = await tap(ada, choice, t("en", "broadcast.button_same"))
        menu = await tap(ada, menu, t("en", "broadcast.menu_topic"))
        await ada.press(menu, t("en", "topic.forums"))
        *_, confirm = await ada.wait_messages(4)
        tg.configure_flood(enabled=True, global_per_sec=40, global_burst=10)  # Telegram's way
        await tap(ada, confirm, t("en", "broadcast.button_send", count=150))
        sender = app.bot_data["services"].broadcasting.sender
        await until(lambda: sender.stats.sent >= 20)
        sent_when_answered = []
        for i in range(5):  # five people (one chat may get only ~1 message a second)
            visitor = tg.user(f"Vic{i}", language_code="en")
            reply = await ask(visitor, "/help")
            sent_when_answered.append(sender.stats.sent)
            assert "How to use" in reply.text
            await asyncio.sleep(0.2)
        # Not queued behind the broadcast: every reply came while it still had messages to
        # send (how fast is a bench figure, not a timed assertion on a shared machine).
        assert max(sent_when_answered) < 150, sent_when_answered
        await until(lambda: sender.stats.sent == 150, timeout=20)
    counts = [sum(1 for m in tg.messages(c) if "Big news" in m.text) for c in people.reachable]
    assert set(counts) == {1}


async def test_a_user_who_never_picked_a_language_gets_news_in_their_app_s_language(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    """Memo's Telegram is in Spanish and he never opens the settings: the bot answers him in
    Spanish, so the broadcast must be Spanish too (not the default English), and he counts
    as Spanish in the "by language" audience and in /stats."""
    async with bot_on(tg, settings, catalog, store):
        ada = tg.user("Ada", user_id=ADMIN_ID)
        memo = tg.user("Memo", language_code="es")
        welcome = await ask(memo, "/start")
        assert t("es", "onboarding.ask_country") not in welcome.text
        asked = await tap(memo, welcome, t("es", "role.student"))
        assert t("es", "onboarding.ask_country") in asked.text
        await tap(memo, asked, f"{t('es', 'flag.mx')} {t('es', 'country.mx')}")

        stats = await ask(ada, "/stats")
        assert f"• {t('es', 'language_name')}: 1" in stats.text

        await ask(ada, "/broadcast")
        choice = await ask(ada, "The forum opens soon")
        await tap(ada, choice, t("en", "broadcast.button_translate"))
        await ask(ada, "El foro abre pronto")
        menu = await ask(ada, "Le forum ouvre bientôt")
        menu = await tap(ada, menu, t("en", "broadcast.menu_language"))
        await ada.press(menu, t("es", "language_name"))
        preview, confirm = await ada.wait_messages(2)
        assert preview.text.startswith("El foro abre pronto")
        assert "Recipients: 1" in confirm.text, "the Spanish audience counts him"

        menu = await tap(ada, confirm, t("en", "broadcast.button_change"))
        menu = await tap(ada, menu, t("en", "broadcast.menu_country"))
        await ada.press(menu, f"{t('en', 'flag.mx')} {t('en', 'country.mx')}")
        preview, confirm = await ada.wait_messages(2)
        assert "Recipients: 1" in confirm.text
        assert "By language: es 1" in confirm.text
        await tap(ada, confirm, t("en", "broadcast.button_send", count=1))
        await until(lambda: any("El foro abre pronto" in m.text for m in memo.messages()))
        assert memo.messages()[-1].text == preview.text, "exactly the Spanish preview"
    assert all("forum opens" not in m.text for m in memo.messages())
    async with store.readers() as s:
        user = await repo.get_user(s, memo.id)
    assert user is not None
    assert (user.language, user.client_language) == (None, "es"), "never picked; app's noted"
