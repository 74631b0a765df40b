"""A large, plausible, trilingual synthetic catalog and a latency harness for the search.

The shipped catalog has ~60 items, so it cannot show how the index scales. This module builds
n valid `Program`s (validated by the real models, so the bench indexes what production would)
from word lists: every country, kind and audience, names/keywords/summaries in en/es/fr, and a
few thousand invented brand words so the vocabulary — what fuzzy correction scans — grows the
way a real one would. It is deterministic for a given seed.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from bot.catalog.catalog import Catalog
from bot.catalog.models import Audience, Country, Program, ProgramKind
from bot.catalog.search import SearchIndex

# (en, es, fr) triples.
_TRADES: tuple[tuple[str, str, str], ...] = (
    ("welding", "soldadura", "soudage"),
    ("electrician", "electricista", "électricien"),
    ("plumbing", "plomería", "plomberie"),
    ("carpentry", "carpintería", "charpenterie"),
    ("automotive", "automotriz", "automobile"),
    ("aerospace", "aeroespacial", "aérospatiale"),
    ("machining", "maquinado", "usinage"),
    ("mechatronics", "mecatrónica", "mécatronique"),
    ("nursing", "enfermería", "soins infirmiers"),
    ("logistics", "logística", "logistique"),
    ("hospitality", "hotelería", "hôtellerie"),
    ("culinary", "cocina", "cuisine"),
    ("construction", "construcción", "construction"),
    ("HVAC", "climatización", "CVC"),
    ("robotics", "robótica", "robotique"),
    ("software", "software", "logiciel"),
    ("agriculture", "agricultura", "agriculture"),
    ("mining", "minería", "exploitation minière"),
    ("energy", "energía", "énergie"),
    ("textiles", "textil", "textile"),
    ("pharmaceutical", "farmacéutica", "pharmaceutique"),
    ("electronics", "electrónica", "électronique"),
    ("masonry", "albañilería", "maçonnerie"),
    ("trucking", "autotransporte", "camionnage"),
)

_KINDS: dict[ProgramKind, tuple[str, str, str]] = {
    ProgramKind.APPRENTICESHIP: ("apprenticeship", "aprendizaje", "apprentissage"),
    ProgramKind.DUAL_EDUCATION: ("dual training", "formación dual", "formation en alternance"),
    ProgramKind.CERTIFICATION: ("certification", "certificación", "certification"),
    ProgramKind.WORK_TRAINING: ("internship", "prácticas profesionales", "stage"),
    ProgramKind.CREDENTIAL_RECOGNITION: (
        "credential recognition",
        "reconocimiento de títulos",
        "reconnaissance des titres",
    ),
    ProgramKind.FUNDING: ("grant", "beca", "subvention"),
    ProgramKind.JOB_SERVICE: ("job board", "bolsa de trabajo", "guichet d'emplois"),
    ProgramKind.LABOUR_MARKET_INFO: (
        "labour market data",
        "datos del mercado laboral",
        "données du marché du travail",
    ),
}

_ADJECTIVES: tuple[tuple[str, str, str], ...] = (
    ("advanced", "avanzado", "avancé"),
    ("youth", "juvenil", "jeunesse"),
    ("regional", "regional", "régional"),
    ("national", "nacional", "national"),
    ("rural", "rural", "rural"),
    ("digital", "digital", "numérique"),
    ("green", "verde", "vert"),
    ("women's", "para mujeres", "pour femmes"),
    ("summer", "de verano", "d'été"),
    ("industrial", "industrial", "industriel"),
)

_REGIONS: dict[Country, tuple[str, ...]] = {
    Country.MX: ("Querétaro", "Nuevo León", "Jalisco", "Guanajuato", "Coahuila", "Puebla"),
    Country.US: ("Texas", "North Carolina", "Michigan", "Ohio", "California", "Kentucky"),
    Country.CA: ("Ontario", "Quebec", "Nova Scotia", "Manitoba", "Alberta", "British Columbia"),
}

_SYLLABLES = (
    "ka ri to va lo me na sa te ro ki lu da po ne mi ta re co la si ve zo ba nu fe gi".split()
)

_SUMMARY = (
    "{Adj} {trade} {kind} in {region} for people who want a career in {trade}. "
    "Run by {brand} with local employers; {hours} hours of paid training.",
    "{Kind_es} {adj_es} de {trade_es} en {region} con empresas locales; lo opera {brand}, "
    "con {hours} horas de capacitación pagada.",
    "{Kind_fr} {adj_fr} en {trade_fr} à {region}, avec des employeurs locaux; géré par "
    "{brand}, {hours} heures de formation rémunérée.",
)

SYNTHETIC_QUERIES: tuple[str, ...] = (
    "apprenticeship welding Ontario",
    "certificación automotriz",
    "stage rémunéré",
    "how many trades red seal",
    "aprenticeship",
    "certificacion",
    "dual Mexico",
    "for employers canada",
    "beca de soldadura en querétaro",
    "formation en alternance mécatronique",
    "roboticss internship texas",
    "job board",
    "what grants are there for women's carpentry",
    "xyzzy qwerty",
    "¿cuántos programas de enfermería hay en Jalisco?",
    "combien de stages en logistique au Québec",
)
"""Realistic shapes: filters only, typos, questions, no-hit; used by `python -m bench`."""


def _brands(rng: random.Random, count: int) -> list[str]:
    """Invented proper nouns ("Tekora"): they make the vocabulary grow with the catalog."""
    out: set[str] = set()
    while len(out) < count:
        out.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize())
    return sorted(out)


def _program(i: int, rng: random.Random, brands: Sequence[str]) -> dict[str, Any]:
    country = rng.choice(list(Country))
    kind = rng.choice(list(ProgramKind))
    trade = rng.choice(_TRADES)
    adj = rng.choice(_ADJECTIVES)
    region = rng.choice(_REGIONS[country])
    brand = rng.choice(brands)
    k_en, k_es, k_fr = _KINDS[kind]
    fill = {
        "Adj": adj[0].capitalize(),
        "Kind_es": k_es.capitalize(),
        "adj_fr": adj[2],
        "Kind_fr": k_fr.capitalize(),
        "kind": k_en,
        "adj_es": adj[1],
        "trade": trade[0],
        "trade_es": trade[1],
        "trade_fr": trade[2],
        "region": region,
        "brand": brand,
        "hours": rng.randrange(100, 2000, 50),
    }
    audiences = rng.sample(list(Audience), rng.randint(1, 3))
    return {
        "id": f"syn-{i}",
        "country": country.value,
        "kind": kind.value,
        "audiences": [a.value for a in audiences],
        "name": {
            "en": f"{brand} {adj[0]} {trade[0]} {k_en}",
            "es": f"{k_es.capitalize()} de {trade[1]} {adj[1]} {brand}",
            "fr": f"{k_fr.capitalize()} {adj[2]} en {trade[2]} {brand}",
        },
        "short_name": f"{brand} {i}"[:30] if rng.random() < 0.3 else None,
        "summary": {
            "en": _SUMMARY[0].format(**fill),
            "es": _SUMMARY[1].format(**fill),
            "fr": _SUMMARY[2].format(**fill),
        },
        "region": {"en": region, "es": region, "fr": region},
        "keywords": {
            "en": [trade[0], k_en, brand],
            "es": [trade[1], k_es],
            "fr": [trade[2], k_fr],
        },
        "employers": (
            {
                "en": f"Employers in {region} host {trade[0]} trainees.",
                "es": f"Empresas de {region} reciben aprendices de {trade[1]}.",
                "fr": f"Des employeurs de {region} accueillent des apprentis en {trade[2]}.",
            }
            if Audience.EMPLOYERS in audiences
            else None
        ),
        "sources": [f"https://synthetic.invalid/p/{i}"],
        "last_verified": date(2025, 1, 1),
    }


def synthetic_catalog(n: int, seed: int = 0) -> Catalog:
    """n valid, varied programs across every country, kind and audience; deterministic."""
    rng = random.Random(seed)
    brands = _brands(rng, max(50, n // 4))
    programs = [Program.model_validate(_program(i, rng, brands)) for i in range(n)]
    return Catalog.build(programs)


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def bench_search(index: SearchIndex, queries: Iterable[str], repeat: int = 20) -> dict[str, float]:
    """Latency of `index.search` per call, in milliseconds (p50/p90/p99/max/mean).

    Each query runs `repeat` times, interleaved (all queries, then again) so caches and the
    allocator see a realistic mix rather than one query hammered in a loop.
    """
    qs = list(queries)
    samples: list[float] = []
    for _ in range(max(1, repeat)):
        for q in qs:
            start = time.perf_counter_ns()
            index.search(q)
            samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return {
        "queries": float(len(qs)),
        "calls": float(len(samples)),
        "p50_ms": _percentile(samples, 0.50),
        "p90_ms": _percentile(samples, 0.90),
        "p99_ms": _percentile(samples, 0.99),
        "max_ms": samples[-1] if samples else 0.0,
        "mean_ms": statistics.fmean(samples) if samples else 0.0,
    }
