"""Storage: schema, repositories, migrations and PTB persistence on SQLAlchemy (async).

SQLite (a file in `DATA_DIR`) by default, PostgreSQL when `DATABASE_URL` is
`postgresql+asyncpg://…`; the same code and migrations serve both.

    store = Store.from_settings(settings)      # no I/O yet
    await store.start()                         # migrations (+ legacy pickle import), once
    async with store.transaction() as session:  # one transaction
        await repo.subscribe(session, ChatInfo(chat_id, "private"), "forums")
"""

from bot.store.engine import Store, database_url, normalize_url
from bot.store.gaps import DatabaseGaps
from bot.store.persistence import DatabasePersistence
from bot.store.profiles import DatabaseProfiles
from bot.store.repo import ChatInfo
from bot.store.topics import Topic

__all__ = [
    "ChatInfo",
    "DatabaseGaps",
    "DatabasePersistence",
    "DatabaseProfiles",
    "Store",
    "Topic",
    "database_url",
    "normalize_url",
]
