"""Start-up time and peak memory of the real process, `python -m bot run`, on the emulator.

The emulator runs in the bench process; the bot is spawned exactly as an operator would run it
(environment variables only, its own working directory so no `.env` is read), and a user sends
`/start` the moment the process is spawned — the update waits in the emulator like it would in
Telegram. Start-up time is spawn → the bot's answer observed by the emulator, which covers the
interpreter, imports, loading and indexing the content, migrations, `post_init` (the command
lists) and the first update. Peak RSS is `VmHWM` from `/proc/<pid>/status` just before SIGTERM;
the bot must then exit 0 by itself.

Baselines from the same run: a bare PTB echo bot started the same way (`python -m bench.echo`),
and `python -c "import telegram"`. Databases: empty (schema only), 100,000 users with their
private chats and subscriptions bulk-inserted by the bench, and none at all (first start).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.core import CONTENT, ROOT, Figure, Outcome, Scale, median, ratio, section

SPAWN_TIMEOUT = 90.0
"""Seconds for a process to answer its first update (a loaded CI machine is slow)."""
EXIT_TIMEOUT = 30.0
BATCH = 10_000
"""Rows per executemany: big enough to be fast, small enough to keep memory flat."""
OUR_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "DATA_DIR",
    "DATABASE_URL",
    "ADMIN_IDS",
    "DEFAULT_LANGUAGE",
    "CONTENT_DIR",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "BOT_USERNAME",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "BROADCAST_RATE",
)


def sqlite_url(data_dir: Path) -> str:
    from bot.store.engine import SQLITE_FILE

    return f"sqlite+aiosqlite:///{(data_dir / SQLITE_FILE).resolve()}"


def _topics() -> list[str]:
    """Every kind of stored topic key, built by the store's own `Topic` (so they are valid)."""
    from bot.catalog.models import Country, ProgramKind
    from bot.store.topics import Topic

    keys = [Topic.forums().key]
    keys += [Topic.of_country(c).key for c in Country]
    keys += [Topic.of_kind(k).key for k in ProgramKind]
    keys += [Topic.of_kind(k, c).key for k in ProgramKind for c in Country]
    return keys


async def seed_database(url: str, users: int, *, seed: int = 0) -> dict[str, int]:
    """Create the schema (the store's own migrations), then bulk-insert `users` users, their
    private chats and 1–3 subscriptions each, with SQLAlchemy core executemany batches."""
    from sqlalchemy import insert

    from bot.routes import COUNTRY_CHOICES, LANGS, ROLES
    from bot.store import Store
    from bot.store.models import Chat, Subscription, User

    store = Store.from_url(url)
    try:
        await store.start()
        rng = random.Random(seed)
        topics = _topics()
        now = datetime.now(UTC)
        counts = {"users": 0, "chats": 0, "subscriptions": 0}
        for start in range(0, users, BATCH):
            ids = range(1_000_000 + start, 1_000_000 + min(users, start + BATCH))
            user_rows: list[dict[str, Any]] = []
            chat_rows: list[dict[str, Any]] = []
            sub_rows: list[dict[str, Any]] = []
            for ident in ids:
                lang = rng.choice(LANGS)
                blocked = rng.random() < 0.02
                user_rows.append(
                    {
                        "id": ident,
                        "language": lang,
                        "role": rng.choice(ROLES),
                        "country": rng.choice(COUNTRY_CHOICES),
                        "interests": None,
                        "created_at": now,
                        "last_seen": now,
                        "blocked": blocked,
                        "blocked_at": now if blocked else None,
                    }
                )
                chat_rows.append(
                    {
                        "id": ident,
                        "type": "private",
                        "title": None,
                        "language": lang,
                        "subscribed_by": ident,
                        "created_at": now,
                        "blocked": blocked,
                        "blocked_at": now if blocked else None,
                    }
                )
                for topic in rng.sample(topics, rng.randint(1, 3)):
                    sub_rows.append({"chat_id": ident, "topic": topic, "created_at": now})
            async with store.engine.begin() as conn:
                await conn.execute(insert(User), user_rows)
                await conn.execute(insert(Chat), chat_rows)
                await conn.execute(insert(Subscription), sub_rows)
            counts["users"] += len(user_rows)
            counts["chats"] += len(chat_rows)
            counts["subscriptions"] += len(sub_rows)
        return counts
    finally:
        await store.close()


@dataclass(slots=True)
class Spawned:
    """One process from spawn to exit."""

    first_answer_s: float | None
    peak_rss_mb: float | None
    exit_code: int | None
    shutdown_s: float | None
    log_tail: str


