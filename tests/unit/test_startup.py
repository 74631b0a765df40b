"""`bot.startup`: the retry schedule and how failures are explained (no Telegram, no clock)."""

from __future__ import annotations

import pytest
from telegram.error import InvalidToken, NetworkError

from bot import startup
from bot.config import Settings

TOKEN = "123456:AAAAsecretsecretsecretsecret"


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_the_schedule_backs_off_and_is_capped() -> None:
    assert startup.delays(_settings(startup_retries=0)) == ()
    assert startup.delays(_settings(startup_retries=7)) == (1, 2, 4, 8, 15, 30, 30)


async def test_retrying_sleeps_the_schedule_then_returns_the_first_success() -> None:
    slept: list[float] = []
    outcomes: list[object] = [OSError("refused"), OSError("refused"), "ok"]

    async def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    assert await startup.retrying("db", attempt, (OSError,), (1.0, 2.0, 4.0), sleep) == "ok"
    assert slept == [1.0, 2.0]


async def test_retrying_gives_up_with_the_last_error_and_never_retries_others() -> None:
    calls = 0

    async def refused() -> None:
        nonlocal calls
        calls += 1
        raise OSError(f"refused {calls}")

    async def sleep(_: float) -> None:
        return None

    with pytest.raises(OSError, match="refused 3"):
        await startup.retrying("db", refused, (OSError,), (1.0, 1.0), sleep)

    async def rejected() -> None:
        raise InvalidToken("Unauthorized")

    with pytest.raises(InvalidToken):
        await startup.retrying("api", rejected, (NetworkError,), (1.0,), sleep)


def test_invalid_token_is_configuration_and_its_message_loses_the_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = _settings(telegram_bot_token=TOKEN)
    code = startup.report(InvalidToken(f"The token `{TOKEN}` was rejected"), settings)
    err = capsys.readouterr().err
    assert code == startup.CONFIG
    assert TOKEN not in err
    assert "secretsecret" not in err
    assert err.count("\n") == 1


def test_an_unexpected_error_is_one_scrubbed_line_pointing_at_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = _settings(telegram_bot_token=TOKEN)
    code = startup.report(RuntimeError(f"boom near {TOKEN}"), settings)
    err = capsys.readouterr().err
    assert code == startup.ENVIRONMENT
    assert "unexpected error (RuntimeError)" in err
    assert "LOG_LEVEL=DEBUG" in err
    assert TOKEN not in err
    assert "Traceback" not in err


def test_database_errors_are_recognised_through_the_cause_chain() -> None:
    settings = _settings(database_url="postgresql+asyncpg://u:pw@db.example/x")
    try:
        try:
            raise ConnectionRefusedError(111, "Connect call failed ('10.0.0.1', 5432)")
        except OSError as inner:
            raise RuntimeError("pool gave up") from inner
    except RuntimeError as outer:
        explained = startup.explain(outer, settings)
    assert explained is not None
    assert explained.exit_code == startup.ENVIRONMENT
    assert "postgresql+asyncpg://u:***@db.example/x" in str(explained)
    assert "pw@" not in str(explained)
