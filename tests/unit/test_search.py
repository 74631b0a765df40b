"""Unit tests of the search index on a small hand-made catalog.

The catalog is tiny and written here so each test can say exactly why an item must (or must
not) come first; the realistic end-to-end table against the shipped content lives in
test_search_queries.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.catalog import synonyms as syn
from bot.catalog.catalog import Catalog
from bot.catalog.models import (
    Audience,
    Country,
    Event,
    Organisation,
    Program,
    ProgramKind,
)
from bot.catalog.normalize import MAX_QUERY_CHARS, normalize, stem, tokenize
from bot.catalog.search import SearchIndex, SearchResult, language_of


def _loc(en: str, es: str | None = None, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "es": es or en, "fr": fr or en}


def _program(pid: str, country: str, kind: str, name: dict[str, str], **extra: Any) -> Program:
    data: dict[str, Any] = {
        "id": pid,
        "country": country,
        "kind": kind,
        "audiences": extra.pop("audiences", ["job_seekers"]),
        "name": name,
        "summary": extra.pop("summary", _loc("A program.", "Un programa.", "Un programme.")),
        "sources": ["https://example.org/source"],
        "last_verified": date(2025, 1, 1),
        **extra,
    }
    return Program.model_validate(data)


def small_catalog() -> Catalog:
    """Ten items chosen to exercise one ranking rule each (imported by the property tests)."""
    programs = [
        _program(
            "red-seal",
            "ca",
            "certification",
            _loc("Red Seal Program", "Programa Sello Rojo", "Programme du Sceau rouge"),
            short_name="Red Seal",
            audiences=["job_seekers", "employers"],
            summary=_loc(
                "A certification that lets journeypersons in skilled trades work anywhere.",
                "Una certificación para oficios calificados válida en todo el país.",
                "Une certification pour les métiers spécialisés, valable partout.",
            ),
            keywords={"en": ["trades", "journeyperson", "welder"], "fr": ["métiers"]},
        ),
        _program(
            "apprentice-loan",
            "ca",
            "funding",
            _loc("Canada Apprentice Loan", "Préstamo para aprendices", "Prêt aux apprentis"),
            summary=_loc(
                "Interest-free loans for apprentices in Red Seal trades.",
                "Préstamos sin intereses para aprendices de oficios Red Seal.",
                "Prêts sans intérêt pour les apprentis des métiers Sceau rouge.",
            ),
            keywords={"en": ["red seal", "loan"]},
        ),
        _program(
            "ontario-welding",
            "ca",
            "apprenticeship",
            _loc(
                "Ontario welding apprenticeship",
                "Aprendizaje de soldadura en Ontario",
                "Apprentissage en soudage en Ontario",
            ),
            region=_loc("Ontario"),
        ),
        _program(
            "dual-mx",
            "mx",
            "dual_education",
            _loc(
                "Mexican Dual Training Model",
                "Modelo Mexicano de Formación Dual",
                "Modèle mexicain de formation duale",
            ),
            short_name="MMFD",
            audiences=["students", "employers"],
            employers=_loc(
                "Companies host students.", "Las empresas reciben alumnos.", "Les entreprises."
            ),
        ),
        _program(
            "conocer-cert",
            "mx",
            "certification",
            _loc(
                "CONOCER competency certification",
                "Certificación de competencias CONOCER",
                "Certification des compétences CONOCER",
            ),
            summary=_loc(
                "Get your work skills certified, for example in the automotive industry.",
                "Certifica tus competencias laborales, por ejemplo en la industria automotriz.",
                "Faites certifier vos compétences, par exemple dans l'automobile.",
            ),
        ),
        _program(
            "jcf",
            "mx",
            "work_training",
            _loc(
                "Jóvenes Construyendo el Futuro (Youth Building the Future)",
                "Jóvenes Construyendo el Futuro",
                "Jóvenes Construyendo el Futuro (Les jeunes bâtissent l'avenir)",
            ),
            short_name="JCF",
            audiences=["job_seekers", "employers"],
            featured=True,
            summary=_loc(
                "Paid workplace training for young people aged 18 to 29.",
                "Capacitación pagada en centros de trabajo para jóvenes de 18 a 29 años.",
                "Un stage rémunéré en milieu de travail pour les 18 à 29 ans.",
            ),
        ),
        _program(
            "us-apprenticeship",
            "us",
            "apprenticeship",
            _loc("Registered Apprenticeship", "Aprendizaje registrado", "Apprentissage enregistré"),
            summary=_loc(
                "Earn while you learn a trade such as welding or electrical work.",
                "Gana mientras aprendes un oficio como soldadura.",
                "Apprenez un métier comme le soudage tout en étant payé.",
            ),
            audiences=["job_seekers", "students"],
        ),
        _program(
            "ns-grant",
            "ca",
            "funding",
            _loc("Nova Scotia apprenticeship grant"),
            region=_loc("Nova Scotia", "Nueva Escocia", "Nouvelle-Écosse"),
            status="ended",
            ended_on=date(2024, 3, 31),
        ),
    ]
    organisations = [
        Organisation.model_validate(
            {
                "id": "conocer",
                "country": "mx",
                "kind": "certification_body",
                "name": _loc("CONOCER council", "Consejo CONOCER", "Conseil CONOCER"),
                "summary": _loc("The body behind competency standards."),
                "employers": _loc("Companies can certify their staff."),
                "sources": ["https://example.org/conocer"],
                "last_verified": date(2025, 1, 1),
            }
        )
    ]
    events = [
        Event.model_validate(
            {
                "id": "forum-dallas",
                "title": _loc(
                    "1st Trilateral Forum (Dallas, 2021)",
                    "1.er Foro Trilateral (Dallas, 2021)",
                    "1er Forum trilatéral (Dallas, 2021)",
                ),
                "start": date(2021, 11, 4),
                "timezone": "America/Chicago",
                "city": _loc("Dallas"),
                "country": "us",
                "host": _loc("NASCO"),
                "summary": _loc("Workforce leaders of the three countries met."),
                "status": "held",
                "sources": ["https://example.org/forum"],
                "last_verified": date(2025, 1, 1),
            }
        )
    ]
    return Catalog.build(programs, organisations, events)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(small_catalog())


def ids(result: SearchResult) -> list[str]:
    return [h.item_id for h in result.hits]


def top(index: SearchIndex, query: str) -> str | None:
    result = index.search(query)
    return result.hits[0].item_id if result.hits else None


# ---------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("¿Certificación?", "certificacion"),
        ("  ÉCOLE   Œuvre ", "ecole oeuvre"),
        ("«Jóvenes» ¡Construyendo!", "jovenes construyendo"),
        ("Straße ﬁnance ２０２２", "strasse finance 2022"),
        ("Nouvelle-Écosse", "nouvelle ecosse"),
        ("line\nbreak\ttab\x00nul", "line break tab nul"),
        ("<b>bold</b>", "b bold b"),
        ("🙂", ""),
    ],
)
def test_normalize_folds_accents_case_and_punctuation(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_is_bounded_by_the_inline_query_limit() -> None:
    assert len(normalize("a" * 10_000)) == MAX_QUERY_CHARS


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("trades", "trade"),
        ("empresas", "empresa"),
        ("jovenes", "joven"),
        ("empleadores", "empleador"),
        ("certificaciones", "certificacion"),
        ("companies", "company"),
        ("certificate", "certificat"),
    ],
)
def test_plural_and_cross_language_forms_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_stem_leaves_acronyms_and_years_alone() -> None:
    assert [stem(t) for t in ("jcf", "us", "2022", "status")] == ["jcf", "us", "2022", "status"]


# ---------------------------------------------------------------- matching


def test_accent_and_case_do_not_matter(index: SearchIndex) -> None:
    assert ids(index.search("certificacion")) == ids(index.search("CERTIFICACIÓN"))
    assert top(index, "jovenes construyendo el futuro") == "jcf"


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("registered aprenticeship", "us-apprenticeship"),
        ("jovenes construllendo el futuro", "jcf"),
        ("red sael", "red-seal"),
        ("ontaryo welding", "ontario-welding"),
    ],
)
def test_typos_are_corrected_against_the_vocabulary(
    index: SearchIndex, typo: str, expected: str
) -> None:
    assert top(index, typo) == expected


def test_a_typo_in_a_concept_word_still_detects_the_concept(index: SearchIndex) -> None:
    assert index.search("aprenticeship").kind is ProgramKind.APPRENTICESHIP
    assert index.search("certificasion").kind is ProgramKind.CERTIFICATION


def test_half_typed_words_match_by_prefix(index: SearchIndex) -> None:
    assert top(index, "construy futuro") == "jcf"


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("apprenticeship", ProgramKind.APPRENTICESHIP),
        ("aprendizaje", ProgramKind.APPRENTICESHIP),
        ("apprentissage", ProgramKind.APPRENTICESHIP),
        ("oficio", ProgramKind.APPRENTICESHIP),
        ("métiers", ProgramKind.APPRENTICESHIP),
        ("formation en alternance", ProgramKind.DUAL_EDUCATION),
        ("formación dual", ProgramKind.DUAL_EDUCATION),
        ("pasantía", ProgramKind.WORK_TRAINING),
        ("stage", ProgramKind.WORK_TRAINING),
        ("certificar", ProgramKind.CERTIFICATION),
        ("compétences", ProgramKind.CERTIFICATION),
        ("subvención", ProgramKind.FUNDING),
        ("prêt", ProgramKind.FUNDING),
        ("empleo", ProgramKind.JOB_SERVICE),
        ("reconocimiento de títulos", ProgramKind.CREDENTIAL_RECOGNITION),
    ],
)
def test_synonyms_in_three_languages_map_to_kinds(
    index: SearchIndex, query: str, kind: ProgramKind
) -> None:
    assert index.search(query).kind is kind


def test_a_synonym_finds_items_written_in_another_language(index: SearchIndex) -> None:
    # The Ontario card says "welding"; the Spanish and French words must reach it too.
    assert top(index, "soldadura ontario") == "ontario-welding"
    assert top(index, "soudage ontario") == "ontario-welding"
    # "stage rémunéré" is only in the French summary of JCF; "paid internship" is English.
    assert top(index, "stage rémunéré") == "jcf"
    assert top(index, "paid internship") == "jcf"


def test_question_words_are_ignored(index: SearchIndex) -> None:
    result = index.search("¿cuántos jóvenes ha formado Jóvenes Construyendo el Futuro?")
    assert result.hits[0].item_id == "jcf"
    assert result.clear_winner
    assert top(index, "how many trades are in red seal") == "red-seal"
    assert top(index, "combien de métiers Sceau rouge") == "red-seal"


@pytest.mark.parametrize("query", ["how many", "¿qué?", "combien", "what is the", "   ", ""])
def test_only_stop_words_or_nothing_gives_nothing(index: SearchIndex, query: str) -> None:
    result = index.search(query)
    assert result.hits == ()
    assert result.suggestions == ()


def test_names_outrank_keywords_and_summaries(index: SearchIndex) -> None:
    # The loan has "red seal" as a keyword and in its summary; Red Seal is its name.
    result = index.search("red seal")
    assert ids(result)[:2] == ["red-seal", "apprentice-loan"]
    assert result.clear_winner


def test_abbreviations_and_acronyms(index: SearchIndex) -> None:
    assert top(index, "JCF") == "jcf"
    assert top(index, "mmfd") == "dual-mx"
    assert top(index, "ybf") == "jcf"  # acronym of "Youth Building the Future"


def test_events_are_found_by_city_and_year(index: SearchIndex) -> None:
    assert top(index, "forum dallas") == "forum-dallas"
    assert top(index, "foro 2021") == "forum-dallas"


def test_ended_items_rank_below_active_ones(index: SearchIndex) -> None:
    result = index.search("apprenticeship canada")
    assert ids(result).index("ontario-welding") < ids(result).index("ns-grant")


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("query", "country"),
    [
        ("mexico", Country.MX),
        ("méxico", Country.MX),
        ("mexicano", Country.MX),
        ("mexicain", Country.MX),
        ("usa", Country.US),
        ("US", Country.US),
        ("U.S.", Country.US),
        ("estados unidos", Country.US),
        ("EEUU", Country.US),
        ("estadounidense", Country.US),
        ("états-unis", Country.US),
        ("canada", Country.CA),
        ("canadá", Country.CA),
        ("canadiense", Country.CA),
        ("canadien", Country.CA),
        ("ontario", Country.CA),
        ("québec", Country.CA),
        ("nueva escocia", Country.CA),
        ("nouvelle-écosse", Country.CA),
        ("texas", Country.US),
        ("north carolina", Country.US),
        ("querétaro", Country.MX),
        ("new mexico", Country.US),
    ],
)
def test_countries_demonyms_and_regions_are_filters(
    index: SearchIndex, query: str, country: Country
) -> None:
    assert index.search(query).country is country


def test_north_america_is_not_the_united_states(index: SearchIndex) -> None:
    assert index.search("north america").country is None


@pytest.mark.parametrize(
    ("query", "audience"),
    [
        ("for employers", Audience.EMPLOYERS),
        ("empresas", Audience.EMPLOYERS),
        ("empleador", Audience.EMPLOYERS),
        ("employeur", Audience.EMPLOYERS),
        ("entreprise", Audience.EMPLOYERS),
        ("students", Audience.STUDENTS),
        ("estudiantes", Audience.STUDENTS),
        ("étudiants", Audience.STUDENTS),
        ("newcomers", Audience.NEWCOMERS),
        ("nouveaux arrivants", Audience.NEWCOMERS),
    ],
)
def test_audience_words_are_filters(index: SearchIndex, query: str, audience: Audience) -> None:
    assert index.search(query).audience is audience


def test_a_query_made_only_of_filters_lists_every_match_first(index: SearchIndex) -> None:
    result = index.search("dual mexico")
    assert (result.country, result.kind) == (Country.MX, ProgramKind.DUAL_EDUCATION)
    assert ids(result) == ["dual-mx"]  # the only dual program; other Mexican items are noise
    assert result.clear_winner  # a single answer is a clear one

    result = index.search("certification mexico")
    assert ids(result)[:1] == ["conocer-cert"]
    assert not result.clear_winner  # a list was asked for, even though one item leads


def test_filter_only_audience_and_country(index: SearchIndex) -> None:
    result = index.search("for employers mexico")
    assert result.audience is Audience.EMPLOYERS
    # Programs with an employer audience or an employer section, and organisations with one.
    assert set(ids(result)[:3]) == {"dual-mx", "jcf", "conocer"}


def test_items_of_the_detected_country_rank_above_others(index: SearchIndex) -> None:
    result = index.search("apprenticeship canada")
    countries = [index_item_country(h.item_id) for h in result.hits]
    first_other = next((i for i, c in enumerate(countries) if c != "ca"), len(countries))
    assert all(c == "ca" for c in countries[:first_other])
    assert "us-apprenticeship" in ids(result)  # others still come, after


def test_a_region_word_matches_the_region_field(index: SearchIndex) -> None:
    assert top(index, "apprenticeship ontario") == "ontario-welding"
    assert top(index, "ontario") == "ontario-welding"


def test_an_ended_program_never_tops_a_filter_list(index: SearchIndex) -> None:
    # The only Nova Scotia grant has ended: the active Canadian loan comes first, then it.
    assert ids(index.search("grant nova scotia"))[:2] == ["apprentice-loan", "ns-grant"]
    # ... unless the query is its very name.
    assert top(index, "Nova Scotia apprenticeship grant") == "ns-grant"


def test_unmatched_words_are_reported_and_filters_still_answer(index: SearchIndex) -> None:
    result = index.search("plumbing canada")
    assert "plumbing" in result.unmatched
    assert result.hits
    assert all(index_item_country(h.item_id) == "ca" for h in result.hits)


# ---------------------------------------------------------------- result shape


def test_result_reports_the_normalized_query(index: SearchIndex) -> None:
    assert index.search("  ¿Certificación   AUTOMOTRIZ? ").query == "certificacion automotriz"


def test_limit_is_respected(index: SearchIndex) -> None:
    assert len(index.search("canada", limit=2).hits) == 2
    assert index.search("canada", limit=0).hits == ()


def test_scores_are_descending_within_a_tier(index: SearchIndex) -> None:
    result = index.search("certification")
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_clear_winner_needs_a_clear_lead(index: SearchIndex) -> None:
    assert index.search("JCF").clear_winner
    assert index.search("Modelo Mexicano de Formación Dual").clear_winner
    assert not index.search("certification").clear_winner


def test_suggestions_when_nothing_matches(index: SearchIndex) -> None:
    result = index.search("jfc")  # too short to correct, close enough to suggest
    assert result.hits == ()
    assert "JCF" in result.suggestions
    assert index.search("zzqxv").suggestions == ()


def test_the_index_is_built_once_not_constructed_directly() -> None:
    with pytest.raises(TypeError):
        SearchIndex()


def test_an_empty_catalog_answers_nothing() -> None:
    empty = SearchIndex.build(Catalog.build())
    result = empty.search("apprenticeship canada")
    assert result.hits == ()
    assert result.country is Country.CA


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "🙂" * 500,
        "<script>alert(1)</script>",
        "مرحبا بالعالم",
        "שלום",
        "\u202eevil\u202c",
        "\x00\x01\x02\x1b[31m",
        "a\ud800b",
        "\ufeff\u200b\u200d",
        "Z̴̡̛a̸l̷g̶o̵",
        "ﷺ" * 300,
    ],
)
def test_any_string_is_answered_without_error(index: SearchIndex, query: str) -> None:
    result = index.search(query)
    assert isinstance(result, SearchResult)
    assert len(result.hits) <= 8


# ---------------------------------------------------------------- language guess


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("¿cuántos jóvenes?", "es"),
        ("certificación automotriz", "es"),
        ("how many trades are there", "en"),
        ("apprenticeship for employers", "en"),
        ("combien de métiers", "fr"),
        ("stage rémunéré", "fr"),
        ("Red Seal", None),
        ("JCF", None),
        ("", None),
    ],
)
def test_language_of(query: str, lang: str | None) -> None:
    assert language_of(query) == lang
    assert SearchIndex.language_of(query) == lang


# ---------------------------------------------------------------- vocabulary data


def test_no_phrase_means_two_different_concepts() -> None:
    """A phrase owned by two concepts would silently go to whichever is listed first."""
    owner: dict[tuple[str, ...], str] = {}
    clashes = []
    for concept in syn.CONCEPTS:
        for _, phrase in concept.all_terms():
            key = tuple(stem(t) for t in tokenize(phrase))
            if owner.setdefault(key, concept.key) != concept.key:
                clashes.append((phrase, owner[key], concept.key))
    assert clashes == []


def test_every_kind_and_audience_has_a_concept() -> None:
    assert set(syn.KIND_CONCEPT) == set(ProgramKind)
    assert set(syn.AUDIENCE_CONCEPT) == set(Audience)
    assert set(syn.COUNTRY_CONCEPT) == set(Country)


_COUNTRY_OF = {item.id: item.country.value for item in small_catalog().items()}


def index_item_country(item_id: str) -> str:
    return _COUNTRY_OF[item_id]
