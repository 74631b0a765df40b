"""The finder's scoring: hard rules never broken, reasons given, and no dead end."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import finder_screens, routes
from bot.cards import check
from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.models import Audience, Goal, Schooling, Sector, Status
from bot.domain.finder import AgeBand, Answers, Why, recommend
from bot.domain.pathways import nationwide
from bot.domain.regions import all_regions
from bot.screens import Profile

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT)


def test_a_17_year_old_in_queretaro_gets_conalep_dual_with_reasons(catalog: Catalog) -> None:
    answers = Answers("student", "mx", "MX-QUE", AgeBand.FROM_15, Schooling.TECHNICAL)
    matches = recommend(catalog, answers)
    assert matches[0].program.id == "conalep-queretaro-dual"
    assert {Why.REGION, Why.SCHOOL, Why.AGE} <= set(matches[0].reasons)


def test_age_limits_exclude(catalog: Catalog) -> None:
    """Jóvenes Construyendo el Futuro is for 18–29: never for a 15–17-year-old."""
    young = recommend(catalog, Answers("student", "mx", None, AgeBand.FROM_15, goal=Goal.FIRST_JOB))
    assert "jovenes-construyendo-el-futuro" not in [m.program.id for m in young]
    adult = recommend(catalog, Answers("student", "mx", None, AgeBand.FROM_18, goal=Goal.FIRST_JOB))
    assert "jovenes-construyendo-el-futuro" in [m.program.id for m in adult]


def test_an_ontario_employer_gets_the_provinces_entry_point(catalog: Catalog) -> None:
    matches = recommend(catalog, Answers("employer", "ca", "CA-ON", goal=Goal.HOST_APPRENTICES))
    ids = [m.program.id for m in matches]
    assert ids[0] == "start-ca-on"
    assert "canada-apprenticeship-service" in ids
    for m in matches:
        assert Audience.EMPLOYERS in m.program.audiences or m.program.employers is not None


def test_unknown_facts_say_check_eligibility_rather_than_exclude(catalog: Catalog) -> None:
    matches = recommend(
        catalog,
        Answers(
            "student",
            "us",
            "US-NC",
            AgeBand.FROM_25,
            Schooling.NOT_STUDYING,
            Goal.EARN_WHILE_LEARNING,
        ),
    )
    assert matches
    assert any(m.check_eligibility for m in matches)


answers_strategy = st.builds(
    lambda region, use_region, role, age, school, goal, sector: Answers(
        role, region.country, region.code if use_region else None, age, school, goal, sector
    ),
    st.sampled_from(all_regions()),
    st.booleans(),
    st.sampled_from([None, *routes.ROLES]),
    st.sampled_from([None, *AgeBand]),
    st.sampled_from([None, *Schooling]),
    st.sampled_from([None, *Goal]),
    st.sampled_from([None, *Sector]),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=answers_strategy)
def test_hard_rules_hold_for_any_answers(catalog: Catalog, answers: Answers) -> None:
    for m in recommend(catalog, answers):
        program = m.program
        assert program.status is Status.ACTIVE
        assert program.country.value == answers.country
        assert answers.region in program.regions or nationwide(program)
        fit = program.fit
        if answers.age and fit:
            low, high = answers.age.span
            assert fit.min_age is None or high >= fit.min_age
            assert fit.max_age is None or low <= fit.max_age
        assert m.score > 0


CODES = {
    "goal": ["", routes.FIT_SKIPPED, *routes.FIT_GOALS],
    "age": ["", routes.FIT_SKIPPED, *routes.FIT_AGES],
    "school": ["", routes.FIT_SKIPPED, *routes.FIT_SCHOOLS],
    "sector": ["", routes.FIT_SKIPPED, *routes.FIT_SECTORS],
}


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    route=st.builds(
        routes.Fit, *(st.sampled_from(CODES[f]) for f in ("goal", "age", "school", "sector"))
    ),
    lang=st.sampled_from(["en", "es", "fr"]),
    role=st.sampled_from([None, *routes.ROLES]),
    region=st.sampled_from([None, *all_regions()]),
)
def test_every_step_is_a_valid_card_with_a_way_on(
    catalog: Catalog, route: routes.Fit, lang: str, role: str | None, region: object
) -> None:
    """No dead end: every screen of the finder fits Telegram and offers something to open."""
    code = getattr(region, "code", None)
    country = getattr(region, "country", None)
    card = finder_screens.fit_step(catalog, Profile(lang, role, country, code), route)
    check(card)
    targets = [b.route for row in card.keyboard for b in row if b.route is not None]
    assert any(isinstance(r, (routes.Card, routes.Fit)) for r in targets)
    assert all(routes.decode(r.encode()) == r for r in targets)


@pytest.mark.parametrize("country", ["mx", "us", "ca"])
def test_a_child_under_15_is_not_sent_to_a_work_program(catalog: Catalog, country: str) -> None:
    """No source in the catalog states an age under 15: the honest answer is nothing yet."""
    for goal in (None, *Goal):
        assert (
            recommend(catalog, Answers("student", country, None, AgeBand.UNDER_15, goal=goal)) == []
        )
