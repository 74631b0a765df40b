"""Broadcast figures: our sender against a plain PTB loop, on the emulator, in the same run.

Both send one message to each of the same number of recipients, with the emulator enforcing
Telegram's limits (flood control on, its global limit equal to the configured rate), so:

- `rate_ratio`: the rate our sender achieved ÷ `RATE` (goal ≥ 0.95);
- `lost` / `duplicated`: recipients with no message / extra messages (goal 0 / 0);
- `provoked_429`: 429s the emulator's flood control answered our sender (goal 0: it paces
  itself under Telegram's limits instead of learning them from 429s);
- `baseline_rate_ratio`: the same ratio for a plain `for chat in chats: send_message` loop
  behind PTB's `AIORateLimiter`, measured right after ours.

`measure(quick)` is called by the bench's runner (`bench/`, owned by its section code).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from telegram.ext import AIORateLimiter, ExtBot

from bot.broadcast import outbox
from bot.broadcast.audience import Audience
from bot.broadcast.lease import lease_for
from bot.broadcast.runtime import sender_bot
from bot.broadcast.sender import BroadcastSender, SenderConfig
from bot.catalog.catalog import Catalog
from bot.sandbox.client import Sandbox
from bot.store import Store
from bot.store.models import Chat, Subscription, User, utcnow

RATE = 30.0
"""Telegram's free broadcast rate (messages per second per bot), for ours and the baseline."""
FIRST_ID = 8_500_000_000
TEXT = "Workforce Pathways bench: the Trilateral Forum opens registration today."

Figures = dict[str, float | int | None]


def _flood(tg: Sandbox) -> None:
    """Telegram's limits: RATE/s overall with a burst of RATE, about 1/s per private chat."""
    tg.configure_flood(
        enabled=True,
        global_per_sec=RATE,
        global_burst=int(RATE),
        private_per_sec=1,
        private_burst=1,
    )


def _recipients(tg: Sandbox, n: int) -> list[int]:
    ids = [FIRST_ID + i for i in range(n)]
    for uid in ids:
        tg.state.add_user(f"R{uid}", user_id=uid)
    return ids


def _sends(tg: Sandbox, ids: list[int]) -> tuple[float, int, int, int]:
    """(achieved rate, lost, duplicated, 429s from flood control) from the emulator's log."""
    wanted = {str(uid) for uid in ids}
    ok = sorted(
        r.started
        for r in tg.requests
        if r.method == "sendMessage" and r.status == 200 and str(r.params.get("chat_id")) in wanted
    )
    provoked = sum(
        1 for r in tg.requests if r.method == "sendMessage" and r.status == 429 and r.fault is None
    )
    counts = [sum(1 for m in tg.state.chats[uid].messages.values() if m.from_bot) for uid in ids]
    rate = (len(ok) - 1) / (ok[-1] - ok[0]) if len(ok) > 1 and ok[-1] > ok[0] else 0.0
    lost = sum(1 for c in counts if c == 0)
    duplicated = sum(c - 1 for c in counts if c > 1)
    return rate, lost, duplicated, provoked


async def _ours(n: int, folder: Path) -> tuple[float, int, int, int]:
    async with Sandbox() as tg:
        ids = _recipients(tg, n)
        store = Store.from_url(f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}")
        await store.start()
        now = utcnow()
        async with store.transaction() as session:
            rows = [
                {"id": uid, "language": "en", "created_at": now, "last_seen": now, "blocked": False}
                for uid in ids
            ]
            await session.execute(User.__table__.insert(), rows)
            chats = [
                {"id": uid, "type": "private", "created_at": now, "blocked": False} for uid in ids
            ]
            await session.execute(Chat.__table__.insert(), chats)
            subs = [{"chat_id": uid, "topic": "forums", "created_at": now} for uid in ids]
            await session.execute(Subscription.__table__.insert(), subs)
        config = replace(SenderConfig(rate=RATE), poll_interval=0.05)
        bot = sender_bot(tg.token, tg.url, config)
        await bot.initialize()
        sender = BroadcastSender(store, bot, lease_for(store.engine), Catalog.build, config)
        _flood(tg)
        async with store.transaction() as session:
            bid = await outbox.create(
                session, audience=Audience.of_topics(["forums"]), texts={"en": TEXT}
            )
            await outbox.queue(session, bid, now=now)
        sender.start()
        try:
            deadline = time.monotonic() + n / RATE * 3 + 30
            while time.monotonic() < deadline:
                async with store.readers() as session:
                    row = await outbox.get(session, bid)
                if row is not None and row.finished_at is not None:
                    break
                await asyncio.sleep(0.1)
        finally:
            await sender.stop()
            await bot.shutdown()
            await store.close()
        return _sends(tg, ids)


async def _baseline(n: int) -> tuple[float, int, int, int]:
    async with Sandbox() as tg:
        ids = _recipients(tg, n)
        _flood(tg)
        bot: ExtBot[None] = ExtBot(
            tg.token,
            base_url=tg.base_url,
            base_file_url=tg.base_file_url,
            rate_limiter=AIORateLimiter(max_retries=3),
        )
        async with bot:
            for uid in ids:
                await bot.send_message(uid, TEXT)
        return _sends(tg, ids)


async def measure(quick: bool) -> Figures:
    """Ours, then the baseline, on the same number of recipients (150 quick, 900 full)."""
    n = 150 if quick else 900
    with tempfile.TemporaryDirectory() as folder:
        rate, lost, duplicated, provoked = await _ours(n, Path(folder))
    base_rate, _, _, _ = await _baseline(n)
    return {
        "rate_ratio": round(rate / RATE, 3),
        "lost": lost,
        "duplicated": duplicated,
        "provoked_429": provoked,
        "baseline_rate_ratio": round(base_rate / RATE, 3),
    }


if __name__ == "__main__":
    import sys

    print(asyncio.run(measure("--full" not in sys.argv)))
