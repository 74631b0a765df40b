"""Prometheus metrics (the `prometheus_client` default registry), served on /metrics."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from telegram import Update
from telegram.ext import Application

from bot.ordering import OrderedUpdateProcessor

UPDATES = Counter("workforce_updates_total", "Updates processed", ["kind"])
ERRORS = Counter("workforce_errors_total", "Updates whose handling raised")
LATENCY = Histogram(
    "workforce_update_seconds",
    "Time to process one update (handlers included)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DELIVERIES = Counter(
    "workforce_broadcast_deliveries_total", "Broadcast deliveries by outcome", ["status"]
)
RUNNING = Gauge("workforce_updates_running", "Updates whose handlers are running now")
WAITING = Gauge(
    "workforce_updates_waiting",
    "Updates taken from Telegram that wait for their user's or chat's turn, or for a worker",
)
WEBHOOK_REJECTED = Counter(
    "workforce_webhook_rejected_total", "Webhook requests refused", ["reason"]
)


def watch(processor: OrderedUpdateProcessor) -> None:
    """Report the processor's load when scraped: a growing `waiting` means too few workers
    (UPDATE_WORKERS) or a slow Bot API / database."""
    RUNNING.set_function(lambda: processor.running)
    WAITING.set_function(lambda: processor.current_concurrent_updates - processor.running)


def update_kind(update: object) -> str:
    if not isinstance(update, Update):
        return "other"
    for kind in ("message", "callback_query", "inline_query", "my_chat_member", "edited_message"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


class InstrumentedApplication(Application):  # type: ignore[type-arg]
    """PTB's Application, timing and counting every update it processes."""

    async def process_update(self, update: object) -> None:
        """Times and counts the update, and tells the inbox (`bot.inbox`) it was handled —
        also when a handler failed (it was apologised for; handling it again after a restart
        would only fail again), but not when it was cancelled, which a restart redoes."""
        started = time.perf_counter()
        try:
            await super().process_update(update)
        except asyncio.CancelledError:
            raise
        except Exception:
            ERRORS.inc()
            self._handled(update)
            raise
        else:
            self._handled(update)
        finally:
            LATENCY.observe(time.perf_counter() - started)
            UPDATES.labels(update_kind(update)).inc()

    def _handled(self, update: object) -> None:
        inbox = getattr(self.update_queue, "inbox", None)
        if inbox is not None and isinstance(update, Update):
            inbox.handled(update.update_id)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
