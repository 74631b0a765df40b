"""Chit-chat is answered socially, and nothing a person searches for is mistaken for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.catalog.loader import load_catalog
from bot.domain.smalltalk import Talk, classify
from bot.i18n import t

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.mark.parametrize(
    ("text", "talk"),
    [
        ("hola", Talk.GREETING),
        ("Holaaa!!", Talk.GREETING),
        ("buenas noches", Talk.GREETING),
        ("Bonjour", Talk.GREETING),
        ("gracias", Talk.THANKS),
        ("Muchas gracias!", Talk.THANKS),
        ("merci !", Talk.THANKS),
        ("thanks!", Talk.THANKS),
        ("ok gracias", Talk.OK),
        ("lol", Talk.LAUGH),
        ("jajaja", Talk.LAUGH),
        ("mdr", Talk.LAUGH),
        ("👍", Talk.SYMBOLS),
        ("???", Talk.SYMBOLS),
        ("🙏🙏", Talk.SYMBOLS),
        ("¿Quién eres?", Talk.WHO),
        ("what can you do", Talk.WHO),
        ("au revoir", Talk.BYE),
    ],
)
def test_chit_chat_is_recognised(text: str, talk: Talk) -> None:
    assert classify(text) is talk


@pytest.mark.parametrize(
    "text",
    [
        "hola, busco trabajo",
        "bonjour je cherche un apprentissage",
        "thanks, and what about welding?",
        "nursing school",
        "red seal",
        "",
        "   ",
    ],
)
def test_a_real_question_is_not_chit_chat(text: str) -> None:
    assert classify(text) is None


def test_no_name_or_keyword_of_the_catalog_is_chit_chat() -> None:
    catalog = load_catalog(CONTENT)
    for item in catalog.items():
        names = [item.title if hasattr(item, "title") else item.name]
        for localized in names:
            for lang in ("en", "es", "fr"):
                assert classify(localized.get(lang)) is None, (item.id, lang)
        for lang in ("en", "es", "fr"):
            for keyword in getattr(item.keywords, lang):
                assert classify(keyword) is None, (item.id, keyword)


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_every_kind_has_an_answer_in_every_language(lang: str) -> None:
    for talk in Talk:
        text = t(lang, f"smalltalk.{talk.value}")
        assert text
        assert text != f"smalltalk.{talk.value}"


@given(st.text(max_size=80))
def test_never_raises(text: str) -> None:
    assert classify(text) in (None, *Talk)
