"""Onboarding, browsing in place, deep links, stale buttons and groups — in en, es and fr."""

from __future__ import annotations

from typing import Any

import pytest

from bot import routes
from bot.catalog.catalog import Catalog
from bot.i18n import t
from bot.sandbox.client import Sandbox

pytestmark = pytest.mark.usefixtures("bot")

WELCOME = {"en": "Welcome to", "es": "Te damos la bienvenida", "fr": "Bienvenue dans"}


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
async def test_start_onboarding_then_home(tg: Sandbox, lang: str) -> None:
    alice = tg.user("Alice", language_code=lang)
    await alice.send("/start")
    welcome = await alice.wait_message()
    assert WELCOME[lang] in welcome.text
    assert welcome.button_texts[:3] == [t(lang, f"role.{r}") for r in routes.ROLES]

    press = await alice.press(welcome, t(lang, "role.employer"))
    asked = await alice.wait_message()
    assert (await press.answer()).text in (None, "")
    assert asked.message_id == welcome.message_id, "menus edit in place"
    assert t(lang, "onboarding.ask_country") in asked.text

    await alice.press(asked, f"{t(lang, 'flag.ca')} {t(lang, 'country.ca')}")
    picker = await alice.wait_message()
    assert picker.message_id == welcome.message_id
    assert t(lang, "region.ask.ca") in picker.text
    await alice.wait_message()  # the "📍 Use my location" reply keyboard, in its own message
    await alice.press(picker, t(lang, "button.skip"))
    home = await alice.wait_message()
    assert home.message_id == welcome.message_id
    assert t(lang, "onboarding.done") in home.text
    assert home.button_texts[0] == t(lang, "button.employers"), "employers see their track first"
    assert not tg.unanswered_callbacks

    removal = await alice.wait_message()
    assert removal.reply_keyboard == {"remove_keyboard": True}

    await alice.send("/start")
    again = await alice.wait_message()
    assert WELCOME[lang] not in again.text, "re-running /start keeps the profile"
    assert t(lang, "role_short.employer") in again.text


async def test_language_picker_during_onboarding(tg: Sandbox) -> None:
    bob = tg.user("Bob", language_code="de")
    await bob.send("/start")
    welcome = await bob.wait_message()
    assert WELCOME["en"] in welcome.text, "unknown languages fall back to English"
    await bob.press(welcome, t("en", "button.language"))
    picker = await bob.wait_message()
    await bob.press(picker, "Français")
    again = await bob.wait_message()
    assert WELCOME["fr"] in again.text


@pytest.mark.parametrize(
    ("lang", "country", "kind", "program"),
    [
        ("en", "ca", "certification", "red-seal"),
        ("es", "mx", "work_training", "jovenes-construyendo-el-futuro"),
        ("fr", "us", "apprenticeship", "registered-apprenticeship"),
    ],
)
async def test_browse_to_a_card_and_back(
    tg: Sandbox, catalog: Catalog, lang: str, country: str, kind: str, program: str
) -> None:
    user = tg.user(language_code=lang)
    await user.send("/menu")
    home = await user.wait_message()
    await user.press(home, f"{t(lang, f'flag.{country}')} {t(lang, f'country.{country}')}")
    menu = await user.wait_message()
    assert menu.message_id == home.message_id
    kind_label = next(b for b in menu.button_texts if b.startswith(t(lang, f"kind.{kind}")))
    await user.press(menu, kind_label)
    listing = await user.wait_message()
    name = catalog.programs[program].name.get(lang)
    assert name in listing.text
    await user.press(listing, name)
    card = await user.wait_message()
    assert name in card.text
    assert card.message_id == home.message_id
    flat = [b for row in card.reply_markup_dict["inline_keyboard"] for b in row]
    assert catalog.programs[program].official_url in [b.get("url") for b in flat]
    assert any("switch_inline_query" in b for b in flat), "Share button"

    await user.press(card, t(lang, "button.back"))
    back = await user.wait_message()
    assert name in back.text
    assert t(lang, f"kind.{kind}") in back.text
    await user.press(back, t(lang, "button.home"))
    assert (
        t(lang, "home.title").split("<b>")[1].split("</b>")[0] in (await user.wait_message()).text
    )
    assert not tg.unanswered_callbacks


