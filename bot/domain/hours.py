"""Staff working hours (`STAFF_HOURS`): parsed once, asked "open now?" per message.

The format is what an operator would write on a door, in English day abbreviations so it is
the same in every deployment: ``Mon-Fri 09:00-17:00``, several spans joined by ``;``
(``Mon-Thu 09:00-17:00; Fri 09:00-13:00``). Times are wall-clock times in `TIMEZONE`; a span
may not cross midnight (write two). Day names shown to users come from Babel, so "lun.–ven."
reads as a Quebecer writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, tzinfo

from babel.dates import format_time, get_day_names

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)
_LOCALES = {"en": "en_US", "es": "es_MX", "fr": "fr_CA"}


@dataclass(frozen=True, slots=True)
class Span:
    """Days `first`..`last` (0 = Monday, inclusive), from `start` to `end` on each."""

    first: int
    last: int
    start: time
    end: time

    def covers(self, moment: datetime) -> bool:
        on_day = self.first <= moment.weekday() <= self.last
        return on_day and self.start <= moment.time() < self.end


@dataclass(frozen=True, slots=True)
class Hours:
    spans: tuple[Span, ...]

    def open_at(self, moment: datetime, zone: tzinfo) -> bool:
        """Whether staff are in at `moment` (any aware datetime), read in `zone`."""
        local = moment.astimezone(zone)
        return any(span.covers(local) for span in self.spans)

    def describe(self, lang: str) -> str:
        """ "Mon–Fri 9:00 AM – 5:00 PM" in the reader's language (Babel's names and clock)."""
        locale = _LOCALES.get(lang, "en_US")
        names = get_day_names("abbreviated", locale=locale)
        parts = []
        for span in self.spans:
            days = (
                names[span.first]
                if span.first == span.last
                else (f"{names[span.first]}–{names[span.last]}")
            )
            start = format_time(span.start, "short", locale=locale)
            end = format_time(span.end, "short", locale=locale)
            parts.append(f"{days} {start}–{end}")
        return "; ".join(parts)


def _clock(text: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"{text!r} is not a time of day")
    return time(hours, minutes)


def parse_hours(text: str) -> Hours:
    """`Hours` for `text`, or ValueError naming what is wrong (shown to the operator)."""
    spans = []
    for chunk in text.split(";"):
        if not chunk.strip():
            continue
        match = _SPAN.match(chunk)
        if match is None:
            raise ValueError(
                f"{chunk.strip()!r} is not like 'Mon-Fri 09:00-17:00' (spans joined by ';')"
            )
        first = match["first"].lower()
        last = (match["last"] or match["first"]).lower()
        if first not in DAYS or last not in DAYS:
            raise ValueError(f"days are written {', '.join(d.title() for d in DAYS)}")
        start, end = _clock(match["start"]), _clock(match["end"])
        if DAYS.index(first) > DAYS.index(last):
            raise ValueError(f"{chunk.strip()!r}: the days run backwards")
        if start >= end:
            raise ValueError(f"{chunk.strip()!r}: a span ends after it starts (split at midnight)")
        spans.append(Span(DAYS.index(first), DAYS.index(last), start, end))
    if not spans:
        raise ValueError("is empty; write e.g. 'Mon-Fri 09:00-17:00' or leave it unset")
    return Hours(tuple(spans))
