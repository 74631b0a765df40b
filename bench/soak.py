"""A fuzz soak: ≥ 10,000 random updates of every kind through the real Application.

`python -m bench --only soak` (not part of the default run: a few minutes). The same
invariants as `tests/e2e/test_fuzz.py`, at a scale the test suite can't afford: no exception
reaches PTB's error handlers, every private message from a person gets an answer, every
button press is answered, and the strict emulator accepts every request the bot makes (so
every answer is within Telegram's limits). The updates come from a seeded generator (the run
is reproducible: `SEED`), 20 people writing in five Telegram languages, in private, in a group
and in inline mode, with texts from emoji to HTML soup to 2,700-character walls. It found that
a group waiting for Telegram's group limit stalled every member's private chat (`bot.ordering`).
"""

from __future__ import annotations

import random
import string
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.core import CONTENT, Figure, Outcome, Scale, section

SEED = 20261203
FIGURES = [
    Figure("soak.updates", "count", "random updates sent to the bot", "≥ 10000"),
    Figure("soak.unhandled_errors", "count", "exceptions that reached PTB's error handlers", "0"),
    Figure("soak.rejected_requests", "count", "bot requests the strict emulator refused", "0"),
    Figure("soak.unanswered_people", "count", "people who wrote in private and got nothing", "0"),
    Figure("soak.unanswered_callbacks", "count", "button presses never answered", "0"),
    Figure("soak.updates_per_second", "upd/s", "throughput over the whole soak (SQLite)"),
]
ROUTES = ["1:h", "1:c:mx", "1:k:ca:ce:0", "1:i:red-seal", "1:is:red-seal:w", "1:f", "1:s", "1:ak"]
COMMANDS = [
    "/start",
    "/help",
    "/forums",
    "/settings",
    "/language",
    "/search",
    "/fit",
    "/privacy",
    "/start red-seal",
    "/start country_mx",
    "/start ../../etc",
    "/search dual",
    "/nonsense",
]
SOUP = ["<b>", "</b>", "<div>", "&", "&amp;", "<a href='x'>", "<", ">", "x", " ", "🎓", "é"]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _sizes(scale: Scale) -> int:
    return {"tiny": 300, "quick": 2_000, "full": 10_000}[scale.mode]


def _text(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.3:
        alphabet = string.ascii_letters + "áéíóúñç¿¡ 🎓👷‍♀️🇲🇽<>&'\""
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120))).strip() or "x"
    if pick < 0.45:
        return "".join(rng.choice(SOUP) for _ in range(rng.randint(1, 30))).strip() or "x"
    if pick < 0.5:
        n = rng.randint(1000, 2700)
        return ("é🎓 " * n)[:n].strip()
    words = ["red seal", "dual", "soldadura", "apprentissage", "hola", "merci", "nursing", "visa"]
    return " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))


def _data(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.6:
        return rng.choice(ROUTES)
    if pick < 0.8:
        route = rng.choice(ROUTES)
        return route[: rng.randint(1, len(route))]
    return "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 64)))


async def _soak(count: int) -> dict[str, float]:
    from bot.app import build_application
    from bot.catalog.loader import load_catalog
    from bot.config import Settings
    from bot.flood import FloodGate
    from bot.sandbox.client import Sandbox
    from bot.sandbox.testing import run_polling

    rng = random.Random(SEED)
    errors: list[BaseException] = []
    private: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        async with Sandbox() as tg:
            settings = Settings(
                telegram_api_base_url=tg.url,
                data_dir=Path(tmp),
                content_dir=CONTENT,
                log_level="WARNING",
                _env_file=None,  # type: ignore[call-arg]
            )
            # PTB's rate limiter off: with it the ~1,000 group commands wait out Telegram's 20
            # messages a minute per group (~50 minutes). A quick run with it on (2,069 updates):
            # 0 errors, 0 unanswered; that the wait slows only the group is a test
            # (tests/e2e/test_robustness.py).
            app = build_application(
                settings, load_catalog(CONTENT), token=tg.token, rate_limiter=False
            )
            services = app.bot_data["services"]
            services.flood = FloodGate(rate=1e6, burst=1_000_000)
            services.inline_flood = FloodGate(rate=1e6, burst=1_000_000)

            async def record(update: object, context: Any) -> None:
                errors.append(context.error)

            app.add_error_handler(record)
            started = time.perf_counter()
            async with run_polling(app):
                langs = ["en", "es", "fr", None, "pt-BR"]
                users = [tg.user(f"U{i}", language_code=langs[i % 5]) for i in range(20)]
                group = tg.group("Soak group", members=users, admins=users[:2])
                for i in range(count):
                    user = rng.choice(users)
                    kind = rng.random()
                    if kind < 0.4:
                        await user.send(_text(rng) if rng.random() < 0.7 else rng.choice(COMMANDS))
                        private.add(user.id)
                    elif kind < 0.65:
                        mine = tg.messages(user.chat_id)
                        if mine:
                            await user.press(mine[-1], data=_data(rng), chat=user.chat_id)
                        else:
                            await user.send("/start")
                            private.add(user.id)
                    elif kind < 0.8:
                        user.inline_query(_text(rng)[:256])
                    elif kind < 0.9:
                        await user.send(rng.choice([_text(rng), *COMMANDS]), chat=group)
                    elif kind < 0.95:
                        sent = await user.send("first version")
                        private.add(user.id)
                        await user.edit(sent, _text(rng))
                    else:
                        await user.send_photo(PNG, caption=_text(rng)[:200])
                        private.add(user.id)
                    if i % 200 == 199:
                        await tg.wait_idle(timeout=60)
                await tg.wait_idle(timeout=120)
            seconds = time.perf_counter() - started
            rejected = [
                r
                for r in tg.requests
                if r.status >= 400
                and r.method.lower() != "getupdates"
                and "message is not modified" not in (r.description or "")
                and "query is too old" not in (r.description or "")
            ]
            unanswered = [uid for uid in private if not tg.messages(uid)]
            return {
                "updates": float(len(tg.updates)),
                "errors": float(len(errors)),
                "rejected": float(len(rejected)),
                "unanswered": float(len(unanswered)),
                "callbacks": float(len(tg.unanswered_callbacks)),
                "rate": len(tg.updates) / seconds,
                "samples": [f"{r.method} {r.status} {r.description}" for r in rejected[:5]]
                + [repr(e)[:200] for e in errors[:5]],  # type: ignore[dict-item]
            }


@section("soak", "Fuzz soak: random updates through the real Application", FIGURES, default=False)
async def run_soak(scale: Scale) -> Outcome:
    result = await _soak(_sizes(scale))
    out = Outcome()
    out.figures["soak.updates"] = result["updates"]
    out.figures["soak.unhandled_errors"] = result["errors"]
    out.figures["soak.rejected_requests"] = result["rejected"]
    out.figures["soak.unanswered_people"] = result["unanswered"]
    out.figures["soak.unanswered_callbacks"] = result["callbacks"]
    out.figures["soak.updates_per_second"] = result["rate"]
    out.details["problems"] = result["samples"]
    out.notes.append(
        f"soak: {int(result['updates'])} updates, {int(result['errors'])} unhandled errors, "
        f"{int(result['rejected'])} rejected requests"
    )
    return out
