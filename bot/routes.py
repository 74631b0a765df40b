"""Callback-data codec: every button carries its whole route, so any process can answer it.

Format: ``<version>:<tag>[:<arg>...]``, ASCII only, at most 64 bytes (Telegram's limit).
Decoding never raises: anything that is not a well-formed route of the current version
(stale buttons from an older release, forged data, truncated data) decodes to ``None`` and
the caller shows the "out of date" answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import ClassVar

from telegram.constants import InlineKeyboardButtonLimit

from bot.catalog.models import SLUG_MAX, Country, Goal, ProgramKind, Schooling, Sector
from bot.domain.finder import AgeBand
from bot.domain.regions import all_regions

VERSION = "1"
MAX_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
MAX_PAGE = 999
REF_MAX = 2**31 - 1
"""The largest broadcast id: `broadcasts.id` is an INTEGER (32-bit signed in PostgreSQL)."""
_REF = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)

ROLES: tuple[str, ...] = ("student", "employer", "educator")
LANGS: tuple[str, ...] = ("en", "es", "fr")
COUNTRY_CHOICES: tuple[str, ...] = (*(c.value for c in Country), "all")

KIND_CODES: dict[ProgramKind, str] = {
    ProgramKind.APPRENTICESHIP: "ap",
    ProgramKind.DUAL_EDUCATION: "du",
    ProgramKind.CERTIFICATION: "ce",
    ProgramKind.WORK_TRAINING: "wt",
    ProgramKind.CREDENTIAL_RECOGNITION: "cr",
    ProgramKind.FUNDING: "fu",
    ProgramKind.JOB_SERVICE: "js",
    ProgramKind.LABOUR_MARKET_INFO: "lm",
}
_KIND_BY_CODE = {v: k for k, v in KIND_CODES.items()}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Route:
    """Base of all routes; subclasses declare `tag` and typed fields."""

    tag: ClassVar[str]

    def encode(self) -> str:
        parts = [VERSION, self.tag, *(_encode_value(getattr(self, f.name)) for f in fields(self))]  # type: ignore[arg-type]
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"route {data!r} exceeds {MAX_BYTES} bytes")
        return data


def _encode_value(value: object) -> str:
    if isinstance(value, ProgramKind):
        return KIND_CODES[value]
    if isinstance(value, Country):
        return value.value
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


@dataclass(frozen=True, slots=True)
class Home(Route):
    tag: ClassVar[str] = "h"


@dataclass(frozen=True, slots=True)
class CountryMenu(Route):
    tag: ClassVar[str] = "c"
    country: Country


@dataclass(frozen=True, slots=True)
class KindList(Route):
    tag: ClassVar[str] = "k"
    country: Country
    kind: ProgramKind
    page: int = 0


@dataclass(frozen=True, slots=True)
class OrgList(Route):
    tag: ClassVar[str] = "o"
    country: Country
    page: int = 0


@dataclass(frozen=True, slots=True)
class EmployerTrack(Route):
    tag: ClassVar[str] = "e"
    country: Country
    page: int = 0


@dataclass(frozen=True, slots=True)
class Card(Route):
    """A program, organisation or event card, by catalog id."""

    tag: ClassVar[str] = "i"
    item_id: str


CARD_SECTIONS: tuple[str, ...] = ("w", "g", "d", "a", "e", "f", "m")
"""A card's sections: who can apply, what you get, duration, how to apply, for employers, key
facts and sources, more like this (`bot.screens.SECTIONS`)."""


@dataclass(frozen=True, slots=True)
class CardSection(Route):
    """One section of a card, shown in place of the overview (a phone shows it whole)."""

    tag: ClassVar[str] = "is"
    item_id: str
    section: str


@dataclass(frozen=True, slots=True)
class Forums(Route):
    tag: ClassVar[str] = "f"


@dataclass(frozen=True, slots=True)
class Settings(Route):
    tag: ClassVar[str] = "s"


@dataclass(frozen=True, slots=True)
class PickLanguage(Route):
    tag: ClassVar[str] = "pl"
    onboarding: bool = False


@dataclass(frozen=True, slots=True)
class PickRole(Route):
    tag: ClassVar[str] = "pr"
    onboarding: bool = False


@dataclass(frozen=True, slots=True)
class PickCountry(Route):
    tag: ClassVar[str] = "pc"
    onboarding: bool = False


@dataclass(frozen=True, slots=True)
class SetLanguage(Route):
    tag: ClassVar[str] = "l"
    lang: str
    onboarding: bool = False


@dataclass(frozen=True, slots=True)
class SetRole(Route):
    tag: ClassVar[str] = "r"
    role: str
    onboarding: bool = False


@dataclass(frozen=True, slots=True)
class SetCountry(Route):
    tag: ClassVar[str] = "n"
    country: str
    onboarding: bool = False


@dataclass(frozen=True, slots=True)
class PickRegion(Route):
    """The province/state/territory picker of the user's country, a page at a time."""

    tag: ClassVar[str] = "pg"
    page: int = 0
    onboarding: bool = False


