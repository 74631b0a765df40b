"""The people and chats a test plays: users, groups/channels, and pending queries.

They mutate the emulator's world directly (no HTTP) and queue the updates
Telegram would send, following Telegram's rules: a user who writes to a bot
they blocked implicitly restarts it, group privacy mode hides plain chatter,
inline results are posted "via @bot", and so on. Create them through
:class:`bot.sandbox.client.Sandbox` (``tg.user()``, ``tg.group()``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Sequence
from typing import TYPE_CHECKING, Any

import telegram

from .errors import ApiError, SandboxError, SandboxRejected, SandboxTimeout
from .files import store_file
from .markup import parse_reply_markup
from .methods.common import compose_message, quoted
from .methods.forum import (
    NAME_EMPTY,
    checked_icon_color,
    clean_topic_name,
    edit_topic,
    open_topic,
    remove_topic,
    set_topic_closed,
)
from .methods.media import document_object, photo_sizes, voice_object
from .objects import message_from_api, normalize_message, to_api
from .records import BotMessage
from .state import (
    TOPIC_ICON_COLORS,
    CallbackAnswer,
    CallbackQueryRecord,
    ChatRecord,
    InlineAnswer,
    InlineQueryRecord,
    StoredMessage,
    TopicRecord,
    UserRecord,
)
from .text import MAX_TEXT_LENGTH, FormattedText, plain_entities, utf16_len

if TYPE_CHECKING:
    from .client import Sandbox

DEFAULT_WAIT = 5.0
BOT_OUTPUT = frozenset({"sent", "edited"})


def _sendable(value: str | None, what: str) -> None:
    """Refuse text no Telegram client can send: it must encode as UTF-8 (a lone surrogate such
    as "\\ud800" does not, and would make the update unencodable)."""
    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = value[exc.start]
        raise SandboxError(
            f"{what} is not valid UTF-8 (lone surrogate U+{ord(char):04X} at index {exc.start}):"
            " Telegram clients cannot send it"
        ) from None


class CallbackPress:
    """A button press in flight; ``await press.answer()`` for the bot's answerCallbackQuery."""

    def __init__(self, sandbox: Sandbox, record: CallbackQueryRecord) -> None:
        self._sandbox = sandbox
        self.record = record

    @property
    def id(self) -> str:
        """The callback query id."""
        return self.record.id

    @property
    def data(self) -> str | None:
        """The pressed button's callback_data."""
        return self.record.data

    @property
    def answered(self) -> CallbackAnswer | None:
        """The answer if the bot has answered already."""
        return self.record.answer

    async def answer(self, *, timeout: float = DEFAULT_WAIT) -> CallbackAnswer:  # noqa: ASYNC109 (test API)
        """Wait for answerCallbackQuery; raises if the emulator rejected the answer."""
        record = self.record
        await self._sandbox._wait_for(
            lambda: record.answer is not None or record.error is not None,
            timeout,
            f"callback query {record.id} ({record.data!r}) was not answered",
        )
        if record.answer is None:
            raise SandboxRejected(record.error or "rejected")
        return record.answer


class PendingInlineQuery:
    """An inline query in flight; ``await pending.answer()`` for the bot's answer."""

    def __init__(self, sandbox: Sandbox, record: InlineQueryRecord) -> None:
        self._sandbox = sandbox
        self.record = record

    @property
    def id(self) -> str:
        """The inline query id."""
        return self.record.id

    async def answer(self, *, timeout: float = DEFAULT_WAIT) -> InlineAnswer:  # noqa: ASYNC109 (test API)
        """Wait for answerInlineQuery; raises ``SandboxRejected`` if Telegram would refuse it."""
        record = self.record
        await self._sandbox._wait_for(
            lambda: record.answer is not None or record.error is not None,
            timeout,
            f"inline query {record.query!r} was not answered",
        )
        if record.answer is None:
            raise SandboxRejected(record.error or "rejected")
        return record.answer


