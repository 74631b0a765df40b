"""The catalog covers everything the forum report names, trilingual and sourced."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.models import Country, Event, EventStatus, Organisation, Program, Status

CONTENT = Path(__file__).resolve().parents[2] / "content"

REPORT_NAMES: dict[str, tuple[str, Country]] = {
    # Mexico
    "conocer": ("CONOCER", Country.MX),
    "conocer-certification": ("CONOCER competency standards (RENEC)", Country.MX),
    "competency-management-committees": ("Competency Management Committees", Country.MX),
    "conalep": ("CONALEP", Country.MX),
    "mexican-dual-training-model": ("Mexican dual education model", Country.MX),
    "conalep-queretaro-dual": ("CONALEP Querétaro dual program", Country.MX),
    "stps": ("STPS", Country.MX),
    "jovenes-construyendo-el-futuro": ("Jóvenes Construyendo el Futuro", Country.MX),
    "sembrando-vida": ("Sembrando Vida (with JCF in Central America)", Country.MX),
    "mexican-talent-dashboard": ("Mexican Talent Dashboard", Country.MX),
    "queretaro-aerospace-cluster": ("Querétaro aerospace cluster", Country.MX),
    "amda": ("AMDA as JCF training centres", Country.MX),
    "pacific-alliance-certification": ("Pacific Alliance collaboration", Country.MX),
    "secretaria-de-economia": ("Ministry of Economy (host, 2nd forum)", Country.MX),
    # United States
    "registered-apprenticeship": ("Registered Apprenticeship", Country.US),
    "mssc": ("MSSC", Country.US),
    "mssc-cpt": ("MSSC certifications", Country.US),
    "fame": ("FAME", Country.US),
    "cape-fear-community-college": ("Cape Fear Community College", Country.US),
    "ge-hitachi-nuclear-energy": ("GE-Hitachi Nuclear Energy", Country.US),
    "nasco": ("NASCO", Country.US),
    "apprenticeship-finder": ("apprenticeship.gov finder", Country.US),
    "youth-apprenticeship": ("youth apprenticeship", Country.US),
    # Canada
    "red-seal": ("Red Seal Program", Country.CA),
    "foreign-credential-recognition": ("Foreign Credential Recognition Program", Country.CA),
    "caf-fca": ("Canadian Apprenticeship Forum", Country.CA),
    "testdrive-nova-scotia": ("Nova Scotia automotive Test Drive", Country.CA),
    "st-clair-college": ("St. Clair College", Country.CA),
    "martinrea": ("Martinrea", Country.CA),
    "provincial-apprenticeship-authorities": ("provincial apprenticeship authorities", Country.CA),
    "apprenticeship-incentive-grant": ("federal apprenticeship grants", Country.CA),
    "apprenticeship-completion-grant": ("federal apprenticeship grants", Country.CA),
}
FORUMS = {
    "forum-2021-dallas": ("Dallas", 2021, 12),
    "forum-2022-mexico-city": ("Mexico City", 2022, 8),
    "forum-2022-winnipeg": ("Winnipeg", 2022, 10),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT)


@pytest.mark.parametrize("item_id", sorted(REPORT_NAMES))
def test_every_name_in_the_report_has_a_card(catalog: Catalog, item_id: str) -> None:
    item = catalog.get(item_id)
    assert isinstance(item, Program | Organisation), f"missing: {REPORT_NAMES[item_id][0]}"
    assert item.country is REPORT_NAMES[item_id][1]
    for lang in ("en", "es", "fr"):
        assert item.name.get(lang).strip()
        assert item.summary.get(lang).strip()
    assert item.sources
    assert all(url.startswith("https://") for url in item.sources)


@pytest.mark.parametrize(("event_id", "expected"), sorted(FORUMS.items()))
def test_the_three_forums_are_events_with_what_happened(
    catalog: Catalog, event_id: str, expected: tuple[str, int, int]
) -> None:
    city, year, month = expected
    event = catalog.events[event_id]
    assert isinstance(event, Event)
    assert event.city.en.startswith(city)
    assert (event.starts_at.year, event.starts_at.month) == (year, month)
    assert event.status is EventStatus.HELD
    assert event.outcomes is not None
    assert all(url.startswith("https://") for url in event.sources)


def test_every_key_fact_has_a_year_and_an_https_source(catalog: Catalog) -> None:
    for item in catalog.items():
        for fact in item.key_facts:
            assert 1900 <= fact.year <= 2026, (item.id, fact.year)
            assert fact.source.startswith("https://")


def test_ended_programs_say_so_and_never_top_a_list(catalog: Catalog) -> None:
    ended = [p for p in catalog.programs.values() if p.status is Status.ENDED]
    assert {p.id for p in ended} >= {"apprenticeship-incentive-grant"}
    for program in ended:
        assert program.ended_on is not None
        listing = catalog.programs_of(program.country, program.kind)
        assert listing[0].status is Status.ACTIVE or all(p.status is Status.ENDED for p in listing)


def test_report_figures_are_attributed_with_their_year(catalog: Catalog) -> None:
    jcf = catalog.programs["jovenes-construyendo-el-futuro"]
    facts = " ".join(f.text.en for f in jcf.key_facts)
    assert "2.3 million" in facts
    assert "6 in 10" in facts or "60%" in facts
    red_seal = catalog.programs["red-seal"]
    fifty_four = [f for f in red_seal.key_facts if "54" in f.text.en]
    assert fifty_four, "the report's 54 trades is mentioned as what was said at the forum"
    assert fifty_four[0].year == 2022


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_every_region_has_an_entry_point_card_in_every_language(
    catalog: Catalog, lang: str
) -> None:
    """The promise of regional pathways: whoever picks any of the 96 regions gets the office to
    contact there, in their language, with an official link and the date it was checked."""
    from bot import screens
    from bot.domain.pathways import entry_points
    from bot.domain.regions import all_regions

    regions = all_regions()
    assert len(regions) == 13 + 51 + 32
    missing = []
    for region in regions:
        cards = [p for p in entry_points(catalog, region.code) if p.status is Status.ACTIVE]
        if not cards:
            missing.append(region.code)
            continue
        linked = [p for p in cards if p.official_url_for(lang)]
        assert linked, f"{region.code}: no entry point with an official link"
        profile = screens.Profile(lang, "job_seeker", region.country, region.code)
        for item in (cards[0], linked[0]):
            card = screens.item_card(catalog, profile, item.id, screens.Links("Bot"))
            assert card is not None
            assert item.name.get(lang) in card.plain_text, (region.code, item.id)
            assert item.last_verified.year >= 2025, (region.code, item.id)
        urls = [button.url for row in card.keyboard for button in row]
        assert linked[0].official_url_for(lang) in urls, (region.code, linked[0].id)
    assert missing == []
