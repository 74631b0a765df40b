"""Run modes: long polling, or webhook with /healthz and /metrics, with graceful shutdown.

SIGTERM (and SIGINT): stop taking updates, let PTB finish the ones in flight
(`Application.stop` drains the update queue), flush persistence, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import TelegramError

from bot import logs, web
from bot.services import AppType, Services

log = logging.getLogger(__name__)
SHUTDOWN_TIMEOUT = 25.0
"""Heroku-style platforms kill 30 s after SIGTERM; stay under that."""


def run_polling(app: AppType) -> None:
    """PTB's own loop: it already stops cleanly on SIGINT/SIGTERM/SIGABRT."""
    app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False, close_loop=False)


async def health_check(app: AppType) -> dict[str, bool]:
    """Healthy = the Bot API answers and (if we have one) the database answers."""
    services: Services = app.bot_data["services"]
    parts: dict[str, bool] = {}
    store = getattr(services, "store", None)
    if store is not None:
        try:
            await store.ping()
            parts["database"] = True
        except Exception:  # any database failure means "not healthy"
            parts["database"] = False
    try:
        await app.bot.get_me(read_timeout=3, connect_timeout=3)
        parts["bot"] = True
    except TelegramError:
        parts["bot"] = False
    return parts


async def serve_webhook(
    app: AppType,
    *,
    url: str,
    secret: str,
    port: int,
    host: str = "0.0.0.0",
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
    limits: web.Limits | None = None,
) -> None:
    """Register the webhook, serve it until SIGTERM/SIGINT (or `stop`), then shut down."""
    logs.redact(secret)  # PTB logs setWebhook's parameters, secret_token among them, at DEBUG
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        web_app = web.make_app(
            app,
            path=urlsplit(url).path or "/",
            secret=secret,
            health=lambda: health_check(app),
            limits=limits,
        )
        server = await web.serve(web_app, host, port, limits)
        await app.bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES, max_connections=40
        )
        log.info("webhook mode: listening on %s:%s", host, port)
        if ready is not None:
            ready.set()
        try:
            await stop.wait()
        finally:
            log.info("shutting down: no new updates; finishing the ones in flight")
            server.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.close_all_connections(), SHUTDOWN_TIMEOUT / 5)
            await asyncio.wait_for(app.stop(), SHUTDOWN_TIMEOUT)
            if app.post_stop:
                await app.post_stop(app)
        if app.post_shutdown:
            await app.post_shutdown(app)
