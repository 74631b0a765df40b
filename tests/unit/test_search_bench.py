"""The bench helpers build valid catalogs and measure sensibly; a loose latency guard.

The guard's bound is far above the measured figures (sub-millisecond on the shipped catalog,
a few ms on 10,000 items) so a loaded CI machine does not flake, yet a per-query scan of
every field, or an index rebuilt per query, would still trip it.
"""

from __future__ import annotations

from bench.synthetic import SYNTHETIC_QUERIES, bench_search, synthetic_catalog
from bot.catalog.models import Country, ProgramKind
from bot.catalog.search import SearchIndex


def test_synthetic_catalog_is_valid_varied_and_deterministic() -> None:
    catalog = synthetic_catalog(400, seed=3)
    programs = list(catalog.programs.values())
    assert len(programs) == 400
    assert {p.country for p in programs} == set(Country)
    assert {p.kind for p in programs} == set(ProgramKind)
    assert all(p.sources[0].startswith("https://synthetic.invalid/p/") for p in programs)
    again = synthetic_catalog(400, seed=3)
    assert [p.name for p in again.programs.values()] == [p.name for p in programs]


def test_bench_search_reports_percentiles() -> None:
    index = SearchIndex.build(synthetic_catalog(300))
    figures = bench_search(index, SYNTHETIC_QUERIES, repeat=2)
    assert figures["calls"] == 2 * len(SYNTHETIC_QUERIES)
    assert 0 <= figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
