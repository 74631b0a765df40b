"""Update throughput: the real Application, over HTTP, on the emulator, against a bare echo bot.

Both bots run on the same emulator code, with the same users, the same mix of updates (commands,
button presses that edit in place, free-text searches, inline queries) and the same number of
simulated users, each keeping one update open at a time (a closed loop: send, wait until the bot
has finished with it, send the next). The figures are the bot's throughput and latency divided
by the echo bot's from the same run, which cancels most of the machine's noise; rounds alternate
echo and bot and the medians are reported.

"Finished with it" is observed where it happens: PTB hands every update to its update
processor, and the bench installs one that notes the moment the handlers' coroutine returned,
i.e. after every Bot API call the update caused (message sent or edited, callback or inline
query answered) was answered by the emulator. That works for any bot, so the echo bot and ours
are timed by the same code.

The headline rounds give the emulator's reply methods a Telegram-like round trip (~50 ms): a
bot spends most of its life waiting for the Bot API, and what it does meanwhile decides its
throughput. The CPU-bound rounds (the emulator answering at once) measure work instead: the
emulator, the simulated users and the bot share one event loop and one core there (like the e2e
tests), so those figures include the emulator's work, which is larger for this bot's big HTML
cards and inline answers than for the echo's short texts; the `profile` section measures it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import telegram
from sqlalchemy import event
from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor, SimpleUpdateProcessor

from bench.core import (
    CONTENT,
    Figure,
    Outcome,
    Scale,
    median,
    percentile,
    ratio,
    section,
)
from bench.echo import echo_application

LANGS = ("en", "es", "fr")
UPDATE_TIMEOUT = 60.0
"""Seconds a simulated user waits for one update to be handled before counting it lost."""
SINGLE_USER_GAP = 0.05
"""Seconds between the lone user's updates: 20/s, under the 30/s of PTB's AIORateLimiter, so
the unloaded latency is the bot's own service time, not the limiter's queue."""

SEARCHES: dict[str, tuple[str, ...]] = {
    "en": ("red seal", "apprenticeship ontario", "welding certification", "internships texas"),
    "es": ("certificación automotriz", "aprendizaje dual", "becas para jóvenes", "soldadura"),
    "fr": ("stage rémunéré", "apprentissage québec", "formation en alternance", "sceau rouge"),
}
"""Free text as people type it; every language, filters, typos-free and topical."""
INLINE: dict[str, tuple[str, ...]] = {
    "en": ("red seal", "", "apprentice"),
    "es": ("aprendiz", "dual méxico", ""),
    "fr": ("stage", "", "alternance"),
}
"""Inline queries, including the empty one (featured cards)."""

Kind = Literal["text", "press", "inline"]


@dataclass(frozen=True, slots=True)
class Step:
    kind: Kind
    arg: str = ""


PRESS = Step("press")
TEMPLATE: tuple[Step | str, ...] = (
    "/start",
    PRESS,  # onboarding: role
    PRESS,  # onboarding: country → home menu
    "search",
    "inline",
    PRESS,
    "/help",
    PRESS,
    "search",
    "/forums",
    PRESS,
    "inline",
    "/menu",
    PRESS,
    PRESS,
)
"""One user's session: onboarding by buttons, browsing, searches, inline, commands.

