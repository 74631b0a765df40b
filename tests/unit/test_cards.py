"""Rendering: escaping of any text, Telegram's limits, and every shipped card in every language."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import routes, screens
from bot.cards import Button, Card, CardError, check, plain_text, render
from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.models import Localized, Program
from bot.validate import validate

CONTENT = Path(__file__).resolve().parents[2] / "content"
texts = st.text(min_size=1, max_size=300).filter(lambda s: s.strip())


def _program(name: str, summary: str) -> Program:
    def loc(s: str) -> Localized:
        return Localized(en=s, es=s, fr=s)

    return Program(
        id="demo",
        name=loc(name),
        summary=loc(summary),
        country="ca",
        kind="apprenticeship",
        audiences=["students"],
        sources=["https://example.gc.ca"],
        last_verified=date(2026, 11, 28),
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(texts, texts)
def test_any_content_text_is_escaped(name: str, summary: str) -> None:
    program = _program(name, summary)
    catalog = Catalog.build([program])
    for lang in ("en", "es", "fr"):
        card = screens.program_card(catalog, screens.Profile(lang), program, screens.Links())
        check(card)
        visible = plain_text(card.text)
        assert " ".join(name.split()) in " ".join(visible.split())
        assert " ".join(summary.split()) in " ".join(visible.split())
        assert card.text.count("<") == _template_tag_count(card.text)


def _template_tag_count(text: str) -> int:
    """Every '<' in the output must open one of the template's own tags."""
    import re

    return len(re.findall(r"</?(?:b|i|a)(?: href=\"[^\"]*\")?>", text))


def test_injection_in_names_cannot_add_tags() -> None:
    program = _program('<b onclick="x">Bold</b> & <a href="javascript:x">y</a>', "<pre>")
    card = screens.program_card(
        Catalog.build([program]), screens.Profile("en"), program, screens.Links()
    )
    assert "&lt;b onclick=" in card.text
    assert '<a href="javascript' not in card.text
    assert "&lt;pre&gt;" in card.text


def test_limits_are_enforced() -> None:
    with pytest.raises(CardError, match="characters"):
        check(Card("x" * 4097))
    with pytest.raises(CardError, match="characters"):
        check(Card("<b></b>"))
    with pytest.raises(CardError, match="tag <div>"):
        check(Card("<div>x</div>"))
    many = tuple((Button(str(i), routes.Home()),) for i in range(101))
    with pytest.raises(CardError, match="101 buttons"):
        check(Card("x", many))
    with pytest.raises(CardError, match="row has 9"):
        check(Card("x", (tuple(Button(str(i), routes.Home()) for i in range(9)),)))
    with pytest.raises(CardError, match="unescaped"):
        check(Card("Grants & loans"))
    with pytest.raises(CardError, match="unescaped"):
        check(Card("1 < 2"))
    check(Card("Grants &amp; loans &#39; &#x27;"))
    check(Card("é" * 4096))
    with pytest.raises(CardError):
        check(Card("😀" * 2049))


def test_entities_count_as_one_character() -> None:
    check(Card("&amp;" * 4096))
    with pytest.raises(CardError):
        check(Card("&amp;" * 4097))


def test_render_collapses_blank_lines_and_strips() -> None:
    card = render("notice", "en", message="  hi \n\n\n\n there ")
    assert card.text == "hi \n\n there"


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(CONTENT)


def test_every_shipped_card_renders_within_limits_in_every_language(shipped: Catalog) -> None:
    rendered, problems = validate(shipped)
    assert problems == []
    assert rendered > len(shipped) * 3


def test_every_button_route_of_every_card_resolves(shipped: Catalog) -> None:
    """No dead ends: each callback button of each card leads to a screen."""
    from bot.handlers.browse import BROWSE_ROUTES, screen_for
    from bot.services import Services

    services = Services(settings=None, catalog=shipped)  # type: ignore[arg-type]
    profile = screens.Profile("es", "employer", "mx")
    for item in shipped.items():
        card = screens.item_card(shipped, profile, item.id, screens.Links("Bot"))
        assert card is not None
        for row in card.keyboard:
            for button in row:
                if isinstance(button.route, BROWSE_ROUTES):
                    assert screen_for(button.route, services, profile) is not None, (
                        item.id,
                        button,
                    )
