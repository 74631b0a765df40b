"""End-to-end fixtures: the real Application, over real HTTP, against the local emulator."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot import logs
from bot.app import build_application
from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.config import Settings
from bot.sandbox.client import Sandbox
from bot.sandbox.testing import run_polling

CONTENT = Path(__file__).resolve().parents[2] / "content"
ADMIN_ID = 990001


@pytest.fixture(autouse=True)
def token_never_logged(tg: Sandbox) -> Iterator[io.StringIO]:
    """Every e2e test runs with DEBUG logs captured; no line may contain the bot token."""
    lines = io.StringIO()
    logs.setup("DEBUG", "text", tg.token, stream=lines)
    yield lines
    logs.setup("WARNING", "text", None)
    captured = lines.getvalue()
    assert tg.token not in captured
    assert tg.token.split(":")[1] not in captured


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(CONTENT)


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def settings(tg: Sandbox, tmp_path: Path) -> Settings:
    return Settings(
        telegram_api_base_url=tg.url,
        data_dir=tmp_path,
        admin_ids=frozenset({ADMIN_ID}),
        content_dir=CONTENT,
        _env_file=None,  # type: ignore[call-arg]
    )


@asynccontextmanager
async def running_bot(
    tg: Sandbox, settings: Settings, catalog: Catalog, **kwargs: Any
) -> AsyncIterator[Any]:
    app = build_application(settings, catalog, token=tg.token, **kwargs)
    async with run_polling(app):
        yield app


@pytest_asyncio.fixture
async def bot(tg: Sandbox, settings: Settings, catalog: Catalog) -> AsyncIterator[Any]:
    async with running_bot(tg, settings, catalog) as app:
        yield app


async def press_data(tg: Sandbox, user: Any, message: Any, data: str) -> Any:
    """Press a button carrying `data`, as a forged or stale client would."""
    return await user.press(message, data=data, chat=message.chat_id)
