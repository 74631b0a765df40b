"""Search latency per query: the shipped catalog and a synthetic 10,000-item one.

The baseline, measured in the same run on the same 10,000 items, is what a search without an
index would do: a linear scan testing whether every query word is a substring of each item's
folded text (names, keywords and summaries in the three languages). The index must beat it by
a wide margin while also correcting typos and ranking, which the scan does not.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from bench.core import CONTENT, Figure, Outcome, Scale, median, ratio, section
from bench.synthetic import SYNTHETIC_QUERIES, bench_search, synthetic_catalog
from bench.updates import SEARCHES

PASSES = 3
"""Separate measuring passes; each figure is the median of the passes' percentiles."""
SYNTHETIC_ITEMS = 10_000
"""Fixed (not scaled down in --quick): the figure's name promises 10k, and it takes ~4 s."""

FIGURES = [
    Figure("search.p50_ms_shipped", "ms", "index.search per query, shipped catalog, p50"),
    Figure("search.p99_ms_shipped", "ms", "index.search per query, shipped catalog, p99"),
    Figure("search.p50_ms_10k", "ms", "index.search per query, 10,000 synthetic items, p50"),
    Figure("search.p99_ms_10k", "ms", "index.search per query, 10,000 synthetic items, p99"),
    Figure("search.scan_p50_ms_10k", "ms", "baseline: linear substring scan of 10k items, p50"),
    Figure("search.scan_p99_ms_10k", "ms", "baseline: linear substring scan of 10k items, p99"),
    Figure("search.p50_ratio_vs_scan_10k", "ratio", "index p50 ÷ scan p50 on 10k items (< 1)"),
    Figure("search.build_seconds_10k", "s", "SearchIndex.build on 10k items (at start/reload)"),
    Figure("search.items_shipped", "count", "items in the shipped catalog"),
]


class LinearScan:
    """The no-index baseline: every query word must occur in the item's folded text."""

    def __init__(self, catalog: object) -> None:
        from bot.catalog.normalize import normalize

        self._normalize = normalize
        self.texts: list[tuple[str, str]] = []
        for item in catalog.programs.values():  # type: ignore[attr-defined]
            parts: list[str] = []
            for field in ("name", "summary", "keywords"):
                value = getattr(item, field, None)
                if value is None:
                    continue
                for lang in ("en", "es", "fr"):
                    text = getattr(value, lang, None)
                    parts.extend(text if isinstance(text, list) else [str(text or "")])
            self.texts.append((item.id, normalize(" ".join(parts))))

    def search(self, query: str) -> list[str]:
        words = self._normalize(query).split()
        return [ident for ident, text in self.texts if all(w in text for w in words)][:8]


def scan_latencies(scan: LinearScan, queries: Sequence[str], repeat: int) -> dict[str, float]:
    samples: list[float] = []
    for _ in range(max(1, repeat)):
        for query in queries:
            started = time.perf_counter_ns()
            scan.search(query)
            samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, round(q * (len(samples) - 1)))]  # noqa: E731
    return {"p50_ms": pick(0.5), "p99_ms": pick(0.99)}


def shipped_queries() -> list[str]:
    """The update mix's searches plus the synthetic set's shapes (typos, questions, no-hit)."""
    return [q for qs in SEARCHES.values() for q in qs] + list(SYNTHETIC_QUERIES)


@section("search", "search latency: shipped catalog and 10,000 synthetic items", FIGURES)
async def run_search(scale: Scale) -> Outcome:
    from bot.catalog.loader import load_catalog
    from bot.catalog.search import SearchIndex

    out = Outcome()
    f = out.figures
    shipped = load_catalog(CONTENT)
    index = SearchIndex.build(shipped)
    queries = shipped_queries()
    runs = [bench_search(index, queries, scale.search_repeat) for _ in range(PASSES)]
    f["search.p50_ms_shipped"] = median(r["p50_ms"] for r in runs)
    f["search.p99_ms_shipped"] = median(r["p99_ms"] for r in runs)
    f["search.items_shipped"] = float(
        len(shipped.programs) + len(shipped.organisations) + len(shipped.events)
    )

    items = SYNTHETIC_ITEMS if scale.mode != "tiny" else scale.synthetic_items
    big = synthetic_catalog(items, seed=1)
    started = time.perf_counter()
    big_index = SearchIndex.build(big)
    f["search.build_seconds_10k"] = time.perf_counter() - started
    repeat = max(1, scale.search_repeat // 4)
    scan = LinearScan(big)
    big_runs, scan_runs = [], []
    for _ in range(PASSES):  # alternate index and scan passes
        big_runs.append(bench_search(big_index, SYNTHETIC_QUERIES, repeat))
        scan_runs.append(scan_latencies(scan, SYNTHETIC_QUERIES, repeat))
    f["search.p50_ms_10k"] = median(r["p50_ms"] for r in big_runs)
    f["search.p99_ms_10k"] = median(r["p99_ms"] for r in big_runs)
    f["search.scan_p50_ms_10k"] = median(r["p50_ms"] for r in scan_runs)
    f["search.scan_p99_ms_10k"] = median(r["p99_ms"] for r in scan_runs)
    f["search.p50_ratio_vs_scan_10k"] = ratio(f["search.p50_ms_10k"], f["search.scan_p50_ms_10k"])
    if items != SYNTHETIC_ITEMS:
        out.notes.append(f"tiny mode: the '10k' figures are on {items} synthetic items")
    out.details = {
        "queries_shipped": len(queries),
        "queries_10k": len(SYNTHETIC_QUERIES),
        "synthetic_items": items,
        "passes": PASSES,
        "shipped_runs": runs,
        "synthetic_runs": big_runs,
    }
    return out
