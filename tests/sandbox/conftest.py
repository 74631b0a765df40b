"""Fixtures for the sandbox's own tests.

``sandbox`` is a started emulator; ``api`` calls the emulator over real HTTP with httpx so the
strictness tests see exactly what a bot would see.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest_asyncio

from bot.sandbox.client import Sandbox

__all__ = ["api", "sandbox"]

ApiCall = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A started :class:`Sandbox` on a free port, stopped after the test."""
    async with Sandbox() as tg:
        yield tg


@pytest_asyncio.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[ApiCall]:
    """``await api("sendMessage", chat_id=1, text="hi")`` → ``(status, body)`` via JSON POST.

    Pass ``_form=True`` to send form-encoded instead (objects JSON-encoded, as PTB does),
    or ``_token=...`` to use another token.
    """
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def call(
            method: str, _form: bool = False, _token: str | None = None, **params: Any
        ) -> tuple[int, dict[str, Any]]:
            url = f"{sandbox.url}/bot{_token or sandbox.token}/{method}"
            if _form:
                data = {
                    key: value if isinstance(value, str) else json.dumps(value)
                    for key, value in params.items()
                }
                response = await client.post(url, data=data)
            else:
                response = await client.post(url, json=params)
            body: dict[str, Any] = response.json()
            return response.status_code, body

        yield call
