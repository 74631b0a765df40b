"""Search vocabulary as data: concepts (synonyms across en/es/fr), places and stop words.

Kept apart from the index code so an editor can add "soldador" or a missing province without
touching the ranking. Every term is written the way people write it (accents, capitals); the
index folds them the same way it folds queries, so spelling here is only for display.

A concept is a bag of phrases that mean the same thing for a searcher. Concepts that carry a
kind, an audience or a country are *filters*: a query made only of filter words ("dual
mexico", "for employers canada") lists everything that matches them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.catalog.models import Audience, Country, OrganisationKind, ProgramKind


@dataclass(frozen=True, slots=True)
class Concept:
    """Phrases in en/es/fr that a searcher uses for the same idea."""

    key: str
    display: Mapping[str, str]
    """The word to show for this concept per language ("did you mean ...")."""
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    kind: ProgramKind | None = None
    audience: Audience | None = None
    country: Country | None = None
    region: bool = False
    """A province, state or city: implies `country` and also matches items' region/city."""

    @property
    def is_filter(self) -> bool:
        return self.kind is not None or self.audience is not None or self.country is not None

    @property
    def is_topical(self) -> bool:
        """Says *what* is wanted (a kind, a trade), not only *where* or *for whom*.

        An item matching only "canada" in "welding canada" is not an answer; one matching
        "apprenticeship" in "apprenticeship welding ontario" partly is.
        """
        return self.country is None and self.audience is None

    def all_terms(self) -> list[tuple[str, str]]:
        """(language, phrase) pairs, display words included."""
        out = [(lang, word) for lang, word in self.display.items()]
        out += [(lang, t) for lang, ts in self.terms.items() for t in ts]
        return out


def _c(
    key: str,
    en: tuple[str, ...],
    es: tuple[str, ...],
    fr: tuple[str, ...],
    **attrs: object,
) -> Concept:
    """First term of each language is its display form."""
    return Concept(
        key=key,
        display={"en": en[0], "es": es[0], "fr": fr[0]},
        terms={"en": en[1:], "es": es[1:], "fr": fr[1:]},
        **attrs,  # type: ignore[arg-type]
    )


