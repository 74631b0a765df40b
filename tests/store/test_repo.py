"""Repositories on both engines: profiles, subscriptions, blocking, migration, gaps, forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.store import ChatInfo, Store, repo
from bot.store.models import User
from tests.store.conftest import rows_mentioning

ALICE = 7_200_000_001
BOB = 7_200_000_002
GROUP = -1_007_200_000_003
SUPERGROUP = -1_007_200_000_004
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def private(user_id: int, lang: str = "en") -> ChatInfo:
    return ChatInfo(user_id, "private", None, lang)


async def test_profile_round_trip(store: Store) -> None:
    async with store.transaction() as s:
        await repo.save_profile(s, ALICE, {"lang": "es", "role": "student"}, now=T0)
        await repo.save_profile(s, ALICE, {"country": "mx"})
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
        assert await repo.get_user(s, BOB) is None
    assert user is not None
    assert (user.language, user.role, user.country) == ("es", "student", "mx")
    assert user.created_at == T0
    assert user.created_at.tzinfo is not None
    assert user.blocked is False


async def test_profile_rejects_unknown_keys(store: Store) -> None:
    async with store.transaction() as s:
        with pytest.raises(KeyError):
            await repo.save_profile(s, ALICE, {"name": "Alice"})


async def test_clearing_a_profile_field(store: Store) -> None:
    async with store.transaction() as s:
        await repo.save_profile(s, ALICE, {"lang": "fr", "country": "ca"})
        await repo.save_profile(s, ALICE, {"country": None})
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
    assert user is not None
    assert (user.language, user.country) == ("fr", None)


async def test_last_seen_is_debounced(store: Store) -> None:
    assert repo.needs_touch(None, T0, private=True)
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, now=T0)
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
    assert user is not None
    assert user.last_seen == T0
    assert not repo.needs_touch(user, T0 + timedelta(minutes=9), private=True)
    assert repo.needs_touch(user, T0 + repo.SEEN_DEBOUNCE, private=True)


async def test_a_private_message_clears_a_stale_blocked_flag(store: Store) -> None:
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, now=T0)
        await repo.set_blocked(s, ALICE, True, now=T0)
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
    assert user is not None
    assert user.blocked
    assert user.blocked_at == T0
    assert not repo.needs_touch(user, T0, private=False)  # a group message proves nothing
    assert repo.needs_touch(user, T0, private=True)
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, now=T0 + timedelta(seconds=1))
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
    assert user is not None
    assert (user.blocked, user.blocked_at) == (False, None)


async def client_language_of(store: Store, user_id: int) -> str | None:
    async with store.readers() as s:
        user = await repo.get_user(s, user_id)
    assert user is not None
    return user.client_language


async def test_the_app_language_is_written_with_the_first_touch(store: Store) -> None:
    assert repo.needs_touch(None, T0, private=True, client_language="es")
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, client_language="es", now=T0)
        await repo.touch_user(s, BOB, private=True, now=T0)  # no language_code: none stored
    assert await client_language_of(store, ALICE) == "es"
    assert await client_language_of(store, BOB) is None


async def test_an_unchanged_app_language_waits_for_the_debounce(store: Store) -> None:
    """The same language on every update must not turn each update into a write."""
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, client_language="es", now=T0)
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
    assert user is not None
    soon = T0 + timedelta(minutes=1)
    assert not repo.needs_touch(user, soon, private=True, client_language="es")
    assert not repo.needs_touch(user, soon, private=False, client_language="es")
    assert repo.needs_touch(user, T0 + repo.SEEN_DEBOUNCE, private=True, client_language="es")


async def test_a_switched_app_language_is_written_at_once(store: Store) -> None:
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, client_language="es", now=T0)
        await repo.touch_user(s, BOB, private=True, now=T0)
    async with store.readers() as s:
        alice, bob = await repo.get_user(s, ALICE), await repo.get_user(s, BOB)
    assert alice is not None
    assert bob is not None
    soon = T0 + timedelta(minutes=1)
    assert repo.needs_touch(alice, soon, private=False, client_language="fr")
    assert repo.needs_touch(bob, soon, private=False, client_language="en"), "first report"
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=False, client_language="fr", now=soon)
    assert await client_language_of(store, ALICE) == "fr"


async def test_no_reported_language_never_erases_the_stored_one(store: Store) -> None:
    """Telegram's `language_code` is optional: an update without one says nothing new."""
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, client_language="fr", now=T0)
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
    assert user is not None
    assert not repo.needs_touch(user, T0 + timedelta(minutes=1), private=True, client_language=None)
    later = T0 + repo.SEEN_DEBOUNCE
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, client_language=None, now=later)
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
    assert user is not None
    assert (user.client_language, user.last_seen) == ("fr", later)


async def test_the_app_language_is_not_a_picked_language(store: Store) -> None:
    """The profile (what the user chose) and the app's language stay apart."""
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, client_language="es", now=T0)
        await repo.save_profile(s, ALICE, {"lang": "fr"})
    async with store.readers() as s:
        user = await repo.get_user(s, ALICE)
    assert user is not None
    assert (user.language, user.client_language) == ("fr", "es")


