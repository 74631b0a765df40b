"""Regions as data: every province, territory and state (and DC), named in every language."""

from __future__ import annotations

from bot.domain.regions import all_regions, region, regions_of


def test_every_region_of_the_three_countries() -> None:
    assert len(regions_of("ca")) == 13
    assert len(regions_of("us")) == 51  # 50 states + DC; outlying areas are not regions here
    assert len(regions_of("mx")) == 32
    codes = [r.code for r in all_regions()]
    assert len(codes) == len(set(codes)) == 96


def test_names_in_every_language() -> None:
    for r in all_regions():
        for lang in ("en", "es", "fr"):
            assert r.name(lang).strip()
    assert region("CA-QC").name("fr") == "Québec"  # type: ignore[union-attr]
    assert region("US-NC").name("es") == "Carolina del Norte"  # type: ignore[union-attr]
    assert region("CA-BC").name("fr") == "Colombie-Britannique"  # type: ignore[union-attr]
    assert region("MX-MEX").name("es") == "Estado de México"  # type: ignore[union-attr]


def test_lookup_is_case_insensitive_and_refuses_the_unknown() -> None:
    assert region("ca-on") is region("CA-ON")
    assert region("US-PR") is None  # an outlying area
    assert region("XX-YY") is None
    assert region("") is None