KIND_CONCEPTS: tuple[Concept, ...] = (
    _c(
        "kind:apprenticeship",
        (
            "apprenticeship",
            "apprenticeships",
            "apprentice",
            "apprentices",
            "trade",
            "trades",
            "skilled trades",
            "journeyman",
            "journeyperson",
        ),
        (
            "aprendizaje",
            "aprendiz",
            "aprendices",
            "oficio",
            "oficios",
            "programa de aprendices",
            "formación de aprendices",
        ),
        (
            "apprentissage",
            "apprenti",
            "apprentie",
            "apprentis",
            "métier",
            "métiers",
            "métiers spécialisés",
            "compagnon",
            "compagnonnage",
        ),
        kind=ProgramKind.APPRENTICESHIP,
    ),
    _c(
        "kind:dual",
        (
            "dual education",
            "dual",
            "dual training",
            "dual system",
            "work-study",
            "school and company",
        ),
        (
            "formación dual",
            "dual",
            "educación dual",
            "modelo dual",
            "sistema dual",
            "escuela empresa",
        ),
        (
            "formation en alternance",
            "alternance",
            "formation duale",
            "dual",
            "études-travail",
            "école entreprise",
        ),
        kind=ProgramKind.DUAL_EDUCATION,
    ),
    _c(
        "kind:certification",
        (
            "certification",
            "certifications",
            "certificate",
            "certified",
            "get certified",
            "certify",
            "competency",
            "competencies",
            "skills certification",
            "credential",
        ),
        (
            "certificación",
            "certificaciones",
            "certificado",
            "certificar",
            "certificarme",
            "certificarse",
            "certifico",
            "competencia",
            "competencias",
            "estándar de competencia",
            "estándares de competencia",
        ),
        ("certification", "certificat", "certifié", "certifier", "compétence", "compétences"),
        kind=ProgramKind.CERTIFICATION,
    ),
    _c(
        "kind:work_training",
        (
            "internship",
            "internships",
            "intern",
            "interns",
            "work experience",
            "on-the-job training",
            "paid training",
            "work placement",
            "job training",
        ),
        (
            "pasantía",
            "pasantías",
            "prácticas",
            "prácticas profesionales",
            "becario",
            "becarios",
            "becaria",
            "capacitación en el trabajo",
            "pasante",
        ),
        (
            "stage",
            "stages",
            "stagiaire",
            "stage rémunéré",
            "formation en milieu de travail",
            "expérience de travail",
        ),
        kind=ProgramKind.WORK_TRAINING,
    ),
    _c(
        "kind:credential_recognition",
        (
            "credential recognition",
            "foreign credentials",
            "foreign credential",
            "recognition of credentials",
            "foreign qualifications",
            "foreign degree",
            "credential assessment",
            "recognize",
            "recognise",
            "recognized",
            "recognised",
        ),
        (
            "reconocimiento de títulos",
            "títulos extranjeros",
            "diplomas extranjeros",
            "revalidación",
            "revalidación de estudios",
            "reconocimiento de credenciales",
            "equivalencia de estudios",
            "homologación",
            "homologar",
            "revalidar",
            "reconocer",
        ),
        (
            "reconnaissance des titres",
            "titres étrangers",
            "diplômes étrangers",
            "reconnaissance des diplômes",
            "reconnaissance des acquis",
            "équivalence",
            "reconnaître",
            "faire reconnaître",
        ),
        kind=ProgramKind.CREDENTIAL_RECOGNITION,
    ),
    _c(
        "kind:funding",
        (
            "grant",
            "grants",
            "funding",
            "loan",
            "loans",
            "bursary",
            "financial support",
            "financial aid",
            "incentive",
            "money",
            "tax credit",
        ),
        (
            "beca",
            "becas",
            "subvención",
            "subsidio",
            "préstamo",
            "préstamos",
            "apoyo económico",
            "financiamiento",
            "incentivo",
            "dinero",
        ),
        (
            "subvention",
            "subventions",
            "prêt",
            "prêts",
            "bourse",
            "aide financière",
            "financement",
            "incitatif",
            "argent",
        ),
        kind=ProgramKind.FUNDING,
    ),
    _c(
        "kind:job_service",
        (
            "job",
            "jobs",
            "employment",
            "job board",
            "job search",
            "vacancies",
            "vacancy",
            "job offers",
            "job postings",
        ),
        (
            "empleo",
            "empleos",
            "trabajo",
            "trabajos",
            "vacante",
            "vacantes",
            "bolsa de trabajo",
            "ofertas de empleo",
        ),
        (
            "emploi",
            "emplois",
            "travail",
            "offres d'emploi",
            "recherche d'emploi",
        ),
        kind=ProgramKind.JOB_SERVICE,
    ),
    _c(
        "kind:labour_market_info",
        (
            "labour market information",
            "labour market",
            "labor market",
            "wages",
            "salaries",
            "statistics",
            "labour market data",
            "in-demand jobs",
        ),
        (
            "información del mercado laboral",
            "mercado laboral",
            "mercado de trabajo",
            "salarios",
            "estadísticas",
            "observatorio laboral",
        ),
        ("information sur le marché du travail", "marché du travail", "salaires", "statistiques"),
        kind=ProgramKind.LABOUR_MARKET_INFO,
    ),
)

