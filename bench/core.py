"""The bench's machinery: figures, a registry of sections, sizes, statistics, table and JSON.

Every figure is declared once, with its unit and meaning, by the section that measures it, so
the table, the JSON file and `bench/README.md` cannot drift apart and a part of the bot that is
not built yet still has its keys (set to `None`, never to an invented number). A section is an
async function that returns the figures it measured; `run_sections` fills the rest with `None`.

The machine is shared and noisy (2 cores, other jobs), so sections compare the bot against a
baseline measured in the same run, alternate the two, and report medians of several rounds.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

Value = float | None
Mode = Literal["tiny", "quick", "full"]

ROOT = Path(__file__).resolve().parents[1]
"""The repository: `content/` and `python -m bot` are found from here, whatever the cwd."""
CONTENT = ROOT / "content"
RESULTS_DIR = ROOT / "bench" / "results"
"""Where side files go (profiles); the CLI points it at the JSON file's folder."""
DEFAULT_JSON = RESULTS_DIR / "latest.json"
SCHEMA_VERSION = 2
NON_FIGURE_KEYS = ("meta", "details")
"""Top-level JSON keys that are not sections of float-or-null figures."""


@dataclass(frozen=True, slots=True)
class Scale:
    """How big each section runs; `quick` must finish in under a minute, `full` in a few."""

    mode: Mode
    users: int
    """Simulated users in the update-throughput section (one open update each)."""
    steps: int
    """Updates each simulated user sends (the mix script is cut or repeated to this length)."""
    rounds: int
    """Alternating bot/echo rounds; ratios are the median of the per-round ratios."""
    variant_rounds: int
    """Rounds of each extra variant (one update at a time, CPU-bound): fewer."""
    latency_updates: int
    """Updates sent one at a time by a single user (unloaded latency)."""
    search_repeat: int
    synthetic_items: int
    startup_users: int
    startup_runs: int
    profile_users: int
    profile_steps: int
    cpu_users: int
    """Users of the CPU-bound rounds (Bot API answering at once: fast, so larger)."""
    cpu_steps: int

    @property
    def updates_per_round(self) -> int:
        return self.users * self.steps


