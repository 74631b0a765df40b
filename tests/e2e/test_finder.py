"""/fit end to end in the three languages: one message edited in place, answers in the buttons,
a restart between two taps loses nothing, and an old or forged finder button is answered."""

from __future__ import annotations

from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.i18n import t
from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxUser
from bot.sandbox.records import BotMessage
from bot.store import Store
from tests.e2e.conftest import press_data
from tests.e2e.test_broadcast import ask, bot_on, tap
from tests.store.conftest import database_url, empty_store, store

__all__ = ["database_url", "empty_store", "store"]


async def onboard(user: SandboxUser, lang: str, role: str, country: str, region: str) -> None:
    welcome = await ask(user, "/start")
    asked = await tap(user, welcome, t(lang, f"role.{role}"))
    await user.press(asked, f"{t(lang, f'flag.{country}')} {t(lang, f'country.{country}')}")
    picker = await user.wait_message()
    await user.wait_message()  # the location prompt
    while region not in picker.button_texts:
        more = next(b for b in picker.button_texts if b.endswith("▶️"))
        picker = await tap(user, picker, more)
    await user.press(picker, region)
    await user.wait_message()  # home
    await user.wait_message()  # the location keyboard withdrawn


async def test_a_student_in_queretaro_in_spanish(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with bot_on(tg, settings, catalog, store):
        user = tg.user("Lupita", language_code="es")
        await onboard(user, "es", "student", "mx", "Querétaro")
        home = await ask(user, "/menu")
        step = await tap(user, home, t("es", "button.fit"))
        assert step.message_id == home.message_id, "the finder edits the menu in place"
        assert t("es", "fit.step", n=1, total=4) in step.text
        assert "Querétaro" in step.text, "what the bot knows is shown, not asked"
        step = await tap(user, step, t("es", "fit.goal.first_job"))
        step = await tap(user, step, t("es", "fit.age.15_17"))
        step = await tap(user, step, t("es", "fit.school.technical"))
        result = await tap(user, step, t("es", "button.fit_skip"))
    dual = catalog.programs["conalep-queretaro-dual"]
    assert dual.name.es in result.text
    assert t("es", "fit.why_entry", region="Querétaro") in result.text
    assert result.button_texts[0] == dual.name.es
    assert t("es", "button.share") in result.button_texts, "the best match can be shared"
    assert "jovenes-construyendo-el-futuro" not in result.text


async def test_an_ontario_employer_in_french_survives_a_restart_mid_finder(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with bot_on(tg, settings, catalog, store):
        user = tg.user("Marie", language_code="fr")
        await onboard(user, "fr", "employer", "ca", "Ontario")
        step = await ask(user, "/fit")
        assert t("fr", "fit.q_goal_employer") in step.text
        assert t("fr", "fit.goal.earn_while_learning") not in step.button_texts
        step = await tap(user, step, t("fr", "fit.goal.host_apprentices"))
    async with bot_on(tg, settings, catalog, store):  # a new instance, the same database
        result = await tap(user, step, t("fr", "fit.sector.automotive_manufacturing"))
    assert catalog.programs["start-ca-on"].name.fr in result.text
    assert catalog.programs["canada-apprenticeship-service"].name.fr in result.text
    assert t("fr", "button.fit_restart") in result.button_texts


async def test_english_without_a_profile_forged_and_stale_buttons(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with bot_on(tg, settings, catalog, store):
        user = tg.user("Sam", language_code="en")
        step: BotMessage = await ask(user, "/fit")
        assert t("en", "fit.role_unknown") in step.text
        for _ in range(4):
            step = await tap(user, step, t("en", "button.fit_skip"))
        assert t("en", "button.fit_restart") in step.button_texts
        press = await press_data(tg, user, step, "1:fi:z:::")
        assert (await press.answer()).text == t("en", "errors.stale_button")
        again = await user.wait_message()
        assert t("en", "button.fit") in again.button_texts, "back on the home menu"
