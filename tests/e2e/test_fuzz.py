"""Fuzzing the real Application: random updates of every kind through the emulator.

Invariants: no unhandled exception reaches PTB's error handlers, every private message from a
person gets an answer, and every request the bot makes is accepted by the strict emulator
(so every answer is within Telegram's limits).
"""

from __future__ import annotations

import asyncio
import string
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.config import Settings
from bot.flood import FloodGate
from bot.sandbox.client import Sandbox
from tests.e2e.conftest import CONTENT, press_data, running_bot

CATALOG: Catalog = load_catalog(CONTENT)
ROUTE_SAMPLES = ["1:h", "1:c:mx", "1:k:ca:ce:0", "1:i:red-seal", "1:f", "1:s", "1:q:red seal"]


@dataclass(frozen=True)
class Op:
    kind: str
    text: str = ""
    user: int = 0


unicode_text = st.text(
    st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300
).filter(lambda s: s.strip())
html_soup = (
    st.lists(
        st.sampled_from(["<b>", "</b>", "<div>", "&", "&amp;", "<a href='x'>", "<", ">", "x", " "]),
        min_size=1,
        max_size=30,
    )
    .map("".join)
    .filter(lambda s: s.strip())
)
huge = st.integers(1000, 2700).map(lambda n: ("é🎓 " * n)[:n].strip() or "x")
commands = st.one_of(
    st.sampled_from(["/start", "/help", "/forums", "/settings", "/language", "/search", "/menu"]),
    st.text(string.ascii_lowercase, min_size=1, max_size=20).map(lambda s: f"/{s}"),
    st.sampled_from(["/start red-seal", "/start country_mx", "/start ../../etc", "/search dual"]),
)
callback_data = st.one_of(
    st.sampled_from(ROUTE_SAMPLES),
    st.sampled_from(ROUTE_SAMPLES).flatmap(lambda d: st.integers(1, len(d)).map(lambda n: d[:n])),
    st.text(min_size=1, max_size=64).filter(lambda s: len(s.encode()) <= 64),
)
ops = st.one_of(
    st.builds(Op, st.just("text"), st.one_of(unicode_text, html_soup, huge), st.integers(0, 4)),
    st.builds(Op, st.just("text"), commands, st.integers(0, 4)),
    st.builds(Op, st.just("press"), callback_data, st.integers(0, 4)),
    st.builds(Op, st.just("inline"), st.text(max_size=256), st.integers(0, 4)),
    st.builds(Op, st.just("edit"), unicode_text, st.integers(0, 4)),
    st.builds(Op, st.just("group"), st.one_of(unicode_text, commands), st.integers(0, 4)),
    st.builds(
        Op,
        st.sampled_from(["sticker", "location", "photo", "channel_post", "chat_member"]),
        st.just(""),
        st.integers(0, 4),
    ),
)


async def _run(batch: list[Op], tmp: Path) -> dict[str, Any]:
    errors: list[BaseException] = []
    async with Sandbox() as tg:
        settings_ = Settings(
            telegram_api_base_url=tg.url, data_dir=tmp, content_dir=CONTENT, _env_file=None
        )
        async with running_bot(tg, settings_, CATALOG) as app:
            app.bot_data["services"].flood = FloodGate(rate=10_000, burst=10_000)
            app.bot_data["services"].inline_flood = FloodGate(rate=10_000, burst=10_000)

            async def record(update: object, context: Any) -> None:
                errors.append(context.error)

            app.add_error_handler(record)
            langs = ["en", "es", "fr", None, "pt-BR"]
            users = [tg.user(f"U{i}", language_code=langs[i]) for i in range(5)]
            group = tg.group("Fuzz group", members=users, admins=users[:1])
            channel = tg.channel("Fuzz channel")
            private_sent: dict[int, int] = {}
            for op in batch:
                user = users[op.user]
                if op.kind == "text":
                    await user.send(op.text)
                    private_sent[user.id] = private_sent.get(user.id, 0) + 1
                elif op.kind == "group":
                    await user.send(op.text, chat=group)
                elif op.kind == "press":
                    mine = tg.messages(user.chat_id)
                    if mine:
                        await press_data(tg, user, mine[-1], op.text)
                elif op.kind == "inline":
                    await user.inline(op.text)
                elif op.kind == "edit":
                    sent = await user.send("first version")
                    private_sent[user.id] = private_sent.get(user.id, 0) + 1
                    await user.edit(sent, op.text)
                elif op.kind == "photo":
                    await user.send_photo(_PNG)
                    private_sent[user.id] = private_sent.get(user.id, 0) + 1
                elif op.kind == "channel_post":
                    await channel.post("news from the channel")
                else:
                    await tg.inject(_raw(op.kind, user.user.to_dict(), user.chat_id, group.id))
            await tg.wait_idle(timeout=30)
        # Stopping the Application drains PTB's queue: every fetched update is handled.
        await tg.wait_idle(timeout=30)
        answered = {u.id: len(tg.messages(u.chat_id)) for u in users}
        rejected = [
            (r.method, r.status, r.description)
            for r in tg.requests
            if r.status >= 400
            and r.method.lower() != "getupdates"
            and not _double_tap(r.description)
        ]
        return {
            "errors": errors,
            "private_sent": private_sent,
            "answered": answered,
            "rejected": rejected,
            "unanswered_callbacks": [
                (q, tg.state.callback_queries[q].data, tg.state.callback_queries[q].error)
                for q in tg.unanswered_callbacks
            ],
        }


def _double_tap(description: str | None) -> bool:
    """Two presses queued on one message snapshot: the second edit changes nothing.

    Telegram answers this too (fast double taps); `show()` treats it as done. Edits to
    identical content from a fresh snapshot are skipped before any request is made.
    """
    return bool(description and "message is not modified" in description)


def _raw(kind: str, user: dict[str, Any], chat_id: int, group_id: int) -> dict[str, Any]:
    base = {"message_id": 10_000 + int(time.time() * 1000) % 100_000, "date": int(time.time())}
    chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
    if kind == "sticker":
        sticker = {
            "file_id": "stk",
            "file_unique_id": "stk-u",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return {"message": {**base, "chat": chat, "from": user, "sticker": sticker}}
    if kind == "location":
        location = {"latitude": 19.43, "longitude": -99.13}
        return {"message": {**base, "chat": chat, "from": user, "location": location}}
    return {
        "my_chat_member": {
            "chat": {"id": group_id, "type": "supergroup", "title": "Fuzz group"},
            "from": user,
            "date": base["date"],
            "old_chat_member": {
                "status": "member",
                "user": {"id": 1, "is_bot": True, "first_name": "B"},
            },
            "new_chat_member": {
                "status": "member",
                "user": {"id": 1, "is_bot": True, "first_name": "B"},
            },
        }
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)
@given(st.lists(ops, min_size=40, max_size=90))
def test_random_updates_never_crash_and_always_answer(
    tmp_path_factory: Any, batch: list[Op]
) -> None:
    result = asyncio.run(_run(batch, tmp_path_factory.mktemp("fuzz")))
    assert result["errors"] == [], "no unhandled exception"
    assert result["rejected"] == [], "every request within Telegram's limits"
    assert result["unanswered_callbacks"] == []
    for user_id, sent in result["private_sent"].items():
        assert result["answered"][user_id] >= 1, f"user {user_id} sent {sent} messages, no answer"


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
