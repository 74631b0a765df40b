"""Forums admins announce in chat: stored in `forums`, merged with the content's forums.

A stored forum becomes a catalog `Event` (the same model content forums use), so /forums,
cards, inline mode and search treat both alike. The merged catalog is made by `merge`, and
`bot.services.Services.replace_forums` swaps it in (rebuilding the search index once).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.catalog import Catalog
from bot.catalog.models import LANGUAGES, SLUG_MAX, Country, Event, EventStatus, Localized
from bot.i18n import t
from bot.store.models import Forum, utcnow

_WHEN = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2})(?:[ T]+(\d{1,2}):(\d{2}))?\s+([A-Za-z][A-Za-z0-9_+\-/]*)\s*$"
)
_HTTPS = re.compile(r"^https://[^\s/$.?#][^\s]*$")
TITLE_MAX = 200
CITY_MAX = 120
URL_MAX = 512
COUNTRY_BY_ZONE_PREFIX = {
    "America/Mexico_City": "mx",
    "America/Monterrey": "mx",
    "America/Cancun": "mx",
    "America/Tijuana": "mx",
    "America/Merida": "mx",
    "America/Toronto": "ca",
    "America/Vancouver": "ca",
    "America/Winnipeg": "ca",
    "America/Edmonton": "ca",
    "America/Halifax": "ca",
    "America/Regina": "ca",
    "America/St_Johns": "ca",
    "America/New_York": "us",
    "America/Chicago": "us",
    "America/Denver": "us",
    "America/Phoenix": "us",
    "America/Los_Angeles": "us",
}
"""A first guess of the country from the venue's zone (the admin confirms it)."""


@dataclass(frozen=True, slots=True)
class When:
    """A forum's start as an admin typed it: a day, or a day and a time, in a zone."""

    start: date | datetime
    timezone: str

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def starts_at(self) -> datetime:
        if isinstance(self.start, datetime):
            return self.start
        return datetime.combine(self.start, time.min, tzinfo=ZoneInfo(self.timezone))

    def text(self) -> str:
        """Back to the form the admin types (for "keep as is" prompts)."""
        if isinstance(self.start, datetime):
            return f"{self.start:%Y-%m-%d %H:%M} {self.timezone}"
        return f"{self.start:%Y-%m-%d} {self.timezone}"


def parse_when(text: str, now: datetime) -> When | str:
    """`2027-03-15 10:00 America/Mexico_City` or `2027-03-15 America/Mexico_City` (all day).

    Returns the problem's key (`forum_admin.bad_when` / `bad_zone` / `past`) when invalid.
    """
    match = _WHEN.match(text)
    if match is None:
        return "bad_when"
    day_text, hour, minute, zone = match.groups()
    if zone not in _zones():
        return "bad_zone"
    try:
        day = date.fromisoformat(day_text)
        tz = ZoneInfo(zone)
        start: date | datetime = (
            datetime.combine(day, time(int(hour), int(minute)), tzinfo=tz) if hour else day
        )
    except (ValueError, ZoneInfoNotFoundError):
        return "bad_when"
    when = When(start, zone)
    if when.starts_at <= now:
        return "past"
    return when


def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_url(text: str) -> str | None:
    url = text.strip()
    return url if len(url) <= URL_MAX and _HTTPS.match(url) else None


def guess_country(zone: str) -> str | None:
    return COUNTRY_BY_ZONE_PREFIX.get(zone)


def slug(text: str) -> str:
    """ASCII slug of a title or city, e.g. "Ciudad de México" → "ciudad-de-mexico"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", plain.lower()))


def new_id(city: str, start: date | datetime, taken: Iterable[str]) -> str:
    """`forum-<year>-<city>`, with a number when that id is taken (content or database)."""
    used = set(taken)
    base = f"forum-{start.year}-{slug(city)}".strip("-")[: SLUG_MAX - 3].strip("-")
    if len(base) < len(f"forum-{start.year}") + 1:
        base = f"forum-{start.year}"
    candidate, number = base, 2
    while candidate in used:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def to_event(row: Forum) -> Event:
    """The catalog `Event` of a stored forum (host and summary are standard texts)."""
    tz = ZoneInfo(row.timezone)
    local = row.starts_at.astimezone(tz)
    start: date | datetime = local.date() if row.all_day else local
    titles = {lang: (row.title.get(lang) or row.title["en"]) for lang in LANGUAGES}
    return Event(
        id=row.id,
        title=Localized(**titles),
        start=start,
        timezone=row.timezone,
        city=Localized(**dict.fromkeys(LANGUAGES, row.city)),
        country=Country(row.country),
        host=Localized(**{lang: t(lang, "forum_admin.default_host") for lang in LANGUAGES}),
        summary=Localized(**{lang: t(lang, "forum_admin.default_summary") for lang in LANGUAGES}),
        status=EventStatus(row.status),
        official_url=row.url,
        sources=[row.url],
        last_verified=row.updated_at.astimezone(UTC).date(),
    )


def merge(content: Catalog, extra: Sequence[Event]) -> Catalog:
    """The content catalog plus stored forums (a stored forum wins over a content one with the
    same id: it is the admins' latest word)."""
    if not extra:
        return content
    stored = {e.id for e in extra}
    events = [e for e in content.events.values() if e.id not in stored]
    return Catalog.build(
        content.programs.values(), content.organisations.values(), [*events, *extra]
    )


async def load(session: AsyncSession) -> list[Event]:
    rows = (await session.scalars(select(Forum).order_by(Forum.starts_at, Forum.id))).all()
    return [to_event(row) for row in rows]


async def signature(session: AsyncSession) -> tuple[int, datetime | None]:
    """Changes when any forum is added or edited: cheap enough to poll every few seconds."""
    count, latest = (await session.execute(select(func.count(), func.max(Forum.updated_at)))).one()
    return int(count), latest


async def get(session: AsyncSession, forum_id: str) -> Forum | None:
    return await session.get(Forum, forum_id, populate_existing=True)


async def create(
    session: AsyncSession,
    *,
    forum_id: str,
    titles: Mapping[str, str],
    when: When,
    city: str,
    country: str,
    url: str,
    by: int | None,
    now: datetime | None = None,
) -> Forum:
    now = now or utcnow()
    row = Forum(
        id=forum_id,
        title=dict(titles),
        starts_at=when.starts_at.astimezone(UTC),
        all_day=when.all_day,
        timezone=when.timezone,
        city=city,
        country=country,
        url=url,
        status=EventStatus.ANNOUNCED.value,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def change(
    session: AsyncSession,
    forum_id: str,
    *,
    titles: Mapping[str, str] | None = None,
    when: When | None = None,
    city: str | None = None,
    url: str | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> Forum | None:
    """Apply an admin's edit; None if the forum is not stored (content forums are edited in
    content/)."""
    row = await get(session, forum_id)
    if row is None:
        return None
    if titles is not None:
        row.title = dict(titles)
    if when is not None:
        row.starts_at = when.starts_at.astimezone(UTC)
        row.all_day = when.all_day
        row.timezone = when.timezone
    if city is not None:
        row.city = city
    if url is not None:
        row.url = url
    if status is not None:
        row.status = status
    row.updated_at = now or utcnow()
    await session.flush()
    return row
