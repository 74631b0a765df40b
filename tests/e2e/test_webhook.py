"""Webhook mode: our tornado server, its secret check, /healthz, /metrics, graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bot.app import build_application
from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.runner import serve_webhook
from bot.sandbox.client import Sandbox
from bot.sandbox.testing import free_port
from bot.web import Limits

SECRET = "s3cret-Token_1"


@contextlib.asynccontextmanager
async def webhook_bot(
    tg: Sandbox, settings: Settings, catalog: Catalog, limits: Limits | None = None
) -> AsyncIterator[Any]:
    port = free_port()
    app = build_application(settings, catalog, token=tg.token)
    stop, ready = asyncio.Event(), asyncio.Event()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    task = asyncio.create_task(
        serve_webhook(
            app,
            url=url,
            secret=SECRET,
            port=port,
            host="127.0.0.1",
            stop=stop,
            ready=ready,
            limits=limits,
        )
    )
    await asyncio.wait_for(ready.wait(), 10)
    try:
        yield port, url, stop, task, app
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_updates_arrive_over_the_webhook(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    async with webhook_bot(tg, settings, catalog) as (_port, url, _, _, _):
        assert tg.webhook.config.url == url
        user = tg.user(language_code="en")
        await user.send("/help")
        assert "How to use" in (await user.wait_message()).text


@pytest.mark.parametrize("header", [None, "wrong", SECRET + "x", ""])
async def test_wrong_or_missing_secret_is_refused_and_nothing_handled(
    tg: Sandbox, settings: Settings, catalog: Catalog, header: str | None
) -> None:
    user = tg.user(language_code="en")
    update = {
        "update_id": 424242,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": user.id, "type": "private"},
            "from": {"id": user.id, "is_bot": False, "first_name": "A"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    async with webhook_bot(tg, settings, catalog) as (port, _, _, _, _):
        headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"http://127.0.0.1:{port}/telegram/hook", json=update, headers=headers
            )
        assert response.status_code == 403
        await user.expect_no_message(within=0.5)


async def test_oversized_body_is_refused(tg: Sandbox, settings: Settings, catalog: Catalog) -> None:
    async with webhook_bot(tg, settings, catalog) as (port, _, _, _, _):
        body = b'{"update_id": 1, "x": "' + b"a" * (1 << 20) + b'"}'
        async with httpx.AsyncClient() as http:
            with contextlib.suppress(httpx.HTTPError):
                response = await http.post(
                    f"http://127.0.0.1:{port}/telegram/hook",
                    content=body,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                assert response.status_code in (400, 413)


async def test_health_up_and_down_and_metrics(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    async with (
        webhook_bot(tg, settings, catalog, Limits(health_ttl=0)) as (port, _, _, _, app),
        httpx.AsyncClient() as http,
    ):
        healthy = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert healthy.status_code == 200
        assert json.loads(healthy.text)["ok"] is True
        tg.configure_faults(seed=2, error_5xx=1.0, methods={"getMe"})
        sick = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert sick.status_code == 503
        assert json.loads(sick.text)["bot"] is False
        tg.clear_faults()
        services = app.bot_data["services"]
        real_readers = services.store.readers
        gone = create_async_engine("sqlite+aiosqlite:////nonexistent/dir/db")
        services.store.readers = async_sessionmaker(gone)
        try:
            no_db = await http.get(f"http://127.0.0.1:{port}/healthz")
        finally:
            await gone.dispose()
            services.store.readers = real_readers
        assert no_db.status_code == 503
        assert json.loads(no_db.text)["database"] is False
        assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        user = tg.user(language_code="en")
        await user.send("/help")
        await user.wait_message()
        metrics = await http.get(f"http://127.0.0.1:{port}/metrics")
        assert "workforce_updates_total" in metrics.text
        assert "workforce_update_seconds_bucket" in metrics.text
        assert "workforce_updates_running 0.0" in metrics.text
        assert "workforce_updates_waiting 0.0" in metrics.text


async def test_graceful_shutdown_during_a_burst_loses_no_update(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    users = [tg.user(f"U{i}", language_code="en") for i in range(25)]
    async with webhook_bot(tg, settings, catalog) as (_, _, stop, task, _):
        for user in users:
            await user.send("/help")
        await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 30)
    async with webhook_bot(tg, settings, catalog):
        for user in users:
            assert "How to use" in (await user.wait_message(timeout=10)).text
