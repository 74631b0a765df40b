"""The one wiring place: settings + catalog → a configured `telegram.ext.Application`."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BasePersistence,
    ContextTypes,
    Defaults,
    PersistenceInput,
    PicklePersistence,
)

from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.handlers import browse, errors, fallback, settings, start
from bot.i18n import t
from bot.screens import COMMANDS, Links
from bot.services import AppType, Context, Services

log = logging.getLogger(__name__)

LANGS = ("en", "es", "fr")


def default_persistence(settings: Settings) -> PicklePersistence:
    """Profiles survive restarts; bot_data holds live services and is never persisted."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return PicklePersistence(
        settings.data_dir / "persistence.pickle",
        store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False),
        update_interval=30,
    )


def build_application(
    settings: Settings,
    catalog: Catalog,
    *,
    token: str | None = None,
    persistence: BasePersistence | None = None,
    rate_limiter: bool = True,
) -> AppType:
    """Build the bot; `token` overrides the settings' (the sandbox uses its own)."""
    secret = token or (
        settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    )
    if secret is None:
        raise ValueError("a bot token is required to build the application")
    root = settings.telegram_api_base_url
    builder = (
        ApplicationBuilder()
        .token(secret)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=Context))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .persistence(persistence if persistence is not None else default_persistence(settings))
        .post_init(_post_init)
    )
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app: AppType = builder.build()  # type: ignore[assignment]
    app.bot_data["services"] = Services(
        settings=settings, catalog=catalog, links=Links(settings.bot_username)
    )
    register_handlers(app)
    return app


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Order matters: specific features first, the catch-alls of `fallback` last."""
    for module in (start, settings, browse, fallback):
        app.add_handlers(module.handlers())
    app.add_error_handler(errors.on_error)  # type: ignore[arg-type]


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    """Learn our username (for deep links) and publish the command list per language."""
    services: Services = app.bot_data["services"]
    if services.links.bot_username is None and app.bot.username:
        services.links = Links(app.bot.username)
    try:
        for lang in LANGS:
            commands = [BotCommand(name, t(lang, f"commands.{name}")) for name in COMMANDS]
            code = None if lang == "en" else lang
            await app.bot.set_my_commands(
                commands, scope=BotCommandScopeDefault(), language_code=code
            )
    except TelegramError as exc:
        log.warning("could not set the command list: %s", exc)