class _Participant:
    """Shared helpers for things tests wait on (users, groups)."""

    _sandbox: Sandbox

    @property
    def _cursor_key(self) -> str:
        raise NotImplementedError

    def _default_chat(self) -> int:
        raise NotImplementedError

    async def wait_message(
        self,
        *,
        chat: ChatRef | None = None,
        thread: int | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109 - ergonomic test API
    ) -> BotMessage:
        """Next message the bot sent or edited in this chat (events are consumed in order).

        ``thread`` waits in one forum topic: that topic has a cursor of its own, so what
        it skips stays available to the chat-wide ``wait_message()``.
        """
        chat_id = self._sandbox._chat_id(chat) if chat is not None else self._default_chat()
        event = await self._sandbox._next_event(
            self._cursor_key, chat_id, BOT_OUTPUT, timeout, thread=thread
        )
        return BotMessage.from_event(event, self._sandbox.state)

    async def wait_messages(
        self,
        count: int,
        *,
        chat: ChatRef | None = None,
        thread: int | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109 - ergonomic test API
    ) -> list[BotMessage]:
        """The next ``count`` bot messages/edits in this chat (or topic)."""
        deadline = time.monotonic() + timeout
        result = []
        for _ in range(count):
            remaining = max(deadline - time.monotonic(), 0.0)
            result.append(await self.wait_message(chat=chat, thread=thread, timeout=remaining))
        return result

    async def expect_no_message(
        self, *, chat: ChatRef | None = None, thread: int | None = None, within: float = 0.3
    ) -> None:
        """Assert the bot stays silent in this chat (or topic) for ``within`` seconds."""
        try:
            message = await self.wait_message(chat=chat, thread=thread, timeout=within)
        except SandboxTimeout:
            return
        raise AssertionError(f"unexpected bot message: {message.text!r}")

    async def stream(
        self, *, chat: ChatRef | None = None, thread: int | None = None
    ) -> AsyncGenerator[BotMessage, None]:
        """Every bot message/edit in this chat as it happens (for live UIs like the terminal).

        Shares the cursor with :meth:`wait_message`; runs until the consumer stops iterating.
        """
        chat_id = self._sandbox._chat_id(chat) if chat is not None else self._default_chat()
        while True:
            event = await self._sandbox._next_event(
                self._cursor_key, chat_id, BOT_OUTPUT, None, thread=thread
            )
            yield BotMessage.from_event(event, self._sandbox.state)

    def drain(self, *, chat: ChatRef | None = None, thread: int | None = None) -> list[BotMessage]:
        """Consume (and return) every pending bot message/edit without waiting."""
        chat_id = self._sandbox._chat_id(chat) if chat is not None else self._default_chat()
        events = self._sandbox._drain(self._cursor_key, chat_id, BOT_OUTPUT, thread)
        return [BotMessage.from_event(event, self._sandbox.state) for event in events]

    def messages(
        self, *, chat: ChatRef | None = None, thread: int | None = None
    ) -> list[BotMessage]:
        """Current versions of the bot's messages in this chat (or topic)."""
        chat_id = self._sandbox._chat_id(chat) if chat is not None else self._default_chat()
        return self._sandbox.messages(chat_id, thread=thread)


