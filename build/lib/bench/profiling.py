"""Where the time goes on the update hot path: pyinstrument over a load round of section 1.

The profiled round is the CPU-bound one (the emulator answers at once): with Telegram-like
round trips the loop mostly waits, which would hide the CPU hot path behind "waiting". Only the
load is profiled (not start-up or shutdown), and only the main
thread: SQLite runs in aiosqlite's thread, so the database shows as the main thread's share of
SQLAlchemy plus the hand-offs.

Everything on the loop is in the profile — the bot, PTB, httpx, and the emulator (tornado and
`bot.sandbox`) with the simulated users — so the time is split by component, and the top
frames are given for the whole and for the bot's own code. pyinstrument is optional
(`pip install -e '.[bench]'`); without it the figures are null and a note says why.
"""

from __future__ import annotations

import contextlib
import sysconfig
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import core
from bench.core import ROOT, Figure, Outcome, Scale, ratio, section
from bench.updates import AS_BUILT_CPU, ECHO_CPU, RoundResult, Variant, load_round

SITE = Path(sysconfig.get_paths()["purelib"]).resolve()
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()

COMPONENTS: tuple[tuple[str, str], ...] = (
    ("bot", "the bot's own code (bot/ without bot/sandbox): handlers, screens, store, catalog"),
    ("templates", "Jinja2 rendering (jinja2, markupsafe, templates/*.j2)"),
    ("database", "SQLAlchemy and aiosqlite on the main thread"),
    ("ptb", "python-telegram-bot (objects, handlers, request building)"),
    ("http_client", "httpx, httpcore, h11, anyio (the bot's HTTP client)"),
    ("emulator", "the Bot API emulator: bot/sandbox and tornado (not in production)"),
    ("bench", "the simulated users (bench/)"),
    ("event_loop", "asyncio scheduling and the JSON/URL codecs of the standard library"),
    ("idle", "waiting in the selector (nothing to do)"),
    ("other", "anything else"),
)

_PACKAGES = {
    "telegram": "ptb",
    "httpx": "http_client",
    "httpcore": "http_client",
    "h11": "http_client",
    "anyio": "http_client",
    "sniffio": "http_client",
    "tornado": "emulator",
    "sqlalchemy": "database",
    "aiosqlite": "database",
    "jinja2": "templates",
    "markupsafe": "templates",
    "rapidfuzz": "bot",
    "babel": "bot",  # libraries the bot's own code calls for its own work
    "pydantic": "bot",
    "prometheus_client": "bot",
}


def component_of(path: str | None) -> str | None:
    """The component a source file belongs to; None for built-ins (they count for the caller)."""
    if not path or path.startswith("<"):
        return None
    file = Path(path)
    with contextlib.suppress(ValueError):  # first: the venv may live inside the repository
        return _PACKAGES.get(file.relative_to(SITE).parts[0], "other")
    with contextlib.suppress(ValueError):
        rel = file.relative_to(ROOT)
        top = rel.parts[0]
        if top == "bot":
            return "emulator" if rel.parts[1:2] == ("sandbox",) else "bot"
        return {"templates": "templates", "bench": "bench"}.get(top, "other")
    with contextlib.suppress(ValueError):
        rel = file.relative_to(STDLIB)
        if rel.name == "selectors.py":
            return "idle"
        return "event_loop"
    if path.endswith(".j2"):
        return "templates"
    return "other"


def _short(path: str | None) -> str:
    if not path:
        return "?"
    file = Path(path)
    for base in (SITE, ROOT, STDLIB):
        with contextlib.suppress(ValueError):
            return str(file.relative_to(base))
    return path


