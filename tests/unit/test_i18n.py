"""UI strings: every key in every language, same placeholders; language resolution."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot import i18n
from bot.catalog.models import LANGUAGES


def test_every_ui_string_exists_in_every_language() -> None:
    reference = set(i18n.strings("en"))
    for lang in LANGUAGES:
        keys = set(i18n.strings(lang))
        assert keys == reference, f"{lang}: missing {reference - keys}, extra {keys - reference}"
        assert all(value.strip() for value in i18n.strings(lang).values())


def test_placeholders_match_across_languages() -> None:
    for key, english in i18n.strings("en").items():
        for lang in LANGUAGES:
            other = i18n.strings(lang)[key]
            assert i18n.placeholders(other) == i18n.placeholders(english), (lang, key)


def _words(text: str) -> str:
    """The translatable part: placeholders, tags and proper names removed."""
    text = re.sub(r"\{\w+\}|<[^>]+>|Workforce Pathways", "", text)
    return "".join(ch for ch in text if ch.isalpha())


def test_translations_are_not_copies_of_english() -> None:
    en = i18n.strings("en")
    for lang in ("es", "fr"):
        same = [k for k, v in i18n.strings(lang).items() if v == en[k] and len(_words(v)) > 8]
        assert not same, f"{lang} strings identical to English: {same}"


@pytest.mark.parametrize(
    ("saved", "telegram", "expected"),
    [
        ("fr", "es", "fr"),
        (None, "es-MX", "es"),
        (None, "fr-CA", "fr"),
        (None, "en-US", "en"),
        (None, "de", "en"),
        (None, None, "en"),
        ("xx", "pt-br", "en"),
        (None, "ES", "es"),
    ],
)
def test_language_resolution(saved: str | None, telegram: str | None, expected: str) -> None:
    assert i18n.resolve_language(saved, telegram) == expected


@pytest.mark.parametrize(
    ("telegram", "expected"),
    [("es-MX", "es"), ("fr_CA", "fr"), ("EN", "en"), ("de", None), ("", None), (None, None)],
)
def test_the_client_language_is_one_the_bot_speaks_or_none(
    telegram: str | None, expected: str | None
) -> None:
    """What `users.client_language` stores: never the default standing in for "unknown"."""
    assert i18n.telegram_language(telegram) == expected


def test_dates_are_localized_with_babel() -> None:
    day = date(2022, 10, 19)
    assert i18n.fmt_date(day, "en") == "October 19, 2022"
    assert i18n.fmt_date(day, "es") == "19 de octubre de 2022"
    assert i18n.fmt_date(day, "fr") == "19 octobre 2022"


def test_unknown_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        i18n.t("en", "no.such.key")
