"""Broadcasting in a running bot: the sender task and the forum watcher, started and stopped
with the Application (`post_init` / `post_shutdown`).

The sender gets its own `telegram.Bot` with its own `HTTPXRequest` (its own connection pool)
and no AIORateLimiter: interactive replies go through the Application's Bot and its limiter,
so a broadcast never takes their connections or their place in a queue.

The forum watcher runs on every instance: every few seconds it checks whether an admin
added or changed a forum (possibly on another instance) and swaps the merged catalog in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.broadcast import forums, reminders
from bot.broadcast.lease import lease_for
from bot.broadcast.sender import BroadcastSender, SenderConfig
from bot.store.models import utcnow

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services import Services

log = logging.getLogger(__name__)

FORUM_POLL = 5.0
FREE_RATE = 30.0
"""Telegram's free broadcast limit per bot; above it `allow_paid_broadcast` is needed."""


def sender_config(settings: Settings, **overrides: object) -> SenderConfig:
    """The production configuration: `BROADCAST_RATE`, `BROADCAST_PAID`, the default language."""
    rate = settings.broadcast_rate
    if rate > FREE_RATE and not settings.broadcast_paid:
        log.warning(
            "BROADCAST_RATE=%s is above Telegram's free %s msg/s: set BROADCAST_PAID=true "
            "(paid broadcasts) or expect 429s",
            rate,
            FREE_RATE,
        )
    values: dict[str, object] = {
        "rate": rate,
        "paid": settings.broadcast_paid,
        "default_lang": settings.default_language,
    }
    values.update(overrides)
    return SenderConfig(**values)  # type: ignore[arg-type]


def sender_bot(
    token: str,
    api_root: str,
    config: SenderConfig,
    request_class: type[HTTPXRequest] = HTTPXRequest,
) -> Bot:
    """A Bot of its own for broadcasts: separate connection pool, no shared rate limiter.

    `request_class`: tests pass a subclass that notes which requests timed out client-side."""
    request = request_class(
        connection_pool_size=config.max_in_flight + 4,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        write_timeout=config.write_timeout,
        pool_timeout=config.pool_timeout,
    )
    return Bot(
        token,
        base_url=f"{api_root}/bot",
        base_file_url=f"{api_root}/file/bot",
        request=request,
        get_updates_request=HTTPXRequest(connection_pool_size=1),
    )


class Broadcasting:
    """Owns the sender and the forum watcher of one Application."""

    def __init__(
        self,
        services: Services,
        token: str,
        config: SenderConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        store = services.store
        if store is None:
            raise ValueError("broadcasting needs the database")
        self.services = services
        self.store = store
        self.config = config
        self.sender = BroadcastSender(
            store,
            sender_bot(token, services.settings.telegram_api_base_url, config),
            lease_for(store.engine),
            lambda: services.catalog,
            config,
            clock=clock,
        )
        self._watcher: asyncio.Task[None] | None = None
        self._signature: tuple[int, datetime | None] | None = None

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.sender.clock

    async def start(self) -> None:
        """Load stored forums, bring reminders up to date, start both tasks."""
        await self.sender.bot.initialize()
        await self.refresh_forums(force=True)
        await self.sync_reminders()
        self.sender.start()
        self._watcher = asyncio.create_task(self._watch(), name="forum-watcher")

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        await self.sender.stop()
        await self.sender.bot.shutdown()

    def wake(self) -> None:
        self.sender.wake()

    async def refresh_forums(self, *, force: bool = False) -> bool:
        """Swap in stored forums if they changed since the last look; True if swapped."""
        async with self.store.readers() as session:
            signature = await forums.signature(session)
            if not force and signature == self._signature:
                return False
            events = await forums.load(session)
        self._signature = signature
        self.services.replace_forums(events)
        return True

    async def sync_reminders(self) -> list[reminders.Reminder]:
        async with self.store.transaction() as session:
            return await reminders.sync(session, self.services.catalog, self.clock())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(FORUM_POLL)
            try:
                await self.refresh_forums()
            except (OSError, DBAPIError) as exc:
                log.warning("forum watcher: database unavailable (%r)", exc)
