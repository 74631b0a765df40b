"""The pruned search gives exactly the answer of scoring every matched item.

On a large catalog `SearchIndex.search` scores only a pool of items and proves with a bound
that the others cannot be listed (`SearchIndex._pruned`); `_search(..., prune=False)` is the
plain path that scores every matched item. These tests compare the two — on the shipped
catalog with the pruning thresholds forced down so that it prunes there too, and on a
synthetic catalog large enough for the real thresholds — and pin the pieces the pruned path is
built from: a score that does not depend on the pool (nor on loops versus `map`), the
set-based `top` against a plain sort, and the length-filtered "did you mean" against rapidfuzz
over the whole vocabulary.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

import bot.catalog.search as search_module
from bench.synthetic import SYNTHETIC_QUERIES, synthetic_catalog
from bench.updates import INLINE, SEARCHES
from bot.catalog import synonyms as syn
from bot.catalog.catalog import Catalog
from bot.catalog.models import Audience, Country, ProgramKind
from bot.catalog.search import (
    SUGGEST_CUTOFF,
    SUGGEST_LIMIT,
    SearchIndex,
    _Columns,
    _Doc,
    _Plan,
)
from tests.unit.test_search_queries import CONTENT, QUERIES, _load_shipped_catalog

BIG_CATALOG = synthetic_catalog(2_000, seed=11)
BIG = SearchIndex.build(BIG_CATALOG)
"""Large enough that a kind, an audience or a word of every summary is a broad part."""

FILTER_ONLY = (
    "méxico",
    "canada",
    "apprenticeships in canada",
    "for employers",
    "for employers canada",
    "dual Mexico",
    "stage rémunéré",
    "job board",
    "certificacion",
)
"""Queries made only of filters: thousands of matches on a large catalog, a list is wanted."""


@contextmanager
def counting_prunes(index: SearchIndex) -> Iterator[list[bool]]:
    """Record, per query that had a broad part, whether the pruned ranking was used."""
    outcomes: list[bool] = []
    original = SearchIndex._pruned

    def spy(self: SearchIndex, plan: _Plan) -> object:
        result = original(self, plan)
        if any(len(p.values) > self._broad for p in plan.parts):
            outcomes.append(result is not None)
        return result

    SearchIndex._pruned = spy  # type: ignore[method-assign,assignment]
    try:
        yield outcomes
    finally:
        SearchIndex._pruned = original  # type: ignore[method-assign]


def plan_of(index: SearchIndex, query: str) -> _Plan | None:
    """The scoring plan `search` makes for a query (None when it never gets to scoring)."""
    plans: list[_Plan] = []
    original = _Plan.score

    def spy(self: _Plan, pool: set[int] | None) -> tuple[dict[int, float], set[int]]:
        plans.append(self)
        return original(self, pool)

    _Plan.score = spy  # type: ignore[method-assign]
    try:
        index._search(query, 8, prune=False)
    finally:
        _Plan.score = original  # type: ignore[method-assign]
    return plans[0] if plans else None


def assert_same(index: SearchIndex, query: str, limit: int) -> None:
    pruned = index._search(query, limit, prune=True)
    plain = index._search(query, limit, prune=False)
    assert pruned == plain, query


def _names(catalog: Catalog) -> list[str]:
    out = []
    for item in catalog.items():
        title = item.title if hasattr(item, "title") else item.name
        out += [title.en, title.es, title.fr]
    return out


# ---------------------------------------------------------------------- the shipped catalog


@cache
def _shipped_index() -> SearchIndex:
    if not CONTENT.is_dir():  # pragma: no cover
        pytest.skip("no content/ directory")
    return SearchIndex.build(_load_shipped_catalog())


@pytest.fixture
def shipped() -> SearchIndex:
    return _shipped_index()


@pytest.mark.parametrize("broad", [1, 2, 4, 8])
def test_forced_pruning_changes_nothing_on_the_shipped_catalog(
    shipped: SearchIndex, broad: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped catalog is below BROAD_MIN, so `search` never prunes there; with the
    thresholds forced down nearly every part is broad and every query goes through the pool,
    the bound and the fallback."""
    monkeypatch.setattr(shipped, "_broad", broad)
    monkeypatch.setattr(search_module, "PRUNE_POOL_SHARE", 1.0)
    monkeypatch.setattr(search_module, "PRUNE_ATTEMPTS", 20)
    queries = [q for q, _ in QUERIES] + [q for qs in SEARCHES.values() for q in qs]
    queries += [q for qs in INLINE.values() for q in qs] + list(SYNTHETIC_QUERIES)
    queries += list(FILTER_ONLY) + _names(_load_shipped_catalog())
    with counting_prunes(shipped) as outcomes:
        for query in queries:
            for limit in (1, 3, 8, 50):
                assert_same(shipped, query, limit)
    assert sum(outcomes) >= len(outcomes) // 4, "the pruned path was hardly exercised"


def test_the_shipped_catalog_never_prunes(shipped: SearchIndex) -> None:
    with counting_prunes(shipped) as outcomes:
        for query, _ in QUERIES:
            shipped.search(query)
    assert outcomes == []


# ---------------------------------------------------------------------- a large catalog


def test_the_benchmark_queries_are_pruned_and_unchanged() -> None:
    with counting_prunes(BIG) as outcomes:
        for query in (*SYNTHETIC_QUERIES, *FILTER_ONLY):
            for limit in (1, 8, 50):
                assert_same(BIG, query, limit)
    assert outcomes, "no broad part: the catalog is too small to test pruning"
    assert sum(outcomes) >= 0.9 * len(outcomes), "the benchmark's queries fell back to scoring all"


