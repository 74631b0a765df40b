"""Flood control and fault injection.

Flood control mimics Telegram's published limits (about 30 messages/s overall,
about one per second per private chat with short bursts, 20 per minute per
group) with token buckets, answering 429 + ``retry_after`` like Telegram.

Fault injection is for resilience tests and benchmarks: a seeded random share
of 5xx answers, hung requests (client timeouts), 429s, dropped connections and
added latency, restricted to chosen methods so polling itself stays healthy.

Both are off by default so ordinary end-to-end tests are deterministic.
"""

from __future__ import annotations

import enum
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "sendaudio",
        "sendvideo",
        "sendanimation",
        "sendvoice",
        "sendsticker",
        "sendlocation",
        "sendcontact",
        "sendpoll",
        "senddice",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)
"""Methods that create messages: what Telegram rate-limits and what faults hit by default."""


@dataclass(frozen=True)
class FloodConfig:
    """Rates and burst sizes; ``enabled=False`` turns flood control off entirely."""

    enabled: bool = False
    global_per_sec: float = 30.0
    global_burst: int = 30
    private_per_sec: float = 1.0
    private_burst: int = 3
    group_per_min: float = 20.0
    group_burst: int = 20
    methods: frozenset[str] = SENDING_METHODS


class TokenBucket:
    """Classic token bucket; ``wait_time`` tells how long until one token is free."""

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate = rate
        self.capacity = max(capacity, 1)
        self.tokens = float(self.capacity)
        self.updated = now

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until a token is available (0 when one is available now)."""
        self._refill(now)
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate > 0 else math.inf

    def take(self) -> None:
        """Consume one token (call after ``wait_time`` returned 0)."""
        self.tokens -= 1


class FloodControl:
    """Per-bot and per-chat buckets deciding whether a sending request gets a 429."""

    def __init__(
        self, config: FloodConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or FloodConfig()
        self.clock = clock
        self._global: TokenBucket | None = None
        self._chats: dict[int, TokenBucket] = {}

    def configure(
        self,
        *,
        enabled: bool | None = None,
        global_per_sec: float | None = None,
        global_burst: int | None = None,
        private_per_sec: float | None = None,
        private_burst: int | None = None,
        group_per_min: float | None = None,
        group_burst: int | None = None,
        methods: Iterable[str] | None = None,
    ) -> FloodConfig:
        """Change the given settings at runtime; buckets restart full so limits apply cleanly."""
        cfg = self.config
        self.config = FloodConfig(
            enabled=cfg.enabled if enabled is None else enabled,
            global_per_sec=cfg.global_per_sec if global_per_sec is None else global_per_sec,
            global_burst=cfg.global_burst if global_burst is None else global_burst,
            private_per_sec=cfg.private_per_sec if private_per_sec is None else private_per_sec,
            private_burst=cfg.private_burst if private_burst is None else private_burst,
            group_per_min=cfg.group_per_min if group_per_min is None else group_per_min,
            group_burst=cfg.group_burst if group_burst is None else group_burst,
            methods=cfg.methods if methods is None else frozenset(m.lower() for m in methods),
        )
        self.reset()
        return self.config

    def reset(self) -> None:
        """Forget all consumption (full buckets)."""
        self._global = None
        self._chats.clear()

    def check(self, method: str, chat_id: int | None, is_private: bool) -> int | None:
        """``None`` when allowed (a token is consumed), else the ``retry_after`` seconds."""
        cfg = self.config
        if not cfg.enabled or method not in cfg.methods:
            return None
        now = self.clock()
        if self._global is None:
            self._global = TokenBucket(cfg.global_per_sec, cfg.global_burst, now)
        buckets = [self._global]
        if chat_id is not None:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                if is_private:
                    bucket = TokenBucket(cfg.private_per_sec, cfg.private_burst, now)
                else:
                    bucket = TokenBucket(cfg.group_per_min / 60.0, cfg.group_burst, now)
                self._chats[chat_id] = bucket
            buckets.append(bucket)
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take()
        return None


class Fault(enum.Enum):
    """What the injector decided for one request."""

    ERROR_5XX = "5xx"
    TIMEOUT = "timeout"
    RATE_429 = "429"
    DROP = "drop"


@dataclass(frozen=True)
class FaultConfig:
    """Shares are probabilities per request (0..1); ``methods=None`` means sending methods.

    ``hang_seconds`` is how long a "timeout" fault holds the request before closing
    the connection - set it above the client's read timeout. With ``process_first``
    the method runs before a timeout/drop fault, so the client sees a failure for a
    request that actually succeeded (the classic duplicate-send scenario).
    """

    seed: int | None = None
    error_5xx: float = 0.0
    timeout: float = 0.0
    rate_429: float = 0.0
    drop: float = 0.0
    latency: tuple[float, float] = (0.0, 0.0)
    methods: frozenset[str] | None = None
    hang_seconds: float = 10.0
    retry_after: int = 1
    process_first: bool = False

    @property
    def active(self) -> bool:
        """Whether any fault or latency can happen at all."""
        return bool(
            self.error_5xx or self.timeout or self.rate_429 or self.drop or self.latency[1] > 0
        )


@dataclass
class FaultDecision:
    """Latency to add and the fault (if any) for one request."""

    latency: float = 0.0
    fault: Fault | None = None


@dataclass
class FaultInjector:
    """Seeded, runtime-configurable fault source."""

    config: FaultConfig = field(default_factory=FaultConfig)
    rng: random.Random = field(default_factory=random.Random)
    injected: dict[Fault, int] = field(default_factory=lambda: dict.fromkeys(Fault, 0))

    def configure(
        self,
        *,
        seed: int | None = None,
        error_5xx: float = 0.0,
        timeout: float = 0.0,
        rate_429: float = 0.0,
        drop: float = 0.0,
        latency: float | tuple[float, float] = 0.0,
        methods: Iterable[str] | None = None,
        hang_seconds: float = 10.0,
        retry_after: int = 1,
        process_first: bool = False,
    ) -> FaultConfig:
        """Replace the configuration (unspecified shares go back to 0) and reseed."""
        shares = (error_5xx, timeout, rate_429, drop)
        if any(share < 0 for share in shares) or sum(shares) > 1:
            raise ValueError("fault shares must be >= 0 and add up to at most 1")
        low, high = (latency, latency) if isinstance(latency, int | float) else latency
        self.config = FaultConfig(
            seed=seed,
            error_5xx=error_5xx,
            timeout=timeout,
            rate_429=rate_429,
            drop=drop,
            latency=(float(low), float(high)),
            methods=None if methods is None else frozenset(m.lower() for m in methods),
            hang_seconds=hang_seconds,
            retry_after=retry_after,
            process_first=process_first,
        )
        self.rng = random.Random(seed)
        return self.config

    def clear(self) -> None:
        """No faults, no latency."""
        self.configure()

    def applies_to(self, method: str) -> bool:
        """Whether ``method`` (lower-case) is subject to faults."""
        methods = self.config.methods
        return method in (SENDING_METHODS if methods is None else methods)

    def decide(self, method: str) -> FaultDecision:
        """Roll the dice for one request."""
        cfg = self.config
        if not cfg.active or not self.applies_to(method):
            return FaultDecision()
        low, high = cfg.latency
        latency = self.rng.uniform(low, high) if high > low else low
        roll = self.rng.random()
        fault: Fault | None = None
        for kind, share in (
            (Fault.ERROR_5XX, cfg.error_5xx),
            (Fault.TIMEOUT, cfg.timeout),
            (Fault.RATE_429, cfg.rate_429),
            (Fault.DROP, cfg.drop),
        ):
            if roll < share:
                fault = kind
                break
            roll -= share
        if fault is not None:
            self.injected[fault] += 1
        return FaultDecision(latency=latency, fault=fault)
