"""In-process control API: play users, groups and Telegram itself against a bot.

::

    async with Sandbox() as tg:
        alice = tg.user(first_name="Alicia", language_code="es")
        await alice.send("/start")
        reply = await alice.wait_message()
        await alice.press(reply, "Canada")
        edited = await alice.wait_message()

Everything here runs on the emulator's event loop and mutates its state
directly (no HTTP), while the bot under test talks to the emulator over real
HTTP. Waiting is event-driven: ``wait_*`` helpers sleep until the emulator
reports bot activity, never in polling loops.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterable
from typing import Any

import telegram

from .emulator import DEFAULT_TOKEN, DEFAULT_USERNAME, BotApiEmulator, EmulatorConfig, RequestRecord
from .errors import SandboxError, SandboxTimeout
from .limits import FaultConfig, FloodConfig
from .objects import SERVICE_FIELDS, timestamp, to_api
from .participants import (
    BOT_OUTPUT,
    DEFAULT_WAIT,
    CallbackPress,
    ChatRef,
    PendingInlineQuery,
    SandboxGroup,
    SandboxUser,
)
from .records import BotMessage, Button
from .state import (
    BotEvent,
    CallbackAnswer,
    ChatRecord,
    ChatType,
    InlineAnswer,
    StoredMessage,
    UserRecord,
    WorldState,
    member_for_status,
)
from .updates import WebhookDelivery


class Sandbox:
    """Test-facing façade over a :class:`BotApiEmulator` (owns it unless one is passed)."""

    def __init__(
        self,
        emulator: BotApiEmulator | None = None,
        *,
        token: str = DEFAULT_TOKEN,
        username: str = DEFAULT_USERNAME,
        config: EmulatorConfig | None = None,
        flood: FloodConfig | None = None,
    ) -> None:
        self.emulator = emulator or BotApiEmulator(
            token, username=username, config=config, flood=flood
        )
        self._started_here = False
        self._cursors: dict[tuple[str, int], int] = {}
        self._inline_ids = itertools.count(1)

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> Sandbox:
        """Start the emulator unless it is already running."""
        if not self.emulator.running:
            await self.emulator.start()
            self._started_here = True
        return self

    async def stop(self) -> None:
        """Stop the emulator if this sandbox started it."""
        if self._started_here:
            await self.emulator.stop()
            self._started_here = False

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- identity ------------------------------------------------------------------------
    @property
    def state(self) -> WorldState:
        """The emulator's :class:`~bot.sandbox.state.WorldState` (for advanced assertions)."""
        return self.emulator.state

    @property
    def url(self) -> str:
        """Emulator root URL."""
        return self.emulator.url

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``."""
        return self.emulator.base_url

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return self.emulator.base_file_url

    @property
    def token(self) -> str:
        """The only token the emulator accepts."""
        return self.emulator.token

    @property
    def bot_username(self) -> str:
        """The bot's @username without @."""
        return self.emulator.state.bot.username or ""

    @property
    def bot_id(self) -> int:
        """The bot's user id (the number before ``:`` in the token)."""
        return self.emulator.state.bot.id

    @property
    def bot(self) -> telegram.User:
        """The bot as a PTB ``User``."""
        return self.emulator.state.bot.to_ptb()

    # -- world building ------------------------------------------------------------------
    def user(
        self,
        first_name: str = "Alice",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
        started: bool = True,
    ) -> SandboxUser:
        """A new user with a private chat (``started=False``: never pressed Start)."""
        record = self.state.add_user(
            first_name,
            user_id=user_id,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        return SandboxUser(self, record)

    def group(
        self,
        title: str = "Test group",
        *,
        members: Iterable[SandboxUser] = (),
        admins: Iterable[SandboxUser] = (),
        owner: SandboxUser | None = None,
        chat_type: ChatType = "supergroup",
        username: str | None = None,
        bot_status: str = "member",
        announce: bool = False,
    ) -> SandboxGroup:
        """A group with members/admins; ``announce`` emits the bot-added ``my_chat_member``."""
        record = self.state.add_group(
            title, chat_type=chat_type, username=username, bot_status=bot_status
        )
        self._add_people(record, members, admins, owner)
        group = SandboxGroup(self, record)
        if announce:
            self._bot_membership_changed(record, self._some_member(record), "left", bot_status)
        return group

    def forum(
        self,
        title: str = "Staff",
        *,
        members: Iterable[SandboxUser] = (),
        admins: Iterable[SandboxUser] = (),
        owner: SandboxUser | None = None,
        bot_status: str = "administrator",
        username: str | None = None,
    ) -> SandboxGroup:
        """A forum supergroup (topics on); the bot is an administrator unless told otherwise."""
        record = self.state.add_group(
            title, chat_type="supergroup", username=username, bot_status=bot_status, is_forum=True
        )
        self._add_people(record, members, admins, owner)
        return SandboxGroup(self, record)

    def channel(self, title: str = "Test channel", *, username: str | None = None) -> SandboxGroup:
        """A channel where the bot is an administrator (so it receives channel posts)."""
        return self.group(title, chat_type="channel", username=username, bot_status="administrator")

    @staticmethod
    def _add_people(
        record: ChatRecord,
        members: Iterable[SandboxUser],
        admins: Iterable[SandboxUser],
        owner: SandboxUser | None,
    ) -> None:
        for user in members:
            record.members[user.id] = "member"
        for user in admins:
            record.members[user.id] = "administrator"
        if owner is not None:
            record.members[owner.id] = "creator"

    def _some_member(self, chat: ChatRecord) -> UserRecord:
        for status in ("creator", "administrator", "member"):
            for user_id, member_status in chat.members.items():
                if member_status == status and user_id != self.bot_id:
                    return self.state.users[user_id]
        return self.state.bot

    # -- updates -------------------------------------------------------------------------
    async def inject(self, update: dict[str, Any] | telegram.Update) -> int | None:
        """Queue any raw update (channel posts, stickers, locations, edits...) for the bot."""
        data = to_api(update) if isinstance(update, telegram.Update) else dict(update)
        update_id = self.emulator.inject(data)
        await asyncio.sleep(0)
        return update_id

    def _put(self, kind: str, payload: dict[str, Any]) -> int | None:
        update_id = self.emulator.updates.put(kind, payload)
        self.emulator.touch()
        return update_id

    def _bot_sees(self, chat: ChatRecord, data: dict[str, Any]) -> bool:
        """Group privacy mode: commands, replies to the bot and via-bot messages only.

        Service messages reach every member bot. In a topic the bot created, every
        message counts as a reply to the bot (the implicit reply to the topic's first
        message), as on Telegram.
        """
        if chat.is_private:
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.emulator.config.privacy_mode or chat.bot_status in ("administrator", "creator"):
            return True
        if any(key in data for key in SERVICE_FIELDS):
            return True
        text = str(data.get("text") or data.get("caption") or "")
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            _, _, addressee = command.partition("@")
            return not addressee or addressee.lower() == self.bot_username.lower()
        replied = data.get("reply_to_message") or {}
        if (replied.get("from") or {}).get("id") == self.bot_id:
            return True
        return (data.get("via_bot") or {}).get("id") == self.bot_id

    def _bot_membership_changed(
        self, chat: ChatRecord, actor: UserRecord, old: str, new: str
    ) -> None:
        bot = self.state.bot
        chat.members[bot.id] = new
        if not chat.is_private:
            chat.bot_status = new
        update = telegram.ChatMemberUpdated(
            chat=chat.to_ptb(),
            from_user=actor.to_ptb(),
            date=timestamp(int(time.time())),
            old_chat_member=member_for_status(bot, old, forum=chat.is_forum),
            new_chat_member=member_for_status(bot, new, forum=chat.is_forum),
        )
        self._put("my_chat_member", to_api(update))

    def _new_inline_message_id(self) -> str:
        return f"AgAAA{next(self._inline_ids):010d}SANDBOX"

    # -- reading bot output --------------------------------------------------------------
    @property
    def events(self) -> list[BotEvent]:
        """Raw event log: every send/edit/delete by the bot, in order."""
        return list(self.state.events)

    @property
    def sent(self) -> list[BotMessage]:
        """Current versions of all messages the bot sent, in sending order."""
        seen: dict[tuple[int, int], None] = {}
        for event in self.state.events:
            if event.kind == "sent":
                seen.setdefault((event.chat_id, event.message_id), None)
        return [
            BotMessage.from_stored(self.state.chats[chat_id].messages[message_id], self.state)
            for chat_id, message_id in seen
        ]

    def messages(
        self, chat: ChatRef, *, include_deleted: bool = False, thread: int | None = None
    ) -> list[BotMessage]:
        """Current versions of the bot's messages in one chat (or one topic), oldest first."""
        chat_record = self._chat(chat)
        return [
            BotMessage.from_stored(stored, self.state)
            for _, stored in sorted(chat_record.messages.items())
            if stored.from_bot
            and not stored.service
            and (include_deleted or not stored.deleted)
            and (thread is None or stored.thread_id == thread)
        ]

    def history(self, chat: ChatRef, message_id: int) -> list[BotMessage]:
        """Every version of one message (original first, current last)."""
        stored = self._chat(chat).messages[message_id]
        versions = [*stored.history, stored.data]
        return [BotMessage.from_stored(stored, self.state, data=version) for version in versions]

    async def wait_message(
        self,
        chat: ChatRef,
        *,
        thread: int | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109 - ergonomic test API
    ) -> BotMessage:
        """Next bot message/edit in ``chat`` (a cursor separate from the users' cursors).

        ``thread`` waits in one forum topic, with a cursor of its own.
        """
        chat_id = self._chat_id(chat)
        event = await self._next_event("sandbox", chat_id, BOT_OUTPUT, timeout, thread=thread)
        return BotMessage.from_event(event, self.state)

    async def wait_event(
        self,
        chat: ChatRef,
        *,
        kinds: Iterable[str] = ("sent", "edited", "deleted"),
        thread: int | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109 - ergonomic test API
    ) -> BotMessage:
        """Like :meth:`wait_message` but can also wait for deletions (``event == "deleted"``)."""
        chat_id = self._chat_id(chat)
        event = await self._next_event("events", chat_id, frozenset(kinds), timeout, thread=thread)
        return BotMessage.from_event(event, self.state)

    @property
    def callback_answers(self) -> dict[str, CallbackAnswer]:
        """Answers to callback queries by query id."""
        return {
            query_id: record.answer
            for query_id, record in self.state.callback_queries.items()
            if record.answer is not None
        }

    @property
    def unanswered_callbacks(self) -> list[str]:
        """Callback query ids the bot never answered (the spinner would keep spinning)."""
        return [qid for qid, record in self.state.callback_queries.items() if record.answer is None]

    @property
    def inline_answers(self) -> dict[str, InlineAnswer]:
        """Answers to inline queries by query id."""
        return {
            query_id: record.answer
            for query_id, record in self.state.inline_queries.items()
            if record.answer is not None
        }

    @property
    def requests(self) -> list[RequestRecord]:
        """Every HTTP call the bot made (method, params, status, description, fault)."""
        return list(self.emulator.requests)

    def count_requests(self, method: str | None = None, *, status: int | None = None) -> int:
        """How many requests matched (method name is case-insensitive)."""
        return sum(
            1
            for record in self.emulator.requests
            if (method is None or record.method.lower() == method.lower())
            and (status is None or record.status == status)
        )

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Every update queued for the bot (raw Bot API dicts)."""
        return list(self.emulator.updates.history)

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        """``(chat_id, action)`` for every sendChatAction."""
        return list(self.emulator.chat_actions)

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes behind a ``file_id``."""
        return bytes(self.state.files[file_id].data)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Commands stored by setMyCommands for exactly this scope/language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return list(self.state.settings.commands.get((key, language_code), []))

    def description(self, language_code: str = "") -> str:
        """setMyDescription text."""
        return str(self.state.settings.descriptions.get(language_code, ""))

    def short_description(self, language_code: str = "") -> str:
        """setMyShortDescription text."""
        return str(self.state.settings.short_descriptions.get(language_code, ""))

    def menu_button(self, chat: ChatRef | None = None) -> dict[str, Any]:
        """The menu button a chat shows (its own or the bot default)."""
        settings = self.state.settings
        if chat is not None:
            button = settings.chat_menu_buttons.get(self._chat_id(chat))
            if button is not None and button["type"] != "default":
                return dict(button)
        return dict(settings.default_menu_button)

    @property
    def webhook(self) -> WebhookDelivery:
        """The emulator's :class:`~bot.sandbox.updates.WebhookDelivery` (attempts, errors)."""
        return self.emulator.webhook

    # -- control -------------------------------------------------------------------------
    def configure_flood(self, **settings: Any) -> FloodConfig:
        """e.g. ``configure_flood(enabled=True, private_per_sec=1, private_burst=3)``."""
        return self.emulator.configure_flood(**settings)

    def configure_faults(self, **settings: Any) -> FaultConfig:
        """e.g. ``configure_faults(seed=1, error_5xx=0.05, latency=(0, 0.01))``."""
        return self.emulator.configure_faults(**settings)

    def clear_faults(self) -> None:
        """No more injected faults or latency."""
        self.emulator.faults.clear()

    async def wait_idle(
        self,
        *,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109 - ergonomic test API
        settle: float = 0.1,
    ) -> None:
        """Until every update was delivered, no bot request is running, and ``settle`` passed."""
        emulator = self.emulator
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            quiet_for = now - emulator.last_activity
            if emulator.is_idle and quiet_for >= settle:
                return
            remaining = deadline - now
            if remaining <= 0:
                raise SandboxTimeout(
                    f"sandbox not idle after {timeout}s: {emulator.updates.undelivered} "
                    f"undelivered updates, {emulator.busy} requests in progress"
                )
            await emulator.activity.wait(min(max(settle - quiet_for, 0.005), remaining))

    # -- internals -------------------------------------------------------------------------
    def _chat(self, chat: ChatRef) -> ChatRecord:
        chat_id = chat if isinstance(chat, int) else chat.chat_id
        record = self.state.chats.get(chat_id)
        if record is None:
            raise SandboxError(f"unknown chat {chat_id}")
        return record

    def _chat_id(self, chat: ChatRef) -> int:
        return self._chat(chat).id

    def _locate(self, message: BotMessage | telegram.Message | int, chat: ChatRef) -> StoredMessage:
        if isinstance(message, BotMessage) and message.inline_message_id:
            return self.state.inline_messages[message.inline_message_id]
        if isinstance(message, BotMessage):
            chat_id, message_id = message.chat_id, message.message_id
        elif isinstance(message, telegram.Message):
            chat_id, message_id = message.chat.id, message.message_id
        else:
            chat_id, message_id = self._chat_id(chat), message
        stored = self._chat(chat_id).messages.get(message_id)
        if stored is None:
            raise SandboxError(f"no message {message_id} in chat {chat_id}")
        return stored

    async def _next_event(
        self,
        key: str,
        chat_id: int,
        kinds: frozenset[str],
        seconds: float | None,
        *,
        thread: int | None = None,
    ) -> BotEvent:
        """Next event for one cursor; ``seconds=None`` waits forever (streams)."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            event = self._take_event(key, chat_id, kinds, thread)
            if event is not None:
                return event
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                where = f" topic {thread}" if thread is not None else ""
                what = f"no bot message in chat {chat_id}{where}"
                raise SandboxTimeout(self._diagnose(what, seconds or 0.0))
            await self.state.changed.wait(remaining)

    def _take_event(
        self, key: str, chat_id: int, kinds: frozenset[str], thread: int | None = None
    ) -> BotEvent | None:
        """Advance the ``(key, chat)`` cursor over that chat's own event list.

        A topic gets its own cursor, so skipping other topics' events there leaves them
        for the chat-wide cursor.
        """
        cursor = (key if thread is None else f"{key}#topic{thread}", chat_id)
        events = self.state.events_by_chat.get(chat_id, [])
        position = self._cursors.get(cursor, 0)
        while position < len(events):
            event = events[position]
            position += 1
            if event.kind in kinds and (
                thread is None or event.data.get("message_thread_id") == thread
            ):
                self._cursors[cursor] = position
                return event
        self._cursors[cursor] = position
        return None

    def _drain(
        self, key: str, chat_id: int, kinds: frozenset[str], thread: int | None = None
    ) -> list[BotEvent]:
        drained = []
        while (event := self._take_event(key, chat_id, kinds, thread)) is not None:
            drained.append(event)
        return drained

    async def _wait_for(self, predicate: Any, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxTimeout(self._diagnose(what, seconds))
            await self.state.changed.wait(remaining)

    def _diagnose(self, what: str, timeout: float) -> str:
        failures = [r for r in self.emulator.requests if r.status != 200][-5:]
        lines = [f"{what} within {timeout:.2f}s."]
        if failures:
            lines.append("Recent failed bot requests:")
            lines.extend(f"  {r.method} -> {r.status} {r.description}" for r in failures)
        if self.emulator.internal_errors:
            lines.append(f"Emulator internal errors: {self.emulator.internal_errors[-3:]!r}")
        if not any(r.method == "getUpdates" for r in self.emulator.requests[-50:]):
            lines.append("The bot has not polled getUpdates recently - is it running?")
        return "\n".join(lines)


__all__ = [
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "CallbackPress",
    "ChatRef",
    "InlineAnswer",
    "PendingInlineQuery",
    "Sandbox",
    "SandboxGroup",
    "SandboxUser",
]
