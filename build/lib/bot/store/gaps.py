"""`GapRecorder` (see `bot.services`) backed by the `search_gaps` table."""

from __future__ import annotations

from bot.store import repo
from bot.store.engine import Store

UNKNOWN_LANG = "und"
"""BCP 47 "undetermined", for queries whose language the search could not tell."""


class DatabaseGaps:
    """Counts searches that found nothing: the normalized query and its language, nobody's id."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def record(self, query: str, lang: str | None) -> None:
        async with self.store.transaction() as session:
            await repo.record_gap(session, query, lang or UNKNOWN_LANG)

    async def top(self, limit: int = 20, *, lang: str | None = None) -> list[repo.Gap]:
        async with self.store.readers() as session:
            return await repo.top_gaps(session, limit, lang=lang)
