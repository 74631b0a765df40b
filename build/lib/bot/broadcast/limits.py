"""The sender's own pacing: Telegram's limits, enforced before a request leaves.

PTB's AIORateLimiter is not used for broadcasts (ARCHITECTURE, "Our own broadcast sender"):
it has no per-chat spacing, and its global halt after a 429 can be released early by other
requests. Here one `RateLimiter` paces every request of the sender's own `Bot` and a 429
pauses it as a whole for `retry_after`, and `ChatSpacing` keeps ≤ 1 message/s per private chat
and ≤ 20/min per group. Interactive replies use the application's own Bot and never wait here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

PRIVATE_INTERVAL = 1.0
"""Seconds between two messages to one private chat (Telegram: about one per second)."""
GROUP_INTERVAL = 3.0
"""Seconds between two messages to one group (Telegram: 20 per minute)."""


class RateLimiter:
    """Paces requests at `rate` per second (GCRA), with a small burst and a global pause.

    `burst` lets a late event loop catch up a few slots instead of losing them; it is kept
    well under Telegram's own tolerance so catching up never provokes a 429.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self.tolerance = max(burst - 1, 0) * self.interval
        self.clock = clock
        self.sleep = sleep
        self._tat = 0.0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self.waited = 0.0
        """Seconds spent waiting (for figures: a paced sender waits most of the time)."""

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out for `seconds` (never shortened by a later 429)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def acquire(self) -> None:
        """Wait for the next slot; slots are handed out in order (FIFO through the lock)."""
        async with self._lock:
            while True:
                now = self.clock()
                wait = max(self._paused_until - now, self._tat - self.tolerance - now, 0.0)
                if wait <= 0:
                    break
                self.waited += wait
                await self.sleep(wait)
            now = self.clock()
            self._tat = max(self._tat, now, self._paused_until) + self.interval


class ChatSpacing:
    """When each chat may get its next message; in memory, since one sender sends at a time."""

    def __init__(
        self,
        *,
        private_interval: float = PRIVATE_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.private_interval = private_interval
        self.group_interval = group_interval
        self.clock = clock
        self._next: dict[int, float] = {}

    def interval(self, chat_id: int) -> float:
        return self.private_interval if chat_id > 0 else self.group_interval

    def ready(self, chat_id: int) -> bool:
        return self._next.get(chat_id, 0.0) <= self.clock()

    def note(self, chat_id: int) -> None:
        """A message to `chat_id` is leaving now."""
        self._next[chat_id] = self.clock() + self.interval(chat_id)

    def prune(self) -> None:
        """Forget chats whose spacing has passed (keeps memory flat over a long broadcast)."""
        now = self.clock()
        self._next = {c: t for c, t in self._next.items() if t > now}
