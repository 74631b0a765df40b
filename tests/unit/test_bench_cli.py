"""`python -m bench` writes every declared figure, as a float or null, in the documented shape.

Speed is measured by the bench, never asserted here: these tests run the machinery at its
tiniest sizes and check only the interface (keys, types, nesting, the CLI's arguments) and
that the update driver got an answer to every update it sent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import core
from bench.profiling import component_of
from bench.updates import TEMPLATE, mix, script

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = (
    "updates.ratio_vs_echo",
    "updates.p95_ratio_vs_echo",
    "search.p99_ms_shipped",
    "search.p99_ms_10k",
    "broadcast.rate_ratio",
    "broadcast.lost",
    "broadcast.duplicated",
    "broadcast.baseline_rate_ratio",
    "startup.seconds",
    "memory.rss_mb_100k_users",
)
"""The keys the issue asks for; other figures may come and go, these stay."""


def figure(data: dict[str, Any], key: str) -> object:
    group, name = key.split(".", 1)
    assert name in data[group], f"{key} missing from the JSON file"
    return data[group][name]


def assert_shape(data: dict[str, Any]) -> None:
    declared = {fig.key for fig in core.all_figures()}
    assert set(REQUIRED) <= declared
    for key in declared:
        value = figure(data, key)
        assert value is None or isinstance(value, float), f"{key} = {value!r}"
    groups = {key.split(".", 1)[0] for key in declared}
    assert set(data) == groups | set(core.NON_FIGURE_KEYS)
    assert data["meta"]["schema"] == core.SCHEMA_VERSION


def test_cli_tiny_search_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--only", "search", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "search.p99_ms_10k" in done.stdout, "the table is printed"
    data = json.loads(out.read_text())
    assert_shape(data)
    assert data["meta"]["mode"] == "tiny"
    assert data["meta"]["sections"] == ["search"]
    assert isinstance(figure(data, "search.p99_ms_shipped"), float)
    assert isinstance(figure(data, "search.p99_ms_10k"), float)
    assert figure(data, "updates.ratio_vs_echo") is None, "a section not run stays null"
    assert figure(data, "broadcast.rate_ratio") is None, "not measured: null, never invented"


def test_cli_refuses_unknown_sections() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown section" in done.stderr


async def test_update_driver_tiny_gets_every_update_answered() -> None:
    report = await core.run_sections(core.SCALES["tiny"], ["updates"])
    data = report.to_json()
    assert_shape(data)
    for key in ("updates.ratio_vs_echo", "updates.p95_ratio_vs_echo", "updates.per_second"):
        assert isinstance(figure(data, key), float)
    assert figure(data, "updates.lost") == 0.0, "every update sent was handled"
    rounds = data["details"]["updates"]["rounds"]
    assert {r["variant"] for r in rounds} >= {"echo", "as_built"}


def test_report_nests_dotted_keys() -> None:
    report = core.Report({"a.b": 1.0, "a.c": None, "d.e": 2.5}, {}, {}, {"schema": 1})
    nested = report.to_json()
    assert nested["a"] == {"b": 1.0, "c": None}
    assert nested["d"] == {"e": 2.5}
    assert set(nested) == {"a", "d", "meta", "details"}


def test_statistics_keep_missing_values_missing() -> None:
    assert core.median([None, None]) is None
    assert core.median([3.0, None, 1.0, 2.0]) == 2.0
    assert core.ratio(1.0, None) is None
    assert core.ratio(1.0, 0.0) is None
    assert core.percentile([], 0.5) is None
    assert core.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.95) == 5.0
    assert core.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0


def test_update_mix_is_the_documented_one() -> None:
    counts = mix(3, len(TEMPLATE))
    assert counts == {"command": 12, "search": 6, "press": 21, "inline": 6}
    assert script(0, 2, "es")[0].arg == "/start"
    assert script(5, 40, "fr") == script(5, 40, "fr"), "deterministic"


@pytest.mark.parametrize(
    ("path", "component"),
    [
        (str(ROOT / "bot" / "handlers" / "browse.py"), "bot"),
        (str(ROOT / "bot" / "sandbox" / "html.py"), "emulator"),
        (str(ROOT / "templates" / "program.j2"), "templates"),
        ("<built-in>", None),
    ],
)
def test_profile_components(path: str, component: str | None) -> None:
    assert component_of(path) == component


def test_readme_documents_every_figure() -> None:
    readme = (ROOT / "bench" / "README.md").read_text()
    missing = [fig.key for fig in core.all_figures() if f"`{fig.key}`" not in readme]
    assert not missing, f"add to bench/README.md (python -m bench --list): {missing}"
