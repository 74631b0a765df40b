"""A tiny broadcast primitive: synchronous ``notify()``, asynchronous ``wait()``.

``asyncio.Condition`` needs its lock held to notify, which forces every state
change to be a coroutine. The emulator mutates state from plain methods (for
example ``user.block()``), so it uses this swap-an-Event pattern instead: every
waiter re-checks its predicate after waking, so spurious wake-ups are harmless.
"""

from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    """Wake every current waiter; later waiters wait for the next ``notify()``."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Release everyone waiting right now."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None = None) -> bool:
        """Wait for the next notification; ``False`` when ``seconds`` elapsed first."""
        event = self._event
        if seconds is not None and seconds <= 0:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)
            return True
        return False
