""" "📅 Add to calendar": a forum as an iCalendar (.ics) file.

Timed forums carry the venue's IANA zone (`DTSTART;TZID=America/Mexico_City:…`) with its
VTIMEZONE, so every calendar shows the right local time; date-only forums are all-day events
(`VALUE=DATE`, end exclusive). We never invent an end time: a timed forum without one has
none in the file either.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from bot.catalog.models import Event, EventStatus
from bot.i18n import t
from bot.store.models import utcnow

PRODID = "-//Workforce Pathways//Trilateral Forums//EN"
UID_DOMAIN = "workforce-pathways.bot"


def filename(event: Event) -> str:
    return f"{event.id}.ics"


def _local(value: date | datetime, zone: str) -> date | datetime:
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(zone))
    return value


_FIRST_DAY = date.min + timedelta(days=366)
_LAST_DAY = date.max - timedelta(days=366)
"""Dates icalendar can still do zone arithmetic on (it adds offsets to the window's ends)."""


def _days_after(day: date, days: int) -> date:
    """`day` + `days`, kept within `_FIRST_DAY`…`_LAST_DAY`: admins' dates are bounded
    (`flows.forum_date_range`), this keeps any other date near year 1 or 9999 from overflowing."""
    ordinal = min(max(day.toordinal() + days, _FIRST_DAY.toordinal()), _LAST_DAY.toordinal())
    return date.fromordinal(ordinal)


def build(event: Event, lang: str, *, now: datetime | None = None) -> bytes:
    """The .ics bytes of one forum, texts in `lang`."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    vevent = VEvent()
    vevent.add("uid", f"{event.id}@{UID_DOMAIN}")
    vevent.add("dtstamp", now or utcnow())
    vevent.add("summary", event.title.get(lang))
    country = t(lang, f"country.{event.country.value}")
    vevent.add("location", f"{event.city.get(lang)}, {country}")
    description = event.summary.get(lang)
    if event.official_url:
        description = f"{description}\n\n{event.official_url}"
        vevent.add("url", event.official_url)
    vevent.add("description", description)
    start = _local(event.start, event.timezone)
    vevent.add("dtstart", start)
    if event.all_day:
        last = event.end if isinstance(event.end, date) else event.start
        if isinstance(last, datetime):
            last = last.date()
        # DTEND of an all-day event is exclusive (none after the calendar's very last day)
        vevent.add("dtend", last + timedelta(days=1) if last < date.max else last)
    elif event.end is not None:
        end = event.end
        if not isinstance(end, datetime):
            end = datetime.combine(end, datetime.max.time(), tzinfo=ZoneInfo(event.timezone))
        vevent.add("dtend", _local(end, event.timezone))
    vevent.add("status", "CANCELLED" if event.status is EventStatus.CANCELLED else "CONFIRMED")
    cal.add_component(vevent)
    if not event.all_day:  # the zone's rules around the forum, not since 1970
        day = event.starts_at.date()
        cal.add_missing_timezones(
            first_date=_days_after(day, -366), last_date=_days_after(day, 732)
        )
    return bytes(cal.to_ical())