def _environment(tg: Any, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    env.update(
        TELEGRAM_BOT_TOKEN=tg.token,
        TELEGRAM_API_BASE_URL=tg.url,
        DATA_DIR=str(data_dir),
        DATABASE_URL=sqlite_url(data_dir),
        CONTENT_DIR=str(CONTENT),
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def peak_rss_mb(pid: int) -> float | None:
    """`VmHWM` (peak resident set) of a live process, in MiB; None where /proc is absent."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


async def spawn_and_time(module: str, data_dir: Path) -> Spawned:
    """Spawn `python -m <module>`, send /start at once, time the answer, then SIGTERM it."""
    from bot.sandbox.client import Sandbox
    from bot.sandbox.errors import SandboxTimeout

    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    log_path = data_dir / f"{module.replace('.', '_')}.log"
    async with Sandbox() as tg:
        tg.emulator.configure_flood(enabled=False)
        user = tg.user("Starter", language_code="en", user_id=5_000_000)
        with log_path.open("wb") as log:
            started = time.perf_counter()
            args = [sys.executable, "-m", module] + (["run"] if module == "bot" else [])
            proc = await asyncio.create_subprocess_exec(
                *args,
                cwd=data_dir,
                env=_environment(tg, data_dir),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
            await user.send("/start")
            answered: float | None = None
            with contextlib.suppress(SandboxTimeout):
                await user.wait_message(timeout=SPAWN_TIMEOUT)
                answered = time.perf_counter() - started
            rss = peak_rss_mb(proc.pid)
            stopping = time.perf_counter()
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                code: int | None = await asyncio.wait_for(proc.wait(), EXIT_TIMEOUT)
                shutdown: float | None = time.perf_counter() - stopping
            except TimeoutError:
                proc.kill()
                await proc.wait()
                code, shutdown = None, None
    tail = log_path.read_text(errors="replace")[-2000:]
    return Spawned(answered, rss, code, shutdown, tail)


async def import_telegram_seconds() -> float:
    """The floor of any PTB bot's start-up: an interpreter that imports `telegram`."""
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import telegram")
    await proc.wait()
    return time.perf_counter() - started


FIGURES = [
    Figure("startup.seconds", "s", "spawn → first /start answered; empty database (schema only)"),
    Figure("startup.seconds_100k_users", "s", "the same with 100,000 users + subscriptions"),
    Figure("startup.seconds_no_database", "s", "the same on first start (creates the database)"),
    Figure("startup.echo_seconds", "s", "baseline: bare PTB echo bot, spawn → first answer"),
    Figure("startup.ratio_vs_echo", "ratio", "startup.seconds ÷ echo's"),
    Figure("startup.import_telegram_seconds", "s", "baseline: python -c 'import telegram'"),
    Figure("startup.ratio_vs_import_telegram", "ratio", "startup.seconds ÷ import telegram"),
    Figure("startup.shutdown_seconds", "s", "SIGTERM → exit (empty database)"),
    Figure("startup.unclean_exits", "count", "bot runs that did not exit 0 after SIGTERM"),
    Figure("startup.seed_seconds_100k", "s", "bench: bulk-inserting the 100k users (not the bot)"),
    Figure("memory.rss_mb_empty", "MiB", "peak RSS (VmHWM) after the first answer, empty db"),
    Figure("memory.rss_mb_100k_users", "MiB", "peak RSS after the first answer, 100k users"),
    Figure("memory.echo_rss_mb", "MiB", "baseline: peak RSS of the echo bot"),
    Figure("memory.ratio_vs_echo", "ratio", "memory.rss_mb_100k_users ÷ echo's"),
]


@section("startup", "start-up time and peak memory of `python -m bot run`", FIGURES)
async def run_startup(scale: Scale) -> Outcome:
    out = Outcome()
    f = out.figures
    runs: dict[str, list[Spawned]] = {"echo": [], "empty": [], "big": [], "none": []}
    imports: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        root = Path(tmp)
        empty, big = root / "empty", root / "big"
        await seed_database(sqlite_url(empty), 0)
        started = time.perf_counter()
        counts = await seed_database(sqlite_url(big), scale.startup_users)
        f["startup.seed_seconds_100k"] = time.perf_counter() - started
        for n in range(scale.startup_runs):  # interleaved, so drift hits every kind alike
            imports.append(await import_telegram_seconds())
            runs["echo"].append(await spawn_and_time("bench.echo", root / f"echo{n}"))
            runs["empty"].append(await spawn_and_time("bot", empty))
            runs["big"].append(await spawn_and_time("bot", big))
            runs["none"].append(await spawn_and_time("bot", root / f"none{n}"))
    first = {kind: median(s.first_answer_s for s in spawned) for kind, spawned in runs.items()}
    rss = {kind: median(s.peak_rss_mb for s in spawned) for kind, spawned in runs.items()}
    f["startup.seconds"] = first["empty"]
    f["startup.seconds_100k_users"] = first["big"]
    f["startup.seconds_no_database"] = first["none"]
    f["startup.echo_seconds"] = first["echo"]
    f["startup.ratio_vs_echo"] = ratio(first["empty"], first["echo"])
    f["startup.import_telegram_seconds"] = median(imports)
    f["startup.ratio_vs_import_telegram"] = ratio(first["empty"], median(imports))
    f["startup.shutdown_seconds"] = median(s.shutdown_s for s in runs["empty"])
    ours = [s for kind in ("empty", "big", "none") for s in runs[kind]]
    f["startup.unclean_exits"] = float(sum(1 for s in ours if s.exit_code != 0))
    f["memory.rss_mb_empty"] = rss["empty"]
    f["memory.rss_mb_100k_users"] = rss["big"]
    f["memory.echo_rss_mb"] = rss["echo"]
    f["memory.ratio_vs_echo"] = ratio(rss["big"], rss["echo"])
    if scale.startup_users != 100_000:
        out.notes.append(f"the '100k' figures are on {scale.startup_users:,} users in this mode")
    for kind, spawned in runs.items():
        for s in spawned:
            if s.first_answer_s is None or s.exit_code != 0:
                out.notes.append(
                    f"{kind}: answered={s.first_answer_s} exit={s.exit_code}; "
                    f"log: {s.log_tail.strip()[-300:]}"
                )
                break
    out.details = {
        "seeded": counts,
        "runs": {
            kind: [
                {
                    "first_answer_s": s.first_answer_s,
                    "peak_rss_mb": s.peak_rss_mb,
                    "exit_code": s.exit_code,
                    "shutdown_s": s.shutdown_s,
                }
                for s in spawned
            ]
            for kind, spawned in runs.items()
        },
    }
    return out
