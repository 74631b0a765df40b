"""The emulated Telegram world: users, chats, messages, files, queries, bot settings.

It is plain in-memory data shared by the HTTP side (bot methods) and the
in-process control API (the test's "users"). Every change the bot makes is also
appended to an event log with a :class:`~bot.sandbox.wakeup.Wakeup`, so tests
await bot output without polling loops.
"""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import telegram
from telegram import ChatMember

from .errors import bad_request, forbidden
from .objects import timestamp
from .wakeup import Wakeup

ChatType = Literal["private", "group", "supergroup", "channel"]
EventKind = Literal["sent", "edited", "deleted"]


@dataclass
class UserRecord:
    """A Telegram user (the test's people) or another bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    is_premium: bool | None = None
    blocked: bool = False
    started: bool = True
    hides_forwards: bool = False
    """The "Forwarded messages" privacy setting: forwards show only the name, not a link."""

    @property
    def full_name(self) -> str:
        """First and last name, as shown where Telegram hides the account itself."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_ptb(self) -> telegram.User:
        """PTB ``User`` as it appears in updates."""
        return telegram.User(
            id=self.id,
            first_name=self.first_name,
            is_bot=self.is_bot,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
            is_premium=self.is_premium,
        )


@dataclass
class StoredMessage:
    """One message in a chat; ``data`` is its current Bot API form."""

    chat_id: int
    message_id: int
    data: dict[str, Any]
    from_bot: bool
    source: str | None = None
    parse_mode: str | None = None
    reply_keyboard: dict[str, Any] | None = None
    file_id: str | None = None
    inline_message_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    service: bool = False
    """A service message (topic created/closed...): never a "sent" event, never copyable."""

    @property
    def thread_id(self) -> int | None:
        """The forum topic the message belongs to (``None`` in General or outside forums)."""
        if not self.data.get("is_topic_message"):
            return None
        thread = self.data.get("message_thread_id")
        return int(thread) if thread is not None else None


TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
"""The six colours Telegram documents for topic icons; the first is the default."""

MAX_TOPIC_NAME_LENGTH = 128
GENERAL_THREAD_ID = 1
"""The General topic's id: never a real thread for the Bot API ("message thread not found")."""


@dataclass
class TopicRecord:
    """A forum topic; its id is the message_id of its ``forum_topic_created`` service message."""

    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None
    created_by: int
    closed: bool = False
    deleted: bool = False

    def to_ptb(self) -> telegram.ForumTopic:
        """PTB ``ForumTopic`` as createForumTopic returns it."""
        return telegram.ForumTopic(
            message_thread_id=self.message_thread_id,
            name=self.name,
            icon_color=self.icon_color,
            icon_custom_emoji_id=self.icon_custom_emoji_id,
        )

    @property
    def live(self) -> bool:
        """Not deleted (closed topics are still live: they can be reopened)."""
        return not self.deleted


@dataclass
class ChatRecord:
    """A chat, its members (for getChatMember) and its message history."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    description: str | None = None
    is_forum: bool = False
    topics: dict[int, TopicRecord] = field(default_factory=dict)

    @property
    def is_private(self) -> bool:
        """Private chats get the per-chat 1 msg/s flood limit and block semantics."""
        return self.type == "private"

    def to_ptb(self) -> telegram.Chat:
        """PTB ``Chat`` as embedded in messages."""
        return telegram.Chat(
            id=self.id,
            type=self.type,
            title=self.title,
            username=self.username,
            first_name=self.first_name,
            last_name=self.last_name,
            is_forum=True if self.is_forum else None,
        )

    def live_topic(self, thread_id: int) -> TopicRecord | None:
        """The topic with this id unless it never existed or was deleted."""
        topic = self.topics.get(thread_id)
        return topic if topic is not None and topic.live else None

    def is_admin(self, user_id: int) -> bool:
        """Owner or administrator (for the bot: its own ``bot_status``)."""
        return self.status_of(user_id) in ("creator", "administrator")

    def take_message_id(self) -> int:
        """Message ids grow per chat like Telegram's."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def status_of(self, user_id: int) -> str:
        """Membership status of ``user_id`` ("left" for strangers)."""
        return self.members.get(user_id, "left")

    def thread_messages(self, thread_id: int) -> list[StoredMessage]:
        """Every stored message of one topic, the creation service message included."""
        return [stored for stored in self.messages.values() if stored.thread_id == thread_id]


