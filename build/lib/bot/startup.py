"""Start-up checks and the few lines an operator reads when the bot cannot start.

Operators read this on a platform's log page: each failure is a sentence naming what is wrong
(the variable, the URL without secrets) and what to do, with exit code 2 for configuration and
1 for the environment. A traceback only with `LOG_LEVEL=DEBUG`, and never the token: Python
prints an uncaught exception's message itself (PTB's `InvalidToken` carries the whole token),
past the log scrubber, so every failure goes through `report` instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.config import Settings
from bot.logs import RedactToken

log = logging.getLogger(__name__)
T = TypeVar("T")

CONFIG = 2
ENVIRONMENT = 1
BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0)
BACKOFF_CAP = 30.0
"""Back-off between start-up attempts: with the default 6 retries about a minute in all, enough
for a network blip or a database container that boots slower than the bot, short enough for a
platform to restart us."""


def delays(settings: Settings) -> tuple[float, ...]:
    count = settings.startup_retries
    return tuple(BACKOFF[i] if i < len(BACKOFF) else BACKOFF_CAP for i in range(count))


class StartupError(Exception):
    """Why the bot cannot start, in words an operator can act on; safe to print."""

    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def check_data_dir(settings: Settings) -> None:
    """Fail now, with the variable's name, rather than deep inside SQLite or a QR writer."""
    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise StartupError(
            f"DATA_DIR={path} is not a writable directory ({exc.strerror or exc}): "
            "set DATA_DIR to a folder the bot may write to",
            exit_code=CONFIG,
        ) from None


def check_content_dir(path: Path) -> None:
    if not path.is_dir():
        raise StartupError(
            f"CONTENT_DIR={path} is not a directory: run from the repository root "
            "or set CONTENT_DIR to the content folder",
            exit_code=CONFIG,
        )


def api_url(settings: Settings) -> str:
    """The Bot API root without the token, for messages."""
    return settings.telegram_api_base_url


def database_label(settings: Settings) -> str:
    from bot.store.engine import database_url, redacted

    return redacted(database_url(settings))


async def retrying(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    retry_on: tuple[type[BaseException], ...],
    delays: tuple[float, ...],
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """Run `attempt`, retrying on `retry_on` after each delay; the last failure propagates.

    Hand-rolled (a dozen lines) because PTB's own retry loop is private
    (`telegram.ext._utils.networkloop`) and logs a traceback per attempt.
    """
    schedule: tuple[float | None, ...] = (*delays, None)
    for number, delay in enumerate(schedule, start=1):
        try:
            return await attempt()
        except retry_on as exc:
            if delay is None:
                raise
            log.warning(
                "%s: %s; retrying in %g s (attempt %d of %d)",
                what,
                _reason(exc),
                delay,
                number,
                len(delays) + 1,
            )
            await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def check_bot_api(settings: Settings) -> str:
    """getMe with back-off; returns the bot's username. A rejected token is not retried."""
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()
    url = api_url(settings)

    async def get_me() -> str:
        async with Bot(token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot") as bot:
            return bot.username

    return await retrying(
        f"Bot API at {url} unreachable", get_me, (NetworkError,), delays(settings)
    )


async def check_database(settings: Settings) -> None:
    """Connect and migrate once, so a wrong URL is one line here, not 140 lines later."""
    from bot.store import Store

    async def start() -> None:
        store = Store.from_settings(settings)
        try:
            await store.start()
        finally:
            await store.close()

    where = database_label(settings)
    await retrying(f"database {where} unreachable", start, (OSError,), delays(settings))


def explain(exc: BaseException, settings: Settings | None) -> StartupError | None:
    """Known start-up failures as operator sentences; None for a genuine bug."""
    if isinstance(exc, StartupError):
        return exc
    if isinstance(exc, InvalidToken):
        return StartupError(
            "Telegram rejected TELEGRAM_BOT_TOKEN (Unauthorized): copy the token again from "
            "@BotFather (/mybots → API Token); unset it to run the local sandbox",
            exit_code=CONFIG,
        )
    url = api_url(settings) if settings else "the Bot API"
    if isinstance(exc, TimedOut | NetworkError):
        return StartupError(
            f"cannot reach the Telegram Bot API at {url} ({_reason(exc)}): check the network, "
            "a proxy, or TELEGRAM_API_BASE_URL",
            exit_code=ENVIRONMENT,
        )
    if _from_database(exc):
        where = database_label(settings) if settings else "the database"
        return StartupError(
            f"cannot use the database {where} ({_reason(exc)}): check DATABASE_URL and that "
            "the server is running (`python -m bot migrate` tries it alone)",
            exit_code=ENVIRONMENT,
        )
    if isinstance(exc, PermissionError):
        return StartupError(
            f"permission denied: {exc.filename or exc} — check DATA_DIR and file ownership",
            exit_code=ENVIRONMENT,
        )
    return None


def report(exc: BaseException, settings: Settings | None) -> int:
    """Print why we stopped (scrubbed) and return the exit code."""
    scrub = RedactToken(_token(settings)).scrub
    debug = (settings.log_level if settings else os.environ.get("LOG_LEVEL", "")).upper()
    if debug == "DEBUG":
        print(scrub("".join(traceback.format_exception(exc))), file=sys.stderr)
    known = explain(exc, settings)
    if known is not None:
        print(f"python -m bot: {scrub(str(known))}", file=sys.stderr)
        return known.exit_code
    print(
        f"python -m bot: unexpected error ({type(exc).__name__}): {scrub(str(exc))[:300]} "
        "— run with LOG_LEVEL=DEBUG for the traceback",
        file=sys.stderr,
    )
    return ENVIRONMENT


def _token(settings: Settings | None) -> str | None:
    if settings is None or settings.telegram_bot_token is None:
        return None
    return settings.telegram_bot_token.get_secret_value()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text


def _from_database(exc: BaseException) -> bool:
    """SQLAlchemy's errors, the drivers' and a refused socket, anywhere in the cause chain."""
    seen: BaseException | None = exc
    while seen is not None:
        module = type(seen).__module__
        if module.startswith(("sqlalchemy", "asyncpg", "aiosqlite", "sqlite3")):
            return True
        if isinstance(seen, ConnectionRefusedError | OSError) and "connect" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False