SCALES: dict[Mode, Scale] = {
    "tiny": Scale(
        "tiny", users=3, steps=4, rounds=1, variant_rounds=1, latency_updates=6,
        search_repeat=1, synthetic_items=300, startup_users=200, startup_runs=1,
        profile_users=2, profile_steps=6, cpu_users=4, cpu_steps=6,
    ),
    "quick": Scale(
        "quick", users=24, steps=6, rounds=1, variant_rounds=1, latency_updates=20,
        search_repeat=5, synthetic_items=10_000, startup_users=100_000, startup_runs=1,
        profile_users=12, profile_steps=8, cpu_users=24, cpu_steps=6,
    ),
    "full": Scale(
        "full", users=60, steps=8, rounds=2, variant_rounds=1, latency_updates=60,
        search_repeat=20, synthetic_items=10_000, startup_users=100_000, startup_runs=2,
        profile_users=40, profile_steps=8, cpu_users=200, cpu_steps=8,
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Figure:
    """One number in the table and the JSON file: `key` is dotted, `section.name`."""

    key: str
    unit: str
    meaning: str
    goal: str = ""

    @property
    def group(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


@dataclass(slots=True)
class Outcome:
    """What a section returns: figures (dotted keys), notes for humans, structured details."""

    figures: dict[str, Value] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


Runner = Callable[[Scale], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    title: str
    figures: tuple[Figure, ...]
    run: Runner
    default: bool = True
    """Whether `python -m bench` runs it without `--only`."""


REGISTRY: dict[str, Section] = {}
SECTION_MODULES = (
    "bench.updates",
    "bench.search",
    "bench.relevance",
    "bench.fit",
    "bench.relay",
    "bench.soak",
    "bench.broadcast_section",
    "bench.startup",
    "bench.profiling",
)
"""Importing these registers their sections, in this (table) order."""


def section(
    name: str, title: str, figures: Iterable[Figure], *, default: bool = True
) -> Callable[[Runner], Runner]:
    """Register a benchmark section; its figures exist in every result, `None` until measured."""

    def register(run: Runner) -> Runner:
        if name in REGISTRY:
            raise ValueError(f"section {name!r} registered twice")
        REGISTRY[name] = Section(name, title, tuple(figures), run, default)
        return run

    return register


def load_sections() -> dict[str, Section]:
    for module in SECTION_MODULES:
        importlib.import_module(module)
    return REGISTRY


def all_figures() -> list[Figure]:
    return [fig for sec in load_sections().values() for fig in sec.figures]


# Statistics ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1) of unsorted values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


def median(values: Iterable[Value]) -> Value:
    """Median of the known values; None when none is known (a missing figure stays missing)."""
    known = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.median(known) if known else None


def ratio(numerator: Value, denominator: Value) -> Value:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def rounded(value: Value, digits: int = 4) -> Value:
    return None if value is None else round(float(value), digits)


class Stopwatch:
    """Wall time of a block, in seconds."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


# Running ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Report:
    figures: dict[str, Value]
    notes: dict[str, list[str]]
    details: dict[str, Any]
    meta: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """Nested: `{"updates": {"ratio_vs_echo": 0.93, ...}, ..., "meta": ..., "details": ...}`."""
        nested: dict[str, Any] = {}
        for key, value in self.figures.items():
            group, name = key.split(".", 1)
            nested.setdefault(group, {})[name] = value
        nested["meta"] = self.meta | {"notes": self.notes}
        nested["details"] = self.details
        return nested


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _git_commit() -> str | None:
    """The commit measured, `+dirty` when the working tree has uncommitted changes."""
    commit = _git("rev-parse", "--short", "HEAD")
    if commit and _git("status", "--porcelain", "--untracked-files=no"):
        commit += "+dirty"
    return commit


async def run_sections(
    scale: Scale,
    only: Sequence[str] | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run the chosen sections one after another (never in parallel: they would skew each
    other); a section that fails leaves its figures `None` and says why in the notes."""
    sections = load_sections()
    chosen = [s for s in sections.values() if (s.name in only if only else s.default)]
    figures: dict[str, Value] = {fig.key: None for fig in all_figures()}
    notes: dict[str, list[str]] = {}
    details: dict[str, Any] = {}
    timings: dict[str, float] = {}
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    for sec in chosen:
        if progress:
            progress(f"[bench] {sec.name}: {sec.title} ...")
        t0 = time.perf_counter()
        try:
            outcome = await sec.run(scale)
        except Exception as exc:  # one broken section must not lose the others' figures
            outcome = Outcome(notes=[f"section failed: {type(exc).__name__}: {exc}"])
            if progress:
                progress(f"[bench] {sec.name} FAILED: {type(exc).__name__}: {exc}")
        timings[sec.name] = round(time.perf_counter() - t0, 2)
        declared = {fig.key for fig in sec.figures}
        undeclared = set(outcome.figures) - declared
        if undeclared:
            raise KeyError(f"section {sec.name!r} returned undeclared figures {sorted(undeclared)}")
        for key, value in outcome.figures.items():
            figures[key] = rounded(value)
        if outcome.notes:
            notes[sec.name] = outcome.notes
        if outcome.details:
            details[sec.name] = outcome.details
    meta = {
        "schema": SCHEMA_VERSION,
        "mode": scale.mode,
        "sections": [s.name for s in chosen],
        "started_at": started_at,
        "seconds": round(time.perf_counter() - started, 2),
        "section_seconds": timings,
        "commit": _git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": _cpu_count(),
    }
    return Report(figures, notes, details, meta)


def _cpu_count() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count()


def run(scale: Scale, only: Sequence[str] | None = None, **kwargs: Any) -> Report:
    return asyncio.run(run_sections(scale, only, **kwargs))


# Output -------------------------------------------------------------------------------------


def format_value(value: Value, unit: str) -> str:
    if value is None:
        return "null"
    if unit in ("count",):
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def table(report: Report) -> str:
    """A plain-text table: figure, value, unit, goal (where the issue sets one)."""
    rows = [("figure", "value", "unit", "goal")]
    for sec in load_sections().values():
        if sec.name not in report.meta["sections"]:
            continue
        for fig in sec.figures:
            rows.append(
                (fig.key, format_value(report.figures[fig.key], fig.unit), fig.unit, fig.goal)
            )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, (key, value, unit, goal) in enumerate(rows):
        line = f"{key:<{widths[0]}}  {value:>{widths[1]}}  {unit:<{widths[2]}}  {goal}"
        lines.append(line.rstrip())
        if n == 0:
            lines.append("-" * (sum(widths) + 6))
    for name, items in report.notes.items():
        for note in items:
            lines.append(f"note [{name}]: {note}")
    return "\n".join(lines)


def markdown_figures() -> str:
    """Every declared figure, grouped by section, as the README's Markdown table."""
    lines = ["| figure | unit | meaning | goal |", "|---|---|---|---|"]
    for sec in load_sections().values():
        for fig in sec.figures:
            lines.append(f"| `{fig.key}` | {fig.unit} | {fig.meaning} | {fig.goal} |")
    return "\n".join(lines)


def write_json(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")


def python() -> str:
    """The interpreter running the bench (the venv's), for subprocesses."""
    return sys.executable