AUDIENCE_CONCEPTS: tuple[Concept, ...] = (
    _c(
        "aud:employers",
        (
            "employers",
            "employer",
            "for employers",
            "company",
            "companies",
            "business",
            "businesses",
            "hire apprentices",
            "hiring",
        ),
        (
            "empresas",
            "empresa",
            "empleador",
            "empleadores",
            "para empresas",
            "patrón",
            "patrones",
            "empresarios",
            "contratar",
        ),
        (
            "employeurs",
            "employeur",
            "entreprise",
            "entreprises",
            "pour les employeurs",
            "embaucher",
        ),
        audience=Audience.EMPLOYERS,
    ),
    _c(
        "aud:students",
        ("students", "student", "high school", "pupils"),
        ("estudiantes", "estudiante", "alumnos", "alumno", "bachillerato", "preparatoria"),
        ("étudiants", "étudiant", "étudiante", "élèves", "élève", "lycée"),
        audience=Audience.STUDENTS,
    ),
    _c(
        "aud:job_seekers",
        ("job seekers", "job seeker", "unemployed", "looking for work", "looking for a job"),
        (
            "buscadores de empleo",
            "desempleados",
            "desempleado",
            "busco trabajo",
            "busco empleo",
            "sin empleo",
        ),
        ("chercheurs d'emploi", "chômeurs", "chômeur", "sans emploi", "demandeurs d'emploi"),
        audience=Audience.JOB_SEEKERS,
    ),
    _c(
        "aud:newcomers",
        ("newcomers", "newcomer", "immigrants", "immigrant", "refugees", "migrants"),
        (
            "inmigrantes",
            "inmigrante",
            "recién llegados",
            "recién llegado",
            "migrantes",
            "migrante",
            "refugiados",
        ),
        (
            "nouveaux arrivants",
            "nouvel arrivant",
            "nouvelle arrivante",
            "immigrants",
            "immigrant",
            "immigrante",
            "réfugiés",
        ),
        audience=Audience.NEWCOMERS,
    ),
    _c(
        "aud:educators",
        (
            "educators",
            "educator",
            "teachers",
            "teacher",
            "instructors",
            "counsellors",
            "counselors",
        ),
        ("docentes", "docente", "maestros", "maestro", "profesores", "profesor", "orientadores"),
        ("enseignants", "enseignant", "éducateurs", "professeurs", "conseillers"),
        audience=Audience.EDUCATORS,
    ),
)

