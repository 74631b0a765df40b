"""The user's region: onboarding step, /settings, a shared location, "In <region>: how to start"."""

from __future__ import annotations

from typing import Any

import pytest

from bot import routes
from bot.catalog.catalog import Catalog
from bot.domain.regions import region
from bot.flood import FloodGate
from bot.i18n import t
from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxUser as User
from bot.sandbox.records import BotMessage

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture(autouse=True)
def no_flood_limit(bot: Any) -> None:
    """These conversations press a dozen buttons in a second; the flood gate has its own tests."""
    bot.bot_data["services"].flood = FloodGate(rate=1000, burst=1000)


def _country(lang: str, code: str) -> str:
    return f"{t(lang, f'flag.{code}')} {t(lang, f'country.{code}')}"


async def _onboard_to_region_picker(
    user: User, lang: str, role: str, country: str
) -> tuple[BotMessage, BotMessage]:
    await user.send("/start")
    welcome = await user.wait_message()
    await user.press(welcome, t(lang, f"role.{role}"))
    asked = await user.wait_message()
    await user.press(asked, _country(lang, country))
    picker = await user.wait_message()
    prompt = await user.wait_message()
    return picker, prompt


async def _choose(user: User, picker: BotMessage, name: str) -> BotMessage:
    """Press a region; returns the edited menu after the location keyboard is withdrawn."""
    await user.press(picker, name)
    menu = await user.wait_message()
    removal = await user.wait_message()
    assert removal.reply_keyboard == {"remove_keyboard": True}
    return menu


@pytest.mark.parametrize(
    ("lang", "role", "country", "page_with", "name"),
    [
        ("es", "student", "mx", 1, "Querétaro"),
        ("fr", "employer", "ca", 0, "Ontario"),
        ("en", "student", "us", 1, "North Carolina"),
    ],
)
async def test_onboarding_asks_the_region_after_the_country_in_pages(
    tg: Sandbox, lang: str, role: str, country: str, page_with: int, name: str
) -> None:
    user = tg.user(language_code=lang)
    picker, prompt = await _onboard_to_region_picker(user, lang, role, country)
    assert t(lang, f"region.ask.{country}") in picker.text
    assert t(lang, "button.skip") in picker.button_texts
    assert prompt.reply_keyboard is not None, "private chats get the location button"
    (button,) = prompt.reply_keyboard["keyboard"][0]
    assert button == {"text": t(lang, "button.use_location"), "request_location": True}

    page = picker
    for _ in range(page_with):
        forward = next(b for b in page.button_texts if b.endswith("▶️"))
        await user.press(page, forward)
        page = await user.wait_message()
        assert page.message_id == picker.message_id, "pages edit in place"
    await user.press(page, name)
    home = await user.wait_message()
    assert home.message_id == picker.message_id
    assert t(lang, "onboarding.done") in home.text
    assert home.button_texts[0] == t(lang, "button.region_start", region=name)
    removal = await user.wait_message()
    assert removal.reply_keyboard == {"remove_keyboard": True}
    deleted = {(await tg.wait_event(user, kinds=("deleted",))).message_id for _ in range(2)}
    assert deleted == {prompt.message_id, removal.message_id}, "nothing is left behind"
    assert not tg.unanswered_callbacks