async def test_employer_track_is_built_from_the_content(tg: Sandbox, catalog: Catalog) -> None:
    user = tg.user(language_code="en")
    await user.send("/start country_mx")
    menu = await user.wait_message()
    await user.press(menu, t("en", "button.employers"))
    track = await user.wait_message()
    employers = catalog.for_employers(catalog.countries()[0])
    assert employers, "Mexico has items for employers"
    first = employers[0]
    assert first.name.en in track.text
    assert first.employers is not None
    assert first.employers.en.split()[0] in track.text


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("red-seal", "Red Seal"),
        ("country_us", "United States"),
        ("forums", "Trilateral Forums"),
        ("forum-2022-mexico-city", "Mexico City"),
        ("conocer", "CONOCER"),
    ],
)
async def test_deep_links_open_the_right_card(tg: Sandbox, payload: str, expected: str) -> None:
    user = tg.user(language_code="en")
    await user.send(f"/start {payload}")
    assert expected in (await user.wait_message()).text


async def test_unknown_deep_link_gets_the_menu(tg: Sandbox) -> None:
    user = tg.user(language_code="es")
    await user.send("/start no-such-thing")
    reply = await user.wait_message()
    assert t("es", "errors.deep_link_unknown") in reply.text


async def test_unknown_command_and_other_messages_get_help(tg: Sandbox) -> None:
    user = tg.user(language_code="fr")
    await user.send("/nimportequoi")
    reply = await user.wait_message()
    assert t("fr", "errors.unknown_command") in reply.text
    await user.send_photo(_PNG)
    assert (
        t("fr", "help.title").split("<b>")[1].split("</b>")[0] in (await user.wait_message()).text
    )


async def test_forums_command_lists_past_forums(tg: Sandbox) -> None:
    user = tg.user(language_code="es")
    await user.send("/forums")
    reply = await user.wait_message()
    assert "Dallas" in reply.text
    assert "Winnipeg" in reply.text
    assert "31 de agosto de 2022" in reply.text
    assert reply.text.index("Winnipeg") < reply.text.index("Dallas"), "most recent first"


async def test_groups_answer_only_what_is_addressed_to_the_bot(tg: Sandbox) -> None:
    alice = tg.user(language_code="en")
    group = tg.group("Students", members=[alice])
    await alice.send("hello everyone", chat=group)
    await alice.send("/unknowncmd", chat=group)
    await alice.send("/start@SomeOtherBot", chat=group)
    await alice.expect_no_message(chat=group, within=0.5)
    await alice.send(f"/start@{tg.bot_username}", chat=group)
    home = await alice.wait_message(chat=group)
    assert "Workforce Pathways" in home.text
    await alice.send(f"/nope@{tg.bot_username}", chat=group)
    assert t("en", "errors.unknown_command") in (await alice.wait_message(chat=group)).text
    await alice.press(home, f"{t('en', 'flag.ca')} {t('en', 'country.ca')}", chat=group)
    assert "Canada" in (await alice.wait_message(chat=group)).text


async def test_settings_change_language(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    await user.send("/settings")
    settings_card = await user.wait_message()
    await user.press(settings_card, t("en", "button.language"))
    picker = await user.wait_message()
    await user.press(picker, "Español")
    saved = await user.wait_message()
    assert t("es", "settings.saved") in saved.text
    await user.send("/help")
    assert "Cómo usar" in (await user.wait_message()).text


async def test_commands_are_published_per_language(tg: Sandbox, bot: Any) -> None:
    english = [c["command"] for c in tg.commands()]
    assert "start" in english
    assert "forums" in english
    spanish = tg.commands(language_code="es")
    assert any("Foros" in c["description"] for c in spanish)


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_a_card_section_opens_in_place_and_back(tg: Sandbox, bot: object) -> None:
    from bot.i18n import t

    ana = tg.user("Ana", language_code="es")
    await ana.send("/start red-seal")
    card = await ana.wait_message()
    assert len(card.text) < 1024
    await ana.press(card, f"👤 {t('es', 'card.who_can_apply')}")
    section = await ana.wait_message()
    assert section.event == "edited"
    assert section.message_id == card.message_id, "edited in place"
    assert t("es", "card.who_can_apply") in section.text
    await ana.press(section, t("es", "card.overview"))
    back = await ana.wait_message()
    assert back.text == card.text
    await ana.press(back, t("es", "card.more_like_this"))
    more = await ana.wait_message()
    assert any(text.startswith("↪") for text in more.button_texts)
    forged = await ana.press(more, data="1:is:red-seal:z")
    assert (await forged.answer()).text == t("es", "errors.stale_button")
