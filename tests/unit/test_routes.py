"""The callback-data codec: every route round-trips; anything else is rejected cleanly."""

from __future__ import annotations

from dataclasses import fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import routes
from bot.catalog.models import Country, ProgramKind
from bot.domain.regions import all_regions
from bot.store.topics import Topic

slugs = st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,2}", fullmatch=True)
topic_codes = st.one_of(
    st.just(Topic.forums()),
    st.builds(Topic.of_country, st.sampled_from(list(Country))),
    st.builds(
        Topic.of_kind,
        st.sampled_from(list(ProgramKind)),
        st.none() | st.sampled_from(list(Country)),
    ),
    st.builds(Topic.of_event, slugs),
).map(lambda topic: topic.code)


def route_strategy() -> st.SearchStrategy[routes.Route]:
    per_field = {
        "country": st.sampled_from(list(Country)),
        "kind": st.sampled_from(list(ProgramKind)),
        "page": st.integers(0, routes.MAX_PAGE),
        "item_id": slugs,
        "onboarding": st.booleans(),
        "on": st.booleans(),
        "share": st.booleans(),
        "section": st.sampled_from(routes.CARD_SECTIONS),
        "topic": topic_codes,
        "lang": st.sampled_from(routes.LANGS),
        "role": st.sampled_from(routes.ROLES),
        "term": st.text(
            st.characters(blacklist_characters=":", blacklist_categories=("Cs", "Cc", "Z")),
            min_size=1,
            max_size=12,
        ).filter(lambda term: getattr(routes.search_route(term), "term", None) == term),
        "same": st.booleans(),
        "level": st.sampled_from(["root", "country", "role", "language", "forum", "topic"]),
        "audience": st.sampled_from(["everyone", "country", "role", "language", "forum", "topic"]),
        "value": st.one_of(st.just(""), slugs, topic_codes),
        "ref": st.integers(1, routes.REF_MAX).map(str),
        "field": st.sampled_from(["title", "when", "city", "link", "cancel"]),
        "what": st.sampled_from(["new", "changed", "cancelled", "no"]),
        "option": st.sampled_from(routes.SCHEDULE_OPTIONS),
        "region": st.sampled_from([*(r.code for r in all_regions()), routes.NO_REGION]),
        "goal": st.sampled_from(["", routes.FIT_SKIPPED, *routes.FIT_GOALS]),
        "age": st.sampled_from(["", routes.FIT_SKIPPED, *routes.FIT_AGES]),
        "school": st.sampled_from(["", routes.FIT_SKIPPED, *routes.FIT_SCHOOLS]),
        "sector": st.sampled_from(["", routes.FIT_SKIPPED, *routes.FIT_SECTORS]),
    }
    options = []
    for cls in routes.ROUTES.values():
        kwargs = {}
        for f in fields(cls):  # type: ignore[arg-type]
            strategy = per_field.get(f.name)
            if f.name == "country" and cls is routes.SetCountry:
                strategy = st.sampled_from(routes.COUNTRY_CHOICES)
            kwargs[f.name] = strategy
        options.append(st.builds(cls, **kwargs))
    return st.one_of(options)


@given(route_strategy())
def test_every_route_round_trips_within_64_bytes(route: routes.Route) -> None:
    data = route.encode()
    assert 1 <= len(data.encode()) <= 64
    assert routes.decode(data) == route


@given(st.text())
def test_any_text_decodes_to_a_route_or_none(data: str) -> None:
    result = routes.decode(data)
    assert result is None or result.encode() == data


@given(st.binary(max_size=80))
def test_any_bytes_decode_to_a_route_or_none(raw: bytes) -> None:
    result = routes.decode(raw.decode("utf-8", "replace"))
    assert result is None or isinstance(result, routes.Route)


@given(route_strategy(), st.integers(1, 20))
def test_truncated_routes_never_decode_to_something_else(route: routes.Route, cut: int) -> None:
    data = route.encode()
    truncated = data[: max(0, len(data) - cut)]
    decoded = routes.decode(truncated)
    assert decoded is None or decoded.encode() == truncated


@pytest.mark.parametrize(
    "data",
    [
        "",
        "h",
        "0:h",
        "2:h",
        "1:h:extra",
        "1:c:fr",
        "1:k:mx:xx:0",
        "1:k:mx:du:01",
        "1:k:mx:du:-1",
        "1:k:mx:du:1000",
        "1:i:Red_Seal",
        "1:i:" + "a" * 41,
        "1:r:admin",
        "1:l:de",
        "1:n:zz",
        "1:r:student:2",
        "1:c:mx\n",
        "1:k:mx:du:٣",
        "1:bt:12:2h",
        "1:bt:12",
        "1:bt:12:1h:x",
        "1:bl",
        "p:red-seal",
        "x" * 65,
    ],
)
def test_foreign_or_stale_data_is_rejected(data: str) -> None:
    assert routes.decode(data) is None


def test_routes_are_compact() -> None:
    longest = routes.KindList(Country.MX, ProgramKind.CREDENTIAL_RECOGNITION, routes.MAX_PAGE)
    assert len(longest.encode()) < 20
    assert routes.Card("a" * 40).encode() == "1:i:" + "a" * 40


def test_every_route_has_its_own_tag_and_is_decodable() -> None:
    """Two classes sharing a tag silently shadow each other in ROUTES (the finder's first tag
    was taken by an admin flow's)."""
    # slots=True dataclasses leave their pre-slots class behind too: one per name.
    classes = {cls.__qualname__: cls for cls in routes.Route.__subclasses__()}
    tags = [cls.tag for cls in classes.values()]
    assert len(tags) == len(set(tags)), sorted(t for t in tags if tags.count(t) > 1)
    assert {cls.__qualname__ for cls in routes.ROUTES.values()} == set(classes)