@pytest.mark.parametrize("query", FILTER_ONLY)
def test_filter_only_queries_list_only_items_matching_every_filter(query: str) -> None:
    """There are far more matches than room, so every hit matches all the filters, in the
    order of the plain path: score, then catalog order."""
    result = BIG.search(query, limit=50)
    assert (result.country, result.kind, result.audience) != (None, None, None)
    assert len(result.hits) == 50
    for hit in result.hits:
        program = BIG_CATALOG.programs[hit.item_id]
        assert result.country is None or program.country is result.country
        assert result.kind is None or program.kind is result.kind
        assert result.audience is None or result.audience in program.audiences
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert result == BIG._search(query, 50, prune=False)


def _words() -> list[str]:
    terms = [phrase for c in syn.CONCEPTS for _, phrase in c.all_terms()]
    rng = random.Random(5)
    return terms + rng.sample(sorted(BIG._vocab), 400) + ["de", "en", "for", "the", "¿cuántos"]


def _typo(word: str, position: int) -> str:
    if len(word) < 5:
        return word
    i = position % len(word)
    return word[:i] + word[i + 1 :]


words = st.builds(_typo, st.sampled_from(_words()), st.integers(0, 20)) | st.sampled_from(_words())


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    query=st.lists(words, min_size=1, max_size=6).map(" ".join), limit=st.sampled_from([1, 8, 50])
)
def test_any_query_on_a_large_catalog_gets_the_plain_answer(query: str, limit: int) -> None:
    assert_same(BIG, query, limit)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(_names(BIG_CATALOG)), limit=st.sampled_from([1, 8]))
def test_names_on_a_large_catalog_get_the_plain_answer(name: str, limit: int) -> None:
    assert_same(BIG, name, limit)


# ---------------------------------------------------------------------- the pieces


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.lists(words, min_size=1, max_size=5).map(" ".join), data=st.data())
def test_a_score_is_the_same_in_any_pool_and_either_way(query: str, data: st.DataObject) -> None:
    """The bound and the pool rest on this: an item's score, to the last bit, does not depend
    on which other items are scored with it, nor on loops versus `map`."""
    plan = plan_of(BIG, query)
    if plan is None:
        return
    everything, _ = plan.score(None)
    items = sorted(everything)
    pool = set(data.draw(st.lists(st.sampled_from(items), max_size=600))) if items else set()
    walked = plan._score_walking(pool, everything=False)
    mapped = plan._score_mapping(pool)
    assert walked == mapped == {d: everything[d] for d in pool}
    assert plan._score_walking(set(items), everything=True) == everything


def _doc(i: int, country: Country) -> _Doc:
    return _Doc(f"d{i}", country, ProgramKind.FUNDING, frozenset({Audience.EMPLOYERS}), 1.0, True)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_top_is_a_sort_by_tier_then_score_then_catalog_order(data: st.DataObject) -> None:
    """`_Plan.top` ranks with set operations; it must agree with the plain definition."""
    n = data.draw(st.integers(1, 40))
    countries = data.draw(st.lists(st.sampled_from(list(Country)), min_size=n, max_size=n))
    docs = [_doc(i, c) for i, c in enumerate(countries)]
    ids = st.sets(st.integers(0, n - 1))
    filter_only = data.draw(st.booleans())
    strict = data.draw(ids) if filter_only else set()  # as `_search` builds it
    full, content = data.draw(ids), data.draw(ids)
    scored = data.draw(ids) | strict
    # Few distinct values, so ties (broken by catalog order) are common.
    values = st.sampled_from([0.0, 0.5, 1.0, 2.0, 2.0, 7.5, 30.0])
    scores = {d: data.draw(values) for d in sorted(scored)}
    if not scores:
        return
    plan = _Plan(
        _Columns.of(docs),
        [],
        1,
        data.draw(st.sets(st.sampled_from(list(Country)))),
        set(),
        set(),
        filter_only,
        strict,
        full,
        data.draw(st.integers(1, 12)),
    )
    best = max(scores.values())
    eligible = [d for d in scores if plan.eligible(d, scores, content, best)]
    expected = sorted(eligible, key=lambda d: (plan.tier(d, content), scores[d], -d), reverse=True)
    assert plan.top(scores, content, best) == expected[: plan.limit]


def _extract(index: SearchIndex, probe: str) -> list[tuple[str, float, int]]:
    return process.extract(
        probe,
        index._suggest_norm,
        scorer=fuzz.ratio,
        score_cutoff=SUGGEST_CUTOFF,
        limit=SUGGEST_LIMIT * 2,
    )


probes = st.one_of(
    st.text(alphabet="aeiorstnlcdupmbgvhfyqxz ", min_size=3, max_size=40),
    st.builds(_typo, st.sampled_from(_words()), st.integers(0, 20)),
    st.sampled_from(["jfc", "red sael", "xyzzy", "qwerty", "certifcate", "aprendisaje dual"]),
)


@settings(max_examples=200, deadline=None)
@given(probe=probes)
def test_did_you_mean_candidates_are_rapidfuzz_over_the_whole_vocabulary(probe: str) -> None:
    assert BIG._suggest_candidates(probe) == _extract(BIG, probe)


@settings(max_examples=100, deadline=None)
@given(probe=probes)
def test_did_you_mean_candidates_on_the_shipped_catalog(probe: str) -> None:
    index = _shipped_index()
    assert index._suggest_candidates(probe) == _extract(index, probe)
