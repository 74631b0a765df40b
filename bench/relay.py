""" "Ask a person": messages relayed per second through the emulator, and SQL per message.

Setup (not timed): a staff forum, `users` people who each sent /ask (one topic each). Then,
timed: every person sends `steps` messages, all at once, and waits until each copy is in their
topic; then staff answer each person `steps` times in their topic and wait until each copy
reached the person. The baseline, in the same run and on the same emulator, is the cheapest
possible relay: a bare PTB Application (same concurrency) whose only handler copies each
private message into one fixed topic, with no database, no state and no checks. Both count
only copies that arrived.

Telegram itself lets a bot post about 20 messages a minute in one group, so a real staff chat
is capped far below these figures (the production rate limiter keeps to it); the figures say
what the bot's own work costs, with the rate limiter off in both.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.core import CONTENT, Figure, Outcome, Scale, median, ratio, section

FIGURES = [
    Figure(
        "relay.to_staff_per_second",
        "msg/s",
        "user → staff topic: copies per second (bot, rate limiter off)",
    ),
    Figure(
        "relay.to_user_per_second",
        "msg/s",
        "staff topic → user: copies per second (bot, rate limiter off)",
    ),
    Figure(
        "relay.baseline_per_second",
        "msg/s",
        "a bare copyMessage relay (no database, no checks), same load",
    ),
    Figure(
        "relay.ratio_vs_baseline",
        "ratio",
        "user → staff copies/s ÷ the bare relay's (median of rounds)",
        "≥ 0.5",
    ),
    Figure("relay.sql_per_message_to_staff", "count", "SQL statements per relayed user message"),
    Figure("relay.sql_per_message_to_user", "count", "SQL statements per relayed staff answer"),
]


def _sizes(scale: Scale) -> tuple[int, int, int]:
    """(people, messages each, rounds)."""
    return {"tiny": (3, 2, 1), "quick": (20, 5, 2), "full": (40, 10, 3)}[scale.mode]


@contextlib.asynccontextmanager
async def _ours(tg: Any, forum: Any, data_dir: Path, sql: list[int]) -> AsyncIterator[Any]:
    from bot.app import build_application
    from bot.catalog.loader import load_catalog
    from bot.config import Settings
    from bot.flood import FloodGate
    from bot.sandbox.testing import run_polling

    settings = Settings(
        telegram_api_base_url=tg.url,
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'relay.sqlite3'}",
        content_dir=CONTENT,
        staff_chat_id=forum.id,
        log_level="WARNING",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = build_application(settings, load_catalog(CONTENT), token=tg.token, rate_limiter=False)
    services = app.bot_data["services"]
    services.flood = FloodGate(rate=1e6, burst=1_000_000)
    services.relay.flood = FloodGate(rate=1e6, burst=1_000_000)

    def count(*_: object) -> None:
        sql[0] += 1

    event.listen(services.store.engine.sync_engine, "before_cursor_execute", count)
    async with run_polling(app):
        yield app


@contextlib.asynccontextmanager
async def _baseline(tg: Any, forum_id: int, thread_id: int) -> AsyncIterator[Any]:
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    from bot.sandbox.testing import run_polling

    async def copy(update: Any, context: Any) -> None:
        message = update.effective_message
        await context.bot.copy_message(
            forum_id, message.chat_id, message.message_id, message_thread_id=thread_id
        )

    app = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(f"{tg.url}/bot")
        .base_file_url(f"{tg.url}/file/bot")
        .concurrent_updates(8)
        .build()
    )
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, copy))
    async with run_polling(app):
        yield app


async def _burst(tg: Any, sends: list[tuple[Any, dict[str, Any]]], expect: int) -> float:
    """Send everything at once; seconds until `expect` new bot messages exist."""
    before = len(tg.state.events)
    started = time.perf_counter()
    await asyncio.gather(
        *(person.send("a question about programs", **where) for person, where in sends)
    )

    def arrived() -> bool:
        return sum(1 for e in tg.state.events[before:] if e.kind == "sent") >= expect

    await tg._wait_for(arrived, 120.0, f"{expect} relayed copies")
    return time.perf_counter() - started


async def _round(scale: Scale) -> dict[str, float]:
    from bot.sandbox.client import Sandbox
    from bot.store import staff as threads

    people_count, steps, _ = _sizes(scale)
    sent = people_count * steps
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-relay-") as tmp:
        async with Sandbox() as tg:
            tg.emulator.configure_flood(enabled=False)
            staff = tg.user("Staff")
            forum = tg.forum("Program staff", admins=[staff])
            people = [tg.user(f"P{i}") for i in range(people_count)]
            sql = [0]
            async with _ours(tg, forum, Path(tmp), sql) as app:
                for person in people:
                    await person.send("/ask")
                await tg.wait_idle()
                topics: dict[int, int | None] = {}
                async with app.bot_data["services"].store.readers() as session:
                    for person in people:
                        thread = await threads.get(session, person.id)
                        assert thread is not None, "every person asked"
                        topics[person.id] = thread.thread_id
                sql[0] = 0
                # each person's first message of a turn also gets "sent to the team"
                seconds = await _burst(
                    tg, [(p, {}) for p in people for _ in range(steps)], sent + people_count
                )
                figures["to_staff"] = sent / seconds
                await tg.wait_idle()
                figures["sql_to_staff"] = sql[0] / sent
                sql[0] = 0
                answers = [
                    (staff, {"chat": forum, "thread": topics[p.id]})
                    for p in people
                    for _ in range(steps)
                ]
                # each person's first answer of a turn comes after "a person answered"
                seconds = await _burst(tg, answers, sent + people_count)
                figures["to_user"] = sent / seconds
                await tg.wait_idle()
                figures["sql_to_user"] = sql[0] / sent
        async with Sandbox() as tg:
            tg.emulator.configure_flood(enabled=False)
            staff = tg.user("Staff")
            forum = tg.forum("Program staff", admins=[staff])
            thread_id = forum.create_topic("relay", by=staff)
            people = [tg.user(f"P{i}") for i in range(people_count)]
            async with _baseline(tg, forum.id, thread_id):
                seconds = await _burst(tg, [(p, {}) for p in people for _ in range(steps)], sent)
                figures["baseline"] = sent / seconds
    return figures


@section("relay", "Ask a person: relay throughput and SQL per message", FIGURES)
async def run_relay(scale: Scale) -> Outcome:
    rounds = [await _round(scale) for _ in range(_sizes(scale)[2])]
    out = Outcome()
    out.figures["relay.to_staff_per_second"] = median(r["to_staff"] for r in rounds)
    out.figures["relay.to_user_per_second"] = median(r["to_user"] for r in rounds)
    out.figures["relay.baseline_per_second"] = median(r["baseline"] for r in rounds)
    out.figures["relay.ratio_vs_baseline"] = median(
        ratio(r["to_staff"], r["baseline"]) for r in rounds
    )
    out.figures["relay.sql_per_message_to_staff"] = median(r["sql_to_staff"] for r in rounds)
    out.figures["relay.sql_per_message_to_user"] = median(r["sql_to_user"] for r in rounds)
    out.notes.append(
        "relay figures have the rate limiter off; Telegram caps one group at ~20 messages a minute"
    )
    return out
