""" "Ask a person": messages copied between a user's private chat and their staff topic.

The staff chat (`STAFF_CHAT_ID`) is a supergroup; when it is a forum each user who asks gets
one topic (`createForumTopic`), otherwise a header message that staff reply to. Everything is
`copyMessage`, so texts, photos, documents and voice messages travel as they are and **no
message text is ever stored**: the database keeps only which topic is whose and the
conversation's state (`bot.store.staff`), read fresh per message so several instances act as
one. The rules (names, limits, when to say what) are in `bot.domain.relay`; the cards in
`bot.relay_screens`; the handlers (`bot.handlers.ask`, `bot.handlers.staff`) stay thin.

Staff are the staff chat's administrators plus `STAFF_IDS` and `ADMIN_IDS`; the list of
administrators is asked of Telegram at most once a minute per process.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from enum import Enum

from telegram import Bot, Message, ReplyParameters, User
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import relay_screens
from bot.config import Settings
from bot.domain import relay
from bot.domain.hours import Hours, parse_hours
from bot.flood import FloodGate
from bot.screens import Profile
from bot.store import Store, repo
from bot.store import staff as threads
from bot.store.models import utcnow
from bot.store.staff import Thread

log = logging.getLogger(__name__)

ADMINS_TTL = 60.0
_THREAD_GONE = ("message thread not found", "topic_id_invalid", "topic_deleted")
_TOPIC_CLOSED = "topic_closed"
_NOT_MODIFIED = "topic_not_modified"
_CANT_COPY = ("can't be copied", "message can't be forwarded")


class Sent(Enum):
    """What happened to a message the user sent while talking with staff."""

    FIRST = "first"  # relayed, and the first of the user's turn: tell them it went
    MORE = "more"  # relayed, more of the same turn: say nothing
    TOO_LONG = "too_long"
    CANT_COPY = "cant_copy"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Delivery:
    sent: Sent
    away: bool = False
    limit: tuple[int, int] | None = None


class RelayError(Exception):
    """The staff chat could not be reached (bot removed, chat gone, Telegram down)."""


@dataclass
class StaffRelay:
    settings: Settings
    store: Store
    flood: FloodGate = field(default_factory=lambda: FloodGate(rate=0.25, burst=6))
    """Per user: six quick messages, then one every four seconds. The staff chat is one group,
    and Telegram lets a bot post about 20 messages a minute there, so one person's flood must
    not use up everyone's share."""
    hours: Hours | None = None
    _forum: bool | None = None
    _admins: frozenset[int] = frozenset()
    _admins_at: float = -ADMINS_TTL

    def __post_init__(self) -> None:
        if self.settings.staff_hours and self.hours is None:
            self.hours = parse_hours(self.settings.staff_hours)

    @property
    def chat_id(self) -> int:
        assert self.settings.staff_chat_id is not None
        return self.settings.staff_chat_id

    @property
    def staff_lang(self) -> str:
        return self.settings.default_language

    # -- who is who ------------------------------------------------------------------------

    async def is_forum(self, bot: Bot) -> bool:
        """Whether the staff chat has topics (asked once per process; a chat converted to a
        forum later is noticed after a restart)."""
        if self._forum is None:
            try:
                chat = await bot.get_chat(self.chat_id)
            except TelegramError as exc:
                raise RelayError(str(exc)) from exc
            self._forum = bool(chat.is_forum)
        return self._forum

    async def is_staff(self, bot: Bot, user_id: int) -> bool:
        settings = self.settings
        if user_id in settings.staff_ids or user_id in settings.admin_ids:
            return True
        now = time.monotonic()
        if now - self._admins_at >= ADMINS_TTL:
            try:
                members = await bot.get_chat_administrators(self.chat_id)
            except TelegramError as exc:
                log.warning("could not list the staff chat's administrators: %s", exc)
                return user_id in self._admins
            self._admins = frozenset(
                m.user.id
                for m in members
                if m.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
                and not m.user.is_bot
            )
            self._admins_at = now
        return user_id in self._admins

    # -- the user's side -------------------------------------------------------------------

    async def thread_of(self, user_id: int) -> Thread | None:
        async with self.store.readers() as session:
            return await threads.get(session, user_id)

    async def prepare(self, user_id: int, lang: str) -> Thread:
        """The user's conversation row (created on their first /ask)."""
        async with self.store.transaction() as session:
            return await threads.create(session, user_id, self.chat_id, lang)

    async def set_share(self, user_id: int, share: bool) -> None:
        async with self.store.transaction() as session:
            await threads.change(session, user_id, share_username=share)

    async def open(self, bot: Bot, user: User, profile: Profile) -> Thread:
        """Start (or resume) the user's conversation: their topic exists, is open, and staff
        see who is writing. Raises RelayError when the staff chat cannot be reached."""
        thread = await self.prepare(user.id, profile.lang)
        if thread.blocked:
            return thread
        who = self._who(thread, user, profile)
        placed = thread.chat_id == self.chat_id and (
            thread.thread_id is not None or thread.header_id is not None
        )
        try:
            if not placed:
                await self._place(bot, thread, who)
            elif thread.status != threads.OPEN:
                await self._resume(bot, thread, who)
        except TelegramError as exc:
            raise RelayError(str(exc)) from exc
        async with self.store.transaction() as session:
            await threads.change(
                session, user.id, status=threads.OPEN, lang=profile.lang, last_from=None
            )
            fresh = await threads.get(session, user.id)
        assert fresh is not None
        return fresh

    def _who(self, thread: Thread, user: User, profile: Profile) -> relay.Who:
        return relay.Who(
            handle=thread.handle,
            lang=profile.lang,
            role=profile.role,
            country=profile.country,
            region=profile.region,
            username=user.username if thread.share_username else None,
        )

    async def _place(self, bot: Bot, thread: Thread, who: relay.Who) -> Thread:
        """A new topic (forum) or header message (no topics), with who is writing."""
        forum = await self.is_forum(bot)
        card = relay_screens.staff_header(self.staff_lang, who, forum=forum)
        if forum:
            topic = await bot.create_forum_topic(self.chat_id, relay.topic_name(who))
            await bot.send_message(
                self.chat_id,
                card.text,
                message_thread_id=topic.message_thread_id,
                reply_markup=card.reply_markup(),
            )
            place = {"thread_id": topic.message_thread_id}
        else:
            header = await bot.send_message(
                self.chat_id, card.text, reply_markup=card.reply_markup()
            )
            place = {"header_id": header.message_id}
        async with self.store.transaction() as session:
            await threads.place(session, thread.user_id, self.chat_id, **place)
            fresh = await threads.get(session, thread.user_id)
        assert fresh is not None
        return fresh

    async def _resume(self, bot: Bot, thread: Thread, who: relay.Who) -> None:
        """Reopen the topic, renamed if the profile changed, and tell staff who is back."""
        text = relay_screens.staff_note(self.staff_lang, "staff.back", thread.handle)
        if thread.thread_id is None:
            await bot.send_message(self.chat_id, text, reply_parameters=self._to_header(thread))
            return
        await self._topic_call(bot.reopen_forum_topic(self.chat_id, thread.thread_id))
        await self._topic_call(
            bot.edit_forum_topic(self.chat_id, thread.thread_id, name=relay.topic_name(who))
        )
        try:
            await bot.send_message(self.chat_id, text, message_thread_id=thread.thread_id)
        except BadRequest as exc:
            if not _is(exc, _THREAD_GONE):
                raise
            await self._place(bot, thread, who)

    @staticmethod
    async def _topic_call(call: object) -> None:
        """Reopen/rename: "not modified" means it already is as wanted."""
        try:
            await call  # type: ignore[misc]
        except BadRequest as exc:
            if not _is(exc, (_NOT_MODIFIED, *_THREAD_GONE)):
                raise

    def _to_header(self, thread: Thread) -> ReplyParameters | None:
        if thread.header_id is None:
            return None
        return ReplyParameters(thread.header_id, allow_sending_without_reply=True)

    async def to_staff(
        self, bot: Bot, message: Message, thread: Thread, user: User, profile: Profile
    ) -> Delivery:
        """Copy one of the user's messages into their topic."""
        limit = relay.oversized(message.text, message.caption)
        if limit is not None:
            return Delivery(Sent.TOO_LONG, limit=limit)
        try:
            copied = await self._copy_in(bot, message, thread, self._who(thread, user, profile))
        except BadRequest as exc:
            if _is(exc, _CANT_COPY):
                return Delivery(Sent.CANT_COPY)
            log.warning("could not relay a message to staff: %s", exc.message)
            return Delivery(Sent.UNREACHABLE)
        except TelegramError as exc:
            log.warning("could not relay a message to staff: %s", exc)
            return Delivery(Sent.UNREACHABLE)
        now = utcnow()
        away = relay.away_notice_due(self.hours, now, self.settings.zone, thread.away_noticed_at)
        first = thread.last_from != threads.USER
        changes: dict[str, object] = {}
        if first or thread.user_gone:
            changes |= {"last_from": threads.USER, "user_gone": False}
        if away:
            changes["away_noticed_at"] = now
        if changes or thread.thread_id is None:
            async with self.store.transaction() as session:
                if changes:
                    await threads.change(session, thread.user_id, **changes)
                if thread.thread_id is None:
                    await threads.remember_message(session, self.chat_id, copied, thread.user_id)
        return Delivery(Sent.FIRST if first else Sent.MORE, away=away)

    async def _copy_in(self, bot: Bot, message: Message, thread: Thread, who: relay.Who) -> int:
        """copyMessage into the topic; a topic staff deleted is made again, a closed one is
        reopened (staff may close it by hand in Telegram), then the copy is retried once."""
        for attempt in (1, 2):
            try:
                if thread.thread_id is not None:
                    copied = await bot.copy_message(
                        self.chat_id,
                        message.chat_id,
                        message.message_id,
                        message_thread_id=thread.thread_id,
                    )
                else:
                    copied = await bot.copy_message(
                        self.chat_id,
                        message.chat_id,
                        message.message_id,
                        reply_parameters=self._to_header(thread),
                    )
                return copied.message_id
            except BadRequest as exc:
                topic = thread.thread_id
                if attempt == 2 or topic is None:
                    raise
                if _is(exc, _THREAD_GONE):
                    thread = await self._place(bot, thread, who)
                elif _is(exc, (_TOPIC_CLOSED,)):
                    await self._topic_call(bot.reopen_forum_topic(self.chat_id, topic))
                else:
                    raise
        raise AssertionError("unreachable")

    async def done(self, bot: Bot, thread: Thread) -> None:
        """The user leaves (/done): staff are told, the topic closes until they /ask again."""
        async with self.store.transaction() as session:
            await threads.change(session, thread.user_id, status=threads.CLOSED, last_from=None)
        note = relay_screens.staff_note(self.staff_lang, "staff.user_done", thread.handle)
        await self._tell_staff(bot, thread, note, close=True)

    async def forget(self, bot: Bot, thread: Thread) -> None:
        """After /forget deleted the rows: the topic keeps only the handle, and closes."""
        note = relay_screens.staff_note(self.staff_lang, "staff.forgotten", thread.handle)
        await self._tell_staff(bot, thread, note, close=True)
        if thread.thread_id is not None:
            with contextlib.suppress(TelegramError):
                await bot.edit_forum_topic(
                    self.chat_id, thread.thread_id, name=relay.forgotten_topic_name(thread.handle)
                )

    async def user_blocked_bot(self, bot: Bot, user_id: int) -> None:
        """Telegram says the user blocked the bot: staff are told once, if they were talking."""
        thread = await self.thread_of(user_id)
        if thread is None or not thread.is_open or thread.user_gone:
            return
        await self._mark_gone(bot, thread)

    async def _mark_gone(self, bot: Bot, thread: Thread) -> None:
        async with self.store.transaction() as session:
            first = await threads.mark_gone(session, thread.user_id)
        if not first:
            return
        note = relay_screens.staff_note(self.staff_lang, "staff.user_gone", thread.handle)
        await self._tell_staff(bot, thread, note)

    async def _tell_staff(
        self, bot: Bot, thread: Thread, text: str, *, close: bool = False
    ) -> None:
        """A note in the conversation's topic (or under its header); failures are logged: the
        user's action already happened and must not fail because the staff chat is away."""
        if thread.chat_id != self.chat_id:
            return
        try:
            if thread.thread_id is not None:
                await bot.send_message(self.chat_id, text, message_thread_id=thread.thread_id)
                if close:
                    await self._topic_call(bot.close_forum_topic(self.chat_id, thread.thread_id))
            elif thread.header_id is not None:
                await bot.send_message(self.chat_id, text, reply_parameters=self._to_header(thread))
        except TelegramError as exc:
            log.warning("could not post a note in the staff chat: %s", exc)

    # -- the staff's side ------------------------------------------------------------------

    async def thread_for(self, message: Message) -> Thread | None:
        """The conversation a staff message belongs to: its topic, or (no topics) the message
        it replies to."""
        async with self.store.readers() as session:
            if message.is_topic_message and message.message_thread_id is not None:
                return await threads.by_topic(session, message.chat_id, message.message_thread_id)
            replied = message.reply_to_message
            if replied is None:
                return None
            return await threads.by_message(session, message.chat_id, replied.message_id)

    async def to_user(self, bot: Bot, message: Message, thread: Thread) -> str | None:
        """Copy a staff message to the user; returns a note for staff when it did not go."""
        lang = self.staff_lang
        if not thread.is_open:
            return relay_screens.staff_note(lang, "staff.not_open", thread.handle)
        limit = relay.oversized(message.text, message.caption)
        if limit is not None:
            return relay_screens.staff_note(
                lang, "staff.too_long", thread.handle, length=limit[0], limit=limit[1]
            )
        try:
            if thread.last_from != threads.STAFF:
                await bot.send_message(thread.user_id, relay_screens.answered(thread.lang))
            await bot.copy_message(thread.user_id, message.chat_id, message.message_id)
        except Forbidden:
            if not thread.user_gone:
                await self._mark_gone(bot, thread)
            return None
        except BadRequest as exc:
            if _is(exc, _CANT_COPY):
                return relay_screens.staff_note(lang, "staff.cant_copy", thread.handle)
            raise
        if thread.last_from != threads.STAFF:
            async with self.store.transaction() as session:
                await threads.change(session, thread.user_id, last_from=threads.STAFF)
        return None

    async def close(self, bot: Bot, thread: Thread, *, block: bool = False) -> str:
        """/close or /block from staff: the user is told, the topic closes."""
        lang = self.staff_lang
        if (block and thread.blocked) or (not block and thread.status != threads.OPEN):
            return relay_screens.staff_note(lang, "staff.already", thread.handle)
        changes: dict[str, object] = {"status": threads.CLOSED, "last_from": None}
        if block:
            changes["blocked"] = True
        async with self.store.transaction() as session:
            await threads.change(session, thread.user_id, **changes)
        if thread.status == threads.OPEN:
            key = "ask.blocked_by_staff" if block else "ask.closed_by_staff"
            with contextlib.suppress(TelegramError):
                await bot.send_message(thread.user_id, relay_screens.user_note(thread.lang, key))
        note = relay_screens.staff_note(
            lang, "staff.blocked" if block else "staff.closed", thread.handle
        )
        await self._tell_staff(bot, thread, note, close=True)
        return note

    async def unblock(self, thread: Thread) -> str:
        lang = self.staff_lang
        if not thread.blocked:
            return relay_screens.staff_note(lang, "staff.already", thread.handle)
        async with self.store.transaction() as session:
            await threads.change(session, thread.user_id, blocked=False)
        return relay_screens.staff_note(lang, "staff.unblocked", thread.handle)

    async def who(self, bot: Bot, thread: Thread) -> relay.Who:
        """/who: what the user shares with staff, as of now (their profile may have changed)."""
        async with self.store.readers() as session:
            row = await repo.get_user(session, thread.user_id)
        return relay.Who(
            handle=thread.handle,
            lang=thread.lang,
            role=row.role if row else None,
            country=row.country if row else None,
            region=row.region if row else None,
            username=await self.username_of(bot, thread),
        )

    async def username_of(self, bot: Bot, thread: Thread) -> str | None:
        """The user's current @username, only if they agreed to show it (never stored)."""
        if not thread.share_username:
            return None
        try:
            chat = await bot.get_chat(thread.user_id)
        except TelegramError:
            return None
        return chat.username


def _is(exc: TelegramError, reasons: tuple[str, ...]) -> bool:
    text = exc.message.lower()
    return any(reason in text for reason in reasons)