class SandboxUser(_Participant):
    """A person talking to the bot (their private chat has the same id as the user)."""

    def __init__(self, sandbox: Sandbox, record: UserRecord) -> None:
        self._sandbox = sandbox
        self.record = record

    def __repr__(self) -> str:
        return f"SandboxUser(id={self.id}, first_name={self.first_name!r})"

    # -- identity ------------------------------------------------------------------------
    @property
    def id(self) -> int:
        """User id (= private chat id)."""
        return self.record.id

    @property
    def chat_id(self) -> int:
        """The private chat with the bot."""
        return self.record.id

    @property
    def first_name(self) -> str:
        """First name as Telegram shows it."""
        return self.record.first_name

    @property
    def username(self) -> str | None:
        """@username without the @."""
        return self.record.username

    @property
    def language_code(self) -> str | None:
        """IETF language tag sent with every update from this user."""
        return self.record.language_code

    @property
    def user(self) -> telegram.User:
        """PTB ``User``."""
        return self.record.to_ptb()

    @property
    def blocked(self) -> bool:
        """Whether the user currently blocks the bot."""
        return self.record.blocked

    @property
    def _cursor_key(self) -> str:
        return f"user:{self.id}"

    def _default_chat(self) -> int:
        return self.chat_id

    # -- sending -------------------------------------------------------------------------
    def _writable_chat(self, chat: ChatRef | None) -> ChatRecord:
        sandbox = self._sandbox
        chat_record = sandbox._chat(chat) if chat is not None else sandbox.state.chats[self.id]
        if chat_record.is_private:
            if chat_record.id != self.id:
                raise SandboxError("a user can only write in their own private chat with the bot")
            if self.record.blocked:
                self.unblock()  # writing to a blocked bot = "Restart bot" in Telegram clients
            self.record.started = True
        elif chat_record.status_of(self.id) not in ("creator", "administrator", "member"):
            raise SandboxError(f"{self.first_name} is not a member of {chat_record.title!r}")
        return chat_record

    def _post(self, chat: ChatRecord, data: dict[str, Any]) -> telegram.Message:
        data = normalize_message(data)
        self._sandbox.state.store_message(
            StoredMessage(chat.id, data["message_id"], data, from_bot=False)
        )
        if self._sandbox._bot_sees(chat, data):
            kind = "channel_post" if chat.type == "channel" else "message"
            self._sandbox._put(kind, data)
        return message_from_api(data)

    def _reply_data(self, chat: ChatRecord, reply_to: ReplyRef | None) -> dict[str, Any] | None:
        if reply_to is None:
            return None
        message_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
        stored = self._sandbox.state.get_message(chat, message_id)
        if stored is None:
            raise SandboxError(f"no message {message_id} in chat {chat.id} to reply to")
        return quoted(stored)

    def _thread(
        self, chat: ChatRecord, thread: int | None, reply: dict[str, Any] | None = None
    ) -> int | None:
        """The topic the message goes to: the one asked for, else the replied message's.

        Telegram clients only let admins write in a closed topic.
        """
        if thread is not None:
            if not chat.is_forum:
                raise SandboxError(f"{chat.title!r} is not a forum; it has no topics")
            if chat.live_topic(thread) is None:
                raise SandboxError(f"no topic {thread} in {chat.title!r}")
        elif reply is not None and reply.get("is_topic_message"):
            thread = int(reply["message_thread_id"])
        if thread is None:
            return None
        topic = chat.live_topic(thread)
        if topic is not None and topic.closed and not chat.is_admin(self.id):
            raise SandboxError(f"topic {topic.name!r} is closed; only admins can write there")
        return thread

    async def send(
        self,
        text: str,
        *,
        chat: ChatRef | None = None,
        thread: int | None = None,
        reply_to: ReplyRef | None = None,
    ) -> telegram.Message:
        """The user types ``text`` (commands get a ``bot_command`` entity) and sends it.

        ``thread`` writes in a forum topic; a reply goes to the replied message's topic.
        """
        _sendable(text, "the message text")
        if not text.strip():
            raise SandboxError("Telegram clients do not send empty messages")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise SandboxError("Telegram clients split messages longer than 4096 characters")
        chat_record = self._writable_chat(chat)
        formatted = FormattedText(text, plain_entities(text), text, None)
        reply = self._reply_data(chat_record, reply_to)
        data = compose_message(
            chat_record,
            self.record,
            text=formatted,
            reply_to=reply,
            thread_id=self._thread(chat_record, thread, reply),
        )
        message = self._post(chat_record, data)
        await asyncio.sleep(0)
        return message

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.pdf",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread: int | None = None,
    ) -> telegram.Message:
        """The user uploads a file; the bot can fetch it with getFile + download."""
        _sendable(file_name, "the file name")
        _sendable(mime_type, "the MIME type")
        _sendable(caption, "the caption")
        chat_record = self._writable_chat(chat)
        thread_id = self._thread(chat_record, thread)
        record = store_file(
            self._sandbox.state, data, kind="document", file_name=file_name, mime_type=mime_type
        )
        message = self._post(
            chat_record,
            compose_message(
                chat_record,
                self.record,
                caption=self._caption(caption),
                document=document_object(record),
                thread_id=thread_id,
            ),
        )
        await asyncio.sleep(0)
        return message

    async def send_photo(
        self,
        data: bytes,
        *,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread: int | None = None,
    ) -> telegram.Message:
        """The user sends a picture (PNG/JPEG/GIF/WebP bytes)."""
        _sendable(caption, "the caption")
        chat_record = self._writable_chat(chat)
        thread_id = self._thread(chat_record, thread)
        record = store_file(self._sandbox.state, data, kind="photo")
        message = self._post(
            chat_record,
            compose_message(
                chat_record,
                self.record,
                caption=self._caption(caption),
                photo=photo_sizes(record),
                thread_id=thread_id,
            ),
        )
        await asyncio.sleep(0)
        return message

    async def send_voice(
        self,
        data: bytes,
        *,
        duration: int = 1,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread: int | None = None,
    ) -> telegram.Message:
        """The user records a voice note (the bytes are kept as given, OGG/Opus or not)."""
        _sendable(caption, "the caption")
        if not data:
            raise SandboxError("Telegram clients do not send empty voice notes")
        if duration < 0:
            raise SandboxError("a voice note cannot last less than nothing")
        chat_record = self._writable_chat(chat)
        thread_id = self._thread(chat_record, thread)
        record = store_file(self._sandbox.state, data, kind="voice")
        message = self._post(
            chat_record,
            compose_message(
                chat_record,
                self.record,
                caption=self._caption(caption),
                voice=voice_object(record, duration),
                thread_id=thread_id,
            ),
        )
        await asyncio.sleep(0)
        return message

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        *,
        chat: ChatRef | None = None,
        thread: int | None = None,
    ) -> telegram.Message:
        """The user shares a location (the 📎 menu, or a `request_location` keyboard button)."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise SandboxError("Telegram clients only send real coordinates")
        chat_record = self._writable_chat(chat)
        location = telegram.Location(longitude=longitude, latitude=latitude)
        message = self._post(
            chat_record,
            compose_message(
                chat_record,
                self.record,
                location=location,
                thread_id=self._thread(chat_record, thread),
            ),
        )
        await asyncio.sleep(0)
        return message

    @staticmethod
    def _caption(caption: str | None) -> FormattedText | None:
        if not caption:
            return None
        return FormattedText(caption, plain_entities(caption), caption, None)

    async def edit(self, message: telegram.Message | int, text: str) -> telegram.Message:
        """The user edits one of their messages (bot receives ``edited_message``)."""
        _sendable(text, "the edited text")
        message_id = message if isinstance(message, int) else message.message_id
        chat_id = self.chat_id if isinstance(message, int) else message.chat.id
        chat = self._sandbox.state.chats[chat_id]
        stored = self._sandbox.state.get_message(chat, message_id)
        if stored is None or stored.data.get("from", {}).get("id") != self.id:
            raise SandboxError(f"{self.first_name} has no message {message_id} to edit")
        data = {key: value for key, value in stored.data.items() if key not in ("text", "entities")}
        data["text"] = text
        entities = [to_api(e) for e in plain_entities(text)]
        if entities:
            data["entities"] = entities
        data["edit_date"] = int(time.time())
        data = normalize_message(data)
        stored.history.append(stored.data)
        stored.data = data
        if self._sandbox._bot_sees(chat, data):
            self._sandbox._put("edited_message", data)
        await asyncio.sleep(0)
        return message_from_api(data)

    # -- buttons and inline mode -----------------------------------------------------------
    async def press(
        self,
        message: BotMessage | telegram.Message | int,
        button: str | int | tuple[int, int] | None = None,
        *,
        chat: ChatRef | None = None,
        data: str | None = None,
    ) -> CallbackPress:
        """Press an inline button by text, callback_data, flat index or (row, column).

        ``data`` sends that callback_data instead of a button's, as a stale or modified client
        can: Telegram delivers whatever the client sends, so bots must cope with any string.
        """
        sandbox = self._sandbox
        _sendable(data, "the callback data")
        stored = sandbox._locate(message, chat if chat is not None else self.chat_id)
        if stored.deleted:
            raise SandboxError("the message was deleted")
        if data is None:
            if button is None:
                raise SandboxError("say which button to press (or the data to send)")
            rows = (stored.data.get("reply_markup") or {}).get("inline_keyboard") or []
            chosen = _find_button(rows, button)
            if chosen.get("callback_data") is None:
                raise SandboxError(f"button {chosen['text']!r} is not a callback button: {chosen}")
            data = chosen["callback_data"]
        if not stored.inline_message_id:
            chat_record = sandbox.state.chats[stored.chat_id]
            if chat_record.is_private and chat_record.id != self.id:
                raise SandboxError("that message is in someone else's private chat")
        record = CallbackQueryRecord(
            id=sandbox.state.new_query_id(),
            user_id=self.id,
            data=data,
            chat_id=None if stored.inline_message_id else stored.chat_id,
            message_id=None if stored.inline_message_id else stored.message_id,
            inline_message_id=stored.inline_message_id,
            created=time.monotonic(),
        )
        sandbox.state.callback_queries[record.id] = record
        query = telegram.CallbackQuery(
            id=record.id,
            from_user=self.user,
            chat_instance=_chat_instance(stored.chat_id),
            message=None if stored.inline_message_id else message_from_api(stored.data),
            inline_message_id=stored.inline_message_id,
            data=record.data,
        )
        sandbox._put("callback_query", to_api(query))
        await asyncio.sleep(0)
        return CallbackPress(sandbox, record)

    def inline_query(
        self, query: str, offset: str = "", *, chat_type: str = "sender"
    ) -> PendingInlineQuery:
        """Send an inline query without waiting; ``await pending.answer()`` later."""
        sandbox = self._sandbox
        _sendable(query, "the inline query")
        _sendable(offset, "the inline query offset")
        if not sandbox.emulator.config.supports_inline_queries:
            raise SandboxError("inline mode is disabled for this bot")
        record = InlineQueryRecord(
            id=sandbox.state.new_query_id(),
            user_id=self.id,
            query=query,
            offset=offset,
            chat_type=chat_type,
            created=time.monotonic(),
        )
        sandbox.state.inline_queries[record.id] = record
        inline_query = telegram.InlineQuery(
            id=record.id, from_user=self.user, query=query, offset=offset, chat_type=chat_type
        )
        sandbox._put("inline_query", to_api(inline_query))
        return PendingInlineQuery(sandbox, record)

    async def inline(
        self,
        query: str,
        offset: str = "",
        *,
        chat_type: str = "sender",
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109 - ergonomic test API
    ) -> InlineAnswer:
        """Type ``@bot query`` and wait for answerInlineQuery (raises if it was rejected)."""
        pending = self.inline_query(query, offset, chat_type=chat_type)
        return await pending.answer(timeout=timeout)

    async def choose_inline(
        self, answer: InlineAnswer, result: int | str = 0, *, chat: ChatRef | None = None
    ) -> telegram.Message:
        """Pick an inline result: it is posted "via @bot" in ``chat`` (default: private chat)."""
        sandbox = self._sandbox
        chosen = _find_result(answer, result)
        content = chosen.get("input_message_content") or {}
        if "message_text" not in content:
            raise SandboxError("only results with a text input_message_content can be chosen")
        chat_record = self._writable_chat(chat)
        formatted = sandbox.emulator.format_text(
            content["message_text"], content.get("parse_mode"), content.get("entities")
        )
        markup = parse_reply_markup(chosen.get("reply_markup"), inline_only=True)
        inline_id = sandbox._new_inline_message_id() if markup.inline else None
        data = normalize_message(
            compose_message(
                chat_record,
                self.record,
                text=formatted,
                inline_markup=markup.inline,
                via_bot=sandbox.state.bot,
            )
        )
        stored = StoredMessage(
            chat_record.id,
            data["message_id"],
            data,
            from_bot=False,
            source=formatted.source,
            parse_mode=formatted.parse_mode,
            inline_message_id=inline_id,
        )
        sandbox.state.store_message(stored)
        if inline_id:
            sandbox.state.inline_messages[inline_id] = stored
        if sandbox._bot_sees(chat_record, data):
            sandbox._put("message", data)
        if sandbox.emulator.config.inline_feedback:
            record = sandbox.state.inline_queries.get(answer.query_id)
            chosen_result = telegram.ChosenInlineResult(
                result_id=str(chosen["id"]),
                from_user=self.user,
                query=record.query if record else "",
                inline_message_id=inline_id,
            )
            sandbox._put("chosen_inline_result", to_api(chosen_result))
        await asyncio.sleep(0)
        return message_from_api(data)

    # -- blocking ------------------------------------------------------------------------
    def block(self) -> None:
        """The user blocks the bot: sends answer 403 and the bot gets ``my_chat_member``."""
        if self.record.blocked:
            return
        self.record.blocked = True
        self._sandbox._bot_membership_changed(
            self._sandbox.state.chats[self.id], self.record, "member", "kicked"
        )

    def unblock(self) -> None:
        """The user restarts the bot (``my_chat_member`` kicked → member)."""
        if not self.record.blocked:
            return
        self.record.blocked = False
        self._sandbox._bot_membership_changed(
            self._sandbox.state.chats[self.id], self.record, "kicked", "member"
        )


class SandboxGroup(_Participant):
    """A group, supergroup or channel with configurable members and admins."""

    def __init__(self, sandbox: Sandbox, record: ChatRecord) -> None:
        self._sandbox = sandbox
        self.record = record

    def __repr__(self) -> str:
        return f"SandboxGroup(id={self.id}, title={self.title!r}, type={self.type!r})"

    @property
    def id(self) -> int:
        """Chat id (negative; ``-100…`` for supergroups and channels)."""
        return self.record.id

    @property
    def chat_id(self) -> int:
        """Same as :attr:`id` (symmetry with users)."""
        return self.record.id

    @property
    def title(self) -> str | None:
        """Group title."""
        return self.record.title

    @property
    def type(self) -> str:
        """``group``, ``supergroup`` or ``channel``."""
        return self.record.type

    @property
    def chat(self) -> telegram.Chat:
        """PTB ``Chat``."""
        return self.record.to_ptb()

    @property
    def _cursor_key(self) -> str:
        return "group"

    def _default_chat(self) -> int:
        return self.id

    def add_member(self, user: SandboxUser, status: str = "member") -> None:
        """Add (or re-status) a member: ``member``, ``administrator`` or ``creator``."""
        self.record.members[user.id] = status

    def remove_member(self, user: SandboxUser) -> None:
        """The user leaves the group."""
        self.record.members[user.id] = "left"

    def promote(self, user: SandboxUser) -> None:
        """Make the user an administrator (getChatMember/getChatAdministrators see it)."""
        self.record.members[user.id] = "administrator"

    # -- forum topics ----------------------------------------------------------------------
    @property
    def is_forum(self) -> bool:
        """Whether the supergroup has topics."""
        return self.record.is_forum

    @property
    def topics(self) -> dict[int, TopicRecord]:
        """Every topic ever created here by thread id (deleted ones have ``deleted=True``)."""
        return dict(self.record.topics)

    def topic(self, thread_id: int) -> TopicRecord:
        """One topic (live or deleted) by its ``message_thread_id``."""
        topic = self.record.topics.get(thread_id)
        if topic is None:
            raise SandboxError(f"no topic {thread_id} in {self.title!r}")
        return topic

    def create_topic(
        self,
        name: str,
        *,
        by: SandboxUser,
        icon_color: int = TOPIC_ICON_COLORS[0],
        icon_custom_emoji_id: str | None = None,
    ) -> int:
        """A person opens a topic; the bot gets the ``forum_topic_created`` message.

        Returns the new topic's ``message_thread_id``.
        """
        chat = self._forum_member(by)
        try:
            clean = clean_topic_name(name, strict=True)
            if not clean:
                raise SandboxError(f"Telegram would refuse the topic name: {NAME_EMPTY}")
            color = checked_icon_color(icon_color, strict=True)
        except ApiError as exc:
            raise SandboxError(f"Telegram clients refuse it: {exc.description}") from exc
        topic, data = open_topic(
            self._sandbox.state, chat, by.record, clean, color, icon_custom_emoji_id
        )
        self._announce(data)
        return topic.message_thread_id

    def close_topic(self, thread_id: int, *, by: SandboxUser) -> None:
        """An admin (or the topic's creator) closes a topic; the bot gets forum_topic_closed."""
        self._set_closed(thread_id, by, closed=True)

    def reopen_topic(self, thread_id: int, *, by: SandboxUser) -> None:
        """An admin (or the topic's creator) reopens it; the bot gets forum_topic_reopened."""
        self._set_closed(thread_id, by, closed=False)

    def edit_topic(
        self,
        thread_id: int,
        *,
        by: SandboxUser,
        name: str | None = None,
        icon_custom_emoji_id: str | None = None,
        remove_icon: bool = False,
    ) -> None:
        """A person renames a topic or changes its icon; the bot gets forum_topic_edited."""
        chat, topic = self._manageable(thread_id, by)
        try:
            clean = clean_topic_name(name, strict=True) if name else None
            if name and not clean:
                raise SandboxError(f"Telegram would refuse the topic name: {NAME_EMPTY}")
            data = edit_topic(
                self._sandbox.state,
                chat,
                topic,
                by.record,
                name=clean,
                edit_icon=remove_icon or icon_custom_emoji_id is not None,
                icon_custom_emoji_id=None if remove_icon else icon_custom_emoji_id,
            )
        except ApiError as exc:
            raise SandboxError(exc.description) from exc
        self._announce(data)

    def delete_topic(self, thread_id: int, *, by: SandboxUser) -> None:
        """An admin deletes a topic and everything in it (bots get no update for that)."""
        chat, topic = self._manageable(thread_id, by)
        remove_topic(self._sandbox.state, chat, topic)

    def _forum_member(self, user: SandboxUser) -> ChatRecord:
        chat = self.record
        if not chat.is_forum:
            raise SandboxError(f"{self.title!r} is not a forum; use Sandbox.forum()")
        if chat.status_of(user.id) not in ("creator", "administrator", "member"):
            raise SandboxError(f"{user.first_name} is not a member of {self.title!r}")
        return chat

    def _manageable(self, thread_id: int, user: SandboxUser) -> tuple[ChatRecord, TopicRecord]:
        chat = self._forum_member(user)
        topic = chat.live_topic(thread_id)
        if topic is None:
            raise SandboxError(f"no topic {thread_id} in {self.title!r}")
        if not chat.is_admin(user.id) and topic.created_by != user.id:
            raise SandboxError(f"{user.first_name} may not manage topic {topic.name!r}")
        return chat, topic

    def _set_closed(self, thread_id: int, user: SandboxUser, *, closed: bool) -> None:
        chat, topic = self._manageable(thread_id, user)
        try:
            data = set_topic_closed(self._sandbox.state, chat, topic, user.record, closed=closed)
        except ApiError as exc:
            raise SandboxError(exc.description) from exc
        self._announce(data)

    def _announce(self, data: dict[str, Any]) -> None:
        if self._sandbox._bot_sees(self.record, data):
            self._sandbox._put("message", data)

    def set_bot_status(self, status: str, *, by: SandboxUser | None = None) -> None:
        """Add/remove/promote the bot; emits ``my_chat_member`` like Telegram."""
        old = self.record.bot_status
        if old == status:
            return
        self.record.bot_status = status
        self.record.members[self._sandbox.state.bot.id] = status
        actor = by.record if by else self._sandbox._some_member(self.record)
        self._sandbox._bot_membership_changed(self.record, actor, old, status)

    async def post(self, text: str) -> telegram.Message:
        """A channel post (only for channels; the bot must be an admin to see it)."""
        _sendable(text, "the post text")
        if self.record.type != "channel":
            raise SandboxError("post() is for channels; users send() in groups")
        formatted = FormattedText(text, plain_entities(text), text, None)
        data = normalize_message(
            compose_message(self.record, self._sandbox.state.bot, text=formatted)
        )
        self._sandbox.state.store_message(
            StoredMessage(self.id, data["message_id"], data, from_bot=False)
        )
        if self.record.bot_status in ("administrator", "creator"):
            self._sandbox._put("channel_post", data)
        await asyncio.sleep(0)
        return message_from_api(data)


ChatRef = SandboxUser | SandboxGroup | int
ReplyRef = telegram.Message | BotMessage | int


def _chat_instance(chat_id: int) -> str:
    """Opaque but stable per chat, like Telegram's ``chat_instance``."""
    return str(-(abs(chat_id) * 2_654_435_761 % 9_000_000_000_000_000_000) - 1)


def _find_button(
    rows: Sequence[Sequence[dict[str, Any]]], wanted: str | int | tuple[int, int]
) -> dict[str, Any]:
    flat = [button for row in rows for button in row]
    if not flat:
        raise SandboxError("the message has no inline keyboard")
    if isinstance(wanted, tuple):
        row, column = wanted
        return dict(rows[row][column])
    if isinstance(wanted, int):
        return dict(flat[wanted])
    for key in ("text", "callback_data"):
        for button in flat:
            if button.get(key) == wanted:
                return dict(button)
    available = [(b.get("text"), b.get("callback_data") or b.get("url")) for b in flat]
    raise SandboxError(f"no button {wanted!r}; buttons are {available}")


def _find_result(answer: InlineAnswer, wanted: int | str) -> dict[str, Any]:
    if isinstance(wanted, int):
        return answer.results[wanted]
    for result in answer.results:
        if str(result.get("id")) == wanted:
            return result
    raise SandboxError(f"no inline result with id {wanted!r}; ids are {answer.ids}")
