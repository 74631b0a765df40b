"""Flood gate arithmetic and token redaction in every log line."""

from __future__ import annotations

import json
import logging

import pytest

from bot import logs
from bot.flood import FloodGate

TOKEN = "123456789:AAHsecretSECRETsecretSECRET_-xyz"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_passes_then_one_warning_then_silence() -> None:
    clock = Clock()
    gate = FloodGate(rate=1.0, burst=3, clock=clock)
    assert [gate.check(1) for _ in range(6)] == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert gate.check(2) == "ok", "another user is not affected"
    clock.now += 1.0
    assert gate.check(1) == "ok"
    clock.now += 10.0
    assert [gate.check(1) for _ in range(3)] == ["ok", "ok", "ok"]


def test_sustained_rate_at_the_limit_is_never_dropped() -> None:
    clock = Clock()
    gate = FloodGate(rate=2.0, burst=2, clock=clock)
    for _ in range(100):
        assert gate.check(7) == "ok"
        clock.now += 0.5


def test_memory_is_bounded() -> None:
    gate = FloodGate(max_users=10)
    for user in range(1000):
        gate.check(user)
    assert len(gate._buckets) == 10


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_token_never_reaches_the_log(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("DEBUG", fmt, TOKEN)
    log = logging.getLogger("test.redact")
    log.info("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    log.warning("other token shape 987654321:ABCDEFGHIJKLMNOPQRSTUVWXYZ12345")
    try:
        raise RuntimeError(f"failed calling /bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("boom")
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert "ABCDEFGHIJKLMNOPQRSTUVWXYZ12345" not in err
    assert err.count(logs.REDACTED) >= 3
    if fmt == "json":
        lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        assert {line["level"] for line in lines} >= {"INFO", "WARNING", "ERROR"}
    logs.setup("WARNING", "text", None)
