"""Bad input and faults: stale/forged buttons, floods, admin refusals, errors, reloads."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from telegram.ext import CommandHandler

from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.i18n import t
from bot.sandbox.client import Sandbox
from tests.e2e.conftest import ADMIN_ID, CONTENT, press_data, running_bot


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize(
    "data",
    [
        "0:h",
        "1:i:no-such-program",
        "1:k:ca:zz:0",
        "1:k:mx:lm:0" + "0",
        "garbage",
        "1:c:mx:extra",
        "💥" * 10,
        "1:k:us:du:0",
        "1:r:student:1:1",
    ],
)
async def test_stale_or_forged_buttons_get_the_menu(tg: Sandbox, data: str) -> None:
    user = tg.user(language_code="en")
    await user.send("/help")
    help_card = await user.wait_message()
    press = await press_data(tg, user, help_card, data)
    assert (await press.answer()).text == t("en", "errors.stale_button")
    home = await user.wait_message()
    assert home.message_id == help_card.message_id, "the home menu replaces the stale one"
    assert "Pick a country" in home.text
    assert not tg.unanswered_callbacks


@pytest.mark.usefixtures("bot")
async def test_pages_beyond_the_end_are_clamped(tg: Sandbox, catalog: Catalog) -> None:
    user = tg.user(language_code="en")
    await user.send("/start country_ca")
    menu = await user.wait_message()
    press = await press_data(tg, user, menu, "1:k:ca:ce:99")
    assert (await press.answer()).text in (None, "")
    listing = await user.wait_message()
    assert "Red Seal" in listing.text


@pytest.mark.usefixtures("bot")
async def test_flood_gets_one_polite_warning_and_others_are_unaffected(tg: Sandbox) -> None:
    flooder = tg.user("Flood", language_code="en")
    calm = tg.user("Calm", language_code="en")
    for _ in range(30):
        await flooder.send("/help")
    await calm.send("/help")
    assert "How to use" in (await calm.wait_message()).text
    await tg.wait_idle()
    texts = [m.text for m in flooder.drain()]
    warnings = [x for x in texts if x == t("en", "errors.slow_down")]
    assert len(warnings) == 1
    assert len(texts) < 30


@pytest.mark.usefixtures("bot")
async def test_typing_in_inline_mode_is_not_a_flood(tg: Sandbox) -> None:
    """One inline query per keystroke: every one is answered, and the chat stays usable."""
    typist = tg.user("Typist", language_code="en")
    word = "apprenticeship ontario"
    pending = [typist.inline_query(word[:n]) for n in range(1, len(word) + 1)]
    answers = [await p.answer() for p in pending]
    assert len(answers) == len(word)
    assert answers[-1].results, "the last keystroke's query has results"
    await typist.send("/help")
    assert "How to use" in (await typist.wait_message()).text


@pytest.mark.usefixtures("bot")
async def test_non_admin_is_refused_admin_commands(tg: Sandbox) -> None:
    mallory = tg.user("Mallory", language_code="es")
    await mallory.send("/reload")
    assert t("es", "admin.refused") in (await mallory.wait_message()).text


async def test_reload_with_good_and_bad_content(
    tg: Sandbox, settings: Settings, catalog: Catalog, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    settings = settings.model_copy(update={"content_dir": content})
    async with running_bot(tg, settings, catalog) as app:
        admin = tg.user("Ada", language_code="en", user_id=ADMIN_ID)
        await admin.send("/reload")
        assert t("en", "admin.reloaded", count=len(catalog)) in (await admin.wait_message()).text

        before = app.bot_data["services"].catalog
        red_seal = content / "programs" / "ca" / "red-seal.yaml"
        red_seal.write_text(red_seal.read_text().replace("fr:", "de:", 1))
        await admin.send("/reload")
        refused = await admin.wait_message()
        assert "red-seal.yaml" in refused.text
        assert app.bot_data["services"].catalog is before, "the old catalog stays"

        red_seal.write_text(red_seal.read_text().replace("de:", "fr:", 1))
        start = "        Canada's national standard"
        red_seal.write_text(
            red_seal.read_text().replace(start, "        " + "Too long. " * 399 + start.strip(), 1)
        )
        await admin.send("/reload")
        refused = await admin.wait_message()
        assert t("en", "admin.reload_failed", count=1).split(" ")[0] in refused.text
        assert "red-seal" in refused.text
        assert "characters" in refused.text, "the card Telegram would refuse is named"
        assert app.bot_data["services"].catalog is before, "valid YAML, but a card too long"
        user = tg.user("Ana")
        answer = await user.inline("red seal")
        assert answer.results, "inline still answers"


async def test_inline_drops_a_card_it_cannot_render_and_answers_the_rest(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    red_seal = catalog.programs["red-seal"]
    huge = red_seal.summary.model_copy(update={"en": "Too long. " * 480})
    broken = red_seal.model_copy(update={"summary": huge})
    programs = [broken if p.id == "red-seal" else p for p in catalog.programs.values()]
    bad = Catalog.build(programs, catalog.organisations.values(), catalog.events.values())
    async with running_bot(tg, settings, bad):
        user = tg.user("Ana")
        answer = await user.inline("canada")
        assert answer.results, "the other cards are still offered"
        assert "red-seal" not in answer.ids


async def test_unexpected_errors_get_an_apology(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    async def boom(update: object, context: object) -> None:
        raise RuntimeError("unexpected")

    async with running_bot(tg, settings, catalog) as app:
        app.add_handler(CommandHandler("boom", boom), group=-1)
        user = tg.user(language_code="fr")
        await user.send("/boom")
        assert t("fr", "errors.generic") in (await user.wait_message()).text


@pytest.mark.usefixtures("bot")
async def test_answers_resume_after_server_errors(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    tg.configure_faults(seed=1, error_5xx=1.0, methods={"sendMessage"})
    await user.send("/help")
    await user.expect_no_message(within=1.0)
    tg.clear_faults()
    await user.send("/help")
    assert "How to use" in (await user.wait_message()).text


@pytest.mark.usefixtures("bot")
async def test_debug_logs_are_captured_and_never_hold_the_token(
    tg: Sandbox, token_never_logged: io.StringIO
) -> None:
    user = tg.user(language_code="en")
    await user.send("/help")
    await user.wait_message()
    captured = token_never_logged.getvalue()
    assert "telegram" in captured, "DEBUG logs of PTB are captured (so the check means something)"
    assert tg.token not in captured


async def test_a_failure_after_the_button_was_answered_still_apologises(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    from telegram.ext import CallbackQueryHandler

    async def answer_then_fail(update: object, context: object) -> None:
        await update.callback_query.answer()  # type: ignore[attr-defined]
        raise RuntimeError("after answering")

    async with running_bot(tg, settings, catalog) as app:
        app.add_handler(CallbackQueryHandler(answer_then_fail), group=-1)
        user = tg.user(language_code="es")
        await user.send("/help")
        help_card = await user.wait_message()
        await user.press(help_card, t("es", "button.home"))
        texts = [m.text for m in await user.wait_messages(1, timeout=5)]
        assert any(t("es", "errors.generic") in x for x in texts)


async def test_a_group_waiting_for_telegrams_limit_does_not_hold_its_members_private_chats(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    """The rate limiter keeps Telegram's ~20 messages a minute per group by waiting; a member's
    private chat must not queue behind that wait (the fuzz soak found it did)."""
    async with running_bot(tg, settings, catalog) as app:  # the production rate limiter
        from bot.flood import FloodGate

        app.bot_data["services"].flood = FloodGate(rate=1000, burst=1000)
        ana = tg.user("Ana")
        group = tg.group("Busy group", members=[ana])
        for _ in range(22):
            await ana.send(f"/help@{tg.bot_username}", chat=group)
        await ana.send("/help")
        private = await ana.wait_message(timeout=20)
        assert "/start" in private.text
        in_group = len(tg.messages(group.chat_id))
        assert in_group < 22, "the private answer did not wait for the group's backlog"
