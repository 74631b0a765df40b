"""The finder on a labelled persona table: does a person's top 3 hold a program that fits?

`bench/fit_personas.yaml` was written from the content's facts before the scoring was tuned:
each persona (role, country, region, age band, schooling, goal, field) lists the programs any
of which is a right answer among the top 3, or none when nothing fits (then the honest answer
is "nothing fits" and the national entry points). The answers are `bot.domain.finder.recommend`
— what `/fit` shows — and a dead end is a result with no program and no entry point to open.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.core import CONTENT, Figure, Outcome, Scale, section

PERSONAS = Path(__file__).with_name("fit_personas.yaml")

FIGURES = [
    Figure("fit.personas", "count", "labelled personas"),
    Figure(
        "fit.top3_hit_rate",
        "ratio",
        "personas whose top 3 holds an acceptable program (or, with none, shows nothing)",
        "≥ 0.9",
    ),
    Figure(
        "fit.wrong_country_or_ended",
        "count",
        "recommendations of another country's or an ended program",
        "0",
    ),
    Figure("fit.dead_ends", "count", "results with nothing to open", "0"),
]

AGES = {"under-15": "under_15", "15-17": "15_17", "18-24": "18_24", "25+": "25_plus"}


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    role: str | None
    country: str | None
    region: str | None
    age: str | None
    school: str | None
    goal: str | None
    sector: str | None
    acceptable: tuple[str, ...]


def load_personas(path: Path = PERSONAS) -> list[Persona]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["personas"]
    return [
        Persona(
            str(p["name"]),
            p.get("role"),
            p.get("country"),
            p.get("region"),
            AGES.get(str(p["age"])) if p.get("age") else None,
            p.get("school"),
            p.get("goal"),
            p.get("sector"),
            tuple(p.get("acceptable") or ()),
        )
        for p in raw
    ]


@section("fit", "the 'which program fits me' finder on labelled personas", FIGURES)
async def run_fit(scale: Scale) -> Outcome:
    from bot.catalog.loader import load_catalog
    from bot.catalog.models import Goal, Schooling, Sector, Status
    from bot.domain.finder import AgeBand, Answers, recommend
    from bot.finder_screens import national_entry_points

    catalog = load_catalog(CONTENT)
    personas = load_personas()
    out = Outcome()
    hits = wrong = dead = 0
    misses: list[str] = []
    for p in personas:
        answers = Answers(
            role=p.role,
            country=p.country,
            region=p.region,
            age=AgeBand(p.age) if p.age else None,
            school=Schooling(p.school) if p.school else None,
            goal=Goal(p.goal) if p.goal else None,
            sector=Sector(p.sector) if p.sector else None,
        )
        shown = [m.program for m in recommend(catalog, answers)]
        top3 = [program.id for program in shown[:3]]
        hit = bool(set(top3) & set(p.acceptable)) if p.acceptable else not shown
        hits += hit
        if not hit:
            misses.append(
                f"{p.name}: {top3 or 'nothing'} (wanted {list(p.acceptable) or 'nothing'})"
            )
        wrong += sum(
            1
            for program in shown
            if program.status is not Status.ACTIVE
            or (p.country is not None and program.country.value != p.country)
        )
        if not shown and not national_entry_points(catalog, answers):
            dead += 1
    out.figures["fit.personas"] = float(len(personas))
    out.figures["fit.top3_hit_rate"] = hits / len(personas) if personas else None
    out.figures["fit.wrong_country_or_ended"] = float(wrong)
    out.figures["fit.dead_ends"] = float(dead)
    out.details["misses"] = misses
    out.notes.append(f"finder misses: {len(misses)} of {len(personas)}")
    return out
