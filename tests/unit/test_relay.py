"""The rules of "Ask a person" without Telegram: working hours, names staff see, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.domain import relay
from bot.domain.hours import parse_hours
from bot.store.staff import HANDLE_ALPHABET, new_handle

MEXICO = ZoneInfo("America/Mexico_City")


def test_hours_open_and_closed_in_the_operators_zone() -> None:
    hours = parse_hours("Mon-Fri 09:00-17:00; Sat 10:00-12:00")
    thursday_10 = datetime(2026, 12, 3, 10, 0, tzinfo=MEXICO)
    assert hours.open_at(thursday_10, MEXICO)
    assert hours.open_at(thursday_10.astimezone(UTC), MEXICO), "any aware instant"
    assert not hours.open_at(thursday_10.replace(hour=17), MEXICO), "the end is excluded"
    assert not hours.open_at(datetime(2026, 12, 6, 11, 0, tzinfo=MEXICO), MEXICO), "Sunday"
    assert hours.open_at(datetime(2026, 12, 5, 11, 0, tzinfo=MEXICO), MEXICO), "Saturday"


def test_hours_read_in_each_language() -> None:
    hours = parse_hours("Mon-Fri 09:00-17:00")
    assert hours.describe("en") == "Mon–Fri 9:00\u202fAM–5:00\u202fPM"
    assert hours.describe("es").startswith("lun")
    assert hours.describe("fr").startswith("lun")
    assert "9 h" in hours.describe("fr") or "09:00" in hours.describe("fr")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "weekdays 9-5",
        "Fri-Mon 09:00-17:00",
        "Mon 17:00-09:00",
        "Mon 25:00-26:00",
        "Xyz 1:00-2:00",
    ],
)
def test_bad_hours_are_refused_naming_the_variable(text: str) -> None:
    with pytest.raises(ConfigError, match="invalid STAFF_HOURS"):
        load_settings(staff_hours=text or ";", _env_file=None)


def test_staff_chat_must_be_a_group_id() -> None:
    with pytest.raises(ConfigError, match="invalid STAFF_CHAT_ID"):
        load_settings(staff_chat_id="12345", _env_file=None)
    assert load_settings(staff_chat_id="-1001234567890", _env_file=None).asks_staff
    assert not load_settings(staff_chat_id="", _env_file=None).asks_staff


def test_the_away_notice_is_sent_once_per_absence() -> None:
    hours = parse_hours("Mon-Fri 09:00-17:00")
    night = datetime(2026, 12, 3, 22, 0, tzinfo=MEXICO)
    assert relay.away_notice_due(hours, night, MEXICO, None)
    assert not relay.away_notice_due(hours, night, MEXICO, night - timedelta(hours=1))
    assert relay.away_notice_due(hours, night, MEXICO, night - timedelta(hours=13))
    assert not relay.away_notice_due(hours, night.replace(hour=10), MEXICO, None)
    assert not relay.away_notice_due(None, night, MEXICO, None), "no hours: never away"


@given(
    st.text(min_size=1, max_size=300),
    st.sampled_from(["en", "es", "fr"]),
    st.one_of(st.none(), st.text(min_size=1, max_size=64)),
)
def test_topic_names_fit_telegram_and_name_no_one(
    username: str, lang: str, role: str | None
) -> None:
    who = relay.Who(new_handle(), lang, role, "mx", "MX-QUE", username)
    name = relay.topic_name(who)
    assert 1 <= len(name) <= relay.TOPIC_NAME_MAX
    assert name.startswith(who.handle)
    anonymous = relay.topic_name(relay.Who(who.handle, lang, "student", "mx", None))
    assert "@" not in anonymous, "no username without consent"


def test_handles_are_random_and_unambiguous() -> None:
    handles = {new_handle() for _ in range(200)}
    assert len(handles) > 190
    for handle in handles:
        assert handle[0] == "#"
        assert set(handle[1:]) <= set(HANDLE_ALPHABET)
        assert not set(handle) & set("0O1IL")


def test_oversized_counts_like_telegram() -> None:
    assert relay.oversized("a" * 4096, None) is None
    assert relay.oversized("a" * 4097, None) == (4097, 4096)
    assert relay.oversized("🎉" * 2049, None) == (4098, 4096), "an emoji is two UTF-16 units"
    assert relay.oversized(None, "c" * 1025) == (1025, 1024)
