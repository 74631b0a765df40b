"""Topic keys and button codes: every topic round-trips both ways; anything else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.models import Country, ProgramKind
from bot.store.topics import Topic, audience, for_item

slugs = st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,2}", fullmatch=True)
topics = st.one_of(
    st.just(Topic.forums()),
    st.builds(Topic.of_country, st.sampled_from(list(Country))),
    st.builds(
        Topic.of_kind,
        st.sampled_from(list(ProgramKind)),
        st.none() | st.sampled_from(list(Country)),
    ),
    st.builds(Topic.of_event, slugs),
)


@given(topics)
def test_keys_and_codes_round_trip(topic: Topic) -> None:
    assert Topic.parse(topic.key) == topic
    assert Topic.from_code(topic.code) == topic
    assert ":" not in topic.code
    assert len(topic.key) <= 64


def test_readable_keys() -> None:
    assert Topic.forums().key == "forums"
    assert Topic.of_country(Country.MX).key == "country:mx"
    assert Topic.of_kind(ProgramKind.APPRENTICESHIP).key == "kind:apprenticeship"
    assert Topic.of_kind(ProgramKind.APPRENTICESHIP, Country.CA).key == "kind:apprenticeship:ca"
    assert Topic.of_kind(ProgramKind.APPRENTICESHIP, Country.CA).code == "k.ap.ca"
    assert Topic.of_event("forum-2026").key == "event:forum-2026"


@pytest.mark.parametrize(
    "bad",
    ["", "forum", "country:fr", "kind:welding", "kind:apprenticeship:fr", "event:Bad_Id", "x:y:z"],
)
def test_malformed_keys_are_refused(bad: str) -> None:
    assert Topic.parse(bad) is None


@pytest.mark.parametrize("bad", ["", "F", "c.fr", "k.zz", "k.ap.xx", "e.", "e.a..b", "f.x"])
def test_malformed_codes_are_refused(bad: str) -> None:
    assert Topic.from_code(bad) is None


def test_event_ids_must_be_slugs() -> None:
    with pytest.raises(ValueError, match="event id"):
        Topic.of_event("not a slug")


@pytest.fixture(scope="module")
def shipped_catalog() -> Catalog:
    return load_catalog(Path(__file__).resolve().parents[2] / "content")


def test_cards_and_broadcast_audiences(shipped_catalog: Catalog) -> None:
    program = next(iter(shipped_catalog.programs.values()))
    event = next(iter(shipped_catalog.events.values()))
    assert for_item(program) == Topic.of_kind(program.kind, program.country)
    assert for_item(event) == Topic.of_event(event.id)
    assert set(audience(program)) == {
        f"country:{program.country}",
        f"kind:{program.kind}",
        f"kind:{program.kind}:{program.country}",
    }
    assert set(audience(event)) == {"forums", f"event:{event.id}", f"country:{event.country}"}
