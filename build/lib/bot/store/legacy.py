"""One-time import of the `persistence.pickle` earlier releases kept in `DATA_DIR`.

Profiles (`lang`, `role`, `country` in PTB's user_data) become `users` rows; any other
JSON-compatible user_data goes to `ptb_user_data`. The database wins every conflict (columns
are only filled where still empty), so a re-run — e.g. when the rename failed — never undoes a
choice a user made since. Afterwards the file is renamed `persistence.pickle.migrated`, kept
for the operator to delete once satisfied.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import func
from telegram.ext import PersistenceInput, PicklePersistence

from bot.routes import COUNTRY_CHOICES, LANGS, ROLES
from bot.store.engine import Store, insert
from bot.store.models import PtbUserData, User, utcnow
from bot.store.persistence import canonical

log = logging.getLogger(__name__)

_ALLOWED = {"lang": LANGS, "role": ROLES, "country": COUNTRY_CHOICES}
_COLUMNS = {"lang": "language", "role": "role", "country": "country"}


def migrated_path(path: Path) -> Path:
    return path.with_name(path.name + ".migrated")


async def read_pickle(path: Path) -> dict[int, dict[Any, Any]]:
    """user_data from a PicklePersistence file, read by PTB itself (it knows the format)."""
    legacy = PicklePersistence(
        path, store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False)
    )
    return await legacy.get_user_data()


async def import_pickle(store: Store, path: Path) -> int:
    """Import `path` if it exists; returns how many users were imported."""
    if not await asyncio.to_thread(path.is_file):
        return 0
    user_data = await read_pickle(path)
    now = utcnow()
    imported = 0
    async with store.transaction() as session:
        for user_id, data in user_data.items():
            profile = {
                _COLUMNS[key]: value
                for key, value in data.items()
                if key in _ALLOWED and value in _ALLOWED[key]
            }
            rest = {key: value for key, value in data.items() if key not in _COLUMNS}
            if profile:
                stmt = insert(session, User).values(
                    id=user_id, created_at=now, last_seen=now, **profile
                )
                fill = {
                    column: func.coalesce(getattr(User, column), stmt.excluded[column])
                    for column in profile
                }
                upsert = stmt.on_conflict_do_update(index_elements=[User.id], set_=fill)
                await session.execute(upsert)
                imported += 1
            if rest:
                try:
                    canonical(rest, f"user_data {user_id}")
                except TypeError as exc:
                    log.warning("legacy pickle: skipped data that is not JSON (%s)", exc)
                    continue
                await session.execute(
                    insert(session, PtbUserData)
                    .values(user_id=user_id, data=rest, version=1, updated_at=now)
                    .on_conflict_do_nothing(index_elements=[PtbUserData.user_id])
                )
    try:
        await asyncio.to_thread(path.rename, migrated_path(path))
    except OSError as exc:
        log.warning("imported %s but could not rename it (%s); re-runs are harmless", path, exc)
        return imported
    log.info("imported %d profiles from %s (renamed to %s)", imported, path, migrated_path(path))
    return imported
