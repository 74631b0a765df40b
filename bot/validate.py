"""`python -m bot validate`: every card and menu, in every language, within Telegram's limits.

Rendering is where limits are enforced (`bot.cards.check`), so validating means rendering
everything a user can reach and collecting what fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from bot import screens
from bot.cards import Card, CardError
from bot.catalog.catalog import Catalog
from bot.catalog.models import LANGUAGES
from bot.routes import COUNTRY_CHOICES, ROLES


def _screens(
    catalog: Catalog, profile: screens.Profile
) -> Iterator[tuple[str, Callable[[], Card]]]:
    links = screens.Links("WorkforcePathwaysBot")
    yield "home", lambda: screens.home(catalog, profile)
    yield "forums", lambda: screens.forums(catalog, profile, datetime.now(UTC))
    yield "settings", lambda: screens.settings(profile)
    yield "help", lambda: screens.help_card(profile)
    yield "onboarding", lambda: screens.onboarding_role(profile)
    yield "onboarding-country", lambda: screens.onboarding_country(profile)
    yield "language", lambda: screens.language_picker(profile)
    yield "privacy", lambda: screens.privacy(profile)
    yield "forget", lambda: screens.forget_confirm(profile)
    every_topic = [topic.key for topic in screens.subscription_topics(catalog)]
    for group in (False, True):
        for current in ([], every_topic):
            label = f"{'group ' if group else ''}{len(current)} topics"
            yield (
                f"subscribe ({label})",
                lambda c=current, g=group: screens.subscribe_menu(catalog, profile, c, group=g),
            )
            yield (
                f"unsubscribe ({label})",
                lambda c=current, g=group: screens.unsubscribe_menu(catalog, profile, c, group=g),
            )
            yield (
                f"my subscriptions ({label})",
                lambda c=current, g=group: screens.my_subscriptions(catalog, profile, c, group=g),
            )
    for country in catalog.countries():
        yield (
            f"country {country.value}",
            lambda c=country: screens.country_menu(catalog, profile, c),
        )
        for kind in catalog.kinds_in(country):
            pages = screens._pages(len(catalog.programs_of(country, kind)))
            for page in range(pages):
                yield (
                    f"list {country.value}/{kind.value} p{page}",
                    lambda c=country, k=kind, p=page: screens.kind_list(catalog, profile, c, k, p),
                )
        yield (
            f"employers {country.value}",
            lambda c=country: screens.employer_track(catalog, profile, c),
        )
        yield (
            f"organisations {country.value}",
            lambda c=country: screens.org_list(catalog, profile, c),
        )
    for item in catalog.items():
        yield item.id, lambda i=item.id: screens.item_card(catalog, profile, i, links)  # type: ignore[misc]


def validate(catalog: Catalog) -> tuple[int, list[str]]:
    """Render everything; returns (cards rendered, problems)."""
    problems: list[str] = []
    rendered = 0
    for lang in LANGUAGES:
        for role in ROLES:
            for country in COUNTRY_CHOICES:
                profile = screens.Profile(lang=lang, role=role, country=country)
                for name, make in _screens(catalog, profile):
                    try:
                        make()
                        rendered += 1
                    except CardError as exc:
                        problems.append(f"{name} [{lang}, {role}, {country}]: {exc}")
    return rendered, sorted(set(problems))
