"""Helpers for driving a real PTB ``Application`` against the sandbox.

Run-time code (the terminal chat) imports this module, so it must not need the `test` extra:
the pytest fixture ``sandbox`` lives in ``tests/sandbox/conftest.py``::

    async def test_start(sandbox):
        app = application_builder(sandbox).build()
        app.add_handler(CommandHandler("start", start))
        async with run_polling(app):
            alice = sandbox.user()
            await alice.send("/start")
            assert "Welcome" in (await alice.wait_message()).text
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from .client import Sandbox


def application_builder(
    tg: Sandbox, **request_timeouts: float
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An ``ApplicationBuilder`` pointed at the sandbox (token, base URLs, short timeouts).

    ``request_timeouts`` may override ``connect_timeout``/``read_timeout``/
    ``write_timeout``/``pool_timeout`` of the ordinary request object; the short
    defaults keep fault-injection tests fast.
    """
    timeouts = {"connect_timeout": 2.0, "read_timeout": 2.0, "write_timeout": 2.0}
    timeouts.update(request_timeouts)
    return (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .connect_timeout(timeouts["connect_timeout"])
        .read_timeout(timeouts["read_timeout"])
        .write_timeout(timeouts["write_timeout"])
        .pool_timeout(timeouts.get("pool_timeout", 2.0))
    )


@asynccontextmanager
async def run_polling(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll_timeout: float = 1.0,
    drop_pending_updates: bool = False,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialize, start and poll ``app``; stop and shut it down cleanly on exit.

    Like PTB's own ``run_polling`` it calls ``post_init`` after initialising and
    ``post_stop``/``post_shutdown`` at the end, so start-up work runs in tests too.

    ``poll_timeout`` is the getUpdates long-poll duration. It does not slow tests:
    the emulator answers a waiting poll the moment an update arrives.
    """
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None, "build the Application with an Updater"
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=dt.timedelta(seconds=poll_timeout),
            drop_pending_updates=drop_pending_updates,
        )
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    if app.post_shutdown:
        await app.post_shutdown(app)


def free_port(host: str = "127.0.0.1") -> int:
    """A currently free TCP port (for the bot's own webhook server in tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def run_webhook(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    secret_token: str | None = None,
    url_path: str = "telegram",
    port: int | None = None,
) -> AsyncIterator[str]:
    """Run ``app`` with PTB's own webhook server on loopback; yields the webhook URL.

    PTB calls setWebhook on the sandbox, which then POSTs every update to that URL
    with the ``X-Telegram-Bot-Api-Secret-Token`` header.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/{url_path}"
    async with app:
        await app.start()
        assert app.updater is not None, "build the Application with an Updater"
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path=url_path,
            webhook_url=url,
            secret_token=secret_token,
        )
        try:
            yield url
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
