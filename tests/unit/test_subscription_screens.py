"""Subscription and privacy screens: every language, every state, within Telegram's limits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import routes, screens
from bot.cards import check
from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.models import LANGUAGES
from bot.i18n import t
from bot.store.topics import Topic, for_item

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT)


def every_topic(catalog: Catalog) -> list[Topic]:
    """The menu's topics plus those only cards subscribe to (kind in a country, one forum)."""
    cards = [for_item(p) for p in catalog.programs.values()]
    cards += [for_item(e) for e in catalog.events.values()]
    return list(dict.fromkeys([*screens.subscription_topics(catalog), *cards]))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("group", [False, True])
def test_menus_render_empty_and_full(catalog: Catalog, lang: str, group: bool) -> None:
    profile = screens.Profile(lang)
    everything = [topic.key for topic in every_topic(catalog)]
    for current in ([], everything):
        for card in (
            screens.subscribe_menu(catalog, profile, current, group=group),
            screens.unsubscribe_menu(catalog, profile, current, group=group),
            screens.my_subscriptions(catalog, profile, current, group=group),
        ):
            check(card)
            assert (t(lang, "subs.group_note") in card.plain_text) is group


def test_the_menu_offers_only_topics_with_content(catalog: Catalog) -> None:
    offered = screens.subscription_topics(catalog)
    assert offered[0] == Topic.forums()
    kinds = {k for c in catalog.countries() for k in catalog.kinds_in(c)}
    assert {t.kind for t in offered if t.scope == "kind"} == kinds
    assert all(t.country is None for t in offered if t.scope == "kind")


def test_the_subscribe_menu_marks_and_toggles(catalog: Catalog) -> None:
    profile = screens.Profile("en")
    card = screens.subscribe_menu(catalog, profile, ["forums"])
    first = card.keyboard[0][0]
    assert first.text == f"✅ {t('en', 'topic.forums')}"
    assert first.route == routes.PickTopic("f", on=False)
    second = card.keyboard[1][0]
    assert isinstance(second.route, routes.PickTopic)
    assert second.route.on


def test_stale_and_unknown_topics_are_labelled_or_skipped(catalog: Catalog) -> None:
    profile = screens.Profile("es")
    gone = Topic.of_event("a-forum-removed-from-content")
    card = screens.my_subscriptions(catalog, profile, [gone.key, "not-a-topic"])
    assert t("es", "topic.event_gone") in card.plain_text
    assert "not-a-topic" not in card.plain_text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cards_carry_a_one_tap_subscribe_button(catalog: Catalog, lang: str) -> None:
    profile = screens.Profile(lang)
    links = screens.Links("WorkforcePathwaysBot")
    now = datetime.now(UTC)
    for item_id in [*catalog.programs, *catalog.events]:
        held = item_id in catalog.events and not catalog.events[item_id].is_upcoming(now)
        for subscribed in (None, False, True):
            card = screens.item_card(catalog, profile, item_id, links, subscribed=subscribed)
            assert card is not None
            routes_on_card = [b.route for row in card.keyboard for b in row if b.route]
            wanted = routes.CardSubscribe(item_id, on=not subscribed)
            if held and not subscribed:
                # A forum already held offers no subscription; a chat following it can leave.
                assert not any(isinstance(r, routes.CardSubscribe) for r in routes_on_card)
            else:
                assert wanted in routes_on_card
    org = next(iter(catalog.organisations))
    card = screens.item_card(catalog, profile, org, links)
    assert card is not None
    assert not any(isinstance(b.route, routes.CardSubscribe) for row in card.keyboard for b in row)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_screens(lang: str) -> None:
    profile = screens.Profile(lang)
    privacy = screens.privacy(profile, notice=t(lang, "privacy.kept"))
    check(privacy)
    assert t(lang, "privacy.never_title") in privacy.plain_text
    assert "/forget" in privacy.plain_text
    confirm = screens.forget_confirm(profile)
    assert [b.route for row in confirm.keyboard for b in row] == [
        routes.ForgetYes(),
        routes.ForgetNo(),
    ]


def test_new_commands_are_listed_and_described() -> None:
    for name in ("subscribe", "unsubscribe", "mysubscriptions", "privacy", "forget"):
        assert name in screens.COMMANDS
        for lang in LANGUAGES:
            assert 3 <= len(t(lang, f"commands.{name}")) <= 256
