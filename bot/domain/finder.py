"""'Which program fits me?': a person's few answers → the programs that fit, with reasons.

A pure, deterministic function over the catalog (no Telegram, no database), so the chat, the
persona bench and the tests agree. The content's `fit` fields are read as the sources state
them; what they leave out stays unknown, and unknown never excludes: the result then says
"check eligibility" instead of promising.

Hard rules exclude: programs that ended, programs of another country than the person's, a
regional program of a region the person does not live in (or any regional program while the
region is unknown: the result then offers to set it), an age band wholly outside the
program's stated ages, and programs not meant for an employer when the person is one (and the
other way round). Soft rules rank, in this order of weight: the goal, the person's own region,
the field, schooling, the age range, being the region's entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.catalog.catalog import Catalog
from bot.catalog.models import Audience, Goal, Program, Schooling, Sector, Status
from bot.domain.pathways import nationwide


class AgeBand(StrEnum):
    UNDER_15 = "under_15"
    FROM_15 = "15_17"
    FROM_18 = "18_24"
    FROM_25 = "25_plus"

    @property
    def span(self) -> tuple[int, int]:
        return {
            AgeBand.UNDER_15: (0, 14),
            AgeBand.FROM_15: (15, 17),
            AgeBand.FROM_18: (18, 24),
            AgeBand.FROM_25: (25, 99),
        }[self]


CHILDREN = AgeBand.UNDER_15
"""The one place unknown excludes: a child under 15 is shown only programs whose sources state
an age that includes them. None in the catalog does — every stated minimum is 15 or more
(CONALEP's dual option and CONOCER 15, youth apprenticeship and Job Corps 16, JCF 18) and the
rest are work or apprenticeship programs — so the honest answer is "nothing fits yet" with the
national entry points, not an apprenticeship card with "check eligibility"."""

EMPLOYER_GOALS = (Goal.HOST_APPRENTICES, Goal.TRAIN_STAFF, Goal.FUNDING)
PERSON_GOALS = (Goal.EARN_WHILE_LEARNING, Goal.CERTIFY_SKILLS, Goal.FIRST_JOB, Goal.TRADE_LICENCE)

W_GOAL = 4.0
W_REGION = 3.0
W_SECTOR = 2.0
W_ANY_SECTOR = 0.5
W_SCHOOL = 1.5
W_AGE = 1.0
W_ENTRY = 1.0
W_AUDIENCE = 0.5
MIN_SCORE = W_GOAL
"""Below this a program is not said to fit: it must at least match the goal, or the person's
region and field together ("nothing fits" is an answer, not a failure). A person who skipped
the goal question gets whatever matches anything they did say."""
TOP = 5


@dataclass(frozen=True, slots=True)
class Answers:
    """What the person told the finder; None = not asked yet or skipped ("any")."""

    role: str | None = None
    country: str | None = None
    region: str | None = None
    age: AgeBand | None = None
    school: Schooling | None = None
    goal: Goal | None = None
    sector: Sector | None = None

    @property
    def employer(self) -> bool:
        return self.role == "employer"


class Why(StrEnum):
    """A reason a program fits, rendered by the screen in the person's language."""

    GOAL = "goal"
    REGION = "region"
    SECTOR = "sector"
    SCHOOL = "school"
    AGE = "age"
    ENTRY = "entry"


@dataclass(frozen=True, slots=True)
class Match:
    program: Program
    score: float
    reasons: tuple[Why, ...]
    check_eligibility: bool
    """The sources don't state something the person answered (ages, schooling): say so."""


def recommend(catalog: Catalog, answers: Answers, limit: int = TOP) -> list[Match]:
    """The programs that fit `answers`, best first; empty when nothing does."""
    matches = [m for p in catalog.programs.values() if (m := _match(p, answers)) is not None]
    floor = MIN_SCORE if answers.goal is not None else W_ANY_SECTOR
    matches = [m for m in matches if m.score >= floor]
    matches.sort(key=lambda m: (-m.score, len(m.program.regions) or 99, m.program.id))
    return matches[:limit]


def _excluded(program: Program, a: Answers) -> bool:
    if program.status is not Status.ACTIVE:
        return True
    if a.country and program.country.value != a.country:
        return True
    if program.regions and a.region not in program.regions and not nationwide(program):
        return True  # a local program elsewhere, or anywhere while we don't know where
    fit = program.fit
    if a.age is AgeBand.UNDER_15 and (fit is None or fit.min_age is None or fit.min_age > 14):
        return True  # see CHILDREN
    if a.age and fit is not None:
        low, high = a.age.span
        if (fit.min_age is not None and high < fit.min_age) or (
            fit.max_age is not None and low > fit.max_age
        ):
            return True
    for_employers = Audience.EMPLOYERS in program.audiences or program.employers is not None
    if a.employer and not for_employers:
        return True
    if a.role in ("student", "educator") and set(program.audiences) == {Audience.EMPLOYERS}:
        return True
    return a.goal is not None and fit is not None and bool(fit.goals) and _wrong_side(a, fit.goals)


def _wrong_side(a: Answers, goals: Sequence[Goal]) -> bool:
    """An employer's goal never matches a program only for apprentices, and vice versa."""
    wanted_employer_side = a.goal in EMPLOYER_GOALS
    sides = {g in EMPLOYER_GOALS for g in goals}
    return wanted_employer_side not in sides


def _match(program: Program, a: Answers) -> Match | None:
    if _excluded(program, a):
        return None
    fit = program.fit
    score = 0.0
    why: list[Why] = []
    unknown = False
    if a.goal is not None and fit is not None and a.goal in fit.goals:
        score += W_GOAL
        why.append(Why.GOAL)
    if a.region and a.region in program.regions:
        score += W_REGION
        why.append(Why.REGION)
    if a.sector is not None and a.sector is not Sector.ANY and fit is not None:
        if a.sector in fit.sectors:
            score += W_SECTOR
            why.append(Why.SECTOR)
        elif Sector.ANY in fit.sectors or not fit.sectors:
            score += W_ANY_SECTOR
    if a.school is not None and fit is not None:
        if a.school in fit.schooling:
            score += W_SCHOOL
            why.append(Why.SCHOOL)
        elif not fit.schooling:
            unknown = True
    if a.age is not None:
        if fit is not None and (fit.min_age is not None or fit.max_age is not None):
            score += W_AGE
            why.append(Why.AGE)
        else:
            unknown = True
    if program.entry_point and a.region and a.region in program.regions:
        score += W_ENTRY
        why.append(Why.ENTRY)
    audience = {"student": Audience.STUDENTS, "employer": Audience.EMPLOYERS}.get(a.role or "")
    if audience is not None and audience in program.audiences:
        score += W_AUDIENCE
    return Match(program, score, tuple(why), unknown or fit is None)
