"""Settings: bad values give one clear line naming the variable, never the token."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456:ABCDEFsecretvalue"


def test_defaults_mean_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = load_settings()
    assert settings.sandbox
    assert settings.default_language == "en"


def test_admin_ids_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", " 42, 7 ,")
    assert load_settings().admin_ids == frozenset({42, 7})
    assert load_settings().is_admin(42)
    assert not load_settings().is_admin(43)


def test_timezone_is_an_iana_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIMEZONE", raising=False)
    assert load_settings().timezone == "America/Mexico_City"
    monkeypatch.setenv("TIMEZONE", " America/Toronto ")
    settings = load_settings()
    assert settings.timezone == "America/Toronto"
    assert str(settings.zone) == "America/Toronto"


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("ADMIN_IDS", "1,alice", "invalid ADMIN_IDS"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "invalid TELEGRAM_BOT_TOKEN"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "invalid TELEGRAM_API_BASE_URL"),
        ("DEFAULT_LANGUAGE", "de", "invalid DEFAULT_LANGUAGE"),
        ("LOG_LEVEL", "LOUD", "invalid LOG_LEVEL"),
        ("PORT", "99999", "invalid PORT"),
        ("DATABASE_URL", "mysql://root:hunter2@db/x", "invalid DATABASE_URL"),
        ("DATABASE_URL", "::not a url hunter2::", "invalid DATABASE_URL"),
        ("WEBHOOK_URL", "http://plain.example/hook", "invalid WEBHOOK_URL"),
        ("TIMEZONE", "Mexico City", "invalid TIMEZONE"),
        ("TIMEZONE", "America", "invalid TIMEZONE"),
        ("TIMEZONE", "../../etc/hunter2", "invalid TIMEZONE"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, needle: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=needle) as caught:
        load_settings()
    assert "hunter2" not in str(caught.value)


def test_cli_exits_2_with_one_line_and_no_token(tmp_path: object) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": "x", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "validate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid ADMIN_IDS" in result.stderr
    assert "Traceback" not in result.stderr
    assert "secretvalue" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
