"""PTB persistence in the bot's database, so several instances can share one state.

PTB loads persistence once at start-up and then trusts its memory; with two instances (or a
restart racing a deploy) each keeps writing its own stale copy (PTB issues #4452, #5123,
#5225). Here every row carries a `version`, bumped by each write, and PTB's
`refresh_user_data` / `refresh_chat_data` / `refresh_bot_data` — which PTB awaits before
every update it hands to a handler — re-read the row (on a shared database: PostgreSQL by
default; SQLite is one process by design, and there the refresh costs nothing). When another
instance wrote a newer version, it is merged into the live dict: the other instance's data,
plus the keys this instance changed since it last synchronized (three-way merge per top-level
key, so a pending local edit is never thrown away by a refresh).

Writes are skipped when nothing changed, and no empty row is ever created, so the periodic
`update_persistence` costs nothing for users whose data did not change.

Data is stored as JSON: dict keys must be strings and values JSON-compatible; anything else
is rejected with a TypeError naming the key. Arbitrary callback data is not supported (every
button carries its route, see `bot.routes`); `store_data.callback_data` must be False.

ConversationHandler states are stored and reloaded at start-up, but PTB keeps them in the
handler's own memory afterwards, which no persistence can refresh; multi-step flows should
therefore keep their step in their routes or in the database (see ARCHITECTURE.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from telegram.ext import BasePersistence, PersistenceInput

from bot.store.engine import Store, insert
from bot.store.models import PtbBotData, PtbChatData, PtbConversation, PtbUserData, utcnow

Data = dict[str, Any]
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CallbackData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]
DEFAULT_STORE_DATA = PersistenceInput(bot_data=False, chat_data=False, callback_data=False)
"""user_data only: bot_data holds live services, chat_data is used by no feature yet (each
stored kind costs one primary-key SELECT per update for its refresh)."""
BOT_DATA_ID = 1


def canonical(data: Mapping[str, Any], what: str) -> str:
    """Stable JSON text of `data`; a TypeError names what cannot be stored."""
    for key in data:
        if not isinstance(key, str):
            raise TypeError(f"{what}: key {key!r} is not a string; only JSON data is stored")
    try:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what}: not JSON-serializable ({exc})") from None


def rebase(remote: Data, base: Data, local: Data) -> Data:
    """Another instance's `remote` data plus what `local` changed relative to `base`."""
    merged = dict(remote)
    for key, value in local.items():
        if key not in base or base[key] != value:
            merged[key] = value
    for key in base:
        if key not in local:
            merged.pop(key, None)
    return merged


@dataclass(slots=True)
class _Synced:
    """What this instance last read from or wrote to a row."""

    version: int
    text: str
    data: Data


class _Rows:
    """One table of versioned JSON dicts keyed by an integer id."""

    def __init__(self, store: Store, model: Any, key: str, what: str) -> None:
        self.store = store
        self.model = model
        self.key = getattr(model, key)
        self.key_name = key
        self.what = what
        self.synced: dict[int, _Synced] = {}

    async def load_all(self) -> dict[int, Data]:
        async with self.store.readers() as session:
            rows = await session.execute(select(self.key, self.model.version, self.model.data))
            result: dict[int, Data] = {}
            for ident, version, data in rows.all():
                self.synced[ident] = _Synced(version, canonical(data, self.what), data)
                result[ident] = dict(data)
        return result

    async def refresh(self, ident: int, live: Data) -> None:
        """Bring `live` (PTB's dict, updated in place) up to date with the row."""
        async with self.store.readers() as session:
            row = (
                await session.execute(
                    select(self.model.version, self.model.data).where(self.key == ident)
                )
            ).one_or_none()
        seen = self.synced.get(ident)
        if row is None:
            if seen is not None:  # deleted elsewhere (e.g. /forget on another instance)
                merged = rebase({}, seen.data, live)
                live.clear()
                live.update(merged)
                del self.synced[ident]
            return
        version, data = row
        if seen is not None and seen.version == version:
            return
        merged = rebase(data, seen.data if seen else {}, live)
        live.clear()
        live.update(merged)
        self.synced[ident] = _Synced(version, canonical(data, self.what), data)

    async def write(self, ident: int, live: Mapping[str, Any]) -> None:
        text = canonical(live, f"{self.what} {ident}")
        seen = self.synced.get(ident)
        if (seen is not None and seen.text == text) or (seen is None and not live):
            return
        data = json.loads(text)
        now = utcnow()
        async with self.store.transaction() as session:
            stmt = insert(session, self.model).values(
                {self.key_name: ident, "data": data, "version": 1, "updated_at": now}
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[self.key],
                set_={"data": data, "version": self.model.version + 1, "updated_at": now},
            ).returning(self.model.version)
            version = (await session.execute(stmt)).scalar_one()
        self.synced[ident] = _Synced(version, text, data)

    async def drop(self, ident: int) -> None:
        async with self.store.transaction() as session:
            await session.execute(delete(self.model).where(self.key == ident))
        self.synced.pop(ident, None)


