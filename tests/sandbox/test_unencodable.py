"""Strings Telegram can never send (a lone surrogate is not UTF-8) are refused by the control
API with a clear SandboxError, and an update that cannot be encoded is refused when it is
queued: before this, `getUpdates` answered an empty body forever and the bot stalled."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.sandbox.client import Sandbox
from bot.sandbox.errors import SandboxError
from bot.sandbox.testing import application_builder, run_polling

from .conftest import ApiCall
from .helpers import png_bytes

Context = ContextTypes.DEFAULT_TYPE
LONE = "\ud800"


def echo_app(sandbox: Sandbox) -> Any:
    async def start(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="1:q:go")]])
        await update.effective_message.reply_text("menu", reply_markup=markup)

    async def pressed(update: Update, context: Context) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer(f"got {update.callback_query.data}")

    async def echo(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo {update.effective_message.text}")

    app = application_builder(sandbox).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def test_a_lone_surrogate_in_callback_data_is_refused_and_delivery_goes_on(
    sandbox: Sandbox,
) -> None:
    async with run_polling(echo_app(sandbox)):
        alice = sandbox.user("Alice")
        await alice.send("/start")
        menu = await alice.wait_message()
        with pytest.raises(SandboxError, match="UTF-8"):
            await alice.press(menu, data=f"1:q:{LONE}")
        assert sandbox.unanswered_callbacks == []
        press = await alice.press(menu, "Go")
        assert (await press.answer()).text == "got 1:q:go"
        await alice.send("still here")
        assert (await alice.wait_message()).text == "echo still here"


@pytest.mark.parametrize(
    "act",
    [
        lambda user: user.send(f"hi {LONE}"),
        lambda user: user.send_document(b"%PDF-1.4", file_name=f"a{LONE}.pdf"),
        lambda user: user.send_photo(png_bytes(), caption=f"look {LONE}"),
        lambda user: user.inline(f"search {LONE}"),
    ],
    ids=["send", "document name", "caption", "inline query"],
)
async def test_other_unencodable_user_input_is_refused(sandbox: Sandbox, act: Any) -> None:
    alice = sandbox.user("Alice")
    with pytest.raises(SandboxError, match="UTF-8"):
        await act(alice)
    assert sandbox.emulator.updates.pending == []


async def test_an_edit_to_unencodable_text_is_refused(sandbox: Sandbox) -> None:
    alice = sandbox.user("Alice")
    message = await alice.send("hello")
    with pytest.raises(SandboxError, match="UTF-8"):
        await alice.edit(message, f"hello {LONE}")
    kinds = [next(k for k in u if k != "update_id") for u in sandbox.emulator.updates.pending]
    assert kinds == ["message"]


async def test_an_unencodable_update_is_refused_when_queued_not_when_delivered(
    sandbox: Sandbox, api: ApiCall
) -> None:
    alice = sandbox.user("Alice")
    chat = {"id": alice.id, "type": "private", "first_name": "Alice"}
    sender = {"id": alice.id, "is_bot": False, "first_name": "Alice"}
    raw = {"message_id": 1, "date": 0, "chat": chat, "from": sender, "text": f"x{LONE}"}
    with pytest.raises(SandboxError, match="UTF-8"):
        await sandbox.inject({"message": raw})
    with pytest.raises(SandboxError, match="JSON"):
        await sandbox.inject({"message": {**raw, "text": "x", "extra": object()}})
    await sandbox.inject({"message": {**raw, "text": "fine"}})
    status, body = await api("getUpdates", timeout=0)
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["fine"]
