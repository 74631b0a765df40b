"""The labelled relevance set is well-formed, and the honest answers it asks for hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.relevance import NONE, SMALLTALK, Query, judge, load_queries
from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.search import SearchIndex
from bot.domain.answering import answer, off_topic
from bot.domain.asker import Asker
from bot.domain.regions import region

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT)


def test_every_label_names_a_real_item_and_every_asker_is_valid(catalog: Catalog) -> None:
    queries = load_queries()
    assert len(queries) >= 150
    for q in queries:
        assert q.lang in ("en", "es", "fr")
        assert q.role in (None, "student", "employer", "educator")
        assert q.country in (None, "mx", "us", "ca")
        if q.region:
            found = region(q.region)
            assert found is not None
            assert found.country == q.country, q
        if not q.social:
            assert all(catalog.get(i) is not None for i in q.expect), q
    held = [q for q in queries if q.heldout]
    assert len(held) * 3 in range(len(queries) - 2, len(queries) + 3)
    assert sum(q.social for q in queries) >= 30
    for lang in ("en", "es", "fr"):
        assert any(q.heldout and q.lang == lang and q.social for q in queries)


def _q(expect: tuple[str, ...], country: str | None = "mx") -> Query:
    return Query("x", "es", None, country, None, expect, heldout=False)


def test_judging() -> None:
    where = {"a": "mx", "b": "ca"}
    assert judge(_q(("a",)), ["a", "b"], False, where).top1
    assert judge(_q(("a",)), ["b", "a"], False, where).reciprocal_rank == 0.5
    assert judge(_q(("a",)), ["b", "a"], False, where).cross_country
    assert not judge(_q(("b",)), ["b"], False, where).cross_country, "the label wants Canada"
    assert judge(_q((NONE,)), [], False, where).honest
    assert not judge(_q((NONE,)), ["a"], False, where).honest
    assert judge(_q((SMALLTALK,)), [], True, where).honest
    assert not judge(_q((SMALLTALK,)), [], False, where).honest, "nothing is not a greeting"


@pytest.mark.parametrize(
    "text", ["nursing school", "devenir médecin", "piloto aviador", "estudiar enfermería"]
)
def test_an_unknown_subject_gets_nothing_not_a_random_card(catalog: Catalog, text: str) -> None:
    index = SearchIndex.build(catalog)
    reply = answer(index, catalog, Asker("mx", "MX-QUE", "student"), text)
    assert reply.talk is None
    assert reply.ids == []
    assert reply.result is not None
    assert off_topic(reply.result)
    assert reply.result.query, "recorded as a gap under its normalized text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("job corps en español", "job-corps"),
        ("soy colombiano, vale mi certificado de competencias en mexico?", "conocer-certification"),
        ("weldng certification", None),
    ],
)
def test_one_unknown_word_in_a_real_question_keeps_the_answer(
    catalog: Catalog, text: str, expected: str | None
) -> None:
    index = SearchIndex.build(catalog)
    reply = answer(index, catalog, Asker("mx", None, None), text)
    assert reply.ids
    if expected:
        assert expected in reply.ids[:3]
