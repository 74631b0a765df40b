"""Pending updates, long polling and webhook delivery.

Semantics follow the Bot API: updates wait until confirmed by a later
``getUpdates`` offset; a waiting long poll answers as soon as one arrives; a
newer poll terminates an older one with 409; while a webhook is set, updates
are POSTed to it (with the secret header) and ``getUpdates`` answers 409.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse

from .errors import TERMINATED_BY_OTHER_POLL, SandboxError, conflict
from .wakeup import Wakeup

DEFAULT_ALLOWED_UPDATES = frozenset(Update.ALL_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
"""What Telegram sends when a bot never specified ``allowed_updates``."""


def update_kind(update: dict[str, Any]) -> str:
    """The update's type: its single key besides ``update_id``."""
    kinds = [key for key in update if key != "update_id"]
    return kinds[0] if kinds else ""


def encodable(kind: str, payload: Any) -> bytes:
    """The update body as delivery will encode it (UTF-8 JSON), or `SandboxError` saying why
    it cannot be."""
    try:
        return json.dumps({kind: payload}, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SandboxError(
            f"a {kind} update cannot be delivered: its text is not valid UTF-8 ({exc.reason}"
            f" at {exc.start}); Telegram never sends such an update"
        ) from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise SandboxError(f"a {kind} update cannot be delivered: not JSON ({exc})") from None


class UpdateQueue:
    """Unconfirmed updates plus the long-poll machinery around them."""

    def __init__(self, first_update_id: int = 100_000_001) -> None:
        self._ids = itertools.count(first_update_id)
        self._pending: list[dict[str, Any]] = []
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.history: list[dict[str, Any]] = []
        self.filtered: list[dict[str, Any]] = []
        self.changed = Wakeup()
        self.delivered_upto = 0
        self.closed = False
        self._poll_generation = 0

    # -- producing ---------------------------------------------------------------------
    def put(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue a new update; ``None`` when the bot's ``allowed_updates`` exclude it.

        Raises `SandboxError` for an update that is not UTF-8 JSON (a lone surrogate, an
        object JSON cannot hold): Telegram never sends one, and queued it would make every
        later ``getUpdates`` answer fail to encode, wedging delivery instead of failing here.
        """
        encodable(kind, payload)
        update_id = next(self._ids)
        update = {"update_id": update_id, kind: payload}
        if kind not in self.allowed_updates:
            self.filtered.append(update)
            return None
        self._pending.append(update)
        self.history.append(update)
        self.changed.notify()
        return update_id

    # -- consuming ---------------------------------------------------------------------
    @property
    def pending(self) -> list[dict[str, Any]]:
        """Unconfirmed updates (a copy)."""
        return list(self._pending)

    @property
    def undelivered(self) -> int:
        """Updates no poll or webhook has received yet."""
        return sum(1 for u in self._pending if u["update_id"] > self.delivered_upto)

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset``."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def clear(self) -> None:
        """``drop_pending_updates``."""
        self._pending.clear()
        self.changed.notify()

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """Remember ``allowed_updates``; an empty list means "the default set"."""
        if allowed is None:
            return
        allowed = frozenset(allowed)
        self.allowed_updates = allowed or DEFAULT_ALLOWED_UPDATES

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` pending updates of allowed types (others are dropped)."""
        self._pending = [u for u in self._pending if update_kind(u) in self.allowed_updates]
        batch = self._pending[:limit]
        if batch:
            self.delivered_upto = max(self.delivered_upto, batch[-1]["update_id"])
        return batch

    async def long_poll(
        self,
        *,
        offset: int,
        limit: int,
        wait_seconds: float,
        gone: Callable[[], bool],
    ) -> list[dict[str, Any]]:
        """``getUpdates``: answer at once if anything is pending, else wait up to ``timeout``."""
        self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self.changed.notify()  # an older poll still waiting must now answer 409
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        while True:
            batch = self.take(limit)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self.closed or gone():
                return batch
            await self.changed.wait(remaining)
            if generation != self._poll_generation and not gone():
                raise conflict(TERMINATED_BY_OTHER_POLL)


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST to the webhook (for assertions and getWebhookInfo)."""

    update_id: int
    attempt: int
    status: int
    error: str | None
    secret_sent: str | None


@dataclass
class WebhookConfig:
    """What setWebhook stored."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    has_custom_certificate: bool = False


MAX_BACKOFF = 1.0
"""Seconds between retries of an undelivered update (Telegram's is longer; tests are short)."""


@dataclass
class WebhookDelivery:
    """Pushes queued updates to the webhook URL, one at a time, in order."""

    queue: UpdateQueue
    max_attempts: int = 3
    retry_delay: float = 0.05
    request_timeout: float = 10.0
    config: WebhookConfig = field(default_factory=WebhookConfig)
    attempts: list[WebhookAttempt] = field(default_factory=list)
    last_error_date: int | None = None
    last_error_message: str | None = None
    secret_override: str | None = None
    in_flight: int = 0
    keep_undelivered: bool = True
    _backoff: float = 0.0
    _task: asyncio.Task[None] | None = None
    _client: AsyncHTTPClient | None = None

    @property
    def active(self) -> bool:
        """A webhook URL is set (getUpdates must answer 409)."""
        return bool(self.config.url)

    def start(self, config: WebhookConfig) -> None:
        """Begin pushing to ``config.url`` (restarts cleanly if already running)."""
        self.config = config
        self.last_error_date = None
        self.last_error_message = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="sandbox-webhook")
        self.queue.changed.notify()

    async def stop(self) -> None:
        """Stop pushing and forget the URL (deleteWebhook or emulator shutdown)."""
        self.config = WebhookConfig()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            self._client.close()
            self._client = None

    async def _run(self) -> None:
        self._client = AsyncHTTPClient(force_instance=True)
        while self.active:
            batch = self.queue.take(1)
            if not batch:
                await self.queue.changed.wait(1.0)
                continue
            update = batch[0]
            self.in_flight += 1
            try:
                delivered = await self._deliver(update)
            finally:
                self.in_flight -= 1
            if not delivered and self.keep_undelivered:
                # Like Telegram: an update the webhook did not accept stays queued and is
                # retried later (Telegram keeps trying for up to 24 hours).
                self._backoff = min(self._backoff * 2 or self.retry_delay, MAX_BACKOFF)
                await asyncio.sleep(self._backoff)
                continue
            self._backoff = 0.0
            self.queue.confirm(update["update_id"] + 1)
            self.queue.changed.notify()

    async def _deliver(self, update: dict[str, Any]) -> bool:
        assert self._client is not None
        secret = self.secret_override or self.config.secret_token
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        for attempt in range(1, self.max_attempts + 1):
            status, error = await self._post(body, headers)
            self.attempts.append(
                WebhookAttempt(update["update_id"], attempt, status, error, secret)
            )
            if 200 <= status < 300:
                return True
            self.last_error_date = int(time.time())
            self.last_error_message = error
            await asyncio.sleep(self.retry_delay * attempt)
        return False

    async def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str | None]:
        assert self._client is not None
        request = HTTPRequest(
            self.config.url,
            method="POST",
            body=body,
            headers=headers,
            request_timeout=self.request_timeout,
            follow_redirects=False,
        )
        try:
            response: HTTPResponse = await self._client.fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as exc:
            return 0, f"Connection failed: {exc}"
        if response.code == 599:
            return 0, f"Connection failed: {response.error}"
        if 200 <= response.code < 300:
            return response.code, None
        return response.code, f"Wrong response from the webhook: {response.code} {response.reason}"