def _conversation_key(key: ConversationKey) -> str:
    return json.dumps(list(key))


class DatabasePersistence(BasePersistence[Data, Data, Data]):
    """`BasePersistence` over the `ptb_*` tables of the bot's database."""

    def __init__(
        self,
        store: Store,
        *,
        store_data: PersistenceInput | None = None,
        update_interval: float = 10,
        shared: bool | None = None,
    ) -> None:
        """`shared`: other processes may write the same rows, so re-read them per update.

        None decides by engine: PostgreSQL is shared (several instances, deploys overlapping);
        SQLite is one process by design (the broadcast sender's lease is in-process too), so
        this process's memory is the truth and the per-update SELECT would be pure cost.
        """
        store_data = store_data or DEFAULT_STORE_DATA
        if store_data.callback_data:
            raise ValueError("callback data is not stored: every button carries its route")
        super().__init__(store_data=store_data, update_interval=update_interval)
        self.store = store
        self.shared = store.dialect != "sqlite" if shared is None else shared
        self._users = _Rows(store, PtbUserData, "user_id", "user_data")
        self._chats = _Rows(store, PtbChatData, "chat_id", "chat_data")
        self._bot = _Rows(store, PtbBotData, "id", "bot_data")

    # Loading at start-up (PTB's Application.initialize) — the database is made ready first.

    async def get_user_data(self) -> dict[int, Data]:
        await self.store.start()
        return await self._users.load_all()

    async def get_chat_data(self) -> dict[int, Data]:
        await self.store.start()
        return await self._chats.load_all()

    async def get_bot_data(self) -> Data:
        await self.store.start()
        return (await self._bot.load_all()).get(BOT_DATA_ID, {})

    async def get_callback_data(self) -> CallbackData | None:
        """Always None: arbitrary callback data is not used (see the module docstring)."""
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        await self.store.start()
        async with self.store.readers() as session:
            rows = await session.execute(
                select(PtbConversation.key, PtbConversation.state).where(
                    PtbConversation.name == name
                )
            )
            return {tuple(json.loads(key)): state for key, state in rows.all()}

    # Writing (PTB calls these every `update_interval` seconds and at shutdown).

    async def update_user_data(self, user_id: int, data: Data) -> None:
        await self._users.write(user_id, data)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        await self._chats.write(chat_id, data)

    async def update_bot_data(self, data: Data) -> None:
        await self._bot.write(BOT_DATA_ID, data)

    async def update_callback_data(self, data: CallbackData) -> None:
        """Never called: `store_data.callback_data` is always False."""

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        ident = _conversation_key(key)
        async with self.store.transaction() as session:
            if new_state is None:
                await session.execute(
                    delete(PtbConversation).where(
                        PtbConversation.name == name, PtbConversation.key == ident
                    )
                )
                return
            now = utcnow()
            stmt = insert(session, PtbConversation).values(
                name=name, key=ident, state=new_state, updated_at=now
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[PtbConversation.name, PtbConversation.key],
                    set_={"state": new_state, "updated_at": now},
                )
            )

    async def drop_user_data(self, user_id: int) -> None:
        await self._users.drop(user_id)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._chats.drop(chat_id)

    # Refreshing before each update: see the module docstring.

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        if self.shared:
            await self._users.refresh(user_id, user_data)

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        if self.shared:
            await self._chats.refresh(chat_id, chat_data)

    async def refresh_bot_data(self, bot_data: Data) -> None:
        if self.shared:
            await self._bot.refresh(BOT_DATA_ID, bot_data)

    async def flush(self) -> None:
        """Nothing to do: every update_* call above is written through at once."""
