"""Audience filters come from intent, not from a word: "para empresas" filters, "trabajar en
una empresa" (a student's question) does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.models import Audience
from bot.catalog.search import SearchIndex
from bot.domain.answering import answer
from bot.domain.asker import Asker

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(load_catalog(CONTENT))


@pytest.mark.parametrize(
    "query",
    [
        "para empresas",
        "for employers",
        "je suis employeur",
        "soy empresa",
        "employers",
        "apprenticeship for employers",
        "becas para empresas",
        "as an employer what grants",
    ],
)
def test_asking_for_employers_filters(index: SearchIndex, query: str) -> None:
    assert index.search(query).audience is Audience.EMPLOYERS


@pytest.mark.parametrize(
    "query",
    [
        "quiero estudiar y trabajar en una empresa",
        "trabajar en una empresa",
        "busco empresa para hacer mi dual",
    ],
)
def test_a_company_in_a_students_question_does_not(index: SearchIndex, query: str) -> None:
    assert index.search(query).audience is None


def test_the_student_in_queretaro_gets_the_mexican_dual_model_first(index: SearchIndex) -> None:
    catalog = load_catalog(CONTENT)
    reply = answer(
        index,
        catalog,
        Asker("mx", "MX-QUE", "student"),
        "quiero estudiar y trabajar en una empresa",
    )
    assert reply.ids[0] == "mexican-dual-training-model"