NO_REGION = "none"
"""`SetRegion(NO_REGION)`: the user skipped the question or wants no region."""


@dataclass(frozen=True, slots=True)
class SetRegion(Route):
    tag: ClassVar[str] = "g"
    region: str
    onboarding: bool = False


@dataclass(frozen=True, slots=True)
class RegionStart(Route):
    """ "In Ontario: how to start": the entry points of the user's saved region."""

    tag: ClassVar[str] = "rs"
    page: int = 0


FIT_SKIPPED = "x"
"""A finder question the person skipped ("any"); "" is one not asked yet."""
FIT_AGES: dict[str, AgeBand] = {
    "a": AgeBand.UNDER_15,
    "b": AgeBand.FROM_15,
    "c": AgeBand.FROM_18,
    "d": AgeBand.FROM_25,
}
FIT_SCHOOLS: dict[str, Schooling] = {
    "s": Schooling.SECONDARY,
    "t": Schooling.TECHNICAL,
    "c": Schooling.COLLEGE,
    "n": Schooling.NOT_STUDYING,
}
FIT_GOALS: dict[str, Goal] = {
    "e": Goal.EARN_WHILE_LEARNING,
    "c": Goal.CERTIFY_SKILLS,
    "f": Goal.FIRST_JOB,
    "l": Goal.TRADE_LICENCE,
    "h": Goal.HOST_APPRENTICES,
    "t": Goal.TRAIN_STAFF,
    "m": Goal.FUNDING,
}
FIT_SECTORS: dict[str, Sector] = {
    "a": Sector.ANY,
    "c": Sector.CONSTRUCTION,
    "m": Sector.AUTOMOTIVE_MANUFACTURING,
    "r": Sector.AEROSPACE,
    "e": Sector.ENERGY,
    "h": Sector.HEALTH,
    "i": Sector.IT,
    "s": Sector.HOSPITALITY_SERVICES,
    "g": Sector.AGRICULTURE,
}


@dataclass(frozen=True, slots=True)
class Fit(Route):
    """The finder: every answer so far travels in the button, one letter each, so any
    instance takes the next step and a restart mid-finder loses nothing."""

    tag: ClassVar[str] = "fi"
    goal: str = ""
    age: str = ""
    school: str = ""
    sector: str = ""


@dataclass(frozen=True, slots=True)
class Help(Route):
    tag: ClassVar[str] = "?"


SEARCH_TERM_MAX = 48
"""Bytes of a search term a button may carry (a suggestion such as "apprenticeship")."""


@dataclass(frozen=True, slots=True)
class Search(Route):
    """Search for a short term: "did you mean" suggestions carry it in the button."""

    tag: ClassVar[str] = "q"
    term: str

    def __post_init__(self) -> None:
        if ":" in self.term or not _valid_term(self.term):
            raise ValueError("a search term in a button must be short, printable and without ':'")


@dataclass(frozen=True, slots=True)
class MySubscriptions(Route):
    """/mysubscriptions: the chat's topics, with buttons to add and remove."""

    tag: ClassVar[str] = "sb"


@dataclass(frozen=True, slots=True)
class SubscribeMenu(Route):
    """/subscribe: every topic, ✅ on those the chat has."""

    tag: ClassVar[str] = "sp"


@dataclass(frozen=True, slots=True)
class UnsubscribeMenu(Route):
    """/unsubscribe: only the chat's current topics."""

    tag: ClassVar[str] = "su"


@dataclass(frozen=True, slots=True)
class PickTopic(Route):
    """In the /subscribe menu: turn a topic on or off. `topic` is a `bot.store.Topic.code`
    (dots, never ':'); the handler rejects codes that name no topic."""

    tag: ClassVar[str] = "sa"
    topic: str
    on: bool


@dataclass(frozen=True, slots=True)
class DropTopic(Route):
    """In the /unsubscribe menu: remove a topic."""

    tag: ClassVar[str] = "sd"
    topic: str


@dataclass(frozen=True, slots=True)
class CardSubscribe(Route):
    """The 🔔 button of a program or forum card: one tap, topic derived from the item."""

    tag: ClassVar[str] = "ib"
    item_id: str
    on: bool


@dataclass(frozen=True, slots=True)
class Privacy(Route):
    tag: ClassVar[str] = "pv"


@dataclass(frozen=True, slots=True)
class ForgetAsk(Route):
    tag: ClassVar[str] = "fa"