Per 15 updates: 7 button presses (callback query → edit in place), 4 commands, 2 searches and 2
inline queries; the first 6 (`--quick`) and the first 10 (full) have every kind too. Longer
sessions repeat it from the fourth step (no second onboarding)."""


def script(user_index: int, steps: int, lang: str) -> list[Step]:
    """The `steps` updates user `user_index` sends; deterministic, varied between users."""
    rng = random.Random(user_index)
    out: list[Step] = []
    position = 0
    while len(out) < steps:
        item = TEMPLATE[position]
        if isinstance(item, Step):
            out.append(item)
        elif item == "search":
            out.append(Step("text", rng.choice(SEARCHES[lang])))
        elif item == "inline":
            out.append(Step("inline", rng.choice(INLINE[lang])))
        else:
            out.append(Step("text", item))
        position += 1
        if position == len(TEMPLATE):
            position = 3
    return out


def mix(users: int, steps: int) -> dict[str, int]:
    """How many updates of each kind a round sends (for the details in the JSON file)."""
    counts: dict[str, int] = {"command": 0, "search": 0, "press": 0, "inline": 0}
    for i in range(users):
        for step in script(i, steps, LANGS[i % len(LANGS)]):
            if step.kind == "text":
                counts["command" if step.arg.startswith("/") else "search"] += 1
            else:
                counts[step.kind] += 1
    return counts


# Timing every update -------------------------------------------------------------------------


class TimedProcessor(BaseUpdateProcessor):
    """Wraps the application's own update processor (its concurrency and ordering unchanged)
    and calls `on_done` when an update's handlers have returned."""

    __slots__ = ("inner", "on_done")

    def __init__(self, inner: BaseUpdateProcessor, on_done: Callable[[object], None]) -> None:
        super().__init__(inner.max_concurrent_updates)
        self.inner = inner
        self.on_done = on_done

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        async def timed() -> None:
            try:
                await coroutine
            finally:
                self.on_done(update)

        await self.inner.do_process_update(update, timed())

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()


@dataclass(slots=True)
class Waiters:
    """One open update per simulated user: the future its handling resolves."""

    open: dict[int, asyncio.Future[float]] = field(default_factory=dict)

    def expect(self, user_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.open[user_id] = future
        return future

    def finished(self, update: object) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        future = self.open.pop(user.id, None) if user is not None else None
        if future is not None and not future.done():
            future.set_result(time.perf_counter())


def instrument(
    app: Application[Any, Any, Any, Any, Any, Any], concurrent: int | None = None
) -> Waiters:
    """Swap in the timing processor (before `initialize`) around the processor the application
    was built with (`build_application`: `bot.ordering`, concurrent across users, ordered per
    user and chat; the echo bot: PTB's default, one update at a time), or around PTB's plain
    processor with `concurrent` updates at once to measure a what-if."""
    waiters = Waiters()
    inner = app.update_processor if concurrent is None else SimpleUpdateProcessor(concurrent)
    app._update_processor = TimedProcessor(inner, waiters.finished)
    return waiters


# The two bots --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Variant:
    """Which application to measure and how (`rate_limiter` and `concurrent` apply to ours;
    the echo bot has neither and handles one update at a time, PTB's default)."""

    name: str
    bot: Literal["ours", "echo"]
    rate_limiter: bool = True
    concurrent: int | None = None
    """Updates handled at once with PTB's plain processor; None: as the application was built."""
    api_latency: float = 0.0
    """Seconds the emulator adds to each reply method (±20%), like Telegram's round trip."""


API_LATENCY = 0.05
"""A plausible round trip from a server to Telegram's Bot API (tens of ms; often more)."""
REPLY_METHODS = (
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "answerInlineQuery",
    "deleteMessage",
    "sendChatAction",
)
"""Methods the latency applies to; getUpdates is not slowed (a long poll hides it)."""

ECHO = Variant("echo", "echo", rate_limiter=False, api_latency=API_LATENCY)
AS_BUILT = Variant("as_built", "ours", api_latency=API_LATENCY)
SEQUENTIAL = Variant("sequential", "ours", concurrent=1, api_latency=API_LATENCY)
ECHO_CPU = Variant("echo_cpu_bound", "echo", rate_limiter=False)
AS_BUILT_CPU = Variant("as_built_cpu_bound", "ours")


_catalog_cache: list[Any] = []


def shipped_catalog() -> Any:
    """The shipped content, loaded once per bench process (as the bot loads it once)."""
    if not _catalog_cache:
        from bot.catalog.loader import load_catalog

        _catalog_cache.append(load_catalog(CONTENT))
    return _catalog_cache[0]


@dataclass(slots=True)
class Counters:
    """What a round counted besides time: failures (which must be none, or the figures mean
    little) and the database work."""

    errors: int = 0
    flood_dropped: int = 0
    timeouts: int = 0
    warnings: list[str] = field(default_factory=list)
    sql: int = 0
    """SQL statements the bot's store executed (BEGIN included): work, not time."""
    error_samples: list[str] = field(default_factory=list)


def describe(update: object) -> str:
    """What an update was (for error reports): the text, the button data or the inline query."""
    if not isinstance(update, Update):
        return repr(update)[:80]
    if update.callback_query is not None:
        return f"press {update.callback_query.data!r}"
    if update.inline_query is not None:
        return f"inline {update.inline_query.query!r}"
    message = update.effective_message
    return f"text {message.text if message else None!r}"


class _LogCounter(logging.Handler):
    """Counts WARNING+ records (silently: the table is the output) and keeps the first few."""

    def __init__(self, counters: Counters) -> None:
        super().__init__(logging.WARNING)
        self.counters = counters

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.counters.warnings) < 5:
            self.counters.warnings.append(f"{record.name}: {record.getMessage()[:200]}")