async def test_skipping_the_region_finishes_onboarding_with_a_hint_on_home(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    picker, _ = await _onboard_to_region_picker(user, "en", "student", "us")
    await user.press(picker, t("en", "button.skip"))
    home = await user.wait_message()
    assert t("en", "onboarding.done") in home.text
    assert t("en", "button.set_region") in home.button_texts


async def test_a_shared_location_sets_country_and_region(tg: Sandbox, catalog: Catalog) -> None:
    user = tg.user(language_code="fr")
    _picker, _prompt = await _onboard_to_region_picker(user, "fr", "employer", "mx")
    await user.send_location(46.81, -71.21)  # Québec City, though the profile said Mexico
    located = await user.wait_message()
    assert "Québec" in located.text
    assert located.reply_keyboard == {"remove_keyboard": True}
    home = await user.wait_message()
    assert home.button_texts[0] == t("fr", "button.region_start", region="Québec")
    await user.press(home, home.button_texts[0])
    start = await user.wait_message()
    assert "Québec" in start.text
    await user.send("/settings")
    settings = await user.wait_message()
    assert t("fr", "settings.region", value="Québec") in settings.text
    assert _country("fr", "ca") in settings.text


async def test_a_location_outside_the_three_countries_asks_for_the_region(tg: Sandbox) -> None:
    user = tg.user(language_code="es")
    _picker, _ = await _onboard_to_region_picker(user, "es", "student", "mx")
    await user.send_location(48.85, 2.35)  # Paris
    refused = await user.wait_message()
    assert refused.text == t("es", "region.unplaced")
    again = await user.wait_message()
    assert t("es", "region.ask.mx") in again.text


async def test_settings_changes_and_clears_the_region(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    picker, _ = await _onboard_to_region_picker(user, "en", "employer", "ca")
    await _choose(user, picker, "Manitoba")
    await user.send("/settings")
    settings = await user.wait_message()
    assert t("en", "settings.region", value="Manitoba") in settings.text
    await user.press(settings, t("en", "button.region"))
    picker = await user.wait_message()
    assert (await user.wait_message()).reply_keyboard is not None, "the location button again"
    saved = await _choose(user, picker, "Yukon")
    assert t("en", "region.saved", region="Yukon") in saved.text
    await user.press(saved, t("en", "button.region"))
    picker = await user.wait_message()
    await user.wait_message()
    cleared = await _choose(user, picker, t("en", "button.no_region"))
    assert t("en", "region.cleared") in cleared.text
    assert "Yukon" not in cleared.text


async def test_changing_country_drops_a_region_of_the_old_one(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    picker, _ = await _onboard_to_region_picker(user, "en", "student", "ca")
    await _choose(user, picker, "Alberta")
    await user.send("/settings")
    settings = await user.wait_message()
    await user.press(settings, t("en", "button.country"))
    countries = await user.wait_message()
    await user.press(countries, _country("en", "mx"))
    saved = await user.wait_message()
    assert "Alberta" not in saved.text
    await user.send("/start")
    home = await user.wait_message()
    assert t("en", "button.set_region") in home.button_texts


async def test_forged_region_buttons_are_stale_not_saved(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    picker, _ = await _onboard_to_region_picker(user, "en", "student", "mx")
    last = await user.press(picker, data="1:pg:999:1")
    assert (await last.answer()).text in (None, "")
    shown = await user.wait_message()
    assert t("en", "region.ask.mx") in shown.text, "a page past the end shows the last page"
    for data in ("1:g:XX-ZZ:1", "1:g:CA-ON:1", "1:g:us-nc:0"):
        press = await user.press(shown, data=data)
        assert (await press.answer()).text == t("en", "errors.stale_button")
    home = await user.wait_message()
    assert t("en", "button.set_region") in home.button_texts, "stale buttons lead home"
    await user.send("/settings")
    settings = await user.wait_message()
    assert "Settings" in settings.text
    assert "Ontario" not in settings.text
    assert region("CA-ON") is not None
    assert routes.decode("1:g:XX-ZZ:1") is None


async def test_region_start_lists_the_entry_points_most_local_first(
    tg: Sandbox, catalog: Catalog
) -> None:
    user = tg.user(language_code="es")
    picker, _ = await _onboard_to_region_picker(user, "es", "student", "mx")
    forward = next(b for b in picker.button_texts if b.endswith("▶️"))
    await user.press(picker, forward)
    page = await user.wait_message()
    home = await _choose(user, page, "Querétaro")
    await user.press(home, home.button_texts[0])
    start = await user.wait_message()
    local = catalog.programs["conalep-queretaro-dual"].name.get("es")
    national = catalog.programs["servicio-nacional-de-empleo"].name.get("es")
    assert start.button_texts.index(local) < start.button_texts.index(national)


async def _onboarded(user: User, lang: str, role: str, country: str, name: str) -> BotMessage:
    picker, _prompt = await _onboard_to_region_picker(user, lang, role, country)
    while name not in picker.button_texts:
        picker = await _next_page(user, picker)
    return await _choose(user, picker, name)


async def _next_page(user: User, picker: BotMessage) -> BotMessage:
    more = next(text for text in picker.button_texts if text.endswith("▶️"))
    await user.press(picker, more)
    return await user.wait_message()


async def test_search_answers_a_student_in_queretaro_from_mexico_first(
    tg: Sandbox, catalog: Catalog
) -> None:
    user = tg.user(language_code="es")
    await _onboarded(user, "es", "student", "mx", "Querétaro")
    await user.send("cómo me certifico como soldador")
    answer = await user.wait_message()
    cards = [routes.decode(b.callback_data) for b in answer.inline_buttons if b.callback_data]
    first = catalog.get(next(r.item_id for r in cards if isinstance(r, routes.Card)))
    assert first is not None
    assert first.country.value == "mx", answer.button_texts
    mexican, _, _abroad = answer.text.partition(t("es", "search.other_countries"))
    assert "Red Seal" not in mexican, "a Canadian card is never listed among Mexico's"


async def test_an_ontario_employer_gets_skilled_trades_ontario_from_home_and_inline(
    tg: Sandbox, catalog: Catalog
) -> None:
    user = tg.user(language_code="fr")
    home = await _onboarded(user, "fr", "employer", "ca", "Ontario")
    assert home.button_texts[0] == t("fr", "button.region_start", region="Ontario")
    await user.press(home, home.button_texts[0])
    listed = await user.wait_message()
    card = catalog.get("start-ca-on")
    assert card is not None
    assert card.official_url
    assert listed.button_texts[0] == card.name.fr, "the authority first, then local programs"
    await user.press(listed, card.name.fr)
    start = await user.wait_message()
    assert card.name.fr in start.text
    assert card.official_url in [b.url for b in start.inline_buttons]
    answer = await user.inline("apprenti")
    assert answer.results[0]["id"] == "start-ca-on", [r["id"] for r in answer.results[:5]]


async def test_nothing_found_offers_the_users_own_entry_points(
    tg: Sandbox, catalog: Catalog
) -> None:
    user = tg.user(language_code="en")
    await _onboarded(user, "en", "student", "us", "North Carolina")
    await user.send("zxqv wplk")
    none = await user.wait_message()
    assert t("en", "search.none", query="zxqv wplk") in none.text
    label = t("en", "button.region_start", region="North Carolina")
    assert label in none.button_texts
    await user.press(none, label)
    listed = await user.wait_message()
    nc = catalog.get("start-us-nc")
    assert nc is not None
    assert listed.button_texts[0] == nc.name.en