async def test_subscription_round_trip(store: Store) -> None:
    async with store.transaction() as s:
        assert await repo.subscribe(s, private(ALICE), "forums", by_user=ALICE, now=T0)
        assert await repo.subscribe(s, private(ALICE), "country:mx", now=T0 + timedelta(1))
        assert not await repo.subscribe(s, private(ALICE), "forums")
    async with store.readers() as s:
        assert await repo.topics_of(s, ALICE) == ["forums", "country:mx"]
        assert await repo.recipients(s, ["forums"]) == [ALICE]
    async with store.transaction() as s:
        assert await repo.unsubscribe(s, ALICE, "forums")
        assert not await repo.unsubscribe(s, ALICE, "forums")
    async with store.readers() as s:
        assert await repo.topics_of(s, ALICE) == ["country:mx"]
        assert await repo.recipients(s, ["forums"]) == []


async def test_private_chats_never_store_a_title() -> None:
    with pytest.raises(ValueError, match="title"):
        ChatInfo(ALICE, "private", "Alice Smith")


async def test_recipients_are_distinct_ordered_and_skip_blocked(store: Store) -> None:
    async with store.transaction() as s:
        for chat in (private(BOB), private(ALICE), ChatInfo(GROUP, "group", "Welders MX")):
            await repo.subscribe(s, chat, "forums")
            await repo.subscribe(s, chat, "country:mx")
        await repo.touch_user(s, ALICE, private=True)
        await repo.touch_user(s, BOB, private=True)
    async with store.readers() as s:
        assert await repo.recipients(s, ["forums", "country:mx"]) == [GROUP, ALICE, BOB]
        assert await repo.recipients(s, []) == []
    async with store.transaction() as s:
        await repo.set_blocked(s, ALICE, True)
        await repo.set_blocked(s, GROUP, True)
    async with store.readers() as s:
        assert await repo.recipients(s, ["forums"]) == [BOB]
    async with store.transaction() as s:
        await repo.set_blocked(s, ALICE, False)
    async with store.readers() as s:
        assert await repo.recipients(s, ["forums"]) == [ALICE, BOB]


async def test_a_blocked_user_is_skipped_even_if_only_the_user_row_says_so(store: Store) -> None:
    async with store.transaction() as s:
        await repo.subscribe(s, private(ALICE), "forums")
        await repo.touch_user(s, ALICE, private=True)
    async with store.transaction() as s:
        await s.execute(update(User).values(blocked=True))
    async with store.readers() as s:
        assert await repo.recipients(s, ["forums"]) == []


async def test_group_migration_moves_subscriptions(store: Store) -> None:
    async with store.transaction() as s:
        await repo.subscribe(s, ChatInfo(GROUP, "group", "Welders MX", "es"), "forums", by_user=BOB)
        await repo.subscribe(s, ChatInfo(GROUP, "group", "Welders MX", "es"), "country:mx")
        await repo.subscribe(s, ChatInfo(SUPERGROUP, "supergroup", "Welders MX"), "forums")
    async with store.transaction() as s:
        assert await repo.migrate_chat(s, GROUP, SUPERGROUP) == 1  # forums was already there
    async with store.transaction() as s:
        assert await repo.migrate_chat(s, GROUP, SUPERGROUP) == 0  # the other service message
    async with store.readers() as s:
        assert await repo.topics_of(s, GROUP) == []
        assert sorted(await repo.topics_of(s, SUPERGROUP)) == ["country:mx", "forums"]
        assert await repo.recipients(s, ["country:mx"]) == [SUPERGROUP]
    assert await rows_mentioning(store, GROUP) == {}


async def test_search_gaps_are_counted_without_anyone_s_id(store: Store) -> None:
    async with store.transaction() as s:
        for query in ("Welding  Ontario", "welding ontario", "WELDING ONTARIO"):
            await repo.record_gap(s, query, "en", now=T0)
        await repo.record_gap(s, "soldadura", "es", now=T0 + timedelta(hours=1))
        await repo.record_gap(s, "welding ontario", "fr", now=T0)
        await repo.record_gap(s, "   ", "en")
    async with store.readers() as s:
        gaps = await repo.top_gaps(s, 10, min_count=1)
        spanish = await repo.top_gaps(s, 10, lang="es", min_count=1)
        shown = await repo.top_gaps(s, 10)
    assert [(g.query, g.lang, g.count) for g in gaps] == [
        ("welding ontario", "en", 3),
        ("soldadura", "es", 1),
        ("welding ontario", "fr", 1),
    ]
    assert gaps[0].first_seen == T0
    assert [g.query for g in spanish] == ["soldadura"]
    assert [g.query for g in shown] == ["welding ontario"], "editors see what 3+ searches asked"


