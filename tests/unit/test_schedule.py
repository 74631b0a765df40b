"""Send later: what admins type or tap becomes one UTC instant in the future, or a friendly
problem — never an exception, whatever the text (`bot.broadcast.schedule`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import routes, screens
from bot.broadcast import schedule
from bot.broadcast.outbox import Counts
from bot.catalog.catalog import Catalog
from bot.catalog.models import LANGUAGES
from bot.i18n import t
from bot.store.models import Broadcast

MEXICO = ZoneInfo("America/Mexico_City")
TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 12, 3, 15, 12, 40, tzinfo=UTC)  # Thursday, 9:12:40 in Mexico City
ZONES = st.sampled_from(
    [MEXICO, TORONTO, ZoneInfo("America/Los_Angeles"), ZoneInfo("UTC"), ZoneInfo("Asia/Kolkata")]
)
NOWS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-03 09:30", datetime(2026, 12, 3, 15, 30, tzinfo=UTC)),
        ("2026-12-03T09:30", datetime(2026, 12, 3, 15, 30, tzinfo=UTC)),
        ("  2026-12-3 9:30 ", datetime(2026, 12, 3, 15, 30, tzinfo=UTC)),
        ("2026-12-03 09 h 30", datetime(2026, 12, 3, 15, 30, tzinfo=UTC)),  # Québec style
        ("2026-12-03\u00a018:05", datetime(2026, 12, 4, 0, 5, tzinfo=UTC)),  # no-break space
        ("2027-03-03 09:12", datetime(2027, 3, 3, 15, 12, tzinfo=UTC)),  # 90 days minus 40 s
    ],
)
def test_typed_times_are_read_in_the_operators_zone(typed: str, expected: datetime) -> None:
    assert schedule.parse(typed, NOW, MEXICO) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "tomorrow",
        "3/12 9:30",  # 3 December or 12 March? Refused, not guessed
        "12/03/2026 09:30",
        "03-12-2026 09:30",
        "2026-12-03",
        "09:30",
        "2026-12-03 9",
        "2026-12-03 9:30 pm",
        "2026-13-01 10:00",
        "2026-02-30 10:00",
        "2026-12-03 24:00",
        "2026-12-03 09:60",
        "2026-12-03 09:30 America/Toronto",
        "٢٠٢٦-١٢-٠٣ ٠٩:٣٠",  # other digits: refused rather than half-understood
        "2026-12-03 09:30" + " " * 100 + "x",
    ],
)
def test_anything_else_asks_for_the_format(typed: str) -> None:
    problem = schedule.parse(typed, NOW, MEXICO)
    assert problem == schedule.Problem("format")
    text = problem.text("en", MEXICO, NOW)
    assert "YYYY-MM-DD HH:MM" in text
    assert "2026-12-04 09:30" in text, "an example that would work (tomorrow)"


def test_the_past_and_now_are_refused_the_next_minute_is_not() -> None:
    assert schedule.parse("2026-12-03 09:12", NOW, MEXICO) == schedule.Problem(
        "past", datetime(2026, 12, 3, 9, 12, tzinfo=MEXICO)
    )
    assert schedule.parse("2026-12-03 09:13", NOW, MEXICO) == datetime(
        2026, 12, 3, 15, 13, tzinfo=UTC
    )
    problem = schedule.parse("2020-01-01 10:00", NOW, MEXICO)
    assert isinstance(problem, schedule.Problem)
    assert problem.key == "past"
    assert problem.text("es", MEXICO, NOW) == (
        "Esa hora ya pasó: miércoles, 1 de enero de 2020, 10:00\u202fa.m. (hora estándar "
        "central). Elige una fecha y hora en el futuro."
    )


def test_more_than_90_days_ahead_is_refused_with_the_limit() -> None:
    problem = schedule.parse("2027-03-03 09:13", NOW, MEXICO)
    assert isinstance(problem, schedule.Problem)
    assert problem.key == "too_far"
    assert "90" in problem.text("fr", MEXICO, NOW)
    assert "mercredi 3 mars 2027, 09 h 12 (heure normale du Centre)" in problem.text(
        "fr", MEXICO, NOW
    )
    assert schedule.parse("9999-12-31 23:59", NOW, MEXICO) == schedule.Problem(
        "too_far", datetime(9999, 12, 31, 23, 59, tzinfo=MEXICO)
    )
    assert schedule.parse("0001-01-01 00:00", NOW, ZoneInfo("Asia/Tokyo")).key == "past"  # type: ignore[union-attr]


def test_clock_changes_a_skipped_time_is_refused_a_repeated_one_is_its_first() -> None:
    now = datetime(2027, 3, 1, tzinfo=UTC)
    gap = schedule.parse("2027-03-14 02:30", now, TORONTO)  # clocks jump 2:00 → 3:00
    assert gap == schedule.Problem("gap")
    assert "America/Toronto" in gap.text("en", TORONTO, now)  # type: ignore[union-attr]
    autumn = datetime(2026, 10, 20, tzinfo=UTC)
    first = schedule.parse("2026-11-01 01:30", autumn, TORONTO)  # 1:30 happens twice
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "the EDT one, the earlier"
    # Mexico City keeps UTC−6 all year since 2022: the old spring-forward hour exists.
    assert schedule.parse("2027-04-04 02:30", now, MEXICO) == datetime(
        2027, 4, 4, 8, 30, tzinfo=UTC
    )


def test_suggestions() -> None:
    thursday = NOW
    assert schedule.quick("1h", thursday, MEXICO) == datetime(2026, 12, 3, 16, 13, tzinfo=UTC)
    on_the_minute = datetime(2026, 12, 3, 15, 12, tzinfo=UTC)
    assert schedule.quick("1h", on_the_minute, MEXICO) == datetime(2026, 12, 3, 16, 12, tzinfo=UTC)
    assert schedule.quick("tomorrow", thursday, MEXICO) == datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    assert schedule.quick("monday", thursday, MEXICO) == datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    late_wednesday_utc = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # still Wednesday in Mexico
    assert schedule.quick("tomorrow", late_wednesday_utc, MEXICO) == datetime(
        2026, 12, 3, 15, 0, tzinfo=UTC
    )
    monday = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # Monday 8:00: never "today"
    assert schedule.quick("monday", monday, MEXICO) == datetime(2026, 12, 14, 15, 0, tzinfo=UTC)
    sunday = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
    assert [o for o, _ in schedule.suggestions(sunday, MEXICO)] == ["1h", "tomorrow"]
    assert [o for o, _ in schedule.suggestions(thursday, MEXICO)] == list(schedule.QUICK)
    assert schedule.quick("2h", thursday, MEXICO) is None
    assert schedule.QUICK == routes.SCHEDULE_OPTIONS


def _valid(result: object, now: datetime) -> bool:
    return (
        isinstance(result, datetime)
        and result.utcoffset() == timedelta(0)
        and now < result <= now + schedule.MAX_AHEAD
    )


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.from_regex(r"\s*\d{1,5}-\d{1,3}-\d{1,3}[ T]\d{1,3}[:h]\d{1,3}\s*", fullmatch=True),
    ),
    NOWS,
    ZONES,
)
def test_any_text_gives_a_future_time_or_a_friendly_problem(
    text: str, now: datetime, zone: ZoneInfo
) -> None:
    result = schedule.parse(text, now, zone)
    if isinstance(result, schedule.Problem):
        assert result.key in schedule.PROBLEMS
        for lang in LANGUAGES:
            message = result.text(lang, zone, now)
            assert message.strip()
            # shown as the notice of the "when?" step: valid Telegram HTML within limits
            screens.broadcast_schedule(lang, 7, now, zone, notice=message)
    else:
        assert _valid(result, now), result


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1999, 1, 1), max_value=datetime(2101, 1, 1)), NOWS, ZONES)
def test_a_well_formed_time_means_that_wall_time_in_the_zone(
    wall: datetime, now: datetime, zone: ZoneInfo
) -> None:
    wall = wall.replace(second=0, microsecond=0)
    result = schedule.parse(f"{wall:%Y-%m-%d %H:%M}", now, zone)
    if isinstance(result, datetime):
        assert _valid(result, now)
        assert result.astimezone(zone).replace(tzinfo=None) == wall
        return
    assert result.key != "format"
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if result.key == "gap":
        assert instant.astimezone(zone).replace(tzinfo=None) != wall
    elif result.key == "past":
        assert instant <= now
    else:
        assert instant - now > schedule.MAX_AHEAD


@settings(max_examples=200, deadline=None)
@given(NOWS, ZONES, st.sampled_from(schedule.QUICK))
def test_suggestions_are_always_valid_times(now: datetime, zone: ZoneInfo, option: str) -> None:
    when = schedule.quick(option, now, zone)
    assert _valid(when, now)
    assert schedule.parse(f"{when.astimezone(zone):%Y-%m-%d %H:%M}", now, zone) == when or (
        option == "1h"  # may fall in a repeated hour's second pass, which typing cannot name
    )


def _row(**values: object) -> Broadcast:
    fields: dict[str, object] = {
        "id": 41,
        "purpose": "message",
        "texts": {"en": "The forum opens soon", "es": "El foro abre", "fr": "Le forum ouvre"},
        "status": "queued",
        "created_at": NOW,
        "scheduled_at": NOW + timedelta(days=1),
        "total": 0,
        "sent": 0,
        "failed": 0,
        "blocked": 0,
        "cancelled": 0,
    }
    fields.update(values)
    return Broadcast(**fields)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_screens_of_send_later_render_in_every_language(lang: str) -> None:
    catalog = Catalog.build([], [], [])
    row = _row()
    cards = [
        screens.broadcast_schedule(lang, 41, NOW, MEXICO),
        screens.broadcast_scheduled(lang, row, MEXICO, 1234),
        screens.broadcast_list(catalog, lang, [row], [], MEXICO),
        screens.broadcast_list(catalog, lang, [], [], MEXICO),
        screens.broadcast_stop_menu(catalog, lang, [row, _row(id=40, scheduled_at=None)], MEXICO),
    ]
    for card in cards:
        for line in card.keyboard:
            for button in line:
                assert button.route is not None
                assert routes.decode(button.route.encode()) == button.route
    schedule_card, scheduled, listing, empty, stop = cards
    assert "America/Mexico_City" in schedule_card.text
    assert len(schedule_card.keyboard) == 5  # three suggestions, back, cancel
    assert "2026" in scheduled.text
    assert "1234" in scheduled.text
    assert scheduled.keyboard[0][0].route == routes.BroadcastStop("41")
    assert "#41" in listing.text
    assert "2026" in listing.text
    assert t(lang, "broadcast.list_empty") in empty.plain_text
    assert t(lang, "broadcast.list_empty") not in listing.plain_text
    assert "🕘" in stop.keyboard[0][0].text
    assert "🕘" not in stop.keyboard[1][0].text


def test_the_list_says_how_many_more_wait_beyond_the_page() -> None:
    catalog = Catalog.build([], [], [])
    listing = screens.broadcast_list(catalog, "en", [_row()], [], MEXICO, waiting_total=25)
    assert "…and 24 more after these." in listing.text
    rows = [_row(id=n, texts={"en": "x" * 4000}) for n in range(10)]
    entries = [(_row(id=100 + n, status="done", scheduled_at=None), Counts()) for n in range(10)]
    full = screens.broadcast_list(catalog, "es", rows, entries, ZoneInfo("America/St_Johns"))
    assert full.plain_text.count("🕘") == 11  # the section title and the 10 waiting
