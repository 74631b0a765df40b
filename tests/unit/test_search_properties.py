"""Property tests: the search answers any string a Telegram user can send, within bounds.

Queries come from strangers; a crash or a runaway query would take the bot down for
everyone, so these throw arbitrary text (including huge, RTL, emoji, HTML and control
characters) at the index and check the invariants a handler relies on.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import synthetic_catalog
from bot.catalog.normalize import normalize, tokenize
from bot.catalog.search import SearchIndex, SearchResult, language_of
from tests.unit.test_search import small_catalog

CATALOG = small_catalog()
INDEX = SearchIndex.build(CATALOG)
IDS = {item.id for item in CATALOG.items()}

BIG_CATALOG = synthetic_catalog(300, seed=7)
BIG_INDEX = SearchIndex.build(BIG_CATALOG)
BIG_IDS = {item.id for item in BIG_CATALOG.items()}

NASTY = [
    "<b>red</b> <a href='x'>seal</a>",
    "<script>alert('jcf')</script>",
    "&lt;&amp;&quot;",
    "🙂🇲🇽🇨🇦🇺🇸 apprenticeship 👷‍♀️",
    "مرحبا apprenticeship",
    "שלום red seal",
    "\u202ered seal\u202c",
    "\u200b\u200d\ufeff",
    "\x00\x07\x1b[2J\r\n\t",
    "Z̴̡̛͓a̸̟l̷g̶o̵ certificación",
    "ﷺ" * 40,
    "ǅ ǰ İ ẞ ℌ ﬃ ㎏ ①",
    "a\ud800b\udfff",
    " " * 300,
    "?" * 300,
]
WORDS = [
    "red",
    "seal",
    "dual",
    "mexico",
    "for",
    "employers",
    "canada",
    "¿cuántos",
    "jóvenes",
    "apprentissage",
    "aprenticeship",
    "JCF",
    "how",
    "many",
    "ontario",
    "certificacion",
]

queries = st.one_of(
    st.text(),
    st.text(min_size=200, max_size=20_000),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(WORDS + NASTY), max_size=12).map(" ".join),
)


def _check(result: SearchResult, ids: set[str], limit: int) -> None:
    assert isinstance(result, SearchResult)
    assert len(result.hits) <= limit
    hit_ids = [h.item_id for h in result.hits]
    assert set(hit_ids) <= ids
    assert len(set(hit_ids)) == len(hit_ids)
    assert all(math.isfinite(h.score) and h.score >= 0 for h in result.hits)
    if not result.hits:
        assert not result.clear_winner
    else:
        assert result.suggestions == ()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries, limit=st.integers(min_value=0, max_value=60))
def test_any_text_gives_a_bounded_result(query: str, limit: int) -> None:
    result = INDEX.search(query, limit=limit)
    _check(result, IDS, limit)
    assert result.query == normalize(query)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries)
def test_any_text_on_a_larger_catalog(query: str) -> None:
    _check(BIG_INDEX.search(query), BIG_IDS, 8)


@given(query=queries)
def test_language_guess_never_fails(query: str) -> None:
    assert language_of(query) in {None, "en", "es", "fr"}


@given(text=st.text(max_size=200))
def test_folding_is_idempotent(text: str) -> None:
    """The index folds stored text, the query side folds typed text: both must agree."""
    folded = " ".join(tokenize(text))
    assert " ".join(tokenize(folded)) == folded


@given(text=st.text(max_size=60))
def test_accents_and_case_never_change_the_answer(text: str) -> None:
    assert INDEX.search(text).hits == INDEX.search(normalize(text)).hits