@contextlib.contextmanager
def quiet_logs(counters: Counters) -> Iterator[None]:
    """Route warnings to the counter instead of stderr while a round runs."""
    root = logging.getLogger()
    handler = _LogCounter(counters)
    old_level, old_handlers = root.level, root.handlers[:]
    root.handlers = [handler]
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.handlers = old_handlers
        root.setLevel(old_level)


@contextlib.asynccontextmanager
async def running(
    variant: Variant, counters: Counters
) -> AsyncIterator[tuple[Any, Application[Any, Any, Any, Any, Any, Any], Waiters]]:
    """A fresh emulator and a fresh application (with a fresh SQLite file), polling."""
    from bot.sandbox.client import Sandbox
    from bot.sandbox.testing import run_polling

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, quiet_logs(counters):
        async with Sandbox() as tg:
            tg.emulator.configure_flood(enabled=False)
            if variant.api_latency:
                low, high = 0.8 * variant.api_latency, 1.2 * variant.api_latency
                tg.emulator.configure_faults(latency=(low, high), methods=REPLY_METHODS, seed=1)
            if variant.bot == "echo":
                app = echo_application(tg.token, tg.url)
            else:
                app = build_ours(tg, Path(tmp), variant, counters)
            waiters = instrument(app, variant.concurrent)

            async def count_error(update: object, context: Any) -> None:
                counters.errors += 1
                if len(counters.error_samples) < 10:
                    counters.error_samples.append(f"{describe(update)}: {context.error!r}"[:300])

            app.add_error_handler(count_error)
            async with run_polling(app):
                yield tg, app, waiters


def build_ours(
    tg: Any, data_dir: Path, variant: Variant, counters: Counters
) -> Application[Any, Any, Any, Any, Any, Any]:
    """`build_application` as production calls it, with a real SQLite store in `data_dir`.

    The per-user flood gate (1 update/s, bursts of 8) is widened: simulated users are faster
    than people and would otherwise be dropped, which would make the bot look faster. The
    gate's check still runs on every update, so its cost stays in the figures.
    """
    from bot.app import build_application
    from bot.config import Settings
    from bot.flood import FloodGate

    settings = Settings(
        telegram_api_base_url=tg.url,
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'bench.sqlite3'}",
        content_dir=CONTENT,
        log_level="WARNING",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = build_application(
        settings, shipped_catalog(), token=tg.token, rate_limiter=variant.rate_limiter
    )

    class CountingGate(FloodGate):
        def check(self, user_id: int) -> str:
            verdict = super().check(user_id)
            if verdict != "ok":
                counters.flood_dropped += 1
            return verdict

    services = app.bot_data["services"]
    services.flood = CountingGate(rate=1e6, burst=1_000_000)
    services.inline_flood = CountingGate(rate=1e6, burst=1_000_000)

    def count_sql(*_: object) -> None:
        counters.sql += 1

    event.listen(services.store.engine.sync_engine, "before_cursor_execute", count_sql)
    return app