TOPIC_CONCEPTS: tuple[Concept, ...] = (
    # Cross-language synonyms without a filter: they widen recall, they do not narrow.
    _c(
        "topic:youth",
        ("youth", "young people", "young"),
        ("jóvenes", "joven", "juventud"),
        ("jeunes", "jeune", "jeunesse"),
    ),
    _c(
        "topic:forum",
        ("forum", "forums", "conference", "summit", "event", "events", "trilateral forum"),
        ("foro", "foros", "conferencia", "cumbre", "evento", "eventos", "foro trilateral"),
        ("forum", "forums", "conférence", "sommet", "événement", "événements", "forum trilatéral"),
    ),
    _c(
        "topic:training",
        ("training", "skills training", "vocational training"),
        ("capacitación", "formación", "formación profesional", "entrenamiento"),
        ("formation", "formation professionnelle"),
    ),
    _c(
        "topic:paid",
        # Not "salary"/"wage": those ask for labour-market figures (kind:labour_market_info).
        ("paid", "stipend", "earn while you learn"),
        ("remunerado", "remunerada", "pagado", "pagada", "apoyo mensual"),
        ("rémunéré", "rémunérée", "payé", "allocation"),
    ),
    _c(
        "topic:welding",
        ("welding", "welder", "welders"),
        ("soldadura", "soldador", "soldadores"),
        ("soudage", "soudeur", "soudeurs"),
    ),
    _c(
        "topic:automotive",
        (
            "automotive",
            "auto",
            "cars",
            "vehicle",
            "vehicles",
            "auto industry",
            "car dealers",
            "dealerships",
        ),
        (
            "automotriz",
            "automotor",
            "automotores",
            "autos",
            "vehículos",
            "coches",
            "distribuidores de automotores",
        ),
        ("automobile", "automobiles", "véhicule", "véhicules", "industrie automobile"),
    ),
    _c(
        "topic:aerospace",
        ("aerospace", "aviation", "aircraft", "aeronautics"),
        ("aeroespacial", "aeronáutica", "aviación", "aeronaves"),
        ("aérospatiale", "aéronautique", "aviation", "aéronefs"),
    ),
    _c(
        "topic:manufacturing",
        ("manufacturing", "manufacture", "factory", "production", "advanced manufacturing"),
        ("manufactura", "fabricación", "fábrica", "producción"),
        ("fabrication", "manufacturier", "usine", "production"),
    ),
    _c(
        "topic:nuclear",
        ("nuclear", "nuclear energy"),
        ("nuclear", "energía nuclear"),
        ("nucléaire", "énergie nucléaire"),
    ),
    _c(
        "topic:construction",
        ("construction", "building trades"),
        ("construcción",),
        ("construction", "bâtiment"),
    ),
    _c(
        "topic:agriculture",
        ("agriculture", "farming", "farmers", "agroforestry", "rural", "trees"),
        ("agricultura", "campo", "campesinos", "agroforestal", "sembradores", "árboles"),
        ("agriculture", "agricole", "agriculteurs", "agroforesterie", "arbres"),
    ),
    _c(
        "topic:electrician",
        ("electrician", "electricians", "electrical"),
        ("electricista", "electricistas", "eléctrico"),
        ("électricien", "électriciens", "électrique"),
    ),
    _c(
        "topic:plumber",
        ("plumber", "plumbers", "plumbing"),
        ("plomero", "plomería", "fontanero"),
        ("plombier", "plomberie"),
    ),
    _c(
        "topic:mechanic",
        ("mechanic", "mechanics", "technician", "maintenance"),
        ("mecánico", "mecánicos", "técnico", "mantenimiento"),
        ("mécanicien", "mécaniciens", "technicien", "entretien"),
    ),
    _c(
        "topic:carpenter",
        ("carpenter", "carpentry"),
        ("carpintero", "carpintería"),
        ("charpentier", "menuisier", "charpenterie", "menuiserie"),
    ),
    _c(
        "topic:cook",
        ("cook", "chef", "culinary"),
        ("cocinero", "chef", "cocina"),
        ("cuisinier", "chef", "cuisine"),
    ),
    _c(
        "topic:college",
        ("college", "community college", "technical school", "vocational school"),
        ("colegio", "escuela técnica", "bachillerato técnico", "plantel"),
        ("collège", "cégep", "école technique", "école professionnelle"),
    ),
    _c(
        "topic:government",
        ("government", "ministry", "department", "federal"),
        ("gobierno", "secretaría", "dependencia", "federal"),
        ("gouvernement", "ministère", "fédéral"),
    ),
    _c(
        "topic:trade_agreement",
        ("usmca", "trade agreement", "nafta", "cusma"),
        ("t-mec", "tmec", "tratado comercial", "tlcan"),
        ("aceum", "accord commercial", "alena"),
    ),
    # Listed so "North America" is not read as the United States.
    _c(
        "topic:north_america",
        ("North America", "north american", "trilateral"),
        ("Norteamérica", "américa del norte", "trilateral"),
        ("Amérique du Nord", "nord-américain", "trilatéral"),
    ),
)


COUNTRY_CONCEPTS: tuple[Concept, ...] = (
    _c(
        "country:mx",
        ("Mexico", "mexican", "mexicans"),
        ("México", "mexicano", "mexicana", "mexicanos", "mexicanas", "méjico", "mex"),
        ("Mexique", "mexicain", "mexicaine", "mexicains"),
        country=Country.MX,
    ),
    _c(
        "country:us",
        (
            "United States",
            "us",
            "usa",
            "u s",
            "u s a",
            "america",
            "american",
            "americans",
            "united states of america",
        ),
        (
            "Estados Unidos",
            "eeuu",
            "ee uu",
            "eua",
            "estadounidense",
            "estadounidenses",
            "estados unidos de américa",
        ),
        ("États-Unis", "é u", "américain", "américaine", "américains", "amérique"),
        country=Country.US,
    ),
    _c(
        "country:ca",
        ("Canada", "canadian", "canadians"),
        ("Canadá", "canadiense", "canadienses"),
        ("Canada", "canadien", "canadienne", "canadiens"),
        country=Country.CA,
    ),
)

