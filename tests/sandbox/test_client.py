"""The control API (users, groups, raw injection, waiting) and the limit machinery."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from telegram import BotCommand, BotCommandScopeAllGroupChats, Update
from telegram.ext import ChatMemberHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.sandbox.client import Sandbox
from bot.sandbox.errors import SandboxError, SandboxTimeout
from bot.sandbox.limits import Fault, FaultInjector, FloodConfig, FloodControl
from bot.sandbox.testing import application_builder, run_polling

from .conftest import ApiCall
from .helpers import png_bytes

Context = ContextTypes.DEFAULT_TYPE


def raw_message(chat: dict[str, Any], message_id: int, **content: Any) -> dict[str, Any]:
    return {"message_id": message_id, "date": int(time.time()), "chat": chat, **content}


async def test_injected_updates_of_many_kinds_reach_handlers(sandbox: Sandbox) -> None:
    kinds: list[str] = []

    async def anything(update: Update, context: Context) -> None:
        message = update.effective_message
        assert message is not None
        if message.location:
            kinds.append("location")
        elif message.sticker:
            kinds.append("sticker")
        elif update.edited_message:
            kinds.append("edited")
        elif update.channel_post:
            kinds.append("channel_post")
            await message.reply_text("seen")

    app = application_builder(sandbox).build()
    app.add_handler(MessageHandler(filters.ALL, anything))
    alice = sandbox.user()
    private = {"id": alice.id, "type": "private", "first_name": alice.first_name}
    sender = {"id": alice.id, "is_bot": False, "first_name": alice.first_name}
    channel_id = -1009876543210
    channel = {"id": channel_id, "type": "channel", "title": "News"}
    sticker = {
        "file_id": "CAACAgIAAxkBAAIB",
        "file_unique_id": "AgADsticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    async with run_polling(app):
        await sandbox.inject(
            {
                "message": raw_message(
                    private, 1, **{"from": sender}, location={"latitude": 45.4, "longitude": -75.7}
                )
            }
        )
        await sandbox.inject(
            {"message": raw_message(private, 2, **{"from": sender}, sticker=sticker)}
        )
        await sandbox.inject(
            {
                "edited_message": raw_message(
                    private, 3, **{"from": sender}, text="fixed", edit_date=int(time.time())
                )
            }
        )
        await sandbox.inject({"channel_post": raw_message(channel, 10, text="hello channel")})
        reply = await sandbox.wait_message(channel_id)
        await sandbox.wait_idle()
    assert kinds == ["location", "sticker", "edited", "channel_post"]
    assert reply.message_id == 11  # ids continue after the injected post
    assert reply.raw["reply_to_message"]["text"] == "hello channel"
    assert [u["update_id"] for u in sandbox.updates] == sorted(
        u["update_id"] for u in sandbox.updates
    )


async def test_user_uploads_are_downloadable_by_the_bot(sandbox: Sandbox) -> None:
    received: list[bytes] = []

    async def on_document(update: Update, context: Context) -> None:
        assert update.message is not None
        assert update.message.document is not None
        file = await update.message.document.get_file()
        received.append(bytes(await file.download_as_bytearray()))
        await update.message.reply_text(f"got {update.message.document.file_name}")

    async def on_photo(update: Update, context: Context) -> None:
        assert update.message is not None
        largest = update.message.photo[-1]
        await update.message.reply_text(f"{largest.width}x{largest.height}")

    app = application_builder(sandbox).build()
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    async with run_polling(app):
        alice = sandbox.user()
        await alice.send_document(b"resume bytes", "cv.pdf", caption="my CV")
        assert (await alice.wait_message()).text == "got cv.pdf"
        await alice.send_photo(png_bytes(7, 9))
        assert (await alice.wait_message()).text == "7x9"
    assert received == [b"resume bytes"]


async def test_user_edits_arrive_as_edited_message(sandbox: Sandbox) -> None:
    edits: list[str] = []

    async def on_edit(update: Update, context: Context) -> None:
        assert update.edited_message is not None
        edits.append(update.edited_message.text or "")

    app = application_builder(sandbox).build()
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    async with run_polling(app):
        alice = sandbox.user()
        original = await alice.send("plumbr")
        await alice.edit(original, "plumber")
        await sandbox.wait_idle()
    assert edits == ["plumber"]


async def test_bot_added_to_group_and_commands_by_scope(sandbox: Sandbox) -> None:
    events: list[tuple[str, str, str]] = []

    async def on_member(update: Update, context: Context) -> None:
        change = update.my_chat_member
        assert change is not None
        events.append(
            (change.chat.title or "", change.old_chat_member.status, change.new_chat_member.status)
        )
        await context.bot.set_my_commands(
            [BotCommand("programas", "Ver programas")],
            scope=BotCommandScopeAllGroupChats(),
            language_code="es",
        )

    app = application_builder(sandbox).build()
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    async with run_polling(app):
        owner = sandbox.user("Owner")
        sandbox.group("Aprendices", owner=owner, announce=True)
        await sandbox.wait_idle()
    assert events == [("Aprendices", "left", "member")]
    assert sandbox.commands({"type": "all_group_chats"}, "es") == [
        {"command": "programas", "description": "Ver programas"}
    ]


async def test_channel_posts_need_the_bot_as_admin(sandbox: Sandbox) -> None:
    posts: list[str] = []

    async def on_post(update: Update, context: Context) -> None:
        assert update.channel_post is not None
        posts.append(update.channel_post.text or "")

    app = application_builder(sandbox).build()
    app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POST, on_post))
    async with run_polling(app):
        news = sandbox.channel("News")
        await news.post("first")
        news.set_bot_status("left")
        await news.post("unseen")
        await sandbox.wait_idle()
    assert posts == ["first"]


async def test_wait_helpers(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    with pytest.raises(SandboxTimeout) as caught:
        await alice.wait_message(timeout=0.05)
    assert "has not polled getUpdates" in str(caught.value)
    await api("sendMessage", chat_id=alice.id, text="x" * 5000)
    with pytest.raises(SandboxTimeout, match="sendMessage -> 400 Bad Request: message is too long"):
        await alice.wait_message(timeout=0.05)
    await api("sendMessage", chat_id=alice.id, text="one")
    await api("sendMessage", chat_id=alice.id, text="two")
    assert [m.text for m in alice.drain()] == ["one", "two"]
    await alice.expect_no_message(within=0.05)
    await api("sendMessage", chat_id=alice.id, text="three")
    with pytest.raises(AssertionError, match="three"):
        await alice.expect_no_message(within=0.05)
    # the sandbox-level cursor is independent of the user's
    assert (await sandbox.wait_message(alice)).text == "one"
    stream = alice.stream()
    await api("sendMessage", chat_id=alice.id, text="four")
    # "three" was consumed by the failed expect_no_message above
    assert (await anext(stream)).text == "four"
    await stream.aclose()
    assert [m.text for m in sandbox.sent] == ["one", "two", "three", "four"]
    await sandbox.wait_idle()


async def test_misuse_of_the_control_api_is_reported(sandbox: Sandbox, api: ApiCall) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    group = sandbox.group("Closed", members=[alice])
    with pytest.raises(SandboxError, match="not a member"):
        await bob.send("hi", chat=group)
    with pytest.raises(SandboxError, match="own private chat"):
        await bob.send("hi", chat=alice)
    _, sent = await api("sendMessage", chat_id=alice.id, text="menu")
    with pytest.raises(SandboxError, match="no inline keyboard"):
        await alice.press(sent["result"]["message_id"], "Anything")


async def test_allowed_updates_filter_what_is_queued(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    status, _ = await api("getUpdates", allowed_updates=["callback_query"], timeout=0)
    assert status == 200
    await alice.send("ignored")
    _, body = await api("getUpdates", timeout=0)
    assert body["result"] == []
    await api("getUpdates", allowed_updates=[], timeout=0)  # empty list = default set again
    await alice.send("seen")
    _, body = await api("getUpdates", timeout=0)
    assert [u["message"]["text"] for u in body["result"]] == ["seen"]
    offset = body["result"][-1]["update_id"] + 1
    _, body = await api("getUpdates", offset=offset, timeout=0)
    assert body["result"] == []


async def test_http_control_endpoints(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    await api("sendMessage", chat_id=alice.id, text="hello")
    async with httpx.AsyncClient() as client:
        requests = (await client.get(f"{sandbox.url}/_sandbox/requests")).json()
        events = (await client.get(f"{sandbox.url}/_sandbox/events")).json()
        injected = await client.post(
            f"{sandbox.url}/_sandbox/inject",
            json={
                "message": raw_message(
                    {"id": alice.id, "type": "private"},
                    50,
                    text="raw",
                    **{"from": {"id": alice.id, "is_bot": False, "first_name": "A"}},
                )
            },
        )
    assert requests[-1]["method"] == "sendMessage"
    assert events[0]["message"]["text"] == "hello"
    assert injected.json()["update_id"] == sandbox.updates[-1]["update_id"]


def test_flood_buckets_refill_over_time() -> None:
    now = [100.0]
    flood = FloodControl(
        FloodConfig(enabled=True, private_per_sec=1, private_burst=2), clock=lambda: now[0]
    )
    assert flood.check("sendmessage", 1, True) is None
    assert flood.check("sendmessage", 1, True) is None
    assert flood.check("sendmessage", 1, True) == 1
    assert flood.check("sendmessage", 2, True) is None  # other chats are independent
    assert flood.check("getme", 1, True) is None  # only sending methods are limited
    now[0] += 1.0
    assert flood.check("sendmessage", 1, True) is None
    flood.configure(global_per_sec=1, global_burst=1)
    assert flood.check("sendmessage", 3, True) is None
    assert flood.check("sendmessage", 4, True) == 1  # global limit across chats


def test_fault_injection_is_seeded_and_method_scoped() -> None:
    def run() -> list[Fault | None]:
        injector = FaultInjector()
        injector.configure(seed=42, error_5xx=0.2, timeout=0.1, rate_429=0.1, drop=0.1)
        return [injector.decide("sendmessage").fault for _ in range(200)]

    first, second = run(), run()
    assert first == second
    share = sum(fault is not None for fault in first) / len(first)
    assert 0.3 < share < 0.7
    injector = FaultInjector()
    injector.configure(seed=1, error_5xx=1.0, latency=(0.01, 0.02))
    assert injector.decide("getupdates").fault is None
    decision = injector.decide("sendmessage")
    assert decision.fault is Fault.ERROR_5XX
    assert 0.01 <= decision.latency <= 0.02
    injector.configure(seed=1, error_5xx=1.0, methods=["answerCallbackQuery"])
    assert injector.decide("sendmessage").fault is None
    assert injector.decide("answercallbackquery").fault is Fault.ERROR_5XX
    with pytest.raises(ValueError, match="add up"):
        injector.configure(error_5xx=0.7, timeout=0.7)


async def test_latency_is_added_to_sending_methods(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    sandbox.configure_faults(seed=3, latency=0.1)
    began = time.monotonic()
    await api("sendMessage", chat_id=alice.id, text="slow")
    assert time.monotonic() - began >= 0.1
    # getMe sends nothing: the injector adds no latency to it (decided, not timed).
    assert sandbox.emulator.faults.decide("getMe").latency == 0
    await api("getMe")


async def test_two_emulators_in_one_process() -> None:
    async with Sandbox() as one, Sandbox(token="654321:OTHER", username="OtherBot") as two:
        assert one.url != two.url
        assert two.bot_id == 654321

        async def hello(update: Update, context: Context) -> None:
            assert update.message is not None
            await update.message.reply_text(f"from {context.bot.username}")

        app_one = application_builder(one).build()
        app_two = application_builder(two).build()
        for app in (app_one, app_two):
            app.add_handler(CommandHandler("who", hello))
        async with run_polling(app_one), run_polling(app_two):
            a, b = one.user(), two.user()
            await a.send("/who")
            await b.send("/who")
            assert (await a.wait_message()).text == "from WorkforcePathwaysBot"
            assert (await b.wait_message()).text == "from OtherBot"
