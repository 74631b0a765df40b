"""Offline location → region: known places, the sea, nonsense coordinates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.geo import region_at
from bot.domain.regions import all_regions


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (20.59, -100.39, "MX-QUE"),  # Santiago de Querétaro
        (19.43, -99.13, "MX-CMX"),  # Mexico City
        (19.29, -99.65, "MX-MEX"),  # Toluca, State of Mexico
        (45.50, -73.57, "CA-QC"),  # Montréal
        (42.31, -83.04, "CA-ON"),  # Windsor, across the river from Detroit
        (62.45, -114.37, "CA-NT"),  # Yellowknife
        (63.75, -68.52, "CA-NU"),  # Iqaluit
        (35.05, -78.88, "US-NC"),  # Fayetteville
        (38.90, -77.04, "US-DC"),  # Washington
        (61.22, -149.90, "US-AK"),  # Anchorage
        (21.31, -157.86, "US-HI"),  # Honolulu
    ],
)
def test_known_places(lat: float, lon: float, code: str) -> None:
    found = region_at(lat, lon)
    assert found is not None
    assert found.code == code


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(48.85, 2.35), (0.0, 0.0), (-33.9, 151.2), (30.0, -40.0), (91.0, 0.0), (0.0, 181.0)],
)
def test_outside_the_three_countries_or_invalid(lat: float, lon: float) -> None:
    assert region_at(lat, lon) is None


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_any_coordinates_give_a_known_region_or_none(lat: float, lon: float) -> None:
    found = region_at(lat, lon)
    assert found is None or found in all_regions()