@dataclass(frozen=True)
class FileRecord:
    """Uploaded bytes behind a ``file_id``; ``file_path`` is what getFile returns."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    width: int = 0
    height: int = 0

    @property
    def file_path(self) -> str:
        """Relative download path under ``/file/bot<token>/`` (folders named like Telegram's)."""
        folder = _FILE_FOLDERS.get(self.kind, "documents")
        default = "file.oga" if self.kind == "voice" else f"file_{self.file_unique_id}"
        name = self.file_name or default
        return f"{folder}/{self.file_unique_id}_{name}"


_FILE_FOLDERS = {"photo": "photos", "voice": "voice", "document": "documents"}
_FILE_ID_PREFIXES = {"photo": "AgACAgIAAxkBAAI", "voice": "AwACAgIAAxkBAAI"}
"""Telegram's file_ids start with a type tag; documents use ``BQAC...``."""


@dataclass(frozen=True)
class BotEvent:
    """One thing the bot did to a message, in order; snapshots never change afterwards."""

    seq: int
    kind: EventKind
    chat_id: int
    message_id: int
    data: dict[str, Any]
    source: str | None
    parse_mode: str | None
    reply_keyboard: dict[str, Any] | None
    file_id: str | None
    inline_message_id: str | None
    time: float


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a callback query."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class CallbackQueryRecord:
    """A pressed button waiting for answerCallbackQuery."""

    id: str
    user_id: int
    data: str | None
    chat_id: int | None
    message_id: int | None
    inline_message_id: str | None
    created: float
    answer: CallbackAnswer | None = None
    error: str | None = None


@dataclass(frozen=True)
class InlineAnswer:
    """What the bot answered to an inline query (results as Bot API dicts)."""

    query_id: str
    results: list[dict[str, Any]]
    next_offset: str
    cache_time: int
    is_personal: bool
    button: dict[str, Any] | None

    @property
    def ids(self) -> list[str]:
        """Result ids in order."""
        return [str(result.get("id")) for result in self.results]

    @property
    def titles(self) -> list[str | None]:
        """Result titles in order (``None`` for types without a title)."""
        return [result.get("title") for result in self.results]


@dataclass
class InlineQueryRecord:
    """An inline query waiting for answerInlineQuery."""

    id: str
    user_id: int
    query: str
    offset: str
    chat_type: str | None
    created: float
    answer: InlineAnswer | None = None
    error: str | None = None


@dataclass
class BotSettings:
    """Everything set through setMy*/setChatMenuButton, keyed like Telegram keys it."""

    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    short_descriptions: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    default_menu_button: dict[str, Any] = field(default_factory=lambda: {"type": "commands"})
    chat_menu_buttons: dict[int, dict[str, Any]] = field(default_factory=dict)


class WorldState:
    """All mutable emulator state plus the change notifications tests wait on."""

    def __init__(self, bot: UserRecord) -> None:
        self.bot = bot
        self.users: dict[int, UserRecord] = {bot.id: bot}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, FileRecord] = {}
        self.inline_messages: dict[str, StoredMessage] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.inline_queries: dict[str, InlineQueryRecord] = {}
        self.settings = BotSettings()
        self.events: list[BotEvent] = []
        self.events_by_chat: dict[int, list[BotEvent]] = {}
        self.changed = Wakeup()
        self._user_ids = itertools.count(7_000_000_001)
        self._group_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_000_000_001)
        self._file_ids = itertools.count(1)

    # -- people and chats --------------------------------------------------------------
    def add_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
        started: bool = True,
    ) -> UserRecord:
        """Register a user and their private chat with the bot."""
        uid = user_id if user_id is not None else next(self._user_ids)
        if uid in self.users:
            raise ValueError(f"user id {uid} already exists")
        user = UserRecord(
            id=uid,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_bot=is_bot,
            started=started,
        )
        self.users[uid] = user
        self.chats[uid] = ChatRecord(
            id=uid,
            type="private",
            username=username,
            first_name=first_name,
            last_name=last_name,
            members={uid: "member", self.bot.id: "member"},
        )
        return user

    def add_group(
        self,
        title: str,
        *,
        chat_type: ChatType = "supergroup",
        username: str | None = None,
        chat_id: int | None = None,
        bot_status: str = "member",
        is_forum: bool = False,
    ) -> ChatRecord:
        """Register a group/supergroup/channel (supergroup ids look like ``-100…``)."""
        if is_forum and chat_type != "supergroup":
            raise ValueError("only supergroups can be forums")
        if chat_id is None:
            number = next(self._group_ids)
            chat_id = -(1_000_000_000_000 + number) if chat_type != "group" else -(4_000 + number)
        chat = ChatRecord(id=chat_id, type=chat_type, title=title, username=username)
        chat.is_forum = is_forum
        if is_forum:
            chat.next_message_id = GENERAL_THREAD_ID + 1  # message 1 opens General, never a topic
        chat.bot_status = bot_status
        chat.members[self.bot.id] = bot_status
        self.chats[chat_id] = chat
        return chat

    def ensure_chat(self, data: dict[str, Any]) -> ChatRecord:
        """Register a chat seen in an injected update so the bot can answer there."""
        chat_id = int(data["id"])
        chat = self.chats.get(chat_id)
        if chat is None:
            chat_type = data.get("type", "private")
            chat = ChatRecord(
                id=chat_id,
                type=chat_type,
                title=data.get("title"),
                username=data.get("username"),
                first_name=data.get("first_name"),
                last_name=data.get("last_name"),
                is_forum=bool(data.get("is_forum", False)),
            )
            chat.bot_status = "administrator" if chat_type == "channel" else "member"
            chat.members[self.bot.id] = chat.bot_status
            self.chats[chat_id] = chat
        return chat

    def ensure_user(self, data: dict[str, Any]) -> UserRecord:
        """Register a user seen in an injected update."""
        user_id = int(data["id"])
        user = self.users.get(user_id)
        if user is None:
            user = UserRecord(
                id=user_id,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name"),
                username=data.get("username"),
                language_code=data.get("language_code"),
                is_bot=bool(data.get("is_bot", False)),
            )
            self.users[user_id] = user
        return user

    def find_chat(self, raw: str) -> ChatRecord:
        """Resolve a ``chat_id`` parameter (number or ``@username``) or answer 400."""
        raw = raw.strip()
        if not raw:
            raise bad_request("chat_id is empty")
        if raw.startswith("@"):
            wanted = raw[1:].lower()
            for chat in self.chats.values():
                if chat.type != "private" and (chat.username or "").lower() == wanted:
                    return chat
            raise bad_request("chat not found")
        try:
            chat_id = int(raw)
        except ValueError:
            raise bad_request("chat not found") from None
        found = self.chats.get(chat_id)
        if found is None:
            raise bad_request("chat not found")
        return found

    def check_can_send(self, chat: ChatRecord) -> None:
        """403s Telegram answers when the bot may not post in ``chat``."""
        if chat.is_private:
            user = self.users.get(chat.id)
            if user is not None and user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if user is not None and user.blocked:
                raise forbidden("bot was blocked by the user")
            if user is not None and not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        kind = "channel" if chat.type == "channel" else chat.type
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")
        if chat.type == "channel" and chat.bot_status not in ("administrator", "creator"):
            raise forbidden("bot is not a member of the channel chat")

    # -- messages ----------------------------------------------------------------------
    def store_message(self, stored: StoredMessage) -> StoredMessage:
        """Keep a message (bot's or user's); bot messages also produce a 'sent' event."""
        chat = self.chats[stored.chat_id]
        chat.messages[stored.message_id] = stored
        chat.next_message_id = max(chat.next_message_id, stored.message_id + 1)
        if stored.from_bot and not stored.service:
            self.emit("sent", stored)
        return stored

    def update_message(self, stored: StoredMessage, data: dict[str, Any]) -> None:
        """Replace a message's content, keeping the previous version in ``history``."""
        stored.history.append(copy.deepcopy(stored.data))
        stored.data = data
        self.emit("edited", stored)

    def delete_message(self, stored: StoredMessage) -> None:
        """Mark deleted (kept for inspection) and tell waiters."""
        stored.deleted = True
        self.emit("deleted", stored)

    def get_message(self, chat: ChatRecord, message_id: int) -> StoredMessage | None:
        """A live (not deleted) message or ``None``."""
        stored = chat.messages.get(message_id)
        return None if stored is None or stored.deleted else stored

    def emit(self, kind: EventKind, stored: StoredMessage) -> BotEvent:
        """Append a bot event and wake everyone waiting for bot output."""
        event = BotEvent(
            seq=len(self.events),
            kind=kind,
            chat_id=stored.chat_id,
            message_id=stored.message_id,
            data=copy.deepcopy(stored.data),
            source=stored.source,
            parse_mode=stored.parse_mode,
            reply_keyboard=stored.reply_keyboard,
            file_id=stored.file_id,
            inline_message_id=stored.inline_message_id,
            time=time.monotonic(),
        )
        self.events.append(event)
        self.events_by_chat.setdefault(stored.chat_id, []).append(event)
        self.changed.notify()
        return event

    # -- members -----------------------------------------------------------------------
    def member_object(self, chat: ChatRecord, user: UserRecord) -> ChatMember:
        """The PTB ``ChatMember`` subclass matching the user's status in ``chat``."""
        status = chat.bot_status if user.id == self.bot.id else chat.status_of(user.id)
        if chat.is_private and user.id == self.bot.id:
            status = chat.members.get(user.id, "member")
        return member_for_status(user, status, forum=chat.is_forum)

    # -- ids -----------------------------------------------------------------------------
    def new_query_id(self) -> str:
        """Callback/inline query ids are opaque numeric strings in Telegram."""
        return str(next(self._query_ids))

    def new_file_ids(self, kind: str) -> tuple[str, str]:
        """(file_id, file_unique_id) shaped like Telegram's (opaque base64-ish strings)."""
        number = next(self._file_ids)
        prefix = _FILE_ID_PREFIXES.get(kind, "BQACAgIAAxkBAAI")
        return f"{prefix}{number:08d}SANDBOX", f"AQAD{number:08d}"


def member_for_status(user: UserRecord, status: str, *, forum: bool = False) -> ChatMember:
    """The PTB ``ChatMember`` subclass for a membership status string.

    In forums administrators also carry ``can_manage_topics``, which bots check before
    creating topics.
    """
    ptb_user = user.to_ptb()
    if status == "creator":
        return telegram.ChatMemberOwner(user=ptb_user, is_anonymous=False)
    if status == "administrator":
        return telegram.ChatMemberAdministrator(
            user=ptb_user,
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
            can_manage_topics=True if forum else None,
        )
    if status == "member":
        return telegram.ChatMemberMember(user=ptb_user)
    if status == "kicked":
        return telegram.ChatMemberBanned(user=ptb_user, until_date=timestamp(0))
    return telegram.ChatMemberLeft(user=ptb_user)
