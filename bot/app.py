"""The one wiring place: settings + catalog → a configured `telegram.ext.Application`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BasePersistence,
    ContextTypes,
    Defaults,
)

from bot import bot_profile, metrics
from bot.broadcast.runtime import Broadcasting, sender_config
from bot.broadcast.sender import SenderConfig
from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.handlers import (
    admin,
    ask,
    broadcasts,
    browse,
    errors,
    fallback,
    finder,
    forums,
    guard,
    inline,
    privacy,
    regions,
    search,
    settings,
    staff,
    start,
    subscriptions,
)
from bot.inbox import DurableBot, DurableQueue, Inbox
from bot.metrics import InstrumentedApplication
from bot.ordering import OrderedUpdateProcessor
from bot.screens import Links
from bot.services import AppType, Context, Services
from bot.staff_relay import StaffRelay
from bot.store import DatabaseGaps, DatabasePersistence, DatabaseProfiles, Store

log = logging.getLogger(__name__)


def default_persistence(store: Store) -> DatabasePersistence:
    """PTB's user_data in the bot's database, re-read per update so instances agree.

    bot_data holds live services and is never persisted (see `bot.store.persistence`).
    """
    return DatabasePersistence(store)


def build_application(
    settings: Settings,
    catalog: Catalog,
    *,
    token: str | None = None,
    persistence: BasePersistence | None = None,
    rate_limiter: bool = True,
    store: Store | None = None,
    broadcast_config: SenderConfig | None = None,
) -> AppType:
    """Build the bot; `token` overrides the settings' (the sandbox uses its own).

    Nothing here touches the database: `store` (by default from `DATABASE_URL`/`DATA_DIR`)
    is made ready — migrations, legacy import — when PTB initializes the persistence, before
    any update is taken, and closed in `post_shutdown`. The broadcast sender (its own Bot,
    see `bot.broadcast.runtime`) starts in `post_init` and stops in `post_shutdown`;
    `broadcast_config` overrides its settings (tests shorten its timings).
    """
    secret = token or (
        settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    )
    if secret is None:
        raise ValueError("a bot token is required to build the application")
    root = settings.telegram_api_base_url
    store = store if store is not None else Store.from_settings(settings)
    inbox = Inbox(store)
    processor = OrderedUpdateProcessor(settings.update_workers)
    metrics.watch(processor)
    builder = (
        ApplicationBuilder()
        .token(secret)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .application_class(InstrumentedApplication)
        .context_types(ContextTypes(context=Context))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .persistence(persistence if persistence is not None else default_persistence(store))
        .concurrent_updates(processor)
        .update_queue(DurableQueue(inbox))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limiter:
        # Retries 429s and keeps the 20/min group limit, but no global 30/s cap on replies:
        # that cap throttled interactive answers to ~31 updates/s (bench), and broadcasts
        # pace themselves with their own Bot and limiter.
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=3))
    app: AppType = builder.build()  # type: ignore[assignment]
    if app.updater is not None:  # polling confirms a batch only once its receipts are stored
        app.updater.bot = DurableBot(app.bot, inbox)  # type: ignore[assignment]
    app.bot_data["services"] = Services(
        settings=settings,
        catalog=catalog,
        links=Links(settings.bot_username, ask_person=settings.asks_staff),
        profiles=DatabaseProfiles(store),
        gaps=DatabaseGaps(store),
        store=store,
    )
    services: Services = app.bot_data["services"]
    if settings.asks_staff:
        services.relay = StaffRelay(settings, store)
    services.broadcasting = Broadcasting(
        services, secret, broadcast_config or sender_config(settings)
    )
    register_handlers(app)
    return app


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Order matters: specific features first, the catch-alls of `fallback` last.

    An admin's reply inside a multi-step flow (/broadcast, /newforum) is taken in its own
    group before the features, so it is not mistaken for a search; a message to staff ("Ask a
    person") and the staff chat's answers come before that (RELAY_GROUP), so neither is.
    """
    services: Services = app.bot_data["services"]
    app.add_handlers(guard.handlers(), group=guard.GROUP)
    app.add_handlers(staff.handlers(services.settings), group=ask.RELAY_GROUP)
    app.add_handlers(broadcasts.flow_handlers(services.settings), group=broadcasts.FLOW_GROUP)
    for module in (
        start,
        settings,
        regions,
        finder,
        ask,
        browse,
        admin,
        search,
        inline,
        subscriptions,
        privacy,
    ):
        app.add_handlers(module.handlers())
    app.add_handlers(broadcasts.handlers())
    app.add_handlers(forums.handlers())
    app.add_handlers(fallback.handlers())
    app.add_error_handler(errors.on_error)  # type: ignore[arg-type]


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    """Migrate, learn our username (for deep links), publish commands and descriptions."""
    services: Services = app.bot_data["services"]
    if services.store is not None:
        await services.store.start()  # already done if the persistence loaded; cheap then
    if isinstance(app.update_queue, DurableQueue):  # before polling starts: crash leftovers first
        await app.update_queue.inbox.start(app.update_queue, app.bot)
    if services.links.bot_username is None and app.bot.username:
        services.links = Links(app.bot.username, ask_person=services.settings.asks_staff)
    if services.broadcasting is not None:
        await services.broadcasting.start()
    _reload_on_sighup(app, services)
    written = await bot_profile.publish(app.bot, ask=services.settings.asks_staff)
    log.info("bot profile published (%d settings changed)", written)


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    """Stop the broadcast sender (requests in flight are recorded), then close the database
    connections after PTB has flushed the persistence."""
    services: Services = app.bot_data["services"]
    if services.broadcasting is not None:
        await services.broadcasting.stop()
    if isinstance(app.update_queue, DurableQueue):
        try:
            await app.update_queue.inbox.stop()
        except Exception as exc:  # the database is away: those updates are handled again
            log.warning("inbox: could not record the last handled updates: %r", exc)
    if services.store is not None:
        await services.store.close()


def _reload_on_sighup(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """SIGHUP re-reads content/ like /reload; invalid content keeps the old catalog."""
    loop = asyncio.get_running_loop()

    def on_hup() -> None:
        app.create_task(admin.reload_catalog(services), name="reload-content")

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGHUP, on_hup)
