"""What Telegram shows about the bot: commands, description and short description per language.

Set at start-up, and only what changed: several instances start at once on deploys, and
Telegram rate-limits these calls, so each is read first and written only when it differs.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeDefault
from telegram.constants import BotDescriptionLimit
from telegram.error import TelegramError

from bot.catalog.models import LANGUAGES
from bot.i18n import t
from bot.screens import commands_for

log = logging.getLogger(__name__)


def _code(lang: str) -> str | None:
    """English is the default for every language without its own entry."""
    return None if lang == LANGUAGES[0] else lang


def wanted_commands(lang: str, *, ask: bool = False) -> list[BotCommand]:
    """`ask`: a staff chat is configured, so /ask and /done are real commands."""
    return [BotCommand(name, t(lang, f"commands.{name}")) for name in commands_for(ask=ask)]


async def publish(bot: Bot, *, ask: bool = False) -> int:
    """Bring commands and descriptions up to date; returns how many settings were written."""
    written = 0
    for lang in LANGUAGES:
        code = _code(lang)
        try:
            commands = wanted_commands(lang, ask=ask)
            current = await bot.get_my_commands(scope=BotCommandScopeDefault(), language_code=code)
            if [(c.command, c.description) for c in current] != [
                (c.command, c.description) for c in commands
            ]:
                await bot.set_my_commands(
                    commands, scope=BotCommandScopeDefault(), language_code=code
                )
                written += 1
            description = t(lang, "about.description")[: BotDescriptionLimit.MAX_DESCRIPTION_LENGTH]
            if (await bot.get_my_description(language_code=code)).description != description:
                await bot.set_my_description(description, language_code=code)
                written += 1
            short = t(lang, "about.short_description")[
                : BotDescriptionLimit.MAX_SHORT_DESCRIPTION_LENGTH
            ]
            if (await bot.get_my_short_description(language_code=code)).short_description != short:
                await bot.set_my_short_description(short, language_code=code)
                written += 1
        except TelegramError as exc:
            log.warning("could not publish the bot profile for %s: %s", lang, exc)
    return written
