"""The baseline bot: bare python-telegram-bot, echoing text, answering presses and inline queries.

It does the least a bot can do per update on the same library, HTTP client and emulator, so
"ours ÷ echo" measured in the same run is the cost of the bot's own work, whatever the machine.
`python -m bench.echo` runs it as a process (the start-up baseline), configured like the bot
by `TELEGRAM_BOT_TOKEN` and `TELEGRAM_API_BASE_URL`.
"""

from __future__ import annotations

import os
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


async def answer_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


async def answer_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.inline_query is not None:
        await update.inline_query.answer([])


def echo_application(token: str, api_root: str) -> Application[Any, Any, Any, Any, Any, Any]:
    """One MessageHandler, one CallbackQueryHandler, one InlineQueryHandler; nothing else
    (no rate limiter, no persistence, PTB's defaults)."""
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo_text))
    app.add_handler(CallbackQueryHandler(answer_press))
    app.add_handler(InlineQueryHandler(answer_inline))
    return app


def main() -> None:
    """Poll until SIGTERM/SIGINT, like `python -m bot run` does (PTB's own run_polling)."""
    app = echo_application(
        os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")
    )
    app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


if __name__ == "__main__":
    main()
