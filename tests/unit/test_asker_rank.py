"""Search re-ranked for who asks: country first, own region lifted, role and ended programs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.models import Program, Status
from bot.catalog.search import SearchIndex
from bot.domain.asker import Asker, rank_for
from bot.domain.regions import all_regions

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT)


@pytest.fixture(scope="module")
def index(catalog: Catalog) -> SearchIndex:
    return SearchIndex.build(catalog)


def ranked(index: SearchIndex, catalog: Catalog, asker: Asker, query: str) -> list[str]:
    return rank_for(asker, index.search(query, limit=100), catalog).ids


def test_a_student_in_queretaro_gets_mexican_certification_before_the_red_seal(
    index: SearchIndex, catalog: Catalog
) -> None:
    asker = Asker("mx", "MX-QUE", "student")
    result = index.search("cómo me certifico como soldador", limit=100)
    assert result.hits[0].item_id == "red-seal", "the text alone picks the Canadian card"
    out = rank_for(asker, result, catalog)
    assert catalog.get(out.ids[0]).country.value == "mx"  # type: ignore[union-attr]
    assert not out.clear_winner
    assert "red-seal" in out.foreign
    first_foreign = next(i for i, item_id in enumerate(out.ids) if item_id in out.foreign)
    assert all(item_id in out.foreign for item_id in out.ids[first_foreign:])


def test_own_region_first_other_states_lowered(index: SearchIndex, catalog: Catalog) -> None:
    ids = ranked(index, catalog, Asker("us", "US-NC", None), "apprenticeship")
    assert ids[0] == "start-us-nc"
    others = [i for i in ids[:8] if i.startswith("start-us-") and i != "start-us-nc"]
    assert others == [], "Alabama and Alaska's offices are not where a North Carolinian starts"


def test_an_ontario_employer_asking_for_funding_gets_a_running_program_first(
    index: SearchIndex, catalog: Catalog
) -> None:
    ids = ranked(index, catalog, Asker("ca", "CA-ON", "employer"), "subvention pour employeurs")
    top = catalog.get(ids[0])
    assert isinstance(top, Program)
    assert top.status is Status.ACTIVE
    assert top.country.value == "ca"


def test_a_query_naming_a_country_is_not_second_guessed(
    index: SearchIndex, catalog: Catalog
) -> None:
    result = index.search("red seal canada", limit=100)
    out = rank_for(Asker("mx", "MX-QUE", "student"), result, catalog)
    assert out.ids[0] == "red-seal"
    assert out.foreign == frozenset()
    assert out.clear_winner == result.clear_winner


def test_a_named_card_elsewhere_still_wins_when_nothing_local_matches(
    index: SearchIndex, catalog: Catalog
) -> None:
    result = index.search("ApprenticeshipNC", limit=100)
    out = rank_for(Asker("us", "US-TX", None), result, catalog)
    assert out.ids[0] == "start-us-nc"
    assert out.clear_winner


def test_no_context_keeps_the_index_order_but_for_ended_programs(
    index: SearchIndex, catalog: Catalog
) -> None:
    for query in ("apprenticeship", "soldadura", "formation en alternance", "grant"):
        result = index.search(query, limit=100)
        out = rank_for(Asker(), result, catalog)

        def running(ids: list[str]) -> list[str]:
            return [i for i in ids if getattr(catalog.get(i), "status", None) is not Status.ENDED]

        assert running(out.ids) == running([hit.item_id for hit in result.hits])
        assert out.clear_winner == result.clear_winner
        assert out.foreign == frozenset()


REGIONS = [r for r in all_regions()]
WORDS = [
    "apprenticeship",
    "aprendiz",
    "apprenti",
    "grant",
    "beca",
    "dual",
    "empleo",
    "job",
    "certification",
    "construction",
    "welding",
    "formation",
    "empresa",
    "employer",
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    region=st.sampled_from(REGIONS),
    role=st.sampled_from([None, "student", "employer", "educator"]),
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
)
def test_reranking_is_a_permutation_with_home_first(
    index: SearchIndex, catalog: Catalog, region: object, role: str | None, words: list[str]
) -> None:
    asker = Asker(region.country, region.code, role)  # type: ignore[attr-defined]
    result = index.search(" ".join(words), limit=100)
    out = rank_for(asker, result, catalog)
    assert sorted(out.ids) == sorted(hit.item_id for hit in result.hits)
    flags = [item_id in out.foreign for item_id in out.ids]
    assert flags == sorted(flags), "every home result before any foreign one"
    if out.clear_winner:
        assert out.ids[0] == result.hits[0].item_id
    assert rank_for(asker, result, catalog) == out, "deterministic"