@dataclass(frozen=True, slots=True)
class ForgetYes(Route):
    tag: ClassVar[str] = "fy"


@dataclass(frozen=True, slots=True)
class ForgetNo(Route):
    tag: ClassVar[str] = "fn"


@dataclass(frozen=True, slots=True)
class Calendar(Route):
    """ "📅 Add to calendar" on a forum card: the forum as an .ics file."""

    tag: ClassVar[str] = "ic"
    item_id: str


# Admin routes: decoded like any other, answered only for ADMIN_IDS (`admin_only`). Broadcast
# ids travel as digit strings (`ref`, `int` fields stop at MAX_PAGE): ASCII digits without a
# leading zero, 1…REF_MAX, or the route does not decode (nor build, see `_checked_ref`).


def parse_ref(text: str) -> int | None:
    """A broadcast id as admins type it or buttons carry it: `12`, never `١٢`, `²`, `012`, `0`
    or more than REF_MAX (str.isdigit() accepts the first two and int() reads one of them)."""
    if not _REF.fullmatch(text):
        return None
    number = int(text)
    return number if number <= REF_MAX else None


def _checked_ref(ref: object) -> None:
    if not isinstance(ref, str) or parse_ref(ref) is None:
        raise ValueError(f"a broadcast id in a button must be 1…{REF_MAX} in ASCII digits")


@dataclass(frozen=True, slots=True)
class FlowTexts(Route):
    """In /broadcast and /newforum: the same text for every language, or add translations."""

    tag: ClassVar[str] = "ft"
    same: bool


@dataclass(frozen=True, slots=True)
class FlowCancel(Route):
    """Leave the admin's current flow (nothing is sent or saved)."""

    tag: ClassVar[str] = "fq"


@dataclass(frozen=True, slots=True)
class BroadcastMenu(Route):
    """The audience picker, or one of its sub-menus (`country`, `role`, `language`, …)."""

    tag: ClassVar[str] = "bm"
    level: str = "root"


@dataclass(frozen=True, slots=True)
class BroadcastAudience(Route):
    """An audience choice: `everyone`, `country`/`role`/`language` + value, `forum` + item id,
    or `topic` + a topic code."""

    tag: ClassVar[str] = "ba"
    audience: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class BroadcastSend(Route):
    """Confirm a previewed draft."""

    tag: ClassVar[str] = "bc"
    ref: str

    def __post_init__(self) -> None:
        _checked_ref(self.ref)


SCHEDULE_OPTIONS: tuple[str, ...] = ("1h", "tomorrow", "monday")
"""The "Send later" suggestions (`bot.broadcast.schedule.QUICK`)."""


@dataclass(frozen=True, slots=True)
class BroadcastLater(Route):
    """The "Schedule…" button under a previewed draft: ask when it should go out."""

    tag: ClassVar[str] = "bl"
    ref: str

    def __post_init__(self) -> None:
        _checked_ref(self.ref)


@dataclass(frozen=True, slots=True)
class BroadcastAt(Route):
    """A suggested time for the draft (`option` in SCHEDULE_OPTIONS); typed times come as
    messages."""

    tag: ClassVar[str] = "bt"
    ref: str
    option: str

    def __post_init__(self) -> None:
        _checked_ref(self.ref)


@dataclass(frozen=True, slots=True)
class BroadcastReview(Route):
    """Back from "when?" to the draft's confirmation (audience, count, Send)."""

    tag: ClassVar[str] = "br"
    ref: str

    def __post_init__(self) -> None:
        _checked_ref(self.ref)


@dataclass(frozen=True, slots=True)
class BroadcastStop(Route):
    """Stop a queued or running broadcast (/cancel_broadcast)."""

    tag: ClassVar[str] = "bs"
    ref: str

    def __post_init__(self) -> None:
        _checked_ref(self.ref)


@dataclass(frozen=True, slots=True)
class ForumEdit(Route):
    """/editforum: open the edit menu of a stored forum."""

    tag: ClassVar[str] = "fe"
    item_id: str


@dataclass(frozen=True, slots=True)
class ForumField(Route):
    """/editforum: change one field (`title`, `when`, `city`, `link`) or `cancel` the forum."""

    tag: ClassVar[str] = "ff"
    item_id: str
    field: str


@dataclass(frozen=True, slots=True)
class ForumCountry(Route):
    """/newforum: the forum's country."""

    tag: ClassVar[str] = "fc"
    country: Country


@dataclass(frozen=True, slots=True)
class ForumPublish(Route):
    """/newforum: publish the reviewed forum."""

    tag: ClassVar[str] = "fp"


