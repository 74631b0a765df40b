"""Admin tools: only for `ADMIN_IDS`; everyone else gets a polite refusal, and it is logged."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import screens
from bot.catalog.loader import CatalogError
from bot.handlers.common import show
from bot.i18n import t
from bot.services import Context, Services, profile_of
from bot.validate import load_checked

log = logging.getLogger(__name__)

Handler = Callable[[Update, Context], Awaitable[None]]


def admin_only(handler: Handler) -> Handler:
    """Refuse non-admins before the handler runs; the refusal names no admin feature."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        user = update.effective_user
        if user is None or not context.services.settings.is_admin(user.id):
            log.warning(
                "non-admin %s tried %s",
                user.id if user else None,
                handler.__name__,
                extra={"event": "admin_refused"},
            )
            profile = await profile_of(update, context)
            if update.callback_query is not None:
                await update.callback_query.answer(t(profile.lang, "admin.refused"))
                return
            await show(update, context, screens.notice(profile, t(profile.lang, "admin.refused")))
            return
        await handler(update, context)

    return wrapper


async def reload_catalog(services: Services) -> list[str]:
    """Re-read content/; on any problem — what the loader refuses, or a card Telegram would
    refuse (the same checks as `validate`'s for content) — keep the old catalog and return
    the problems."""
    try:
        catalog = await asyncio.to_thread(load_checked, services.settings.content_dir)
    except CatalogError as exc:
        log.warning("reload refused: %d content problems", len(exc.problems))
        return [str(p) for p in exc.problems]
    services.replace_catalog(catalog)
    if services.broadcasting is not None:  # forums may have moved: reminders follow them
        await services.broadcasting.sync_reminders()
    log.info("catalog reloaded: %d items", len(catalog))
    return []


@admin_only
async def reload_command(update: Update, context: Context) -> None:
    """/reload: re-read the content without a restart."""
    profile = await profile_of(update, context)
    problems = await reload_catalog(context.services)
    if problems:
        shown = "\n".join(f"• {p}" for p in problems[:15])
        more = len(problems) - 15
        text = t(profile.lang, "admin.reload_failed", count=len(problems)) + "\n" + shown
        if more > 0:
            text += "\n" + t(profile.lang, "admin.more_problems", count=more)
        await show(update, context, screens.notice(profile, text[:3500]))
        return
    catalog = context.services.catalog
    await show(
        update,
        context,
        screens.notice(profile, t(profile.lang, "admin.reloaded", count=len(catalog))),
    )


def handlers() -> list[BaseHandler]:
    return [CommandHandler("reload", reload_command, filters=filters.UpdateType.MESSAGE)]