def analyse(root: Any, top: int = 5) -> dict[str, Any]:
    """Shares by component, top functions by self time, and the bot's own top functions."""
    total = root.time or 1.0
    by_component: dict[str, float] = defaultdict(float)
    self_by_function: dict[str, float] = defaultdict(float)
    bot_inclusive: dict[str, float] = defaultdict(float)

    def visit(frame: Any, owner: str, caller: str, open_bot: frozenset[str]) -> None:
        component = component_of(frame.file_path)
        if component is None:
            component, label = owner, caller
        else:
            label = f"{_short(frame.file_path)}:{frame.function}"
        own = frame.time - sum(child.time for child in frame.children)
        by_component[component] += own
        self_by_function[label] += own
        if component == "bot" and label not in open_bot and component_of(frame.file_path):
            bot_inclusive[label] += frame.time  # recursion counted once
            open_bot = open_bot | {label}
        for child in frame.children:
            visit(child, component, label, open_bot)

    visit(root, "other", "?", frozenset())
    busy = total - by_component.get("idle", 0.0)

    def pct(seconds: float, whole: float = total) -> float:
        return round(100 * seconds / whole, 2) if whole else 0.0

    return {
        "seconds": round(total, 3),
        "by_component_percent": {name: pct(by_component.get(name, 0.0)) for name, _ in COMPONENTS},
        "top_self": [
            {"frame": label, "percent": pct(t), "percent_of_busy": pct(t, busy)}
            for label, t in sorted(self_by_function.items(), key=lambda kv: -kv[1])
            if component_of(label.split(":")[0]) != "idle" and not label.startswith("selectors.py")
        ][: top * 2],
        "top_bot_inclusive": [
            {"frame": label, "percent": pct(t)}
            for label, t in sorted(bot_inclusive.items(), key=lambda kv: -kv[1])[: top * 2]
        ],
    }


NOT_THE_BOT = ("emulator", "bench", "idle")
"""Components that are not the bot's work: in production Telegram does the emulator's part."""

FIGURES = [
    *(
        Figure(f"profile.{name}_percent", "%", f"share of the profiled load: {meaning}")
        for name, meaning in COMPONENTS
    ),
    Figure("profile.updates_per_second", "upd/s", "throughput while profiled (overhead: slower)"),
    Figure("profile.echo_emulator_percent", "%", "emulator share when the echo bot is profiled"),
    Figure(
        "profile.bot_side_ratio_vs_echo",
        "ratio",
        "estimate: time per update without emulator, users and idle, bot ÷ echo",
    ),
]


async def _profile_round(
    profiler_class: Any, variant: Variant, users: int, steps: int
) -> tuple[RoundResult, Any]:
    """A warm-up, then a load round with only its load profiled."""
    profiler = profiler_class(interval=0.001, async_mode="disabled")

    @contextlib.contextmanager
    def profiled() -> Iterator[None]:
        profiler.start()
        try:
            yield
        finally:
            profiler.stop()

    await load_round(variant, min(users, 10), 3)
    return await load_round(variant, users, steps, around_load=profiled), profiler


def bot_side_ms(analysis: dict[str, Any], updates: int) -> float:
    """Profiled milliseconds per update spent outside the emulator, the users and idling."""
    shares = analysis["by_component_percent"]
    outside = 1 - sum(shares[name] for name in NOT_THE_BOT) / 100
    return 1000 * analysis["seconds"] * outside / max(updates, 1)


@section("profile", "hot path of the CPU-bound update rounds (pyinstrument)", FIGURES)
async def run_profile(scale: Scale) -> Outcome:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return Outcome(notes=["pyinstrument is not installed: pip install -e '.[bench]'"])
    users, steps = scale.profile_users, scale.profile_steps
    echo_result, echo_profiler = await _profile_round(Profiler, ECHO_CPU, users, steps)
    result, profiler = await _profile_round(Profiler, AS_BUILT_CPU, users, steps)
    if profiler.last_session is None or echo_profiler.last_session is None:
        return Outcome(notes=["pyinstrument recorded nothing"])
    analysis = analyse(profiler.last_session.root_frame())
    echo = analyse(echo_profiler.last_session.root_frame())
    out = Outcome()
    for name, _ in COMPONENTS:
        out.figures[f"profile.{name}_percent"] = analysis["by_component_percent"][name]
    out.figures["profile.updates_per_second"] = result.per_second
    out.figures["profile.echo_emulator_percent"] = echo["by_component_percent"]["emulator"]
    out.figures["profile.bot_side_ratio_vs_echo"] = ratio(
        bot_side_ms(analysis, result.updates), bot_side_ms(echo, echo_result.updates)
    )
    core.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    html = core.RESULTS_DIR / "profile-updates.html"
    html.write_text(profiler.output_html())
    text = core.RESULTS_DIR / "profile-updates.txt"
    text.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    analysis["files"] = [str(html), str(text)]
    analysis["echo_by_component_percent"] = echo["by_component_percent"]
    out.details = analysis
    top = ", ".join(f"{t['frame']} {t['percent']}%" for t in analysis["top_self"][:5])
    out.notes.append(f"top 5 by self time: {top}")
    top_bot = ", ".join(f"{t['frame']} {t['percent']}%" for t in analysis["top_bot_inclusive"][:5])
    out.notes.append(f"top 5 of the bot's own functions (inclusive): {top_bot}")
    return out
