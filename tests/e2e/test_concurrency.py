"""Many users at once, each in order: the real Application with `bot.ordering` on the emulator.

The emulator answers sendMessage and editMessageText after a random 0–80 ms, like Telegram's
round trips, so a bot that ran one user's updates concurrently would answer out of order.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.ordering import OrderedUpdateProcessor
from bot.sandbox.client import Sandbox
from tests.e2e.conftest import running_bot

COMMANDS = ("/help", "/forums", "/menu", "/privacy", "/settings", "/help")


async def test_the_application_handles_updates_concurrently_in_order(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    async with running_bot(tg, settings, catalog) as app:
        processor = app.update_processor
        assert isinstance(processor, OrderedUpdateProcessor)
        assert processor.workers == settings.update_workers == 8

        ref = tg.user("Reference", language_code="en")
        await ref.send("/start")
        await ref.wait_message()
        expected: dict[str, str] = {}
        for command in dict.fromkeys(COMMANDS):
            await ref.send(command)
            expected[command] = (await ref.wait_message()).text

        tg.configure_faults(seed=4, latency=(0.0, 0.08), methods=["sendMessage"])
        people = [tg.user(f"P{i}", language_code="en") for i in range(12)]
        for person in people:
            await person.send("/start")
        for person in people:
            await person.wait_message()
        peak = 0

        async def watch() -> None:
            nonlocal peak
            while True:
                peak = max(peak, processor.running)
                await asyncio.sleep(0.002)

        watcher = asyncio.create_task(watch())
        for command in COMMANDS:  # every user sends the whole burst without waiting
            for person in people:
                await person.send(command)
        answers = await asyncio.gather(*(p.wait_messages(len(COMMANDS)) for p in people))
        watcher.cancel()

    for person, got in zip(people, answers, strict=True):
        assert [m.text for m in got] == [expected[c] for c in COMMANDS], person.record.first_name
    assert peak > 1, "users were served side by side, not one after another"
    assert processor.running == 0
    assert processor.waiting_keys == 0


async def test_a_users_button_presses_edit_in_the_order_pressed(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    """Two quick presses on one menu: the menu ends on the second press's screen."""
    async with running_bot(tg, settings, catalog):
        tg.configure_faults(seed=2, latency=(0.0, 0.06), methods=["editMessageText"])
        user: Any = tg.user("Quick", language_code="en")
        await user.send("/start")
        welcome = await user.wait_message()
        await user.press(welcome, data="1:h", chat=welcome.chat_id)
        await user.press(welcome, data="1:f", chat=welcome.chat_id)
        await tg.wait_idle()
        edits = user.drain()
        await user.send("/forums")
        forums = await user.wait_message()
        await user.send("/menu")
        home = await user.wait_message()
    assert [e.text for e in edits] == [home.text, forums.text], "edited in the order pressed"
    assert user.messages()[0].text == forums.text, "the last press decided what the menu shows"
