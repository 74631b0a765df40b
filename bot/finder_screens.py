"""Screens of "Which program fits me?": one message, edited in place, a question per step.

The answers so far travel in each button (`routes.Fit`, a letter per answer), so the finder is
stateless: any instance answers the next tap, a restart mid-finder loses nothing, and there is
nothing stored for `/forget` to delete. What the bot already knows (role, country, region) is
not asked again but shown, with a button to change it in /settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from bot import routes
from bot.cards import Button, Card, render
from bot.catalog.catalog import Catalog
from bot.catalog.models import Country, Program, ProgramKind, Status
from bot.domain import finder, pathways
from bot.domain.finder import Answers, Match, Why
from bot.i18n import t
from bot.screens import Profile, _country_label, _nav, ask_row

Question = str
"""One of the `routes.Fit` fields: "goal", "age", "school", "sector"."""

PERSON_QUESTIONS: tuple[Question, ...] = ("goal", "age", "school", "sector")
EMPLOYER_QUESTIONS: tuple[Question, ...] = ("goal", "sector")
OPTIONS: dict[Question, dict[str, object]] = {
    "goal": dict(routes.FIT_GOALS),
    "age": dict(routes.FIT_AGES),
    "school": dict(routes.FIT_SCHOOLS),
    "sector": dict(routes.FIT_SECTORS),
}
PER_ROW = 2


def questions(profile: Profile) -> tuple[Question, ...]:
    return EMPLOYER_QUESTIONS if profile.role == "employer" else PERSON_QUESTIONS


def _choices(profile: Profile, question: Question) -> list[tuple[str, object]]:
    options = list(OPTIONS[question].items())
    if question == "goal":
        side = finder.EMPLOYER_GOALS if profile.role == "employer" else finder.PERSON_GOALS
        options = [(code, goal) for code, goal in options if goal in side]
    return options


def answers_of(route: routes.Fit, profile: Profile) -> Answers:
    """The finder's answers: the route's letters plus what the profile already says."""

    def pick(question: Question) -> object | None:
        code = getattr(route, question)
        return OPTIONS[question].get(code)

    here = pathways.user_region(profile.region, profile.country)
    return Answers(
        role=profile.role,
        country=profile.country if profile.country in {c.value for c in Country} else None,
        region=here.code if here else None,
        age=pick("age"),  # type: ignore[arg-type]
        school=pick("school"),  # type: ignore[arg-type]
        goal=pick("goal"),  # type: ignore[arg-type]
        sector=pick("sector"),  # type: ignore[arg-type]
    )


def _next_question(route: routes.Fit, profile: Profile) -> Question | None:
    return next((q for q in questions(profile) if getattr(route, q) == ""), None)


def fit_step(catalog: Catalog, profile: Profile, route: routes.Fit, *, ask: bool = False) -> Card:
    """The next question, or the result once every question is answered or skipped."""
    question = _next_question(route, profile)
    if question is None:
        return fit_result(catalog, profile, route, ask=ask)
    lang = profile.lang
    asked = questions(profile)
    rows: list[tuple[Button, ...]] = []
    buttons = [
        Button(
            t(lang, f"fit.{question}.{getattr(value, 'value', value)}"),
            replace(route, **{question: code}),
        )
        for code, value in _choices(profile, question)
    ]
    rows += [tuple(buttons[i : i + PER_ROW]) for i in range(0, len(buttons), PER_ROW)]
    skip = replace(route, **{question: routes.FIT_SKIPPED})
    rows.append((Button(t(lang, "button.fit_skip"), skip),))
    rows.append((Button(t(lang, "button.fit_change"), routes.Settings()),))
    if route != routes.Fit():
        rows.append((Button(t(lang, "button.fit_restart"), routes.Fit()),))
    rows.append(_nav(lang, None))
    return render(
        "fit",
        lang,
        rows,
        step=asked.index(question) + 1,
        steps=len(asked),
        question=t(
            lang,
            f"fit.q_{question}"
            + ("_employer" if question == "goal" and profile.role == "employer" else ""),
        ),
        who=_who(profile),
        matches=None,
    )


def _who(profile: Profile) -> str:
    lang = profile.lang
    parts = [
        t(lang, f"role_short.{profile.role}") if profile.role else t(lang, "fit.role_unknown"),
        _country_label(lang, profile.country)
        if profile.country
        else t(lang, "fit.country_unknown"),
    ]
    here = pathways.user_region(profile.region, profile.country)
    if here is not None:
        parts.append(here.name(lang))
    return " · ".join(parts)


def _reason(match: Match, why: Why, answers: Answers, lang: str) -> str:
    fit = match.program.fit
    match why:
        case Why.GOAL:
            return t(lang, f"fit.goal.{answers.goal.value}") if answers.goal else ""
        case Why.REGION | Why.ENTRY:
            region = pathways.user_region(answers.region, answers.country)
            name = region.name(lang) if region else ""
            return t(lang, "fit.why_entry" if why is Why.ENTRY else "fit.why_region", region=name)
        case Why.SECTOR:
            return t(lang, f"fit.sector.{answers.sector.value}") if answers.sector else ""
        case Why.SCHOOL:
            return t(lang, f"fit.school.{answers.school.value}") if answers.school else ""
        case Why.AGE:
            if fit is None:
                return ""
            if fit.max_age is None:
                return t(lang, "fit.why_age_from", min=fit.min_age)
            if fit.min_age is None:
                return t(lang, "fit.why_age_to", max=fit.max_age)
            return t(lang, "fit.why_age", min=fit.min_age, max=fit.max_age)
    return ""


def _why_line(match: Match, answers: Answers, lang: str) -> str:
    # "where to start here" says more than "in Querétaro": show one of the two.
    reasons = [w for w in match.reasons if not (w is Why.REGION and Why.ENTRY in match.reasons)]
    return " · ".join(filter(None, (_reason(match, w, answers, lang) for w in reasons)))


def fit_result(catalog: Catalog, profile: Profile, route: routes.Fit, *, ask: bool = False) -> Card:
    lang = profile.lang
    answers = answers_of(route, profile)
    matches = finder.recommend(catalog, answers)
    rows: list[tuple[Button, ...]] = [
        (Button(m.program.name.get(lang), routes.Card(m.program.id)),) for m in matches
    ]
    fallback = [] if matches else national_entry_points(catalog, answers)
    rows += [(Button(p.name.get(lang), routes.Card(p.id)),) for p in fallback]
    if answers.region is None and profile.country in {c.value for c in Country}:
        rows.append((Button(t(lang, "button.set_region"), routes.PickRegion()),))
    if matches:  # the best match, as a card others can open in any chat (inline mode)
        top = matches[0].program
        rows.append((Button(t(lang, "button.share"), switch_inline=top.short_name or top.name.en),))
    if ask:
        rows.append(ask_row(lang))
    rows.append((Button(t(lang, "button.fit_restart"), routes.Fit()),))
    rows.append(_nav(lang, None))
    return render(
        "fit",
        lang,
        rows,
        who=_who(profile),
        matches=[
            {
                "name": m.program.name.get(lang),
                "why": _why_line(m, answers, lang),
                "check": m.check_eligibility,
            }
            for m in matches
        ],
        fallback=[p.name.get(lang) for p in fallback],
        no_region=answers.region is None,
    )


def national_entry_points(catalog: Catalog, answers: Answers) -> Sequence[Program]:
    """Where to start when nothing fits: the country's national apprenticeship and job
    services (all countries when the person's is unknown)."""
    countries = [Country(answers.country)] if answers.country else list(catalog.countries())
    return [
        p
        for country in countries
        for kind in (ProgramKind.APPRENTICESHIP, ProgramKind.JOB_SERVICE)
        for p in catalog.programs_of(country, kind)
        if pathways.nationwide(p) and p.status is Status.ACTIVE
    ][:5]


def examples(catalog: Catalog, profile: Profile) -> Iterator[tuple[str, Callable[[], Card]]]:
    """Every question and the results, per role and country, for `validate`."""
    for role in (None, *routes.ROLES):
        for country in (None, *(c.value for c in Country)):
            who = replace(profile, role=role, country=country, region=None)
            route = routes.Fit()
            for question in questions(who):
                yield (
                    f"fit {role}/{country} {question}",
                    lambda w=who, r=route: fit_step(catalog, w, r),
                )
                code = next(iter(_choices(who, question)))[0]
                route = replace(route, **{question: code})
            yield (
                f"fit {role}/{country} result",
                lambda w=who, r=route: fit_result(catalog, w, r, ask=True),
            )
            skipped = routes.Fit(*(routes.FIT_SKIPPED,) * 4)
            yield (
                f"fit {role}/{country} all skipped",
                lambda w=who, r=skipped: fit_result(catalog, w, r, ask=True),
            )
    for code in ("MX-QUE", "US-NC", "CA-ON", "CA-QC"):
        placed = replace(profile, role="student", country=code[:2].lower(), region=code)
        route = routes.Fit("e", routes.FIT_SKIPPED, routes.FIT_SKIPPED, routes.FIT_SKIPPED)
        yield f"fit student {code} result", lambda p=placed, r=route: fit_result(catalog, p, r)
