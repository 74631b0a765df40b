"""Start-up publishes commands and descriptions per language, writing only what changed."""

from __future__ import annotations

from bot import bot_profile
from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.i18n import t
from bot.sandbox.client import Sandbox
from tests.e2e.conftest import running_bot


async def test_profile_is_published_once_and_then_left_alone(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    async with running_bot(tg, settings, catalog) as app:
        assert tg.description() == t("en", "about.description")
        assert tg.description("es") == t("es", "about.description")
        assert tg.short_description("fr") == t("fr", "about.short_description")
        assert next(c["command"] for c in tg.commands(language_code="fr")) == "start"
        writes = tg.count_requests("setMyDescription")
        assert writes == 3
        assert await bot_profile.publish(app.bot) == 0, "nothing changed: nothing written"
        assert tg.count_requests("setMyDescription") == writes
        commands = tg.count_requests("setMyCommands")
    async with running_bot(tg, settings, catalog):
        assert tg.count_requests("setMyDescription") == writes, "a restart writes nothing"
        assert tg.count_requests("setMyCommands") == commands
