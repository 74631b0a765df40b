"""Recipient languages: picked, else the Telegram app's, else the chat's — on both engines.

The bot answers a user who never picked a language in their app's language; a broadcast must
reach them in that same language, and the "language" audience must count them.
"""

from __future__ import annotations

from bot.broadcast.audience import Audience, recipients
from bot.store import ChatInfo, Store, repo
from tests.broadcast.conftest import database_url, empty_store, store

__all__ = ["database_url", "empty_store", "store"]

MEMO = 7_600_000_001
"""Telegram app in Spanish, never opened the settings."""
CLAIRE = 7_600_000_002
"""Telegram app in Spanish, but picked French: the pick wins."""
NOBODY = 7_600_000_003
"""An app language the bot does not speak (nothing stored): the default."""
SUBSCRIBER = 7_600_000_004
"""Subscribed while the app was in French, then switched the app to Spanish."""


def audience(kind: str, value: str | None = None) -> Audience:
    parsed = Audience.parse(kind, value)
    assert parsed is not None
    return parsed


async def people(store: Store) -> None:
    async with store.transaction() as s:
        await repo.touch_user(s, MEMO, private=True, client_language="es")
        await repo.save_profile(s, MEMO, {"country": "mx", "role": "student"})
        await repo.touch_user(s, CLAIRE, private=True, client_language="es")
        await repo.save_profile(s, CLAIRE, {"lang": "fr", "country": "mx"})
        await repo.touch_user(s, NOBODY, private=True, client_language=None)
        await repo.subscribe(s, ChatInfo(SUBSCRIBER, "private", None, "fr"), "forums")
        await repo.touch_user(s, SUBSCRIBER, private=True, client_language="es")


async def test_the_app_language_is_the_recipient_language_unless_one_was_picked(
    store: Store,
) -> None:
    await people(store)
    async with store.readers() as s:
        everyone = await recipients(s, Audience.everyone())
        by_country = await recipients(s, audience("country", "mx"))
        by_role = await recipients(s, audience("role", "student"))
        by_topic = await recipients(s, Audience.of_topics(["forums"]))
    assert everyone == {MEMO: "es", CLAIRE: "fr", NOBODY: "en", SUBSCRIBER: "es"}
    assert by_country == {MEMO: "es", CLAIRE: "fr"}
    assert by_role == {MEMO: "es"}
    assert by_topic == {SUBSCRIBER: "es"}, "the app's language outranks the chat's old one"


async def test_the_language_audience_counts_users_by_their_app_language(store: Store) -> None:
    await people(store)
    async with store.readers() as s:
        spanish = await recipients(s, audience("language", "es"))
        french = await recipients(s, audience("language", "fr"))
        english = await recipients(s, audience("language", "en"), default_lang="en")
    assert spanish == {MEMO: "es", SUBSCRIBER: "es"}
    assert french == {CLAIRE: "fr"}
    assert english == {NOBODY: "en"}


async def test_a_chat_language_still_counts_when_nothing_else_is_known(store: Store) -> None:
    """Users from before `client_language` existed keep the language their chat was saved in."""
    async with store.transaction() as s:
        await repo.subscribe(s, ChatInfo(MEMO, "private", None, "fr"), "forums")
        await repo.touch_user(s, MEMO, private=True)
    async with store.readers() as s:
        assert await recipients(s, Audience.of_topics(["forums"])) == {MEMO: "fr"}
        assert await recipients(s, Audience.everyone(), default_lang="es") == {MEMO: "fr"}
