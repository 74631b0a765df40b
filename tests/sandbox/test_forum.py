"""A "staff forum" relay against the emulator: topics, sending into them, copy and forward.

Everything goes over real HTTP with a PTB ``Bot``; exact wording is checked on the raw
descriptions the emulator answered (PTB reformats them in its exceptions).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    ChatMemberAdministrator,
    MessageOriginChannel,
    MessageOriginHiddenUser,
    MessageOriginUser,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.sandbox import EmulatorConfig, Sandbox, SandboxError, SandboxGroup, SandboxUser
from bot.sandbox.methods.forum import COLOR_UNDOCUMENTED, NAME_TOO_LONG

from .conftest import ApiCall
from .helpers import png_bytes

VOICE = b"OggS\x00\x02" + bytes(range(64))
PDF = b"%PDF-1.4 staff notes"


@pytest_asyncio.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    """A plain PTB ``Bot`` talking to the emulator."""
    async with Bot(
        sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as tg_bot:
        yield tg_bot


@pytest.fixture
def staff(sandbox: Sandbox) -> SandboxUser:
    return sandbox.user("Sam", username="sam_staff")


@pytest.fixture
def forum(sandbox: Sandbox, staff: SandboxUser) -> SandboxGroup:
    return sandbox.forum("Staff", admins=[staff])


async def refused(sandbox: Sandbox, call: Awaitable[Any], description: str) -> None:
    """The call fails with exactly ``description`` (as Telegram words it)."""
    with pytest.raises(BadRequest):
        await call
    assert sandbox.requests[-1].description == description


def updates_with(sandbox: Sandbox, key: str) -> list[dict[str, Any]]:
    return [update["message"] for update in sandbox.updates if key in (update.get("message") or {})]


# -- the forum itself ------------------------------------------------------------------------


async def test_forum_is_reported_by_get_chat_and_members(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup
) -> None:
    chat = await bot.get_chat(forum.id)
    assert chat.is_forum is True
    assert chat.type == "supergroup"
    plain = await bot.get_chat(sandbox.group("Plain").id)
    assert not plain.is_forum
    me = await bot.get_chat_member(forum.id, sandbox.bot_id)
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_manage_topics is True
    assert forum.chat.is_forum is True


# -- topic lifecycle ---------------------------------------------------------------------------


async def test_created_topic_is_its_service_message_and_the_bot_gets_no_update(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup
) -> None:
    topic = await bot.create_forum_topic(forum.id, "Case 17", icon_color=16766590)
    assert topic.name == "Case 17"
    assert topic.icon_color == 16766590
    stored = sandbox.state.chats[forum.id].messages[topic.message_thread_id]
    assert stored.data["forum_topic_created"] == {"name": "Case 17", "icon_color": 16766590}
    assert stored.data["message_thread_id"] == topic.message_thread_id
    assert stored.data["is_topic_message"] is True
    assert "reply_to_message" not in stored.data
    assert forum.topic(topic.message_thread_id).name == "Case 17"
    assert list(forum.topics) == [topic.message_thread_id]
    assert updates_with(sandbox, "forum_topic_created") == []
    assert sandbox.messages(forum) == []
    await forum.expect_no_message(within=0.05)

    default = await bot.create_forum_topic(forum.id, "Case 18")
    assert default.icon_color == 7322096
    assert default.message_thread_id == topic.message_thread_id + 1


@pytest.mark.parametrize(
    ("kwargs", "description"),
    [
        ({"name": ""}, "Bad Request: title must be non-empty"),
        ({"name": " \n\u200b "}, "Bad Request: title must be non-empty"),
        ({"name": "x" * 129}, f"Bad Request: {NAME_TOO_LONG}"),
        ({"name": "ok", "icon_color": 123}, f"Bad Request: {COLOR_UNDOCUMENTED}"),
        ({"name": "ok", "icon_color": -5}, "Bad Request: invalid icon color specified"),
        ({"name": "ok", "icon_color": 0x1000000}, "Bad Request: invalid icon color specified"),
    ],
)
async def test_create_topic_refuses_bad_names_and_colours(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, kwargs: dict[str, Any], description: str
) -> None:
    await refused(sandbox, bot.create_forum_topic(forum.id, **kwargs), description)
    assert forum.topics == {}


async def test_create_topic_needs_a_forum_and_admin_rights(
    sandbox: Sandbox, bot: Bot, staff: SandboxUser
) -> None:
    plain = sandbox.group("Plain", bot_status="administrator")
    await refused(
        sandbox, bot.create_forum_topic(plain.id, "x"), "Bad Request: the chat is not a forum"
    )
    await refused(
        sandbox, bot.create_forum_topic(staff.id, "x"), "Bad Request: the chat is not a forum"
    )
    await refused(sandbox, bot.create_forum_topic(-100123, "x"), "Bad Request: chat not found")
    member_forum = sandbox.forum("Members", bot_status="member")
    await refused(
        sandbox,
        bot.create_forum_topic(member_forum.id, "x"),
        "Bad Request: not enough rights to create a topic",
    )
    kicked = sandbox.forum("Gone", bot_status="kicked")
    with pytest.raises(Forbidden):
        await bot.create_forum_topic(kicked.id, "x")
    assert sandbox.requests[-1].description == "Forbidden: bot was kicked from the supergroup chat"


async def test_names_are_cleaned_like_telegram_and_lenient_mode_truncates() -> None:
    async with (
        Sandbox(config=EmulatorConfig(strict_topics=False)) as tg,
        Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as lenient,
    ):
        forum = tg.forum()
        spaced = await lenient.create_forum_topic(forum.id, "  Case \n\t 42\u2003 ")
        assert spaced.name == "Case 42"
        long = await lenient.create_forum_topic(forum.id, "é" * 200, icon_color=123)
        assert long.name == "é" * 128
        assert long.icon_color == 123


_VISIBLE = st.characters(
    categories=("L", "M", "N", "P", "S"),
    exclude_characters="\u0333\u033f\u030a\u2800\ufffc",
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(_VISIBLE, min_size=1, max_size=160))
async def test_any_visible_name_up_to_128_characters_is_kept_verbatim(
    sandbox: Sandbox, bot: Bot, name: str
) -> None:
    forum = sandbox.forum()
    if len(name) <= 128:
        topic = await bot.create_forum_topic(forum.id, name)
        assert topic.name == name
        assert forum.topic(topic.message_thread_id).name == name
    else:
        await refused(
            sandbox, bot.create_forum_topic(forum.id, name), f"Bad Request: {NAME_TOO_LONG}"
        )
        assert forum.topics == {}


async def test_close_reopen_edit_delete_post_service_messages(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser
) -> None:
    topic = await bot.create_forum_topic(forum.id, "Case 1")
    thread = topic.message_thread_id
    chat = sandbox.state.chats[forum.id]

    def last_service() -> dict[str, Any]:
        return chat.messages[chat.next_message_id - 1].data

    assert await bot.close_forum_topic(forum.id, thread) is True
    closed = last_service()
    assert closed["forum_topic_closed"] == {}
    assert closed["message_thread_id"] == thread
    assert closed["reply_to_message"]["message_id"] == thread  # the reply quirk, also here
    assert forum.topic(thread).closed
    await refused(
        sandbox, bot.close_forum_topic(forum.id, thread), "Bad Request: TOPIC_NOT_MODIFIED"
    )
    await refused(
        sandbox,
        bot.send_message(forum.id, "hi", message_thread_id=thread),
        "Bad Request: TOPIC_CLOSED",
    )

    assert await bot.reopen_forum_topic(forum.id, thread) is True
    assert "forum_topic_reopened" in last_service()
    await refused(
        sandbox, bot.reopen_forum_topic(forum.id, thread), "Bad Request: TOPIC_NOT_MODIFIED"
    )

    assert await bot.edit_forum_topic(forum.id, thread, name="Case 1 (urgent)") is True
    assert last_service()["forum_topic_edited"] == {"name": "Case 1 (urgent)"}
    await refused(
        sandbox,
        bot.edit_forum_topic(forum.id, thread, name="Case 1 (urgent)"),
        "Bad Request: TOPIC_NOT_MODIFIED",
    )
    assert await bot.edit_forum_topic(forum.id, thread, icon_custom_emoji_id="5312536423851630001")
    assert last_service()["forum_topic_edited"] == {"icon_custom_emoji_id": "5312536423851630001"}
    assert await bot.edit_forum_topic(forum.id, thread, icon_custom_emoji_id="")
    assert last_service()["forum_topic_edited"] == {"icon_custom_emoji_id": ""}
    assert forum.topic(thread).icon_custom_emoji_id is None
    before = chat.next_message_id
    assert await bot.edit_forum_topic(forum.id, thread) is True  # nothing to change: no-op
    assert chat.next_message_id == before
    await refused(
        sandbox,
        bot.edit_forum_topic(forum.id, thread, name="  "),
        "Bad Request: title must be non-empty",
    )

    # none of the bot's own service messages reached it, and none counts as bot output
    assert not any(
        key.startswith("forum_topic") for u in sandbox.updates for key in u.get("message", {})
    )
    await forum.expect_no_message(within=0.05)

    await staff.send("context", chat=forum, thread=thread)
    sent = await bot.send_message(forum.id, "answer", message_thread_id=thread)
    assert await bot.delete_forum_topic(forum.id, thread) is True
    assert forum.topic(thread).deleted
    assert all(stored.deleted for stored in chat.thread_messages(thread))
    assert sandbox.messages(forum, include_deleted=True)[-1].event == "deleted"
    assert (await sandbox.wait_event(forum, kinds=("deleted",))).message_id == thread
    assert sent.message_id in {m.message_id for m in sandbox.messages(forum, include_deleted=True)}

    await refused(
        sandbox,
        bot.send_message(forum.id, "late", message_thread_id=thread),
        "Bad Request: message thread not found",
    )
    for call in (
        bot.close_forum_topic(forum.id, thread),
        bot.reopen_forum_topic(forum.id, thread),
        bot.delete_forum_topic(forum.id, thread),
        bot.edit_forum_topic(forum.id, thread, name="again"),
        bot.close_forum_topic(forum.id, 999),
    ):
        await refused(sandbox, call, "Bad Request: TOPIC_ID_INVALID")


async def test_without_admin_rights_the_bot_manages_only_its_own_topics(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser
) -> None:
    own = (await bot.create_forum_topic(forum.id, "Bot's")).message_thread_id
    theirs = forum.create_topic("Sam's", by=staff)
    forum.set_bot_status("member", by=staff)
    await refused(
        sandbox,
        bot.create_forum_topic(forum.id, "x"),
        "Bad Request: not enough rights to create a topic",
    )
    await refused(
        sandbox,
        bot.close_forum_topic(forum.id, theirs),
        "Bad Request: not enough rights to close or open the topic",
    )
    await refused(
        sandbox,
        bot.edit_forum_topic(forum.id, theirs, name="y"),
        "Bad Request: not enough rights to edit the topic",
    )
    await refused(
        sandbox,
        bot.delete_forum_topic(forum.id, theirs),
        "Bad Request: not enough rights to delete the topic",
    )
    assert await bot.close_forum_topic(forum.id, own) is True
    assert await bot.edit_forum_topic(forum.id, own, name="Bot's (done)") is True
    assert await bot.delete_forum_topic(forum.id, own) is True


async def test_forum_methods_are_case_insensitive_and_answer_bot_api_json(
    sandbox: Sandbox, api: ApiCall, forum: SandboxGroup
) -> None:
    status, body = await api("CREATEFORUMTOPIC", chat_id=forum.id, name="Case")
    assert status == 200
    thread = body["result"]["message_thread_id"]
    assert body["result"] == {"message_thread_id": thread, "name": "Case", "icon_color": 7322096}
    status, body = await api("closeforumtopic", chat_id=forum.id, message_thread_id=thread)
    assert (status, body) == (200, {"ok": True, "result": True})
    assert sandbox.requests[-1].method == "closeForumTopic"


# -- sending into topics ---------------------------------------------------------------------


async def test_bot_messages_in_a_topic_carry_the_thread_and_reply_to_its_first_message(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser
) -> None:
    thread = (await bot.create_forum_topic(forum.id, "Case 2")).message_thread_id
    text = await bot.send_message(
        forum.id, "<b>hi</b>", parse_mode=ParseMode.HTML, message_thread_id=thread
    )
    assert text.message_thread_id == thread
    assert text.is_topic_message is True
    assert text.reply_to_message is not None
    assert text.reply_to_message.message_id == thread
    assert text.reply_to_message.forum_topic_created is not None
    assert text.reply_to_message.forum_topic_created.name == "Case 2"

    photo = await bot.send_photo(forum.id, png_bytes(), caption="pic", message_thread_id=thread)
    document = await bot.send_document(
        forum.id, PDF, filename="notes.pdf", message_thread_id=thread
    )
    voice = await bot.send_voice(
        forum.id, VOICE, duration=4, caption="listen", message_thread_id=thread
    )
    for message in (photo, document, voice):
        assert message.message_thread_id == thread
        assert message.is_topic_message is True
        assert message.reply_to_message is not None
        assert message.reply_to_message.message_id == thread
    assert voice.voice is not None
    assert voice.voice.mime_type == "audio/ogg"
    assert voice.caption == "listen"

    asked = await staff.send("question", chat=forum, thread=thread)
    reply = await bot.send_message(
        forum.id,
        "answer",
        message_thread_id=thread,
        reply_parameters=ReplyParameters(asked.message_id),
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == asked.message_id

    general = await bot.send_message(forum.id, "to everyone")
    assert general.message_thread_id is None
    assert not general.is_topic_message
    assert general.reply_to_message is None

    received = [await forum.wait_message(thread=thread) for _ in range(5)]
    assert [m.message_thread_id for m in received] == [thread] * 5
    assert received[0].html == "<b>hi</b>"
    assert received[1].photo == png_bytes()
    assert received[2].document == PDF
    assert received[3].voice == VOICE
    assert received[3].raw["voice"]["duration"] == 4
    assert received[4].text == "answer"
    file = await bot.get_file(voice.voice.file_id)
    assert file.file_path is not None
    assert file.file_path.endswith(f"/voice/{voice.voice.file_unique_id}_file.oga")
    assert bytes(await file.download_as_bytearray()) == VOICE


async def test_sending_to_missing_general_or_deleted_topics(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser
) -> None:
    gone = (await bot.create_forum_topic(forum.id, "gone")).message_thread_id
    await bot.delete_forum_topic(forum.id, gone)
    for thread in (1, 999, gone):
        await refused(
            sandbox,
            bot.send_message(forum.id, "x", message_thread_id=thread),
            "Bad Request: message thread not found",
        )
        await refused(
            sandbox,
            bot.send_voice(forum.id, VOICE, message_thread_id=thread),
            "Bad Request: message thread not found",
        )
    await refused(
        sandbox,
        bot.send_chat_action(forum.id, "typing", message_thread_id=999),
        "Bad Request: message thread not found",
    )
    # outside forums the parameter is ignored, as Telegram ignores it
    group = sandbox.group("Plain", members=[staff])
    plain = await bot.send_message(group.id, "x", message_thread_id=999)
    assert plain.message_thread_id is None
    private = await bot.send_message(staff.id, "x", message_thread_id=999)
    assert private.message_thread_id is None
    assert private.reply_to_message is None


async def test_a_reply_without_thread_goes_to_the_replied_messages_topic(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser
) -> None:
    thread = (await bot.create_forum_topic(forum.id, "Case 3")).message_thread_id
    asked = await staff.send("question", chat=forum, thread=thread)
    reply = await bot.send_message(
        forum.id, "answer", reply_parameters=ReplyParameters(asked.message_id)
    )
    assert reply.message_thread_id == thread
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == asked.message_id
    await bot.close_forum_topic(forum.id, thread)
    await refused(
        sandbox,
        bot.send_message(forum.id, "late", reply_parameters=ReplyParameters(asked.message_id)),
        "Bad Request: TOPIC_CLOSED",
    )


async def test_topic_service_messages_cannot_be_deleted_edited_or_copied(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser
) -> None:
    thread = (await bot.create_forum_topic(forum.id, "Case 4")).message_thread_id
    await refused(
        sandbox, bot.delete_message(forum.id, thread), "Bad Request: message can't be deleted"
    )
    await refused(
        sandbox,
        bot.edit_message_text("x", forum.id, thread),
        "Bad Request: message can't be edited",
    )
    await refused(
        sandbox,
        bot.copy_message(staff.id, forum.id, thread),
        "Bad Request: message can't be copied",
    )
    await refused(
        sandbox,
        bot.forward_message(staff.id, forum.id, thread),
        "Bad Request: message can't be forwarded",
    )


# -- people in the forum -----------------------------------------------------------------------


async def test_people_create_topics_and_write_in_them(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser
) -> None:
    member = sandbox.user("Mia")
    forum.add_member(member)
    thread = forum.create_topic("Onboarding", by=staff)
    (created,) = updates_with(sandbox, "forum_topic_created")
    assert created["message_id"] == created["message_thread_id"] == thread
    assert created["from"]["id"] == staff.id
    assert created["forum_topic_created"] == {"name": "Onboarding", "icon_color": 7322096}
    assert forum.topic(thread).created_by == staff.id

    sent = await member.send("hello", chat=forum, thread=thread)
    assert sent.message_thread_id == thread
    assert sent.is_topic_message is True
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.message_id == thread
    await member.send_photo(png_bytes(), chat=forum, thread=thread)
    await member.send_document(PDF, "a.pdf", chat=forum, thread=thread)
    voiced = await member.send_voice(VOICE, duration=2, caption="hi", chat=forum, thread=thread)
    assert voiced.voice is not None
    assert sandbox.updates[-1]["message"]["voice"]["duration"] == 2
    threads = [u["message"].get("message_thread_id") for u in sandbox.updates if "message" in u]
    assert threads == [thread] * 5

    forum.close_topic(thread, by=staff)
    assert updates_with(sandbox, "forum_topic_closed")[0]["message_thread_id"] == thread
    with pytest.raises(SandboxError, match="closed"):
        await member.send("still there?", chat=forum, thread=thread)
    assert (await staff.send("admins may", chat=forum, thread=thread)).message_thread_id == thread
    with pytest.raises(SandboxError):
        forum.close_topic(thread, by=staff)  # already closed
    forum.reopen_topic(thread, by=staff)
    forum.edit_topic(thread, by=staff, name="Onboarding 2")
    assert updates_with(sandbox, "forum_topic_edited")[0]["forum_topic_edited"] == {
        "name": "Onboarding 2"
    }
    await member.send("back", chat=forum, thread=thread)

    with pytest.raises(SandboxError):
        forum.create_topic("x" * 129, by=staff)
    with pytest.raises(SandboxError):
        forum.create_topic("   ", by=staff)
    with pytest.raises(SandboxError):
        forum.close_topic(thread, by=member)  # neither admin nor creator
    with pytest.raises(SandboxError):
        await member.send("x", chat=forum, thread=999)
    with pytest.raises(SandboxError):
        await member.send("x", chat=sandbox.group("Plain", members=[member]), thread=thread)
    with pytest.raises(SandboxError):
        sandbox.group("Plain 2", members=[staff]).create_topic("x", by=staff)

    forum.delete_topic(thread, by=staff)
    assert forum.topic(thread).deleted
    with pytest.raises(SandboxError):
        await member.send("x", chat=forum, thread=thread)


async def test_privacy_mode_bot_still_sees_topic_service_messages(
    sandbox: Sandbox, staff: SandboxUser
) -> None:
    forum = sandbox.forum("Quiet", admins=[staff], bot_status="member")
    thread = forum.create_topic("Case", by=staff)
    await staff.send("chatter", chat=forum, thread=thread)
    assert [update["message"].get("forum_topic_created") for update in sandbox.updates] == [
        {"name": "Case", "icon_color": 7322096}
    ]


async def test_wait_message_per_thread_has_its_own_cursor(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup
) -> None:
    first = (await bot.create_forum_topic(forum.id, "First")).message_thread_id
    second = (await bot.create_forum_topic(forum.id, "Second")).message_thread_id
    a1 = await bot.send_message(forum.id, "A1", message_thread_id=first)
    await bot.send_message(forum.id, "B1", message_thread_id=second)
    await bot.send_message(forum.id, "G1")
    await bot.send_message(forum.id, "A2", message_thread_id=first)
    await bot.edit_message_text("A1 edited", forum.id, a1.message_id)

    assert (await forum.wait_message(thread=second)).text == "B1"
    await forum.expect_no_message(thread=second, within=0.05)
    firsts = await forum.wait_messages(3, thread=first)
    assert [(m.text, m.edited) for m in firsts] == [
        ("A1", False),
        ("A2", False),
        ("A1 edited", True),
    ]
    await forum.expect_no_message(thread=first, within=0.05)
    everything = await forum.wait_messages(5)
    assert [m.text for m in everything] == ["A1", "B1", "G1", "A2", "A1 edited"]
    assert [m.message_thread_id for m in everything] == [first, second, None, first, first]
    assert [m.text for m in sandbox.messages(forum, thread=second)] == ["B1"]
    assert (await sandbox.wait_message(forum, thread=second)).text == "B1"

    await bot.send_message(forum.id, "A3", message_thread_id=first)
    await bot.send_message(forum.id, "B2", message_thread_id=second)
    assert (await forum.wait_message(thread=second, timeout=1)).text == "B2"
    assert [m.text for m in forum.drain(thread=first)] == ["A3"]


# -- copyMessage ---------------------------------------------------------------------------


async def _user_media(
    user: SandboxUser, *, chat: Any = None, thread: int | None = None
) -> list[int]:
    """One message of each kind, returning their ids."""
    sent = [
        await user.send("see https://example.org now", chat=chat, thread=thread),
        await user.send_photo(png_bytes(4, 5), caption="photo caption", chat=chat, thread=thread),
        await user.send_document(PDF, "notes.pdf", caption="doc caption", chat=chat, thread=thread),
        await user.send_voice(VOICE, duration=3, caption="voice caption", chat=chat, thread=thread),
    ]
    return [message.message_id for message in sent]


def _assert_same_content(copied: Any, original: dict[str, Any]) -> None:
    raw = copied.raw
    for key in ("text", "entities", "caption", "caption_entities"):
        assert raw.get(key) == original.get(key), key
    assert "forward_origin" not in raw
    assert "forward_from" not in raw


async def test_copy_from_a_private_chat_into_a_topic_keeps_content_and_bytes(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup
) -> None:
    alice = sandbox.user("Alice")
    ids = await _user_media(alice)
    thread = (await bot.create_forum_topic(forum.id, "Alice")).message_thread_id
    for message_id in ids:
        copied_id = await bot.copy_message(forum.id, alice.id, message_id, message_thread_id=thread)
        copied = await forum.wait_message(thread=thread)
        assert copied.message_id == copied_id.message_id
        assert copied.message_thread_id == thread
        assert copied.raw["from"]["id"] == sandbox.bot_id
        assert copied.raw["reply_to_message"]["message_id"] == thread
        _assert_same_content(copied, sandbox.state.chats[alice.id].messages[message_id].data)
    text, photo, document, voice = sandbox.messages(forum, thread=thread)
    assert [e.type for e in text.entities] == ["url"]
    assert photo.photo == png_bytes(4, 5)
    assert document.document == PDF
    assert document.file_name == "notes.pdf"
    assert voice.voice == VOICE
    assert voice.raw["voice"]["duration"] == 3


async def test_copy_from_a_topic_into_a_private_chat_keeps_bytes(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser
) -> None:
    alice = sandbox.user("Alice")
    thread = forum.create_topic("Alice", by=staff)
    ids = await _user_media(staff, chat=forum, thread=thread)
    for message_id in ids:
        await bot.copy_message(alice.id, forum.id, message_id, message_thread_id=thread)
    text, photo, document, voice = await alice.wait_messages(4)
    for copied, message_id in zip((text, photo, document, voice), ids, strict=True):
        assert copied.message_thread_id is None
        assert "reply_to_message" not in copied.raw
        _assert_same_content(copied, sandbox.state.chats[forum.id].messages[message_id].data)
    assert photo.photo == png_bytes(4, 5)
    assert document.document == PDF
    assert voice.voice == VOICE
    file = await bot.get_file(voice.raw["voice"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == VOICE
    file = await bot.get_file(document.raw["document"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == PDF


async def test_copy_caption_override_and_removal(
    sandbox: Sandbox, bot: Bot, staff: SandboxUser
) -> None:
    alice = sandbox.user("Alice")
    photo = await alice.send_photo(png_bytes(), caption="original")
    text = await alice.send("plain text")
    await bot.copy_message(
        staff.id, alice.id, photo.message_id, caption="<b>From</b> Alice", parse_mode=ParseMode.HTML
    )
    overridden = await staff.wait_message()
    assert overridden.caption == "From Alice"
    assert overridden.entity_types == ["bold"]
    assert overridden.html == "<b>From</b> Alice"
    assert overridden.photo == png_bytes()
    await bot.copy_message(staff.id, alice.id, photo.message_id, caption="")
    assert (await staff.wait_message()).caption is None
    await bot.copy_message(staff.id, alice.id, text.message_id, caption="ignored for text")
    copied_text = await staff.wait_message()
    assert copied_text.text == "plain text"
    assert copied_text.caption is None


async def test_copy_refusals(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser, api: ApiCall
) -> None:
    alice = sandbox.user("Alice")
    hello = await alice.send("hello")
    await refused(sandbox, bot.copy_message(staff.id, -100999, 1), "Bad Request: chat not found")
    await refused(
        sandbox, bot.copy_message(staff.id, alice.id, 999), "Bad Request: message to copy not found"
    )
    status, body = await api("copyMessage", chat_id=staff.id, message_id=hello.message_id)
    assert (status, body["description"]) == (
        400,
        'Bad Request: parameter "from_chat_id" is required',
    )
    thread = (await bot.create_forum_topic(forum.id, "Case")).message_thread_id
    await refused(
        sandbox,
        bot.copy_message(forum.id, alice.id, hello.message_id, message_thread_id=999),
        "Bad Request: message thread not found",
    )
    await bot.close_forum_topic(forum.id, thread)
    await refused(
        sandbox,
        bot.copy_message(forum.id, alice.id, hello.message_id, message_thread_id=thread),
        "Bad Request: TOPIC_CLOSED",
    )
    staff.block()
    with pytest.raises(Forbidden):
        await bot.copy_message(staff.id, alice.id, hello.message_id)
    assert sandbox.requests[-1].status == 403
    assert sandbox.requests[-1].description == "Forbidden: bot was blocked by the user"
    await bot.delete_message(alice.id, hello.message_id)
    await refused(
        sandbox,
        bot.copy_message(alice.id, alice.id, hello.message_id),
        "Bad Request: message to copy not found",
    )
    assert sandbox.messages(staff) == []


async def test_copy_goes_through_fault_injection_and_flood_control(
    sandbox: Sandbox, bot: Bot, staff: SandboxUser
) -> None:
    alice = sandbox.user("Alice")
    hello = await alice.send("hello")
    sandbox.configure_faults(seed=1, error_5xx=1.0, methods=["copyMessage"])
    with pytest.raises(NetworkError):
        await bot.copy_message(staff.id, alice.id, hello.message_id)
    assert (sandbox.requests[-1].status, sandbox.requests[-1].fault) == (502, "5xx")
    sandbox.clear_faults()
    sandbox.configure_flood(enabled=True, private_per_sec=0.001, private_burst=1)
    await bot.copy_message(staff.id, alice.id, hello.message_id)
    for _ in range(2):
        with pytest.raises(RetryAfter):
            await bot.copy_message(staff.id, alice.id, hello.message_id)
        assert sandbox.requests[-1].status == 429
    assert len(sandbox.messages(staff)) == 1


async def test_copy_messages_skips_what_cannot_be_copied(
    sandbox: Sandbox, bot: Bot, staff: SandboxUser, api: ApiCall
) -> None:
    alice = sandbox.user("Alice")
    ids = await _user_media(alice)
    copied = await bot.copy_messages(staff.id, alice.id, [*ids, 999], remove_caption=True)
    assert len(copied) == 4
    received = await staff.wait_messages(4)
    assert [m.message_id for m in received] == [c.message_id for c in copied]
    assert [m.caption for m in received] == [None, None, None, None]
    assert received[3].voice == VOICE
    status, body = await api(
        "copyMessages", chat_id=staff.id, from_chat_id=alice.id, message_ids=[999]
    )
    assert (status, body["description"]) == (400, "Bad Request: messages can't be forwarded")
    status, body = await api(
        "copyMessages", chat_id=staff.id, from_chat_id=alice.id, message_ids=[]
    )
    assert body["description"] == "Bad Request: message identifiers are not specified"
    forwarded = await bot.forward_messages(staff.id, alice.id, ids[:2])
    assert len(forwarded) == 2
    assert all("forward_origin" in m.raw for m in await staff.wait_messages(2))


# -- forwardMessage --------------------------------------------------------------------------


async def test_forward_carries_the_origin(
    sandbox: Sandbox, bot: Bot, forum: SandboxGroup, staff: SandboxUser, api: ApiCall
) -> None:
    alice = sandbox.user("Alice", last_name="Liddell")
    hello = await alice.send("hello")
    thread = (await bot.create_forum_topic(forum.id, "Alice")).message_thread_id
    forwarded = await bot.forward_message(
        forum.id, alice.id, hello.message_id, message_thread_id=thread
    )
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == alice.id
    assert forwarded.forward_origin.date == hello.date
    assert forwarded.text == "hello"
    assert forwarded.message_thread_id == thread
    assert forwarded.reply_to_message is not None
    assert forwarded.reply_to_message.message_id == thread
    assert forwarded.api_kwargs["forward_from"]["id"] == alice.id
    assert forwarded.api_kwargs["forward_date"] == int(hello.date.timestamp())
    stored = await forum.wait_message(thread=thread)
    assert stored.forward_origin is not None
    assert stored.forward_origin["type"] == "user"

    # a forward of a forward still names the original sender
    again = await bot.forward_message(staff.id, forum.id, forwarded.message_id)
    assert isinstance(again.forward_origin, MessageOriginUser)
    assert again.forward_origin.sender_user.id == alice.id

    alice.record.hides_forwards = True
    hidden = await bot.forward_message(staff.id, alice.id, hello.message_id)
    assert isinstance(hidden.forward_origin, MessageOriginHiddenUser)
    assert hidden.forward_origin.sender_user_name == "Alice Liddell"
    assert hidden.api_kwargs["forward_sender_name"] == "Alice Liddell"
    assert "forward_from" not in hidden.api_kwargs

    channel = sandbox.channel("News")
    post = await channel.post("breaking")
    status, body = await api(
        "forwardMessage", chat_id=staff.id, from_chat_id=channel.id, message_id=post.message_id
    )
    assert status == 200
    origin = body["result"]["forward_origin"]
    assert origin["type"] == "channel"
    assert origin["chat"]["id"] == channel.id
    assert origin["message_id"] == post.message_id
    assert body["result"]["forward_from_chat"]["id"] == channel.id
    assert body["result"]["forward_from_message_id"] == post.message_id
    assert isinstance(
        (await bot.forward_message(staff.id, channel.id, post.message_id)).forward_origin,
        MessageOriginChannel,
    )

    photo = await alice.send_photo(png_bytes(), caption="pic")
    await bot.forward_message(staff.id, alice.id, photo.message_id)
    received = [m for m in staff.drain() if m.photo is not None]
    assert received[-1].photo == png_bytes()
    assert received[-1].caption == "pic"

    await refused(
        sandbox,
        bot.forward_message(staff.id, alice.id, 999),
        "Bad Request: message to forward not found",
    )
    await refused(sandbox, bot.forward_message(staff.id, -100999, 1), "Bad Request: chat not found")
    staff.block()
    with pytest.raises(Forbidden):
        await bot.forward_message(staff.id, alice.id, hello.message_id)


async def test_bot_messages_in_forums_and_injected_topics(sandbox: Sandbox, bot: Bot) -> None:
    """A forum seen only through injected updates still knows its topics."""
    chat_id = -1005550001
    chat = {"id": chat_id, "type": "supergroup", "title": "Injected", "is_forum": True}
    sender = {"id": 42, "is_bot": False, "first_name": "Ivy"}
    await sandbox.inject(
        {
            "message": {
                "message_id": 10,
                "date": int(time.time()),
                "chat": chat,
                "from": sender,
                "message_thread_id": 10,
                "is_topic_message": True,
                "forum_topic_created": {"name": "Imported", "icon_color": 9367192},
            }
        }
    )
    record = sandbox.state.chats[chat_id]
    assert record.is_forum
    assert record.topics[10].name == "Imported"
    sent = await bot.send_message(chat_id, "hi", message_thread_id=10)
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.forum_topic_created is not None
