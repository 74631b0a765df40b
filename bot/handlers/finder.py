"""/fit and the "🧭 Which program fits me?" button: the finder, one message edited in place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import finder_screens, routes
from bot.handlers.browse import stale
from bot.handlers.common import answer_and_show, show
from bot.services import Context, profile_of


async def fit_command(update: Update, context: Context) -> None:
    profile = await profile_of(update, context)
    await show(
        update,
        context,
        finder_screens.fit_step(
            context.services.catalog, profile, routes.Fit(), ask=context.services.links.ask_person
        ),
    )


async def on_fit(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    if not isinstance(route, routes.Fit):
        await stale(update, context)
        return
    profile = await profile_of(update, context)
    await answer_and_show(
        update,
        context,
        finder_screens.fit_step(
            context.services.catalog, profile, route, ask=context.services.links.ask_person
        ),
    )


def _is_fit(data: object) -> bool:
    return isinstance(routes.decode(data if isinstance(data, str) else None), routes.Fit)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("fit", fit_command, filters=filters.UpdateType.MESSAGE),
        CallbackQueryHandler(on_fit, pattern=_is_fit),
    ]