async def test_long_queries_are_cut(store: Store) -> None:
    async with store.transaction() as s:
        await repo.record_gap(s, "x" * 1000, "en")
        await repo.record_gap(s, " ".join(["word"] * 30), "en")
    async with store.readers() as s:
        gaps = await repo.top_gaps(s, min_count=1)
    assert sorted(len(g.query) for g in gaps) == [39, repo.GAP_TEXT_MAX]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("zzqx umaxq 5550100", "zzqx umaxq"),
        ("call me at ana.lopez@example.mx please", "call me at please"),
        ("my curp is LOMA800101HDFRRN09", "my curp is"),
        ("see https://evil.example/x and www.site.org", "see and"),
        ("+52 55 1234 5678", ""),
        ("@ana_mx", ""),
        ("¿Soldadura, en Querétaro?", "soldadura en querétaro"),
    ],
)
async def test_gaps_keep_no_numbers_emails_links_or_handles(
    store: Store, typed: str, kept: str
) -> None:
    async with store.transaction() as s:
        await repo.record_gap(s, typed, "en")
    async with store.readers() as s:
        gaps = await repo.top_gaps(s, min_count=1)
    assert [g.query for g in gaps] == ([kept] if kept else [])


async def test_stats(store: Store) -> None:
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True)
        await repo.touch_user(s, BOB, private=True)
        await repo.subscribe(s, private(ALICE), "forums")
        await repo.subscribe(s, ChatInfo(GROUP, "group", "Welders"), "forums")
        await repo.subscribe(s, ChatInfo(GROUP, "group", "Welders"), "kind:apprenticeship")
        await repo.set_blocked(s, BOB, True)
        await repo.record_gap(s, "robots", "en")
    async with store.readers() as s:
        stats = await repo.stats(s)
    assert (stats.users, stats.blocked_users, stats.reachable_users) == (2, 1, 1)
    assert (stats.chats, stats.groups, stats.subscriptions) == (2, 1, 3)
    assert stats.by_topic == {"forums": 2, "kind:apprenticeship": 1}
    assert stats.search_gaps == 1


async def test_the_language_breakdown_counts_the_language_broadcasts_use(store: Store) -> None:
    """Picked, else the app's, else the private chat's; unknown counts under ""."""
    carol, dave, erin = ALICE + 10, ALICE + 11, ALICE + 12
    async with store.transaction() as s:
        await repo.touch_user(s, ALICE, private=True, client_language="es")
        await repo.touch_user(s, BOB, private=True, client_language="es")
        await repo.save_profile(s, BOB, {"lang": "fr"})
        await repo.touch_user(s, carol, private=True)
        await repo.subscribe(s, private(carol, "fr"), "forums")
        await repo.touch_user(s, dave, private=True)
        await repo.touch_user(s, erin, private=True, client_language="es")
        await repo.set_blocked(s, erin, True)
        await repo.subscribe(s, ChatInfo(GROUP, "group", "Welders", "en"), "forums")
    async with store.readers() as s:
        figures = await repo.breakdown(s)
    assert figures.by_language == {"es": 1, "fr": 2, "": 1}


async def test_forget_user_leaves_no_row_behind(store: Store) -> None:
    from bot.store.persistence import DatabasePersistence

    async with store.transaction() as s:
        await repo.save_profile(s, ALICE, {"lang": "es", "role": "employer", "country": "mx"})
        await repo.touch_user(s, ALICE, private=True, client_language="fr")
        await repo.subscribe(s, private(ALICE), "forums", by_user=ALICE)
        await repo.subscribe(s, private(ALICE), "event:forum-2026")
        await repo.subscribe(s, ChatInfo(GROUP, "group", "Welders"), "forums", by_user=ALICE)
        await repo.save_profile(s, BOB, {"lang": "fr"})
        await repo.subscribe(s, private(BOB), "forums", by_user=BOB)
        await repo.record_gap(s, "soldadura", "es")
    persistence = DatabasePersistence(store)
    await persistence.update_user_data(ALICE, {"step": "x"})
    await persistence.update_chat_data(ALICE, {"draft": 1})
    await persistence.update_conversation("wizard", (ALICE, ALICE), 2)
    await persistence.update_conversation("wizard", (GROUP, ALICE), 1)
    await persistence.update_conversation("wizard", (BOB, BOB), 3)
    await persistence.update_user_data(BOB, {"step": "y"})
    assert set(await rows_mentioning(store, ALICE)) >= {
        "users",
        "chats",
        "subscriptions",
        "ptb_user_data",
        "ptb_chat_data",
        "ptb_conversations",
    }

    async with store.transaction() as s:
        await repo.forget_user(s, ALICE)

    assert await rows_mentioning(store, ALICE) == {}
    async with store.readers() as s:
        assert await repo.topics_of(s, GROUP) == ["forums"]  # the group keeps its subscription
        assert await repo.topics_of(s, BOB) == ["forums"]
        assert await repo.get_user(s, BOB) is not None
        assert [g.query for g in await repo.top_gaps(s, min_count=1)] == ["soldadura"]
    assert set(await rows_mentioning(store, BOB)) >= {"users", "ptb_conversations"}