# Simulated users -----------------------------------------------------------------------------


_BROWSING_TAGS = frozenset("h c k o e i f ? r n q ib sa sb sp".split())
"""Route tags a simulated user prefers (browse, onboarding, search suggestions, subscribe):
what people mostly press. Other buttons (settings, language, privacy, /forget) are pressed only
when nothing else is offered."""


def _callback_buttons(data: dict[str, Any]) -> list[str]:
    rows = (data.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b["callback_data"] for row in rows for b in row if b.get("callback_data")]


def _choose(buttons: Sequence[str], rng: random.Random) -> str:
    preferred = [b for b in buttons if b.split(":")[1:2] and b.split(":")[1] in _BROWSING_TAGS]
    return rng.choice(preferred or list(buttons))


def inject_press(tg: Any, user: Any, rng: random.Random) -> None:
    """The user presses a button of the newest bot message that has one (older menus too).

    The same code serves the echo bot, whose messages have no buttons: its user presses a
    home button on the newest message, as a stale client would (the echo just answers).
    """
    from bot.sandbox.objects import message_from_api, to_api
    from bot.sandbox.state import CallbackQueryRecord

    chat = tg.state.chats[user.chat_id]
    newest = None
    data = "1:h"
    for message_id in sorted(chat.messages, reverse=True):
        stored = chat.messages[message_id]
        if not stored.from_bot or stored.deleted:
            continue
        newest = newest or stored
        buttons = _callback_buttons(stored.data)
        if buttons:
            newest, data = stored, _choose(buttons, rng)
            break
    if newest is None:
        raise RuntimeError("nothing to press: the bot never wrote to this user")
    record = CallbackQueryRecord(
        id=tg.state.new_query_id(),
        user_id=user.id,
        data=data,
        chat_id=newest.chat_id,
        message_id=newest.message_id,
        inline_message_id=None,
        created=time.monotonic(),
    )
    tg.state.callback_queries[record.id] = record
    query = telegram.CallbackQuery(
        id=record.id,
        from_user=user.user,
        chat_instance=str(newest.chat_id),
        message=message_from_api(newest.data),
        data=data,
    )
    tg._put("callback_query", to_api(query))


async def send_step(tg: Any, user: Any, step: Step, rng: random.Random) -> None:
    if step.kind == "text":
        await user.send(step.arg)
    elif step.kind == "press":
        inject_press(tg, user, rng)
    else:
        user.inline_query(step.arg)


async def user_loop(
    tg: Any,
    user: Any,
    steps: Sequence[Step],
    waiters: Waiters,
    latencies: list[float],
    counters: Counters,
    *,
    gap: float = 0.0,
) -> None:
    """Closed loop: send one update, wait until the bot has handled it, send the next."""
    rng = random.Random(user.id)
    for step in steps:
        future = waiters.expect(user.id)
        started = time.perf_counter()
        await send_step(tg, user, step, rng)
        try:
            finished = await asyncio.wait_for(future, UPDATE_TIMEOUT)
        except TimeoutError:
            counters.timeouts += 1
            continue
        latencies.append(finished - started)
        if gap:
            await asyncio.sleep(gap)


@dataclass(slots=True)
class RoundResult:
    variant: str
    updates: int
    seconds: float
    api_calls: int
    """Bot API requests made during the load, getUpdates excepted."""
    sql: int
    """SQL statements during the load (0 for the echo bot, which has no database)."""
    cpu_seconds: float
    """CPU time of the whole process (bot, emulator, simulated users; every thread)."""
    latencies_ms: list[float]
    counters: Counters

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_update(self) -> float:
        return 1000 * self.cpu_seconds / self.updates if self.updates else 0.0

    def pct(self, q: float) -> float | None:
        return percentile(self.latencies_ms, q)


