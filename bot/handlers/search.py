"""Free-text search: any private text, or `/search <words>` anywhere."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import routes, screens
from bot.cards import Card
from bot.domain import answering
from bot.domain.asker import asker_of
from bot.handlers.common import show
from bot.i18n import t
from bot.services import Context, Services, profile_of

MAX_QUERY_CHARS = 300
"""Longer texts are not searches; we say so instead of guessing."""


async def answer_query(services: Services, profile: screens.Profile, text: str) -> Card:
    """Answer a free text with a card (chit-chat, results, or nothing: recorded as a gap)."""
    reply = answering.answer(services.search, services.catalog, asker_of(profile), text)
    if reply.talk is not None:
        return screens.notice(profile, t(profile.lang, f"smalltalk.{reply.talk.value}"))
    result = reply.result
    assert result is not None
    if reply.ids:
        filters_seen = [
            t(profile.lang, key)
            for key in (
                f"country.{result.country.value}" if result.country else None,
                f"kind.{result.kind.value}" if result.kind else None,
                f"audience.{result.audience.value}" if result.audience else None,
            )
            if key
        ]
        return screens.search_results(
            services.catalog,
            profile,
            text,
            reply.ids,
            filters=filters_seen,
            winner=reply.ranked.clear_winner,
            links=services.links,
            foreign=reply.ranked.foreign,
        )
    noted = False
    if result.query and services.gaps is not None:
        await services.gaps.record(result.query, services.search.language_of(text))
        noted = True
    return screens.no_results(
        profile, text, result.suggestions, noted=noted, ask=services.links.ask_person
    )


async def on_text(update: Update, context: Context) -> None:
    """A private text message is a search."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await _search(update, context, message.text)


async def search_command(update: Update, context: Context) -> None:
    """/search <words> (works in groups too, where plain text is not ours to answer)."""
    words = " ".join(context.args or [])
    if not words.strip():
        profile = await profile_of(update, context)
        await show(update, context, screens.notice(profile, t(profile.lang, "search.usage")))
        return
    await _search(update, context, words)


async def on_search_button(update: Update, context: Context) -> None:
    """A "did you mean" suggestion pressed."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    assert isinstance(route, routes.Search)
    await query.answer()
    await _search(update, context, route.term)


async def _search(update: Update, context: Context, text: str) -> None:
    profile = await profile_of(update, context)
    if len(text) > MAX_QUERY_CHARS:
        await show(update, context, screens.notice(profile, t(profile.lang, "errors.too_long")))
        return
    await show(update, context, await answer_query(context.services, profile, text))


def _is_search(data: object) -> bool:
    return isinstance(routes.decode(data if isinstance(data, str) else None), routes.Search)


def handlers() -> list[BaseHandler]:
    new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("search", search_command, filters=new),
        MessageHandler(
            new & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT,
            on_text,
        ),
        CallbackQueryHandler(on_search_button, pattern=_is_search),
    ]