@dataclass(frozen=True, slots=True)
class ForumAnnounce(Route):
    """After publishing or changing a forum: tell its subscribers (`what`: new, changed,
    cancelled) — or not (`no`)."""

    tag: ClassVar[str] = "fw"
    item_id: str
    what: str


@dataclass(frozen=True, slots=True)
class Ask(Route):
    """ "💬 Ask a person" (cards, "nothing found", /help, the finder): start talking to staff."""

    tag: ClassVar[str] = "ak"


@dataclass(frozen=True, slots=True)
class AskShare(Route):
    """The one-time question before the first message: show the user's @username to staff?"""

    tag: ClassVar[str] = "as"
    share: bool


ROUTES: dict[str, type[Route]] = {
    cls.tag: cls
    for cls in (
        Home,
        CountryMenu,
        KindList,
        OrgList,
        EmployerTrack,
        Card,
        CardSection,
        Forums,
        Settings,
        PickLanguage,
        PickRole,
        PickCountry,
        SetLanguage,
        SetRole,
        SetCountry,
        PickRegion,
        SetRegion,
        RegionStart,
        Fit,
        Help,
        Search,
        MySubscriptions,
        SubscribeMenu,
        UnsubscribeMenu,
        PickTopic,
        DropTopic,
        CardSubscribe,
        Privacy,
        ForgetAsk,
        ForgetYes,
        ForgetNo,
        Calendar,
        Ask,
        AskShare,
        FlowTexts,
        FlowCancel,
        BroadcastMenu,
        BroadcastAudience,
        BroadcastSend,
        BroadcastLater,
        BroadcastAt,
        BroadcastReview,
        BroadcastStop,
        ForumEdit,
        ForumField,
        ForumCountry,
        ForumPublish,
        ForumAnnounce,
    )
}


def _decode_value(annotation: object, raw: str) -> object:
    """Parse one field; raises ValueError on anything not exactly as `encode` writes it."""
    if annotation in (Country, "Country"):
        return Country(raw)
    if annotation in (ProgramKind, "ProgramKind"):
        return _KIND_BY_CODE[raw]
    if annotation in (bool, "bool"):
        if raw not in ("0", "1"):
            raise ValueError(raw)
        return raw == "1"
    if annotation in (int, "int"):
        if not raw.isascii() or not raw.isdigit() or (raw != "0" and raw.startswith("0")):
            raise ValueError(raw)
        page = int(raw)
        if page > MAX_PAGE:
            raise ValueError(raw)
        return page
    return raw


_CHOICES: dict[tuple[type[Route], str], tuple[str, ...]] = {
    (SetLanguage, "lang"): LANGS,
    (SetRole, "role"): ROLES,
    (SetCountry, "country"): COUNTRY_CHOICES,
    (SetRegion, "region"): (*(r.code for r in all_regions()), NO_REGION),
    (BroadcastAt, "option"): SCHEDULE_OPTIONS,
    (CardSection, "section"): CARD_SECTIONS,
    (Fit, "goal"): ("", FIT_SKIPPED, *FIT_GOALS),
    (Fit, "age"): ("", FIT_SKIPPED, *FIT_AGES),
    (Fit, "school"): ("", FIT_SKIPPED, *FIT_SCHOOLS),
    (Fit, "sector"): ("", FIT_SKIPPED, *FIT_SECTORS),
}


def _valid_term(value: object) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value.encode("utf-8", "surrogatepass")) <= SEARCH_TERM_MAX
        and value.strip() == value
        and value.isprintable()
    )


def search_route(term: str) -> Search | None:
    """A Search route for `term`, or None if the term cannot travel in a button."""
    term = " ".join(term.split())
    return Search(term) if ":" not in term and _valid_term(term) else None


def decode(data: str | None) -> Route | None:
    """The route a button carries, or None for anything stale, foreign or malformed."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION:
        return None
    cls = ROUTES.get(parts[1])
    if cls is None:
        return None
    flds = fields(cls)  # type: ignore[arg-type]
    args = parts[2:]
    required = [f for f in flds if f.default is f.default_factory]  # type: ignore[misc]
    if not len(required) <= len(args) <= len(flds):
        return None
    values: dict[str, object] = {}
    try:
        for f, raw in zip(flds, args, strict=False):
            value = _decode_value(f.type, raw)
            if f.name == "item_id" and not (
                isinstance(value, str) and len(value) <= SLUG_MAX and _SLUG.match(value)
            ):
                return None
            if f.name == "term" and not _valid_term(value):
                return None
            if f.name == "ref" and parse_ref(raw) is None:
                return None
            allowed = _CHOICES.get((cls, f.name))
            if allowed is not None and value not in allowed:
                return None
            values[f.name] = value
    except (ValueError, KeyError):
        return None
    route = cls(**values)
    return route if route.encode() == data else None