def api_calls(tg: Any, since: int) -> int:
    """Requests the bot made since index `since` of the emulator's log, long polls excepted."""
    return sum(1 for r in tg.emulator.requests[since:] if r.method != "getUpdates")


async def load_round(
    variant: Variant,
    users: int,
    steps: int,
    *,
    around_load: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
) -> RoundResult:
    """`users` simulated users, `steps` updates each, all at once; wall time of the whole.

    `around_load` wraps only the load (not start-up or shutdown): the profiler uses it.
    """
    counters = Counters()
    around = around_load or contextlib.nullcontext
    async with running(variant, counters) as (tg, _app, waiters):
        people = [
            tg.user(f"User{i}", language_code=LANGS[i % len(LANGS)], user_id=700_000 + i)
            for i in range(users)
        ]
        scripts = [script(i, steps, LANGS[i % len(LANGS)]) for i in range(users)]
        latencies: list[float] = []
        requests_before, sql_before = len(tg.emulator.requests), counters.sql
        with around():
            started, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(
                *(
                    user_loop(tg, person, steps_, waiters, latencies, counters)
                    for person, steps_ in zip(people, scripts, strict=True)
                )
            )
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        calls = api_calls(tg, requests_before)
    return RoundResult(
        variant.name,
        users * steps,
        seconds,
        calls,
        counters.sql - sql_before,
        cpu,
        [x * 1000 for x in latencies],
        counters,
    )


