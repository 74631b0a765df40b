"""Per-user flood protection for incoming updates.

Hand-rolled because PTB limits only what the bot *sends* (AIORateLimiter); nothing in PTB
throttles what users send. A token bucket per user: short bursts pass, a sustained flood is
dropped after one polite warning per flood. State is per process (an instance behind a load
balancer limits what it sees), which is enough to protect each process.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class FloodGate:
    """`check(user_id)` → "ok", "warn" (first excess: tell them) or "drop" (stay silent)."""

    def __init__(
        self, rate: float = 1.0, burst: int = 8, max_users: int = 100_000, clock=time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.max_users = max_users
        self._clock = clock
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def check(self, user_id: int) -> str:
        now = self._clock()
        bucket = self._buckets.pop(user_id, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        self._buckets[user_id] = bucket
        if len(self._buckets) > self.max_users:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            if bucket.tokens >= 1:
                bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"
