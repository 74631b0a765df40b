"""What an operator reads when `python -m bot` cannot start: a few lines, the right exit code
(2 configuration, 1 environment), no traceback unless LOG_LEVEL=DEBUG, never the token.

Each case runs the real command in a subprocess; the Bot API is the project's emulator.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.client import Sandbox

REPO = Path(__file__).resolve().parents[2]
WRONG_TOKEN = "999999:WrongSecretWrongSecretWrong"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "CONTENT_DIR": str(REPO / "content"),
        "DATA_DIR": str(tmp_path / "data"),
        "STARTUP_RETRIES": "0",
    }
    env.update(extra)
    return env


async def _run(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[int, str, str]:
    """Run asynchronously, so the emulator in this event loop keeps answering meanwhile."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _assert_short(err: str, *, secret: str | None = None) -> list[str]:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert 1 <= len(lines) <= 4, err
    if secret:
        assert secret not in err
        assert secret.split(":")[1] not in err
    return lines


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_rejected_token_is_one_line_exit_2_and_never_printed(
    tg: Sandbox, tmp_path: Path
) -> None:
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_BASE_URL=tg.url)
    code, out, err = await _run([], env)
    assert code == 2
    lines = _assert_short(err, secret=WRONG_TOKEN)
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in lines[-1]
    assert "@BotFather" in lines[-1]
    assert WRONG_TOKEN not in out


async def test_with_debug_logs_the_traceback_is_shown_but_scrubbed(
    tg: Sandbox, tmp_path: Path
) -> None:
    env = _env(
        tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_BASE_URL=tg.url, LOG_LEVEL="DEBUG"
    )
    code, out, err = await _run([], env)
    assert code == 2
    assert "Traceback" in err
    assert "InvalidToken" in err
    assert WRONG_TOKEN not in err + out
    assert WRONG_TOKEN.split(":")[1] not in err + out


async def test_an_unreachable_bot_api_names_the_url_retries_then_exits_1(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    env = _env(
        tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_BASE_URL=url, STARTUP_RETRIES="1"
    )
    code, _, err = await _run([], env)
    assert code == 1
    lines = _assert_short(err, secret=WRONG_TOKEN)
    assert f"Bot API at {url} unreachable" in lines[0]
    assert "retrying in 1 s" in lines[0]
    assert lines[-1].startswith(f"python -m bot: cannot reach the Telegram Bot API at {url}")


async def test_an_unreachable_database_is_one_line_exit_1_without_password(
    tg: Sandbox, tmp_path: Path
) -> None:
    env = _env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=tg.token,
        TELEGRAM_API_BASE_URL=tg.url,
        DATABASE_URL=f"postgresql+asyncpg://bot:hunter2pw@127.0.0.1:{_free_port()}/bot",
    )
    code, _, err = await _run([], env)
    assert code == 1
    lines = _assert_short(err, secret=tg.token)
    assert "hunter2pw" not in err
    assert "cannot use the database postgresql+asyncpg://bot:***@127.0.0.1" in lines[-1]
    assert "DATABASE_URL" in lines[-1]


@pytest.mark.parametrize("mode", ["sandbox", "bot"])
async def test_an_unwritable_data_dir_names_the_variable_exit_2(
    tg: Sandbox, tmp_path: Path, mode: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    extra = {"DATA_DIR": str(blocker / "data")}
    if mode == "bot":
        extra |= {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.url}
    code, _, err = await _run([], _env(tmp_path, **extra), stdin="/start\n")
    assert code == 2
    (line,) = _assert_short(err)
    assert line.startswith(f"python -m bot: DATA_DIR={blocker / 'data'} is not a writable")


async def test_a_missing_content_dir_names_the_variable_exit_2(tmp_path: Path) -> None:
    code, _, err = await _run([], _env(tmp_path, CONTENT_DIR=str(tmp_path / "nowhere")))
    assert code == 2
    (line,) = _assert_short(err)
    assert f"CONTENT_DIR={tmp_path / 'nowhere'} is not a directory" in line


async def test_bot_username_with_at_is_accepted_and_links_survive_a_closed_pipe(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path, BOT_USERNAME="@WorkforcePathwaysBot")
    command = f"{sys.executable} -m bot links | head -2"
    process = await asyncio.create_subprocess_shell(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await process.communicate()
    lines = out.decode().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("https://t.me/WorkforcePathwaysBot?start=") for line in lines)
    assert b"Traceback" not in err
    assert b"BrokenPipe" not in err


@pytest.mark.parametrize("name", ["Fo o!", "@", "bot-name", "1bot", "x" * 40])
async def test_bot_username_telegram_forbids_is_a_config_error(tmp_path: Path, name: str) -> None:
    code, _, err = await _run(["links"], _env(tmp_path, BOT_USERNAME=name))
    assert code == 2
    (line,) = _assert_short(err)
    assert line.startswith("configuration error: invalid BOT_USERNAME")