async def single_user_round(variant: Variant, updates: int) -> RoundResult:
    """One user, one update every SINGLE_USER_GAP seconds: the unloaded service latency."""
    counters = Counters()
    async with running(variant, counters) as (tg, _app, waiters):
        person = tg.user("Solo", language_code="en", user_id=699_999)
        latencies: list[float] = []
        requests_before, sql_before = len(tg.emulator.requests), counters.sql
        started, cpu = time.perf_counter(), time.process_time()
        await user_loop(
            tg, person, script(0, updates, "en"), waiters, latencies, counters, gap=SINGLE_USER_GAP
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        calls = api_calls(tg, requests_before)
    return RoundResult(
        variant.name,
        updates,
        seconds,
        calls,
        counters.sql - sql_before,
        cpu,
        [x * 1000 for x in latencies],
        counters,
    )


# The section ---------------------------------------------------------------------------------


FIGURES = [
    Figure(
        "updates.ratio_vs_echo",
        "ratio",
        "bot updates/s ÷ echo updates/s, same load, Bot API round trip ~50 ms (median of "
        "rounds); the bot as built",
        "≥ 0.9",
    ),
    Figure(
        "updates.p95_ratio_vs_echo",
        "ratio",
        "bot p95 latency ÷ echo p95 latency, same load and round trip (median of rounds)",
        "≤ 1.5",
    ),
    Figure("updates.per_second", "upd/s", "bot: updates handled per second under load"),
    Figure("updates.echo_per_second", "upd/s", "echo bot: updates per second, same load"),
    Figure("updates.p50_ms", "ms", "bot latency under load, update injected → handled, p50"),
    Figure("updates.p95_ms", "ms", "bot latency under load, p95"),
    Figure("updates.p99_ms", "ms", "bot latency under load, p99"),
    Figure("updates.echo_p50_ms", "ms", "echo latency under load, p50"),
    Figure("updates.echo_p95_ms", "ms", "echo latency under load, p95"),
    Figure("updates.echo_p99_ms", "ms", "echo latency under load, p99"),
    Figure("updates.api_calls_per_update", "/upd", "Bot API requests per update (bot)"),
    Figure("updates.echo_api_calls_per_update", "/upd", "Bot API requests per update (echo)"),
    Figure("updates.sql_per_update", "/upd", "SQL statements per update (bot; BEGIN counted)"),
    Figure(
        "updates.sequential_ratio_vs_echo",
        "ratio",
        "throughput ratio, the bot handling one update at a time (PTB's default), same load",
    ),
    Figure(
        "updates.sequential_p95_ratio_vs_echo",
        "ratio",
        "p95 latency ratio, the bot handling one update at a time",
    ),
    Figure("updates.sequential_per_second", "upd/s", "updates/s, one update at a time"),
    Figure(
        "updates.cpu_bound_ratio_vs_echo",
        "ratio",
        "throughput ratio with a Bot API that answers at once: CPU-bound, bot + emulator + "
        "users on one core",
    ),
    Figure(
        "updates.cpu_bound_p95_ratio_vs_echo", "ratio", "p95 latency ratio, the same CPU-bound load"
    ),
    Figure("updates.cpu_bound_per_second", "upd/s", "bot: updates per second, CPU-bound"),
    Figure("updates.cpu_bound_echo_per_second", "upd/s", "echo: updates per second, CPU-bound"),
    Figure("updates.cpu_ms_per_update", "ms", "process CPU per update (bot + emulator + users)"),
    Figure("updates.echo_cpu_ms_per_update", "ms", "the same for the echo bot"),
    Figure("updates.cpu_ratio_vs_echo", "ratio", "CPU per update ÷ echo's (least noisy figure)"),
    Figure("updates.single_p50_ms", "ms", "bot latency, one user alone, Bot API at once, p50"),
    Figure("updates.single_p95_ms", "ms", "bot latency, one user alone, p95"),
    Figure("updates.echo_single_p50_ms", "ms", "echo latency, one user alone, p50"),
    Figure("updates.single_p50_ratio_vs_echo", "ratio", "one-user p50 latency ÷ echo's"),
    Figure("updates.count", "count", "updates per round (users × steps), round trip ~50 ms"),
    Figure("updates.users", "count", "simulated users, one open update each"),
    Figure("updates.errors", "count", "handler errors in the bot's rounds (should be 0)"),
    Figure("updates.lost", "count", f"updates not handled within {UPDATE_TIMEOUT:.0f} s"),
]


def _paired(
    f: dict[str, float | None], prefix: str, mine: list[RoundResult], echo: list[RoundResult]
) -> None:
    """Throughput and p95 ratios of rounds measured in alternation (median over the pairs)."""
    pairs = list(zip(mine, echo, strict=True))
    f[f"updates.{prefix}ratio_vs_echo"] = median(
        ratio(m.per_second, e.per_second) for m, e in pairs
    )
    f[f"updates.{prefix}p95_ratio_vs_echo"] = median(
        ratio(m.pct(0.95), e.pct(0.95)) for m, e in pairs
    )
    f[f"updates.{prefix}per_second"] = median(m.per_second for m in mine)


@section("updates", "update throughput and latency vs a bare echo bot", FIGURES)
async def run_updates(scale: Scale) -> Outcome:
    users, steps = scale.users, scale.steps
    out = Outcome()
    # Warm-up, not measured: imports, template compilation, the first connections.
    await load_round(ECHO_CPU, min(users, 10), 3)
    await load_round(AS_BUILT_CPU, min(users, 10), 3)

    echo_rounds: list[RoundResult] = []
    bot_rounds: list[RoundResult] = []
    sequential: list[RoundResult] = []
    for i in range(scale.rounds):  # alternate, so drift on the machine hits both alike
        echo_rounds.append(await load_round(ECHO, users, steps))
        bot_rounds.append(await load_round(AS_BUILT, users, steps))
        if i < scale.variant_rounds:
            sequential.append(await load_round(SEQUENTIAL, users, steps))
    f = out.figures
    _paired(f, "", bot_rounds, echo_rounds)
    _paired(f, "sequential_", sequential, echo_rounds[: len(sequential)])
    f["updates.echo_per_second"] = median(e.per_second for e in echo_rounds)
    for q, label in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
        f[f"updates.{label}_ms"] = median(b.pct(q) for b in bot_rounds)
        f[f"updates.echo_{label}_ms"] = median(e.pct(q) for e in echo_rounds)
    f["updates.api_calls_per_update"] = median(b.api_calls / b.updates for b in bot_rounds)
    f["updates.echo_api_calls_per_update"] = median(e.api_calls / e.updates for e in echo_rounds)
    f["updates.sql_per_update"] = median(b.sql / b.updates for b in bot_rounds)

    cpu_echo: list[RoundResult] = []
    cpu_bot: list[RoundResult] = []
    for _ in range(scale.variant_rounds):
        cpu_echo.append(await load_round(ECHO_CPU, scale.cpu_users, scale.cpu_steps))
        cpu_bot.append(await load_round(AS_BUILT_CPU, scale.cpu_users, scale.cpu_steps))
    _paired(f, "cpu_bound_", cpu_bot, cpu_echo)
    f["updates.cpu_bound_echo_per_second"] = median(e.per_second for e in cpu_echo)
    f["updates.cpu_ms_per_update"] = median(b.cpu_ms_per_update for b in cpu_bot)
    f["updates.echo_cpu_ms_per_update"] = median(e.cpu_ms_per_update for e in cpu_echo)
    f["updates.cpu_ratio_vs_echo"] = median(
        ratio(b.cpu_ms_per_update, e.cpu_ms_per_update)
        for b, e in zip(cpu_bot, cpu_echo, strict=True)
    )

    solo_echo = await single_user_round(ECHO_CPU, scale.latency_updates)
    solo_bot = await single_user_round(AS_BUILT_CPU, scale.latency_updates)
    f["updates.single_p50_ms"] = solo_bot.pct(0.5)
    f["updates.single_p95_ms"] = solo_bot.pct(0.95)
    f["updates.echo_single_p50_ms"] = solo_echo.pct(0.5)
    f["updates.single_p50_ratio_vs_echo"] = ratio(solo_bot.pct(0.5), solo_echo.pct(0.5))

    ours = [*bot_rounds, *sequential, *cpu_bot, solo_bot]
    everything = [*echo_rounds, *cpu_echo, solo_echo, *ours]
    f["updates.count"] = float(users * steps)
    f["updates.users"] = float(users)
    f["updates.errors"] = float(sum(r.counters.errors for r in ours))
    f["updates.lost"] = float(sum(r.counters.timeouts for r in everything))
    dropped = sum(r.counters.flood_dropped for r in ours)
    if dropped:
        out.notes.append(f"the widened flood gate still dropped {dropped} updates")
    warnings = [w for r in ours for w in r.counters.warnings]
    errors = [e for r in ours for e in r.counters.error_samples]
    if errors:
        total = int(out.figures["updates.errors"] or 0)
        out.notes.append(f"{total} handler errors (examples in details); first: {errors[0]}")
    elif warnings:
        out.notes.append(f"the bot logged warnings; first: {warnings[0]}")
    out.details = {
        "mix_per_round": mix(users, steps),
        "rounds": [_round_details(r) for r in everything],
        "warnings": warnings[:5],
        "errors": errors[:10],
    }
    return out


def _round_details(r: RoundResult) -> dict[str, Any]:
    return {
        "variant": r.variant,
        "updates": r.updates,
        "seconds": round(r.seconds, 3),
        "per_second": round(r.per_second, 2),
        "cpu_ms_per_update": round(r.cpu_ms_per_update, 3),
        "api_calls_per_update": round(r.api_calls / r.updates, 3),
        "sql_per_update": round(r.sql / r.updates, 3),
        "p50_ms": _r(r.pct(0.5)),
        "p95_ms": _r(r.pct(0.95)),
        "p99_ms": _r(r.pct(0.99)),
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
