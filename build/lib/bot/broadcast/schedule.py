"""When a scheduled broadcast goes out: what admins type or tap, read in the operators' zone.

Times are wall-clock times in `TIMEZONE` (an IANA zone, `Settings.zone`) and are stored in
UTC (`broadcasts.scheduled_at`). One typed form only, `YYYY-MM-DD HH:MM` (24-hour): `3/12` is
3 December in Mexico and Québec and 12 March in the United States, so numeric day/month
orders are refused rather than guessed. Parsing never raises: any text gives either an aware
UTC datetime strictly in the future and at most `MAX_AHEAD` away, or a `Problem` to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.i18n import fmt_datetime, t
from bot.routes import SCHEDULE_OPTIONS

MAX_DAYS = 90
MAX_AHEAD = timedelta(days=MAX_DAYS)
"""Further ahead than this is refused: a typo in the year, or an outbox row forgotten for
months while the audience and the text go stale."""
MORNING = time(9, 0)
"""The hour of the "tomorrow" and "Monday" suggestions."""
QUICK = SCHEDULE_OPTIONS
"""The suggestions' codes, as their buttons carry them (`routes.BroadcastAt.option`)."""
PROBLEMS: tuple[str, ...] = ("format", "past", "too_far", "gap")

_TYPED = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+|\s*T\s*)(\d{1,2})\s*[:hH]\s*(\d{2})\s*", re.ASCII
)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a typed time was refused (`key` in `PROBLEMS`), with what the message needs."""

    key: str
    local: datetime | None = None
    """The time as understood, in the zone (for "already passed" and "too far")."""

    def text(self, lang: str, zone: tzinfo, now: datetime) -> str:
        """The friendly explanation, in the admin's language (Telegram HTML)."""
        params: dict[str, object] = {}
        if self.key == "format":
            params["example"] = example(now, zone)
        elif self.key == "past":
            params["when"] = fmt_datetime(self.local or now, lang, zone)
        elif self.key == "too_far":
            params["days"] = MAX_DAYS
            params["limit"] = fmt_datetime(now + MAX_AHEAD, lang, zone)
        elif self.key == "gap":
            params["zone"] = str(zone)
        return t(lang, f"broadcast.when_{self.key}", **params)


def _instant(day: date, wall: time, zone: tzinfo) -> datetime | None:
    """`day` at `wall` in `zone`, in UTC; None when that wall time does not exist there (the
    hour skipped when clocks go forward). A repeated hour (clocks go back) means its first
    occurrence."""
    local = datetime.combine(day, wall, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def parse(text: str, now: datetime, zone: tzinfo) -> datetime | Problem:
    """What an admin typed (`2026-12-03 09:30`), as an aware UTC datetime, or the problem.

    `now` is aware (UTC); the result is strictly after it and at most `MAX_AHEAD` later.
    """
    cleaned = " ".join(text.split())  # Telegram clients may send non-breaking spaces
    match = _TYPED.fullmatch(cleaned) if len(cleaned) <= 40 else None
    if match is None:
        return Problem("format")
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        wall = time(hour, minute)
        on = date(year, month, day)
    except ValueError:
        return Problem("format")
    today = now.astimezone(zone).date()
    if abs(on.year - today.year) > 1:  # decided without zone arithmetic (no overflow)
        local = datetime.combine(on, wall, tzinfo=zone)
        return Problem("past" if on < today else "too_far", local)
    instant = _instant(on, wall, zone)
    if instant is None:
        return Problem("gap")
    if instant <= now:
        return Problem("past", instant.astimezone(zone))
    if instant - now > MAX_AHEAD:
        return Problem("too_far", instant.astimezone(zone))
    return instant


def quick(option: str, now: datetime, zone: tzinfo) -> datetime | None:
    """A suggestion's time in UTC: `1h` (an hour from now, to the next whole minute),
    `tomorrow` (9:00) or `monday` (9:00 on the next Monday, never today); None if unknown."""
    if option == "1h":
        later = now + timedelta(hours=1)
        whole = later.replace(second=0, microsecond=0)
        return whole if whole == later else whole + timedelta(minutes=1)
    local_now = now.astimezone(zone)
    if option == "tomorrow":
        day = local_now.date() + timedelta(days=1)
    elif option == "monday":
        day = local_now.date() + timedelta(days=(7 - local_now.weekday()) % 7 or 7)
    else:
        return None
    instant = _instant(day, MORNING, zone)
    if instant is None:  # 9:00 skipped by a clock change: the same day, an hour later
        instant = datetime.combine(day, MORNING, tzinfo=zone).astimezone(UTC)
    return instant


def suggestions(now: datetime, zone: tzinfo) -> list[tuple[str, datetime]]:
    """The suggestions to offer now: "Monday" is left out on Sundays (it is "tomorrow")."""
    found: list[tuple[str, datetime]] = []
    for option in QUICK:
        when = quick(option, now, zone)
        if when is not None and all(when != other for _, other in found):
            found.append((option, when))
    return found


def example(now: datetime, zone: tzinfo) -> str:
    """A valid input to show in prompts: tomorrow at 9:30, in the zone."""
    day = now.astimezone(zone).date() + timedelta(days=1)
    return f"{day:%Y-%m-%d} 09:30"
