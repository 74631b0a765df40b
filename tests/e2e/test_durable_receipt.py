"""kill -9 with a backlog loses no update: the real `python -m bot` in a subprocess, killed
while updates it has fetched are still waiting for slow answers, then started again.

Before the inbox, the updates fetched but not yet handled were gone (the next getUpdates had
confirmed them). Now each is stored before Telegram is told, and the restarted bot handles
what the dead one left. An answer already on the wire when the process died can be sent again
after the restart (its update was not yet marked handled), so duplicates are bounded by the
requests in flight at the kill — at most UPDATE_WORKERS — and never more.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxUser

REPO = Path(__file__).resolve().parents[2]
PEOPLE = 60
WORKERS = 4


def _env(tg: Sandbox, data: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.url,
        "CONTENT_DIR": str(REPO / "content"),
        "DATA_DIR": str(data),
        "STARTUP_RETRIES": "0",
        "UPDATE_WORKERS": str(WORKERS),
        "LOG_LEVEL": "WARNING",
    }


async def _start(tg: Sandbox, data: Path) -> asyncio.subprocess.Process:
    polls = tg.count_requests("getUpdates")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=REPO,
        env=_env(tg, data),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    await _until(lambda: tg.count_requests("getUpdates") > polls, "the bot polls")
    return process


async def _until(check: Callable[[], bool], what: str, limit: float = 60.0) -> None:
    """Wait for a state, not a time: `limit` only gives up on a broken run."""
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        await asyncio.sleep(0.02)


def _answers(tg: Sandbox, people: list[SandboxUser]) -> list[int]:
    return [len(tg.messages(p.chat_id)) for p in people]


async def test_kill_9_with_a_backlog_loses_no_update(tg: Sandbox, tmp_path: Path) -> None:
    tg.configure_faults(seed=3, latency=(0.3, 0.6), methods=["sendMessage"])
    people = [tg.user(f"P{i}", language_code="en") for i in range(PEOPLE)]
    first = await _start(tg, tmp_path)
    try:
        for person in people:
            await person.send("/help")
        emulator = tg.emulator
        await _until(lambda: emulator.updates.undelivered == 0, "every update is fetched")
        await _until(lambda: sum(map(bool, _answers(tg, people))) >= 5, "some are answered")
        answered_before = sum(map(bool, _answers(tg, people)))
        assert answered_before < PEOPLE, "a backlog was still waiting when the process died"
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    second = await _start(tg, tmp_path)
    try:
        await _until(lambda: all(_answers(tg, people)), "everyone is answered")
        await tg.wait_idle(timeout=30, settle=0.5)
    finally:
        second.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(second.communicate(), 60)
    answers = _answers(tg, people)
    assert min(answers) == 1, "no update was lost"
    doubled = sum(1 for a in answers if a > 1)
    assert doubled <= WORKERS, f"{doubled} answered twice: more than the requests in flight"
    assert second.returncode == 0, err.decode()[-2000:]
    assert "inbox:" in err.decode(), "the restart said it handled what the crash left"
