"""What the bot does not cover: other countries' programs and the listed subjects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.normalize import fold
from bot.catalog.search import SearchIndex
from bot.domain import scope

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def shipped() -> scope.Scope:
    return scope.Scope(SearchIndex.build(load_catalog(CONTENT)).vocabulary)


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("apprenticeship in Japan", "place:japan"),
        ("aprendiz en Japon", "place:japon"),
        ("apprentissage au Japon", "place:japon"),
        ("green card lottery", "immigration"),
        ("licencia de manejo", "driving_licence"),
    ],
)
def test_outside_north_america_or_a_listed_subject(
    shipped: scope.Scope, text: str, subject: str
) -> None:
    assert shipped.outside(text) == subject


@pytest.mark.parametrize(
    "text",
    [
        "apprenticeship georgia",
        "new jersey apprenticeship",
        "registered apprenticeship puerto rico",
        "soy colombiano, vale mi certificado en mexico",
        "red seal",
        "dual en Querétaro",
        "trabajo en estados unidos",
        "visage",  # a word containing a listed one is not it
        "modelo dual de alemania",  # the Mexican dual model's card names Germany
        "becas jovenes construyendo el futuro",  # JCF pays a "beca"
        "validar mi certificado extranjero",  # foreign credentials are covered
    ],
)
def test_home_and_what_the_content_names_are_covered(shipped: scope.Scope, text: str) -> None:
    assert shipped.outside(text) is None


def test_no_listed_subject_is_in_the_content() -> None:
    """When content starts covering a subject, take it off `out_of_scope.yaml`."""
    text = " ".join(fold(p.read_text(encoding="utf-8")) for p in CONTENT.rglob("*.yaml"))
    for subject, terms in scope.subjects().items():
        for term in terms:
            assert not re.search(rf"(?<![\w']){re.escape(term)}(?![\w'])", text), (subject, term)
