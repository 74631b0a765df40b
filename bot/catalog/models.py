"""Pydantic models of the content catalog.

The models are strict on purpose: content is written by editors, not programmers, so every
mistake must surface at load time with a precise path (file, item, field) instead of at the
moment a user opens a card.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.domain import regions

LANGUAGES: tuple[str, ...] = ("en", "es", "fr")
"""Every text in the catalog exists in these languages; the first is the fallback."""

Lang = Literal["en", "es", "fr"]

SLUG_MAX = 40
"""Slugs travel inside callback data (≤ 64 bytes) and deep-link payloads (≤ 64 chars)."""

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=2, max_length=SLUG_MAX),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _https_only(url: str) -> str:
    if not re.fullmatch(r"https://[^\s/$.?#][^\s]*", url):
        raise ValueError("must be an https:// URL")
    return url


HttpsUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_https_only)]


def _known_region(code: str) -> str:
    found = regions.region(code)
    if found is None:
        raise ValueError(
            f"unknown region code '{code[:12]}' (ISO 3166-2, e.g. CA-QC, US-NC, MX-QUE)"
        )
    return found.code


RegionCode = Annotated[str, StringConstraints(max_length=8), AfterValidator(_known_region)]


class Country(StrEnum):
    MX = "mx"
    US = "us"
    CA = "ca"


class ProgramKind(StrEnum):
    """What a program is, from the point of view of the person looking for one."""

    APPRENTICESHIP = "apprenticeship"
    DUAL_EDUCATION = "dual_education"
    CERTIFICATION = "certification"
    WORK_TRAINING = "work_training"
    CREDENTIAL_RECOGNITION = "credential_recognition"
    FUNDING = "funding"
    JOB_SERVICE = "job_service"
    LABOUR_MARKET_INFO = "labour_market_info"


class OrganisationKind(StrEnum):
    GOVERNMENT = "government"
    CERTIFICATION_BODY = "certification_body"
    COLLEGE = "college"
    EMPLOYER = "employer"
    INDUSTRY_ASSOCIATION = "industry_association"
    NONPROFIT = "nonprofit"
    INTERNATIONAL = "international"


class Audience(StrEnum):
    STUDENTS = "students"
    JOB_SEEKERS = "job_seekers"
    EMPLOYERS = "employers"
    NEWCOMERS = "newcomers"
    EDUCATORS = "educators"


class Status(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class EventStatus(StrEnum):
    ANNOUNCED = "announced"
    HELD = "held"
    CANCELLED = "cancelled"


class Schooling(StrEnum):
    """Where a person is in school now, as the finder asks it."""

    SECONDARY = "secondary"
    TECHNICAL = "technical"
    COLLEGE = "college"
    NOT_STUDYING = "not_studying"


class Goal(StrEnum):
    """What a person (or an employer) wants from a program."""

    EARN_WHILE_LEARNING = "earn_while_learning"
    CERTIFY_SKILLS = "certify_skills"
    FIRST_JOB = "first_job"
    TRADE_LICENCE = "trade_licence"
    HOST_APPRENTICES = "host_apprentices"
    TRAIN_STAFF = "train_staff"
    FUNDING = "funding"


class Sector(StrEnum):
    """Fields of work; ``any`` means the program is open to every field."""

    ANY = "any"
    CONSTRUCTION = "construction"
    AUTOMOTIVE_MANUFACTURING = "automotive_manufacturing"
    AEROSPACE = "aerospace"
    ENERGY = "energy"
    HEALTH = "health"
    IT = "it"
    HOSPITALITY_SERVICES = "hospitality_services"
    AGRICULTURE = "agriculture"


class Pay(StrEnum):
    """What taking part costs or pays."""

    WAGE = "wage"
    STIPEND = "stipend"
    FREE = "free"
    LOAN = "loan"
    GRANT = "grant"
    FEE = "fee"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Localized(_Strict):
    """One text in every supported language; none may be missing or empty."""

    en: Text
    es: Text
    fr: Text

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en


class LocalizedKeywords(_Strict):
    """Search synonyms people actually type, per language (may be empty, never missing)."""

    en: list[Text] = Field(default_factory=list)
    es: list[Text] = Field(default_factory=list)
    fr: list[Text] = Field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.en, *self.es, *self.fr]


class KeyFact(_Strict):
    """A figure or dated fact; it must say which year it refers to and where it comes from."""

    text: Localized
    year: Annotated[int, Field(ge=1900, le=2100)]
    source: HttpsUrl


class LocalizedUrls(_Strict):
    """The official page in a language where one exists (e.g. a French page for Québec)."""

    en: HttpsUrl | None = None
    es: HttpsUrl | None = None
    fr: HttpsUrl | None = None


class Fit(_Strict):
    """Structured eligibility the finder reads; every field comes from the item's sources.

    Unknown stays unknown: an empty list or a missing age means "the sources don't say", and
    the finder then says "check eligibility" rather than excluding or promising.
    """

    min_age: Annotated[int, Field(ge=0, le=99)] | None = None
    max_age: Annotated[int, Field(ge=0, le=99)] | None = None
    schooling: list[Schooling] = Field(default_factory=list)
    goals: list[Goal] = Field(default_factory=list)
    sectors: list[Sector] = Field(default_factory=list)
    pay: list[Pay] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ages_in_order(self) -> Fit:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("min_age is above max_age")
        for name in ("schooling", "goals", "sectors", "pay"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                raise ValueError(f"{name} lists a value twice")
        return self


class _Item(_Strict):
    id: Slug
    name: Localized
    short_name: Annotated[str, StringConstraints(max_length=30)] | None = None
    summary: Localized
    keywords: LocalizedKeywords = Field(default_factory=LocalizedKeywords)
    key_facts: list[KeyFact] = Field(default_factory=list)
    official_url: HttpsUrl | None = None
    official_urls: LocalizedUrls | None = None
    """Per-language official pages; `official_url` is the fallback."""
    sources: Annotated[list[HttpsUrl], Field(min_length=1)]
    related: list[Slug] = Field(default_factory=list)
    last_verified: date

    def official_url_for(self, lang: str) -> str | None:
        """The official page in `lang` where the content names one, else `official_url`."""
        if self.official_urls is not None:
            localized = getattr(self.official_urls, lang, None)
            if localized:
                return str(localized)
        return self.official_url

    @field_validator("related")
    @classmethod
    def _no_self_duplicates(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists an id twice")
        return value

    @model_validator(mode="after")
    def _not_related_to_itself(self) -> _Item:
        if self.id in self.related:
            raise ValueError(f"'{self.id}' lists itself in related")
        return self


class Program(_Item):
    """Something a person can join or an employer can use: the unit a card is about."""

    @field_validator("audiences")
    @classmethod
    def _unique_audiences(cls, value: list[Audience]) -> list[Audience]:
        if len(set(value)) != len(value):
            raise ValueError("lists an audience twice")
        return value

    country: Country
    kind: ProgramKind
    audiences: Annotated[list[Audience], Field(min_length=1)]
    organisation: Slug | None = None
    region: Localized | None = None
    who_can_apply: Localized | None = None
    what_you_get: Localized | None = None
    duration: Localized | None = None
    how_to_apply: Localized | None = None
    employers: Localized | None = None
    """How an employer takes part and what it gains; feeds the employer track."""
    status: Status = Status.ACTIVE
    ended_on: date | None = None
    replaced_by: Slug | None = None
    featured: bool = False
    regions: list[RegionCode] = Field(default_factory=list)
    """ISO 3166-2 codes where the program applies; empty = the whole country."""
    entry_point: bool = False
    """The card a person in `regions` should open first ("In Ontario: how to start")."""
    fit: Fit | None = None

    @model_validator(mode="after")
    def _ended_is_consistent(self) -> Program:
        if self.status is Status.ACTIVE and (self.ended_on or self.replaced_by):
            raise ValueError("ended_on / replaced_by are only for status: ended")
        _regions_in_country(self.regions, self.country)
        return self


class Organisation(_Item):
    """An institution, agency, college, employer or network named in the content."""

    country: Country
    kind: OrganisationKind
    employers: Localized | None = None
    regions: list[RegionCode] = Field(default_factory=list)
    """ISO 3166-2 codes the organisation serves; empty = the whole country."""

    @model_validator(mode="after")
    def _regions_match_country(self) -> Organisation:
        _regions_in_country(self.regions, self.country)
        return self


def _regions_in_country(codes: list[str], country: Country) -> None:
    """A program in Canada cannot apply to a Mexican state; a region is listed once."""
    if len(set(codes)) != len(codes):
        raise ValueError("regions lists a region twice")
    foreign = [code for code in codes if not code.startswith(f"{country.value.upper()}-")]
    if foreign:
        raise ValueError(f"regions {', '.join(foreign)} are not in country '{country.value}'")


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_timezone(name: str) -> str:
    if name not in _timezones():
        raise ValueError(f"unknown IANA time zone '{name[:60]}'")
    return name


class Event(_Strict):
    """A Trilateral Forum (or related event).

    `start` is a date when only the day is known (we never invent a time) or a tz-aware
    datetime; `timezone` is the venue's IANA zone so dates render and export correctly.
    """

    id: Slug
    title: Localized
    start: date | datetime
    end: date | datetime | None = None
    timezone: Annotated[str, AfterValidator(_known_timezone)]
    city: Localized
    country: Country
    host: Localized
    summary: Localized
    outcomes: Localized | None = None
    """What happened at the event (for held events)."""
    status: EventStatus
    official_url: HttpsUrl | None = None
    sources: Annotated[list[HttpsUrl], Field(min_length=1)]
    related: list[Slug] = Field(default_factory=list)
    keywords: LocalizedKeywords = Field(default_factory=LocalizedKeywords)
    key_facts: list[KeyFact] = Field(default_factory=list)
    last_verified: date

    @field_validator("start", "end", mode="before")
    @classmethod
    def _no_timestamps(cls, value: object) -> object:
        if isinstance(value, int | float):
            raise ValueError("must be a date (2022-08-31) or a date-time with its UTC offset")
        return value

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime | date | None) -> datetime | date | None:
        if isinstance(value, datetime) and value.utcoffset() is None:
            raise ValueError("a date-time needs its UTC offset, e.g. 2022-08-31T10:00:00-05:00")
        return value

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    def is_upcoming(self, now: datetime) -> bool:
        """Announced and not yet started: only then do "Add to calendar" and reminders make
        sense (a held forum offering a calendar file was a bug users reported)."""
        return self.status is EventStatus.ANNOUNCED and self.starts_at >= now

    @property
    def starts_at(self) -> datetime:
        """Start as an aware datetime (midnight in the venue's zone for all-day events)."""
        if isinstance(self.start, datetime):
            return self.start
        return datetime.combine(self.start, time.min, tzinfo=ZoneInfo(self.timezone))


Item = Program | Organisation | Event


class ContentFile(_Strict):
    """The shape of one YAML file: any of the three lists, usually just one."""

    programs: list[Program] = Field(default_factory=list)
    organisations: list[Organisation] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