# Provinces, states and cities people name in queries. Each name implies its country and also
# matches an item's `region` (programs) or `city` (events).
_PLACES: tuple[tuple[Country, str, tuple[str, ...]], ...] = (
    # Canada
    (Country.CA, "Ontario", ()),
    (Country.CA, "Quebec", ("québec",)),
    (Country.CA, "Nova Scotia", ("nueva escocia", "nouvelle-écosse", "ns")),
    (Country.CA, "New Brunswick", ("nuevo brunswick", "nouveau-brunswick")),
    (
        Country.CA,
        "Prince Edward Island",
        ("isla del príncipe eduardo", "île-du-prince-édouard", "pei"),
    ),
    (
        Country.CA,
        "Newfoundland and Labrador",
        (
            "newfoundland",
            "terranova",
            "terranova y labrador",
            "terre-neuve-et-labrador",
            "terre-neuve",
        ),
    ),
    (Country.CA, "Manitoba", ()),
    (Country.CA, "Saskatchewan", ()),
    (Country.CA, "Alberta", ()),
    (Country.CA, "British Columbia", ("columbia británica", "colombie-britannique", "bc")),
    (Country.CA, "Yukon", ()),
    (
        Country.CA,
        "Northwest Territories",
        ("territorios del noroeste", "territoires du nord-ouest"),
    ),
    (Country.CA, "Nunavut", ()),
    (Country.CA, "Toronto", ()),
    (Country.CA, "Montreal", ("montréal",)),
    (Country.CA, "Ottawa", ()),
    (Country.CA, "Vancouver", ()),
    (Country.CA, "Winnipeg", ()),
    (Country.CA, "Halifax", ()),
    (Country.CA, "Windsor", ()),
    (Country.CA, "Calgary", ()),
    # Mexico
    (Country.MX, "Querétaro", ("queretaro",)),
    (Country.MX, "Mexico City", ("ciudad de méxico", "cdmx", "df", "ville de mexico", "mexico df")),
    (Country.MX, "Guanajuato", ()),
    (Country.MX, "Nuevo León", ("nuevo leon",)),
    (Country.MX, "Monterrey", ()),
    (Country.MX, "Jalisco", ()),
    (Country.MX, "Guadalajara", ()),
    (Country.MX, "Coahuila", ()),
    (Country.MX, "Chihuahua", ()),
    (Country.MX, "Baja California", ()),
    (Country.MX, "Tijuana", ()),
    (Country.MX, "Sonora", ()),
    (Country.MX, "Puebla", ()),
    (Country.MX, "Estado de México", ("edomex",)),
    (Country.MX, "Aguascalientes", ()),
    (Country.MX, "San Luis Potosí", ()),
    (Country.MX, "Yucatán", ()),
    (Country.MX, "Veracruz", ()),
    (Country.MX, "Oaxaca", ()),
    (Country.MX, "Chiapas", ()),
    (Country.MX, "Tabasco", ()),
    # United States
    (Country.US, "Texas", ()),
    (Country.US, "North Carolina", ("carolina del norte", "caroline du nord", "nc")),
    (Country.US, "South Carolina", ("carolina del sur", "caroline du sud")),
    (Country.US, "California", ("californie",)),
    (Country.US, "New York", ("nueva york",)),
    (Country.US, "Michigan", ()),
    (Country.US, "Ohio", ()),
    (Country.US, "Illinois", ()),
    (Country.US, "Indiana", ()),
    (Country.US, "Kentucky", ()),
    (Country.US, "Tennessee", ()),
    (Country.US, "Georgia", ("géorgie",)),
    (Country.US, "Florida", ("floride",)),
    (Country.US, "Arizona", ()),
    (Country.US, "New Mexico", ("nuevo méxico", "nouveau-mexique")),
    (Country.US, "Alabama", ()),
    (Country.US, "Wisconsin", ()),
    (Country.US, "Pennsylvania", ("pensilvania", "pennsylvanie")),
    (Country.US, "Washington", ()),
    (Country.US, "Dallas", ()),
    (Country.US, "Houston", ()),
    (Country.US, "Chicago", ()),
    (Country.US, "Detroit", ()),
    (Country.US, "Wilmington", ()),
)


