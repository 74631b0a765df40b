"""Alembic environment: runs on the connection `bot.store.migrate` hands over.

Used through `bot.store.migrate` (start-up, `python -m bot migrate`, tests). Run without a
connection (e.g. `alembic` on the command line with `-x url=…`), it builds an async engine from
that URL or from the application's settings.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from bot.store.models import Base

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    from bot.config import load_settings
    from bot.store.engine import database_url, normalize_url

    given = context.get_x_argument(as_dictionary=True).get("url")
    return normalize_url(given) if given else database_url(load_settings())


async def _run_async() -> None:
    from bot.store.engine import create_engine

    engine = create_engine(_url())
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_configure)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (connection := context.config.attributes.get("connection")) is not None:
    _configure(connection)
else:
    asyncio.run(_run_async())
