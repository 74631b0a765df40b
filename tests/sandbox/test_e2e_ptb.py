"""A real ``telegram.ext.Application`` driven over HTTP against the emulator."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    AIORateLimiter,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.sandbox.client import Sandbox
from bot.sandbox.errors import SandboxRejected
from bot.sandbox.testing import application_builder, run_polling, run_webhook

Context = ContextTypes.DEFAULT_TYPE

COUNTRIES = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Canada", callback_data="country:ca")],
        [InlineKeyboardButton("México", callback_data="country:mx")],
    ]
)


async def start(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    assert update.effective_user is not None
    greeting = "Hola" if update.effective_user.language_code == "es" else "Hello"
    await update.effective_message.reply_html(
        f"<b>{greeting}</b>, {update.effective_user.first_name}! Choose a country:",
        reply_markup=COUNTRIES,
    )


async def choose_country(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    await query.answer("Saved")
    await query.edit_message_text(
        f"Country: <i>{query.data.split(':')[1]}</i>", parse_mode=ParseMode.HTML
    )


def build(tg: Sandbox, **kwargs: Any) -> Any:
    return application_builder(tg, **kwargs)


async def test_command_round_trip(sandbox: Sandbox) -> None:
    app = build(sandbox).build()
    app.add_handler(CommandHandler("start", start))
    async with run_polling(app, poll_timeout=60):
        alicia = sandbox.user("Alicia", language_code="es")
        sent = await alicia.send("/start")
        assert sent.entities[0].type == "bot_command"
        began = time.monotonic()
        reply = await alicia.wait_message()
        # the waiting long poll is answered at once, not after its 60 s timeout (a wide margin:
        # the suite runs on loaded machines; bench/ measures how fast)
        assert time.monotonic() - began < 30
    assert reply.text == "Hola, Alicia! Choose a country:"
    assert reply.html is not None
    assert reply.html.startswith("<b>Hola</b>")
    assert reply.entity_types == ["bold"]
    assert reply.buttons == [("Canada", "country:ca"), ("México", "country:mx")]
    assert reply.message.reply_markup == COUNTRIES
    assert [b.callback_data for b in reply.inline_buttons] == ["country:ca", "country:mx"]
    assert "Choose a country" in str(reply)


async def test_button_press_edits_message_and_answers(sandbox: Sandbox) -> None:
    app = build(sandbox).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(choose_country, pattern=r"^country:"))
    async with run_polling(app):
        alice = sandbox.user()
        await alice.send("/start")
        menu = await alice.wait_message()
        press = await alice.press(menu, "Canada")
        edited = await alice.wait_message()
        answer = await press.answer()
    assert edited.edited
    assert edited.message_id == menu.message_id
    assert edited.text == "Country: ca"
    assert edited.buttons == []  # edit without reply_markup removes the keyboard
    assert answer.text == "Saved"
    assert sandbox.unanswered_callbacks == []
    assert [m.text for m in sandbox.history(alice, menu.message_id)] == [
        "Hello, Alice! Choose a country:",
        "Country: ca",
    ]


async def inline_search(update: Update, context: Context) -> None:
    query = update.inline_query
    assert query is not None
    count = 51 if query.query == "everything" else 3
    results = [
        InlineQueryResultArticle(
            id=f"r{i}",
            title=f"{query.query} #{i}",
            input_message_content=InputTextMessageContent(
                f"<b>{query.query}</b> program {i}", parse_mode=ParseMode.HTML
            ),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("More", callback_data="more")]]
            ),
        )
        for i in range(count)
    ]
    try:
        await query.answer(results, cache_time=0, next_offset="3")
    except BadRequest as exc:
        context.bot_data.setdefault("errors", []).append(exc.message)


async def test_inline_query_answered_and_too_many_results_rejected(sandbox: Sandbox) -> None:
    app = build(sandbox).build()
    app.add_handler(InlineQueryHandler(inline_search))
    chosen: list[str] = []

    async def on_chosen(update: Update, context: Context) -> None:
        assert update.chosen_inline_result is not None
        chosen.append(update.chosen_inline_result.result_id)

    async def on_more(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        assert query.inline_message_id is not None
        await query.answer()
        await query.edit_message_text("expanded")

    app.add_handler(ChosenInlineResultHandler(on_chosen))
    app.add_handler(CallbackQueryHandler(on_more, pattern="^more$"))
    async with run_polling(app):
        alice = sandbox.user()
        answer = await alice.inline("red seal")
        assert answer.titles == ["red seal #0", "red seal #1", "red seal #2"]
        assert answer.next_offset == "3"
        assert answer.cache_time == 0
        with pytest.raises(SandboxRejected, match="RESULTS_TOO_MUCH"):
            await alice.inline("everything")
        posted = await alice.choose_inline(answer, "r1")
        assert posted.via_bot is not None
        assert posted.via_bot.id == sandbox.bot_id
        assert posted.text == "red seal program 1"
        inline_message = sandbox.state.inline_messages
        assert len(inline_message) == 1
        (stored,) = inline_message.values()
        press = await alice.press(stored.message_id, "More")
        await press.answer()
        expanded = await alice.wait_message()
        await sandbox.wait_idle()
    assert app.bot_data["errors"] == ["Results_too_much"]
    assert chosen == ["r1"]
    assert expanded.text == "expanded"
    assert expanded.inline_message_id


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limiter_waits_out_a_429(sandbox: Sandbox) -> None:
    sandbox.configure_flood(enabled=True, private_per_sec=1, private_burst=1)

    async def burst(update: Update, context: Context) -> None:
        assert update.effective_chat is not None
        for n in range(2):
            await context.bot.send_message(update.effective_chat.id, f"part {n}")

    app = build(sandbox).rate_limiter(AIORateLimiter(max_retries=3)).build()
    app.add_handler(CommandHandler("burst", burst))
    async with run_polling(app):
        alice = sandbox.user()
        await alice.send("/burst")
        first, second = await alice.wait_messages(2, timeout=6)
    assert [first.text, second.text] == ["part 0", "part 1"]
    assert sandbox.count_requests("sendMessage", status=429) == 1
    assert sandbox.count_requests("sendMessage", status=200) == 2


async def test_webhook_delivery_checks_the_secret(sandbox: Sandbox) -> None:
    handled: list[str] = []

    async def echo(update: Update, context: Context) -> None:
        assert update.message is not None
        assert update.message.text is not None
        handled.append(update.message.text)
        await update.message.reply_text(f"echo: {update.message.text}")

    app = build(sandbox).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with run_webhook(app, secret_token="s3cret") as url:
        assert sandbox.webhook.config.url == url
        assert sandbox.webhook.config.secret_token == "s3cret"
        alice = sandbox.user()
        await alice.send("right secret")
        assert (await alice.wait_message()).text == "echo: right secret"

        sandbox.webhook.secret_override = "wrong"
        await alice.send("wrong secret")
        await alice.expect_no_message(within=0.5)
        assert handled == ["right secret"], "PTB refused the update with the wrong secret"
        refused = [a.status for a in sandbox.webhook.attempts[1:]]
        assert refused
        assert set(refused) == {403}
        assert sandbox.webhook.last_error_message is not None
        assert sandbox.webhook.last_error_message.startswith("Wrong response from the webhook: 403")

        sandbox.webhook.secret_override = None
        assert (await alice.wait_message(timeout=5)).text == "echo: wrong secret", (
            "like Telegram, the refused update stays queued and is delivered later"
        )
    assert handled == ["right secret", "wrong secret"]
    assert sandbox.webhook.attempts[-1].status == 200


async def test_group_admin_check_and_privacy_mode(sandbox: Sandbox) -> None:
    seen: list[str] = []

    async def admin_only(update: Update, context: Context) -> None:
        assert update.effective_chat
        assert update.effective_user
        assert update.effective_message
        member = await context.bot.get_chat_member(
            update.effective_chat.id, update.effective_user.id
        )
        allowed = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        await update.effective_message.reply_text("ok" if allowed else "admins only")

    async def record(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        seen.append(update.effective_message.text or "")

    app = build(sandbox).build()
    app.add_handler(CommandHandler("settings", admin_only))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, record))
    async with run_polling(app):
        alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
        group = sandbox.group("Estudiantes", members=[bob], admins=[alice])
        await alice.send(f"/settings@{sandbox.bot_username}", chat=group)
        assert (await group.wait_message()).text == "ok"
        await bob.send("/settings", chat=group)
        bot_reply = await group.wait_message()
        assert bot_reply.text == "admins only"
        await bob.send("just chatting", chat=group)  # privacy mode: bot does not see this
        await bob.send("/settings@SomeOtherBot", chat=group)  # addressed to another bot
        await bob.send("thanks!", chat=group, reply_to=bot_reply.message)  # replies are seen
        await sandbox.wait_idle()
    assert seen == ["thanks!"]


async def test_documents_and_blocking(sandbox: Sandbox) -> None:
    outcomes: list[str] = []
    member_events: list[tuple[str, str]] = []

    async def send_guide(update: Update, context: Context) -> None:
        assert update.effective_chat is not None
        try:
            await context.bot.send_document(
                update.effective_chat.id,
                b"%PDF guide",
                filename="guide.pdf",
                caption="<b>Guide</b>",
                parse_mode=ParseMode.HTML,
            )
            outcomes.append("sent")
        except Forbidden as exc:
            outcomes.append(exc.message)

    async def membership(update: Update, context: Context) -> None:
        change = update.my_chat_member
        assert change is not None
        member_events.append((change.old_chat_member.status, change.new_chat_member.status))

    app = build(sandbox).build()
    app.add_handler(CommandHandler("guide", send_guide))
    app.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    async with run_polling(app):
        alice = sandbox.user()
        await alice.send("/guide")
        guide = await alice.wait_message()
        assert guide.document == b"%PDF guide"
        assert guide.file_name == "guide.pdf"
        assert guide.caption == "Guide"
        assert guide.entity_types == ["bold"]
        alice.block()
        await sandbox.inject(
            {
                "message": {
                    "message_id": 500,
                    "date": int(time.time()),
                    "chat": {"id": alice.id, "type": "private", "first_name": alice.first_name},
                    "from": {"id": alice.id, "is_bot": False, "first_name": alice.first_name},
                    "text": "/guide",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                }
            }
        )
        await sandbox.wait_idle()
    assert outcomes == ["sent", "Forbidden: bot was blocked by the user"]
    assert member_events == [("member", "kicked")]


async def test_faults_reach_the_bot_as_errors(sandbox: Sandbox) -> None:
    errors: list[str] = []

    async def reply(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("pong")

    async def on_error(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        errors.append(type(context.error).__name__)

    app = build(sandbox, read_timeout=0.3).build()
    app.add_handler(CommandHandler("ping", reply))
    app.add_error_handler(on_error)
    async with run_polling(app):
        alice = sandbox.user()
        sandbox.configure_faults(seed=7, error_5xx=1.0)
        await alice.send("/ping")
        await sandbox.wait_idle()
        sandbox.configure_faults(seed=7, timeout=1.0, hang_seconds=0.5)
        await alice.send("/ping")
        await sandbox.wait_idle(timeout=5)
        sandbox.configure_faults(seed=7, drop=1.0, process_first=True)
        await alice.send("/ping")
        await sandbox.wait_idle()
        sandbox.clear_faults()
        await alice.send("/ping")
        final = await alice.wait_message()
        await sandbox.wait_idle()
    assert errors == ["NetworkError", "TimedOut", "NetworkError"]
    assert final.text == "pong"
    # the dropped-but-processed message did arrive: the duplicate-send scenario
    assert [m.text for m in sandbox.messages(alice)] == ["pong", "pong"]
    faults = [r.fault for r in sandbox.requests if r.method == "sendMessage"]
    assert faults == ["5xx", "timeout", "drop", None]


async def test_a_second_poller_terminates_the_first(sandbox: Sandbox) -> None:
    first = build(sandbox).build()
    second = build(sandbox).build()
    async with run_polling(first, poll_timeout=5):
        await asyncio.sleep(0.1)
        async with run_polling(second, poll_timeout=5):
            await asyncio.sleep(0.3)
    conflicts = [r for r in sandbox.requests if r.status == 409]
    assert conflicts
    assert conflicts[0].description == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
