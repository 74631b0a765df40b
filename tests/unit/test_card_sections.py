"""Cards a phone can read: a short overview, every section one tap away, nothing lost."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from bot import routes, screens
from bot.cards import utf16_len
from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.models import LANGUAGES

CONTENT = Path(__file__).resolve().parents[2] / "content"
OVERVIEW_MAX = 1024
"""A hard bound (the measured median is ~700, the longest ~900 characters): a card that grows
past it belongs in a section."""


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_overview_is_short_and_says_the_next_step(catalog: Catalog, lang: str) -> None:
    links = screens.Links("WorkforcePathwaysBot", ask_person=True)
    profile = screens.Profile(lang=lang, role="student", country="mx")
    for program in catalog.programs.values():
        card = screens.item_card(catalog, profile, program.id, links)
        assert card is not None
        assert utf16_len(card.plain_text) <= OVERVIEW_MAX, program.id
        assert program.summary.get(lang) in card.plain_text, "what it is, whole"
        if program.how_to_apply:
            step = screens.next_step(program.how_to_apply.get(lang))
            assert step is not None
            assert step in card.plain_text
        official = program.official_url_for(lang)
        if official:
            assert official in {b.url for row in card.keyboard for b in row}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_section_holds_its_whole_text(catalog: Catalog, lang: str) -> None:
    links = screens.Links("WorkforcePathwaysBot")
    profile = screens.Profile(lang=lang, role="employer", country="ca")
    for item in [*catalog.programs.values(), *catalog.organisations.values()]:
        overview = screens.item_card(catalog, profile, item.id, links)
        assert overview is not None
        offered = {
            b.route.section
            for row in overview.keyboard
            for b in row
            if isinstance(b.route, routes.CardSection)
        }
        for section in screens.sections_of(item, profile.role):
            assert section.code in offered, (item.id, section.code)
            card = screens.item_card(catalog, profile, item.id, links, section=section.code)
            assert card is not None
            if section.code == "f":
                for fact in getattr(item, "key_facts", ()):
                    assert fact.text.get(lang) in card.plain_text
                hrefs = {html.unescape(part) for part in card.text.split('"')}
                assert {str(u) for u in item.sources} <= hrefs
            else:
                assert getattr(item, section.field).get(lang) in card.plain_text
            back = card.keyboard[0][0]
            assert back.route == routes.Card(item.id), "⬅️ Overview comes first"


def test_employers_see_for_employers_first(catalog: Catalog) -> None:
    program = next(p for p in catalog.programs.values() if p.employers and p.who_can_apply)
    employer = screens.sections_of(program, "employer")
    student = screens.sections_of(program, "student")
    assert employer[0].code == "e"
    assert student[0].code == "w"


def test_sources_are_numbered_links_not_bare_urls(catalog: Catalog) -> None:
    links = screens.Links()
    for lang in LANGUAGES:
        profile = screens.Profile(lang=lang)
        card = screens.item_card(catalog, profile, "red-seal", links, section="f")
        assert card is not None
        assert "https://" not in card.plain_text
        assert '">[1]</a>' in card.text


def test_more_like_this_replaces_the_related_rows(catalog: Catalog) -> None:
    links = screens.Links()
    profile = screens.Profile(lang="en")
    overview = screens.item_card(catalog, profile, "red-seal", links)
    assert overview is not None
    texts = [b.text for row in overview.keyboard for b in row]
    assert not any(text.startswith("↪") for text in texts)
    more = screens.item_card(catalog, profile, "red-seal", links, section=screens.MORE)
    assert more is not None
    related = [b for row in more.keyboard for b in row if b.text.startswith("↪")]
    assert 1 <= len(related) <= screens.RELATED_MAX


def test_a_section_the_item_lacks_or_an_unknown_code_is_none(catalog: Catalog) -> None:
    links = screens.Links()
    profile = screens.Profile(lang="en")
    event = next(iter(catalog.events))
    assert screens.item_card(catalog, profile, event, links, section="w") is None
    lacking = next(p for p in catalog.programs.values() if p.duration is None)
    assert screens.item_card(catalog, profile, lacking.id, links, section="d") is None
    assert routes.decode("1:is:red-seal:z") is None