def _place_key(name: str) -> str:
    return "place:" + "-".join(name.casefold().replace("-", " ").split())


PLACE_CONCEPTS: tuple[Concept, ...] = tuple(
    Concept(
        key=_place_key(name),
        display={"en": name, "es": name, "fr": name},
        terms={"": aliases},
        country=country,
        region=True,
    )
    for country, name, aliases in _PLACES
)

CONCEPTS: tuple[Concept, ...] = (
    *KIND_CONCEPTS,
    *AUDIENCE_CONCEPTS,
    *TOPIC_CONCEPTS,
    *COUNTRY_CONCEPTS,
    *PLACE_CONCEPTS,
)

KIND_CONCEPT: Mapping[ProgramKind, str] = {c.kind: c.key for c in KIND_CONCEPTS if c.kind}
AUDIENCE_CONCEPT: Mapping[Audience, str] = {
    c.audience: c.key for c in AUDIENCE_CONCEPTS if c.audience
}
COUNTRY_CONCEPT: Mapping[Country, str] = {c.country: c.key for c in COUNTRY_CONCEPTS if c.country}

ORGANISATION_KIND_CONCEPT: Mapping[OrganisationKind, str] = {
    OrganisationKind.CERTIFICATION_BODY: "kind:certification",
    OrganisationKind.COLLEGE: "topic:college",
    OrganisationKind.GOVERNMENT: "topic:government",
}
"""Organisations have no ProgramKind; these give them a weak link to the matching concept."""

EVENT_CONCEPT = "topic:forum"

GENERIC_NAME_WORDS: frozenset[str] = frozenset(
    {
        "program",
        "programs",
        "programa",
        "programas",
        "programme",
        "programmes",
        "initiative",
        "iniciativa",
    }
)
"""Dropped to make a shorter alias of a name: "Red Seal Program" is also "Red Seal"."""

# Stop words, already folded (no accents). Question words are here on purpose: "how many",
# "cuántos", "combien" carry no topic. Single letters are treated as stop words by the index.
STOP_WORDS: Mapping[str, frozenset[str]] = {
    "en": frozenset(
        """a an the of and or in on at to for from by with about into onto is are was were be
        been being do does did done can could may might will would should shall must how many
        much what which who whom whose where when why there here their theirs this that these
        those it its i me my we our you your he she they them his her have has had get got any
        some all more most no not as if so than then also just please want wanted need needs
        looking show tell give list info information about like up out over
        under per via i'm im there's what's whats one ones other such make getting am isnt
        dont cant doesnt""".split()
    ),
    "es": frozenset(
        """el la los las un una unos unas lo de del al y o u e en a con por para sin sobre
        entre hasta desde que cual cuales cuanto cuantos cuanta cuantas como donde cuando
        quien quienes es son ser sido fue fueron esta estan estar hay ha han he has habia
        tiene tienen tener se su sus mi mis me te tu tus le les este estos estas ese esa esos
        esas eso esto muy mas menos ya no si puedo puede pueden quiero quisiera necesito
        busco buscar saber informacion info cerca otro otra otros otras hacer hago obtener
        soy estoy tengo""".split()
    ),
    "fr": frozenset(
        """le la les l un une des de du d et ou en au aux a avec pour par sans sur dans entre
        chez vers que qu qui quoi quel quelle quels quelles combien comment ou quand pourquoi
        est sont etre ete il elle ils elles on y ce cet cette ces ca se sa son ses mon ma mes
        je j me m tu te t nous vous leur leurs ne n pas plus moins tres veux voudrais cherche
        chercher savoir infos information informations autre autres faire fais fait obtenir
        suis ai""".split()
    ),
}

ALL_STOP_WORDS: frozenset[str] = frozenset().union(*STOP_WORDS.values())

LANGUAGE_CHARS: Mapping[str, str] = {
    "es": "ñ¿¡áíóú",
    "fr": "èêàçùœâîôûëïÿ",
}
"""Characters that, typed in the raw query, point to one language (é is shared, so absent)."""
