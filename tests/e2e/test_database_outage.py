"""A database that goes away for a while: the update is handled again when it is back, and
if it stays away the user still gets an apology, in their language, without the database.

The outage is injected at the driver boundary (every statement raises the driver's
OperationalError while it lasts); it ends after a set number of failed statements, not after a
time, so the tests do not depend on the machine's speed.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.handlers import errors
from bot.i18n import t
from bot.sandbox.client import Sandbox
from bot.store import Store
from tests.e2e.conftest import running_bot
from tests.store.conftest import database_url, empty_store, store

__all__ = ["database_url", "empty_store", "store"]


class Outage:
    """While `failures_left` > 0 every statement fails (and counts down)."""

    def __init__(self, db: Store) -> None:
        self.failures_left = 0
        self.failed = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._maybe_fail)

    def _maybe_fail(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.failures_left > 0:
            self.failures_left -= 1
            self.failed += 1
            raise OperationalError(statement, {}, ConnectionRefusedError("database is away"))


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "RETRY_DELAYS", (0.01, 0.01, 0.02, 0.02, 0.05))


@pytest.mark.usefixtures("quick_retries")
async def test_a_short_outage_costs_a_delay_not_the_answer(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with running_bot(tg, settings, catalog, store=store, rate_limiter=False):
        people = [tg.user(f"P{i}", language_code="es") for i in range(5)]
        for person in people:
            await person.send("/help")
            await person.wait_message()
        outage = Outage(store)
        outage.failures_left = 12
        for person in people:
            await person.send("/help")
        for person in people:
            answer = await person.wait_message(timeout=10)
            assert t("es", "errors.generic") not in answer.text
            assert "/start" in answer.text, "the real answer, once the database is back"
        await tg.wait_idle()
        assert outage.failed == 12
        for person in people:
            assert len(person.messages()) == 2, "answered once, not once per attempt"


@pytest.mark.usefixtures("quick_retries")
async def test_an_outage_that_outlasts_the_retries_gets_an_apology_without_the_database(
    tg: Sandbox, settings: Settings, catalog: Catalog, store: Store
) -> None:
    async with running_bot(tg, settings, catalog, store=store, rate_limiter=False):
        lea = tg.user("Léa", language_code="fr")
        await lea.send("/help")
        await lea.wait_message()
        outage = Outage(store)
        outage.failures_left = 10_000
        await lea.send("Sceau rouge")
        apology = await lea.wait_message(timeout=10)
        assert apology.text == t("fr", "errors.generic")
        outage.failures_left = 0
        await lea.send("Sceau rouge")
        found = await lea.wait_message(timeout=10)
        assert "Sceau rouge" in found.text, "back to normal"
