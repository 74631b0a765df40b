"""Engine set-up: URL handling, SQLite pragmas, the data directory, and the dialect's upsert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.store import Store, database_url, normalize_url
from bot.store.engine import redacted
from bot.store.migrate import head_revision


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/x", "postgresql+asyncpg://u:p@db:5432/x"),
        ("postgresql://u:p@db/x", "postgresql+asyncpg://u:p@db/x"),
        ("postgresql+asyncpg://u@db/x", "postgresql+asyncpg://u@db/x"),
        ("sqlite:///var/x.sqlite3", "sqlite+aiosqlite:///var/x.sqlite3"),
        ("sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
    ],
)
def test_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


@pytest.mark.parametrize("url", ["mysql://u@db/x", "postgresql+psycopg2://u@db/x"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"sqlite|async driver"):
        normalize_url(url)


def test_sqlite_file_in_the_data_dir_by_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    assert (
        database_url(settings) == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'workforce.sqlite3'}"
    )
    given = Settings(database_url="postgres://u:secret@db/x", _env_file=None)  # type: ignore[call-arg]
    assert database_url(given) == "postgresql+asyncpg://u:secret@db/x"
    assert "secret" not in redacted(database_url(given))


async def test_first_start_creates_the_sqlite_file_with_wal_and_foreign_keys(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "new" / "dir", _env_file=None)  # type: ignore[call-arg]
    store = Store.from_settings(settings)
    assert not (tmp_path / "new").exists()  # building the store touches nothing
    try:
        await store.start()
        assert (tmp_path / "new" / "dir" / "workforce.sqlite3").is_file()
        async with store.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await store.close()


async def test_deleting_a_chat_cascades_to_its_subscriptions(store: Store) -> None:
    """ON DELETE CASCADE works on both engines (SQLite needs foreign_keys=ON for it)."""
    from bot.store import ChatInfo, repo

    async with store.transaction() as s:
        await repo.subscribe(s, ChatInfo(-100, "group", "g"), "forums")
    async with store.transaction() as s:
        await s.execute(text("DELETE FROM chats"))
    async with store.readers() as s:
        assert await repo.topics_of(s, -100) == []


def test_the_migrate_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # a second run changes nothing
    out = capsys.readouterr().out
    assert out.count(f"database at revision {head_revision()}") == 2
    assert (tmp_path / "var" / "workforce.sqlite3").is_file()
    monkeypatch.setenv("DATABASE_URL", "mysql://u@db/x")
    with pytest.raises(SystemExit) as exited:
        main(["migrate"])
    assert exited.value.code == 2, "a bad DATABASE_URL is a configuration error"
    assert "invalid DATABASE_URL: unsupported database" in capsys.readouterr().err


async def test_ping_takes_no_lock_while_a_writer_works(store: Store) -> None:
    from bot.store import ChatInfo, repo

    async with store.transaction() as s:  # holds SQLite's write lock until the block ends
        await repo.subscribe(s, ChatInfo(-100, "group", "g"), "forums")
        await store.ping()  # a health check must not queue behind writers
