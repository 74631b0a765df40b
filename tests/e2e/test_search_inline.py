"""Free-text search, no-result path, inline mode (with pagination) and shared cards."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.constants import InlineQueryLimit

from bench.synthetic import synthetic_catalog
from bot.catalog.catalog import Catalog
from bot.catalog.search import SearchIndex
from bot.config import Settings
from bot.handlers import inline
from bot.i18n import t
from bot.sandbox.client import Sandbox
from tests.e2e.conftest import running_bot


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize(
    ("lang", "query", "expected"),
    [
        ("en", "red seal", "Red Seal"),
        ("es", "jovenes construyendo el futuro", "Jóvenes Construyendo el Futuro"),
        ("fr", "sceau rouge", "Sceau rouge"),
        ("en", "aprenticeship finder", "Apprenticeship Finder"),
    ],
)
async def test_text_is_a_search_with_a_clear_winner_card(
    tg: Sandbox, lang: str, query: str, expected: str
) -> None:
    user = tg.user(language_code=lang)
    await user.send(query)
    reply = await user.wait_message()
    assert expected in reply.text
    assert t(lang, "card.sources").rstrip(" :") in reply.text, "the card itself is shown"


@pytest.mark.usefixtures("bot")
async def test_broad_search_lists_matches_as_buttons(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    await user.send("apprenticeship canada")
    reply = await user.wait_message()
    assert "Results for" in reply.text
    assert len(reply.button_texts) >= 3
    await user.press(reply, 0)
    card = await user.wait_message()
    assert card.message_id == reply.message_id


@pytest.mark.usefixtures("bot")
async def test_no_result_offers_suggestions_and_menu(tg: Sandbox) -> None:
    user = tg.user(language_code="es")
    await user.send("zxqv wplk")
    reply = await user.wait_message()
    assert t("es", "search.none", query="zxqv wplk") in reply.text
    assert t("es", "button.home") in reply.button_texts
    await user.send("<b>jfc</b>")
    hinted = await user.wait_message()
    assert "<b>jfc</b>" in hinted.text, "user text shown as typed (escaped in the HTML)"
    suggestions = [b for b in hinted.button_texts if b.startswith("🔎")]
    if suggestions:
        await user.press(hinted, suggestions[0])
        assert (await user.wait_message()).message_id == hinted.message_id


@pytest.mark.usefixtures("bot")
async def test_search_command_works_in_groups(tg: Sandbox) -> None:
    alice = tg.user(language_code="fr")
    group = tg.group("Employeurs", members=[alice])
    await alice.send("/search", chat=group)
    assert "/search" in (await alice.wait_message(chat=group)).text
    await alice.send("/search sceau rouge", chat=group)
    assert "Sceau rouge" in (await alice.wait_message(chat=group)).text


@pytest.mark.usefixtures("bot")
async def test_oversized_text_gets_a_clear_answer(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    await user.send("apprenticeship " * 200)
    assert t("en", "errors.too_long") in (await user.wait_message()).text


@pytest.mark.usefixtures("bot")
async def test_inline_empty_query_gives_featured_and_forums(tg: Sandbox) -> None:
    user = tg.user(language_code="es")
    answer = await user.inline("")
    ids = [r["id"] for r in answer.results]
    assert "red-seal" in ids
    assert any(i.startswith("forum-") for i in ids)
    assert answer.is_personal
    first = answer.results[0]
    assert first["input_message_content"]["parse_mode"] == "HTML"
    buttons = [b for row in first["reply_markup"]["inline_keyboard"] for b in row]
    assert all("url" in b for b in buttons), "no callback buttons in others' chats"
    assert any(f"t.me/{tg.bot_username}?start=" in b["url"] for b in buttons)


@pytest.mark.usefixtures("bot")
async def test_inline_query_in_the_users_language(tg: Sandbox) -> None:
    user = tg.user(language_code="fr")
    answer = await user.inline("red seal")
    assert answer.results[0]["id"] == "red-seal"
    assert "Sceau rouge" in answer.results[0]["title"]
    none = await user.inline("zzqxw")
    assert none.results == []
    assert none.button is not None


def big_index_ids(catalog: Catalog, query: str) -> list[str]:
    hits = SearchIndex.build(catalog).search(query, limit=inline.MAX_OFFSET).hits
    return [hit.item_id for hit in hits]


async def test_inline_pagination(tg: Sandbox, settings: Settings, tmp_path: Path) -> None:
    big = synthetic_catalog(400, seed=3)
    async with running_bot(tg, settings, big):
        user = tg.user(language_code="en")
        first = await user.inline("canada")
        assert len(first.results) == inline.PAGE <= InlineQueryLimit.RESULTS
        assert first.next_offset == str(inline.PAGE)
        second = await user.inline("canada", offset=first.next_offset)
        assert second.results
        assert not {r["id"] for r in first.results} & {r["id"] for r in second.results}
        seen, offset = [r["id"] for r in first.results], first.next_offset
        while offset:
            page = await user.inline("canada", offset=offset)
            seen += [r["id"] for r in page.results]
            offset = page.next_offset
        expected = big_index_ids(big, "canada")
        assert seen == expected, "scrolling to the end lists every match once, in rank order"
        forged = await user.inline("canada", offset="not-a-number")
        assert [r["id"] for r in forged.results] == [r["id"] for r in first.results]


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        ("es", "gracias", "thanks"),
        ("es", "hola!!", "greeting"),
        ("fr", "merci !", "thanks"),
        ("en", "thanks!", "thanks"),
        ("en", "lol", "laugh"),
        ("fr", "👍", "symbols"),
        ("es", "???", "symbols"),
        ("en", "who are you?", "who"),
    ],
)
async def test_chit_chat_gets_a_friendly_answer_not_a_card(
    tg: Sandbox, lang: str, text: str, kind: str
) -> None:
    user = tg.user(language_code=lang)
    await user.send(text)
    reply = await user.wait_message()
    assert reply.text == t(lang, f"smalltalk.{kind}")
    assert reply.button_texts == [t(lang, "button.home")]
    assert t(lang, "search.noted") not in reply.text
