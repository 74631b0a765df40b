"""Full-text search over the catalog in en/es/fr at once.

People type in whatever language comes to mind, with typos, without accents, as questions
("¿cuántos jóvenes ha formado Jóvenes Construyendo el Futuro?") or as bare filters ("dual
mexico"). `SearchIndex.build` does all the heavy lifting once per catalog (load and reload);
`SearchIndex.search` only looks things up in dictionaries, so a query costs well under a
millisecond on the shipped catalog and stays bounded on a large one.

How a query is answered:

1. Cut to 256 characters / 48 words (Telegram's inline-query limit) and folded
   (`normalize`: NFKD, combining marks dropped, casefold, punctuation = space), then a tiny
   plural folding (`stem`) shared with the index.
2. Words unknown to the index are corrected against its vocabulary with rapidfuzz
   (`process.extract` + `fuzz.ratio` with a cutoff, re-ranked by OSA distance and word
   frequency) and, for half-typed words, by prefix.
3. Concept phrases are found, longest first (`synonyms.py`): "formation en alternance" → dual
   education, "for employers" → employers, "Ontario" → Canada, "soldadura" → welding.
   Concepts with a kind, an audience or a country are filters; the others are synonyms.
4. Each concept and each remaining non-stop word is looked up in an inverted index (term →
   {item: field weight × idf}); adjacent word pairs of names score on top; an item whose
   name, short name or keyword appears whole in the query (in any order) gets a phrase bonus.
5. Ranking: a query made only of filters lists every item matching all of them first;
   otherwise items that match the topic in the detected country come first, then other
   topical matches, then items that matched only a filter word.

On a large catalog a kind, a country or a word of every summary matches thousands of items,
and scoring them all costs more than a plain scan of the catalog. So parts of the query that
match more than `SearchIndex._broad` items are only looked up for the items the narrower parts
(and, for a filter-only query, the filters) found; a bound on what the skipped items could
score proves they cannot be listed, or the whole query is scored as before (`_pruned`). The
answer is the same either way; tests compare the two paths.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.catalog import synonyms as syn
from bot.catalog.catalog import Catalog
from bot.catalog.models import (
    Audience,
    Country,
    Event,
    Item,
    Localized,
    Organisation,
    Program,
    ProgramKind,
    Status,
)
from bot.catalog.normalize import MAX_QUERY_CHARS, normalize, query_tokens, stem, tokenize

__all__ = ["Hit", "SearchIndex", "SearchResult", "language_of", "normalize"]

# Field weights. Names, short names and keywords are what people type; the kind is what
# they mean; summaries are a weaker signal and the rest of a card weaker still.
W_NAME = 10.0
W_KEYWORD = 7.0
W_KIND = 8.0
W_ACRONYM = 7.0
W_AUDIENCE = 6.0
W_REGION = 6.0
W_SUMMARY = 3.0
W_ORG_KIND = 3.0
W_EMPLOYER_TRACK = 4.0
W_COUNTRY = 2.0
W_OTHER = 1.0
W_PHRASE = 6.0
"""Bonus per unit of idf for a whole name / short name found inside the query."""
RANK_MAIN, RANK_ALIAS, RANK_KEYWORD = 2, 1, 0
"""How strongly a phrase names an item: its name or short name, a secondary part of its name
("Registered Apprenticeship (U.S. Department of Labor)"), or one of its keywords."""
PHRASE_RANK_FACTOR = {RANK_MAIN: 1.0, RANK_ALIAS: 0.6, RANK_KEYWORD: 0.5}
"""A keyword phrase is shared by many items ("red seal" is a keyword of every grant that
requires it); the item *named* by the phrase must win."""
BIGRAM_FACTOR = 0.5
"""Adjacent word pairs from names count on top of their single words: "red seal" ≫ "red"."""
ECHO_FACTOR = 0.3
"""Literal weight of a word already read as part of a concept ("skills" in "skills
certification"): a tie-breaker, not a match."""

KIND_FACTOR = 1.2
"""An item *of* the kind asked for beats one that only talks about it (the CONOCER
certification program vs the CONOCER council, for "certificación CONOCER")."""
AUDIENCE_FACTOR = 1.1
ENDED_FACTOR = 0.4
"""An ended grant still answers a question about it by name ("apprenticeship incentive grant"),
but not "funding for employers": there the running programs come first."""
FEATURED_FACTOR = 1.1
RELATIVE_CUTOFF = 0.08
"""Candidates scoring below this share of the best one are noise (a stray fuzzy match)."""
FILTER_MATCH_CUTOFF = 0.25
"""An item that matched only filter words ("canada" in "welding canada") must score at least
this share of the best to be listed: a strong kind match stays, a bare country match goes."""
CLEAR_RATIO = 1.5

FUZZY_MIN_LEN = 4
"""Shorter tokens are acronyms or stop words; "fun" must not become "fund"."""
FUZZY_LIMIT = 3
FUZZY_SHORTLIST = 12
FUZZY_FLOOR = 0.6
"""Weakest typo correction kept (0.9 × similarity²). Calibrated on the labelled queries: real
typos score 0.66 and up ("weldng" → welding, "apprentiship"), while the corrections below it
made out-of-scope words match ("nursing" → using 0.46, "enfermera" → enfermedad 0.58,
"doctor" → octobr 0.40, "aviador" → salvador 0.35) and turned "I have nothing on that" into a
random card."""
PREFIX_MIN_LEN = 4
PREFIX_LIMIT = 8
SUGGEST_LIMIT = 5
SUGGEST_CUTOFF = 65.0
"""fuzz.ratio floor for "did you mean": looser than correction (80), since it only proposes."""

BROAD_MIN = 512
BROAD_SHARE = 0.05
"""A part of a query matching more than max(BROAD_MIN, BROAD_SHARE × items) items is "broad":
it is looked up only for the items narrower parts found (see `SearchIndex._pruned`). The
shipped catalog is far below BROAD_MIN, so there every query takes the plain path."""
PRUNE_ATTEMPTS = 3
"""Pools tried (each with one more broad part inside) before scoring every matched item."""
PRUNE_POOL_SHARE = 0.5
"""A pool larger than this share of the catalog saves too little: score everything instead."""
MAP_MIN_ITEMS = 200
"""From this many items `_Plan.score` runs as `map` chains (C loops), below as Python loops
(whose set-up is cheaper): the same numbers either way."""
CEILING_MARGIN = 1.0 + 1e-9
"""Headroom on a score bound for float rounding (sums are not added in the same order)."""

_K = TypeVar("_K")
_SEGMENT_RE = re.compile(r"[()\[\]:|/–—]|\s-\s")


@dataclass(frozen=True, slots=True)
class Hit:
    item_id: str
    score: float
    """Higher is better; only comparable within one result."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    """The normalized query: what a gap ("nobody found X") is recorded under."""
    hits: tuple[Hit, ...]
    country: Country | None
    kind: ProgramKind | None
    audience: Audience | None
    clear_winner: bool
    """The top hit is clearly the answer: a handler may open its card directly."""
    suggestions: tuple[str, ...]
    """When there are no hits: the nearest vocabulary terms, display form, for "did you mean"."""
    unmatched: tuple[str, ...] = ()
    """Query words that matched nothing; when only filters matched, hits are the filter list."""
    words: int = 0
    """The query's words, stop words aside (filters such as "canada" included): `unmatched`
    is a share of them."""


def _is_stop(token: str) -> bool:
    return token in syn.ALL_STOP_WORDS or (len(token) == 1 and not token.isdigit())


class _PhraseTable:
    """Greedy longest-match of known multi-word phrases over a token sequence."""

    __slots__ = ("_first", "_map", "maxlen")

    def __init__(self, phrases: Iterable[tuple[tuple[str, ...], str]]) -> None:
        self._map: dict[tuple[str, ...], str] = {}
        for key, value in phrases:
            if key:
                self._map.setdefault(key, value)
        self._first = frozenset(k[0] for k in self._map)
        self.maxlen = max((len(k) for k in self._map), default=0)

    def tokens(self) -> set[str]:
        return {t for key in self._map for t in key}

    def find(self, stems: Sequence[str]) -> Iterator[tuple[int, int, str]]:
        """Yield (start, end, value) spans, longest match first, non-overlapping."""
        i, n = 0, len(stems)
        while i < n:
            if stems[i] not in self._first:
                i += 1
                continue
            for length in range(min(self.maxlen, n - i), 0, -1):
                value = self._map.get(tuple(stems[i : i + length]))
                if value is not None:
                    yield i, i + length, value
                    i += length
                    break
            else:
                i += 1


def _concept_table() -> _PhraseTable:
    return _PhraseTable(
        (tuple(stem(t) for t in tokenize(phrase)), c.key)
        for c in syn.CONCEPTS
        for _, phrase in c.all_terms()
    )


_CONCEPTS = _concept_table()
_CONCEPT_BY_KEY = {c.key: c for c in syn.CONCEPTS}


def _lang_markers() -> dict[str, frozenset[str]]:
    """Folded word → the languages it belongs to (words shared by all three are useless)."""
    langs: dict[str, set[str]] = {}
    for lang, words in syn.STOP_WORDS.items():
        for w in words:
            langs.setdefault(w, set()).add(lang)
    for c in syn.CONCEPTS:
        if c.region or c.country:
            continue
        for lang, phrase in c.all_terms():
            for w in tokenize(phrase):
                langs.setdefault(w, set()).add(lang)
    return {w: frozenset(ls) for w, ls in langs.items() if 0 < len(ls) < 3}


_LANG_MARKERS = _lang_markers()


def language_of(query: str) -> str | None:
    """Guess en/es/fr from accents and characteristic words; None when there is no evidence.

    Only used to label recorded gaps ("what do Spanish speakers miss?"), so it is cheap and
    says None rather than guessing on a bare name like "Red Seal".
    """
    raw = query[:MAX_QUERY_CHARS].casefold()
    score = {"en": 0.0, "es": 0.0, "fr": 0.0}
    for lang, chars in syn.LANGUAGE_CHARS.items():
        score[lang] += 1.5 * sum(1 for ch in raw if ch in chars)
    for token in tokenize(raw):
        langs = _LANG_MARKERS.get(token)
        if langs:
            for lang in langs:
                score[lang] += 1.0 / len(langs)
    ranked = sorted(score.items(), key=lambda kv: kv[1], reverse=True)
    if ranked[0][1] <= 0 or ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


@dataclass(frozen=True, slots=True)
class _Doc:
    id: str
    country: Country
    kind: ProgramKind | None
    audiences: frozenset[Audience]
    factor: float
    """Status / featured multiplier applied to the final score."""
    active: bool
    """Ended programs never count as matching a filter (as in Catalog menus), only as text."""


@dataclass(frozen=True, slots=True)
class _Phrase:
    tokens: frozenset[str]
    ranks: tuple[tuple[int, frozenset[int]], ...]
    """(rank, items): how the phrase names them (RANK_MAIN / RANK_ALIAS / RANK_KEYWORD). Sets,
    not a pair per item, so a keyword of thousands of items costs set operations, not a loop."""
    bonus: float

    def rank_of(self, d: int) -> int | None:
        """How the phrase names item `d`, or None if it does not."""
        for rank, items in self.ranks:
            if d in items:
                return rank
        return None


@dataclass(frozen=True, slots=True)
class _Columns:
    """Per-item attributes as lists indexed by item, so that scoring thousands of items runs
    as `map` over them (loops in C) rather than as Python loops."""

    factor: list[float]
    kind: list[ProgramKind | None]
    audiences: list[frozenset[Audience]]
    country: list[Country]
    country_items: dict[Country, frozenset[int]]
    """Every item (active or not) of each country: the detected country ranks first."""

    @classmethod
    def of(cls, docs: Sequence[_Doc]) -> _Columns:
        return cls(
            [d.factor for d in docs],
            [d.kind for d in docs],
            [d.audiences for d in docs],
            [d.country for d in docs],
            _group_docs(docs, lambda d: [d.country]),
        )


class _Part(NamedTuple):
    """One source of score for a query: a group's matches, an echoed word, a word pair or the
    whole-name bonus. `values` may be the index's own posting: read it, never write to it.
    (A tuple: a query makes several, and a frozen dataclass costs a microsecond each.)"""

    values: dict[int, float]
    scale: float
    """ECHO_FACTOR, BIGRAM_FACTOR or 1.0; an item gets `scale * value`."""
    group: bool
    """Counts towards the share of the query's groups an item matches."""
    content: Set[int]
    """The items this part makes topical matches (empty for a filter or an echo)."""
    ceiling: float
    """No item gets more than this from the part: the bound pruning relies on."""


@dataclass(slots=True)
class _Plan:
    """What scoring and ranking one query needs once its parts are known: `score` any pool of
    items (or all), then take the `top` of it. Not changed once made (not frozen: cheaper)."""

    columns: _Columns
    parts: list[_Part]
    n_groups: int
    countries: set[Country]
    kinds: set[ProgramKind]
    audiences: set[Audience]
    filter_only: bool
    strict: set[int]
    """Items matching every filter of a filter-only query, listed first whatever they score
    (empty for other queries)."""
    full: set[int]
    """Items whose name or short name is the whole query."""
    limit: int

    def score(self, pool: set[int] | None) -> tuple[dict[int, float], set[int]]:
        """Final scores and topical matches of the items in `pool` (None: every matched item,
        and every item matching all the filters of a filter-only query, which scores 0).

        Each item adds the value of every part, in the order of the parts (0.0 when a part
        does not match it, which leaves a sum unchanged to the last bit), then is multiplied
        by its factor: the share of groups it matched, its status, and the kind and audience
        boosts. So an item's score does not depend on the pool, nor on which of the two
        equivalent ways computes it: Python loops for a few items, `map` for many.
        """
        everything = pool is None
        if pool is None:
            pool = self.strict.union(*(p.values for p in self.parts))
        content: set[int] = set()
        for part in self.parts:
            content.update(part.content if everything else part.content & pool)
        if len(pool) < MAP_MIN_ITEMS:
            return self._score_walking(pool, everything), content
        return self._score_mapping(pool), content

    def _score_walking(self, pool: Set[int], everything: bool) -> dict[int, float]:
        """`score` with Python loops: cheapest for a few items (a small catalog, a small pool).
        `everything`: the pool holds every item of every part."""
        sums = dict.fromkeys(pool, 0.0)
        matched = dict.fromkeys(pool, 0)
        for part in self.parts:
            values, scale = part.values, part.scale
            found: Iterable[tuple[int, float]] = (
                values.items()
                if everything
                else [(d, values[d]) for d in values.keys() & sums.keys()]
            )
            if part.group:
                for d, v in found:
                    sums[d] += scale * v
                    matched[d] += 1
            else:
                for d, v in found:
                    sums[d] += scale * v
        col, kinds, audiences, n_groups = self.columns, self.kinds, self.audiences, self.n_groups
        factors, kind_of, audiences_of = col.factor, col.kind, col.audiences
        for d in sums:
            factor = (0.5 + 0.5 * matched[d] / n_groups) * factors[d]
            if kinds and kind_of[d] in kinds:
                factor *= KIND_FACTOR
            if audiences and not audiences.isdisjoint(audiences_of[d]):
                factor *= AUDIENCE_FACTOR
            sums[d] *= factor
        return sums

    def _score_mapping(self, pool: Set[int]) -> dict[int, float]:
        """`score` as chains of `map` over the items (loops in C): for thousands of items.

        Multiplying by a 1.0 where the loops skip a boost changes nothing, to the last bit.
        """
        col, items = self.columns, list(pool)
        size, add, mul = len(items), operator.add, operator.mul
        sums: Iterable[float] = itertools.repeat(0.0, size)
        matched: Iterable[int] = itertools.repeat(0, size)
        for part in self.parts:
            values = part.values
            found: Iterable[float] = map(values.get, items, itertools.repeat(0.0))
            if part.scale != 1.0:
                found = map(part.scale.__mul__, found)
            sums = map(add, sums, found)
            if part.group:
                matched = map(add, matched, map(values.__contains__, items))

        coverage = [0.5 + 0.5 * m / self.n_groups for m in range(len(self.parts) + 1)]
        factors = map(mul, map(coverage.__getitem__, matched), map(col.factor.__getitem__, items))
        if self.kinds:
            boost: dict[ProgramKind | None, float] = dict.fromkeys(self.kinds, KIND_FACTOR)
            kinds = map(col.kind.__getitem__, items)
            factors = map(mul, factors, map(boost.get, kinds, itertools.repeat(1.0)))
        if self.audiences:
            disjoint = map(self.audiences.isdisjoint, map(col.audiences.__getitem__, items))
            factors = map(mul, factors, map((AUDIENCE_FACTOR, 1.0).__getitem__, disjoint))
        return dict(zip(items, map(mul, sums, factors), strict=True))

    def factor_ceiling(self, groups: int, doc_factor: float) -> float:
        """The largest factor `score` can apply to an item matching at most `groups` groups."""
        factor = (0.5 + 0.5 * min(groups, self.n_groups) / self.n_groups) * doc_factor
        if self.kinds:
            factor *= KIND_FACTOR
        if self.audiences:
            factor *= AUDIENCE_FACTOR
        return factor

    def tier(self, d: int, content: set[int]) -> tuple[bool, bool, bool]:
        """The part of an item's rank that comes before its score.

        A filter-only query (which may still be a full name, "Apprenticeship Incentive Grant")
        lists the items matching every filter and the named ones first, then the detected
        country; otherwise topical matches of the detected country, other topical matches,
        then the rest.
        """
        local = self.columns.country[d] in self.countries
        if self.filter_only:
            return (d in self.strict or d in self.full, local, False)
        topical = d in content
        return (topical and local, topical, local)

    def eligible(self, d: int, scores: dict[int, float], content: set[int], best: float) -> bool:
        """Whether an item may be listed: stray weak matches, below a share of the best, go."""
        if d in self.strict:
            return True
        score = scores.get(d, 0.0)
        if score < max(best * RELATIVE_CUTOFF, 1e-12):
            return False
        return self.filter_only or d in content or score >= best * FILTER_MATCH_CUTOFF

    def top(self, scores: dict[int, float], content: set[int], best: float) -> list[int]:
        """The `limit` best eligible items of `scores`, best first: by `tier`, then score,
        then catalog order.

        Each tier is a set, and which of its items are eligible is a score threshold, so a
        tier's best are its highest scores cut at the threshold (those under it come last):
        no key or test per item in Python, because a query on a large catalog ranks thousands
        of items.
        """
        floor = max(best * RELATIVE_CUTOFF, 1e-12)
        get, items = scores.__getitem__, scores.keys()
        if self.filter_only:
            named = {d for d in self.full & items - self.strict if get(d) >= floor}
            first, first_floor = self.strict | named, -math.inf
            rest, rest_floor = items - self.strict - self.full, floor
        else:
            first, first_floor = items & content, floor
            rest, rest_floor = items - content, max(floor, best * FILTER_MATCH_CUTOFF)
        ranked: list[int] = []
        for tier, threshold in (
            *((t, first_floor) for t in self._split_local(first)),
            *((t, rest_floor) for t in self._split_local(rest)),
        ):
            if not tier:
                continue
            # Stable: of equal scores the earlier item (sorted ascending) stays first.
            best_first = heapq.nlargest(self.limit - len(ranked), sorted(tier), key=get)
            ranked += [d for d in best_first if get(d) >= threshold]
            if len(ranked) >= self.limit:
                break
        return ranked

    def _split_local(self, items: set[int]) -> tuple[set[int], ...]:
        """`items` of the detected countries, then the others."""
        if not self.countries:
            return (items,)
        of = self.columns.country_items
        local = set().union(*(items & of.get(c, frozenset()) for c in self.countries))
        return local, items - local


@dataclass(slots=True)
class _Group:
    """One thing the query asks for: a concept, or a free word with its spelling candidates."""

    label: str
    alternatives: list[tuple[str, float]]
    is_filter: bool
    """A kind, audience or country: a query of filters only lists what matches them."""
    is_topical: bool
    """Matching it makes an item an answer (not so a bare country or audience match)."""


def _texts(loc: Localized | None) -> list[str]:
    return [] if loc is None else [loc.en, loc.es, loc.fr]


def _segments(text: str) -> list[str]:
    """A name, then its main part, then its secondary parts (or just the name).

    "Jóvenes Construyendo el Futuro (Youth Building the Future)" is also "Jóvenes Construyendo
    el Futuro" (main) and "Youth Building the Future" (secondary).
    """
    parts = [p for p in _SEGMENT_RE.split(text) if p and any(ch.isalnum() for ch in p)]
    return [text, *parts] if len(parts) > 1 else [text]


class _Builder:
    """Accumulates postings while walking the catalog; discarded once the index is built."""

    def __init__(self) -> None:
        self.postings: dict[str, dict[int, float]] = {}
        self.phrases: dict[frozenset[str], dict[int, int]] = {}
        self.display: dict[str, str] = {}
        self.words: set[str] = set()
        """Real words (not pairs, joined pairs, acronyms or concepts): the fuzzy vocabulary."""

    def add(self, term: str, doc: int, weight: float) -> None:
        bucket = self.postings.setdefault(term, {})
        if weight > bucket.get(doc, 0.0):
            bucket[doc] = weight

    def text(self, doc: int, text: str, weight: float) -> None:
        """Index words and the concepts they express, at the weight of the field."""
        folded = tokenize(text)
        self._words(doc, folded, [stem(t) for t in folded], weight)

    def _words(self, doc: int, folded: list[str], stems: list[str], weight: float) -> None:
        for _, _, key in _CONCEPTS.find(stems):
            self.add("@" + key, doc, weight)
        for tok, st in zip(folded, stems, strict=True):
            if not _is_stop(tok):
                self.add(st, doc, weight)
                self.words.add(st)

    def phrase(self, tokens: Iterable[str], doc: int, rank: int) -> None:
        key = frozenset(tokens)
        if key:
            bucket = self.phrases.setdefault(key, {})
            bucket[doc] = max(bucket.get(doc, rank), rank)

    def name(self, doc: int, text: str, *, title: bool = True) -> None:
        """A name-like field: words, word pairs, joined pairs, acronym and whole phrases."""
        weight = W_NAME if title else W_KEYWORD
        folded = tokenize(text)
        stems = [stem(t) for t in folded]
        self._words(doc, folded, stems, weight)
        content = [s for t, s in zip(folded, stems, strict=True) if not _is_stop(t)]
        for a, b in itertools.pairwise(content):
            self.add(f"{a} {b}", doc, weight)
            joined = a + b  # "testdrive" finds "Test Drive"
            self.add(joined, doc, weight * 0.8)
        if len(content) <= 5:
            self.display.setdefault(" ".join(folded), text)

        segments = _segments(text)
        if len(segments) == 1:
            self._phrase_of(doc, [t for t in folded if not _is_stop(t)], title, RANK_MAIN)
            return
        for i, segment in enumerate(segments):
            words = [t for t in tokenize(segment) if not _is_stop(t)]
            self._phrase_of(doc, words, title, RANK_MAIN if i <= 1 else RANK_ALIAS)

    def _phrase_of(self, doc: int, words: list[str], title: bool, rank: int) -> None:
        if not words:
            return
        rank = rank if title else RANK_KEYWORD
        self.phrase((stem(t) for t in words), doc, rank)
        self.phrase((stem(t) for t in words if t not in syn.GENERIC_NAME_WORDS), doc, rank)
        acronym = "".join(t[0] for t in words if not t.isdigit())
        if title and 3 <= len(acronym) <= 6 and len(words) >= 3:
            self.add(acronym, doc, W_ACRONYM)


AUDIENCE_MARKERS = frozenset(
    """for para pour as como comme soy somos suis sommes am are i we je nous my our mi mis
    nuestra nuestro nuestros ma mon mes notre nos""".split()
)
"""Words that make an audience word a filter when they come just before it: "for employers",
"para empresas", "je suis employeur", "soy empresa", "as an employer"."""


def _audience_intended(folded: Sequence[str], start: int, end: int) -> bool:
    """Whether the audience word at `start` says who the results are for.

    Only then is it a filter: "quiero estudiar y trabajar en una empresa" (a student) is not
    asking for employers' programs, nor "busco empresa para mi dual". A query that starts with
    the audience ("empresas que contratan aprendices") also asks for it.
    """
    if start == 0:
        return True
    return any(token in AUDIENCE_MARKERS for token in folded[max(0, start - 2) : end])


class SearchIndex:
    """An immutable inverted index over one catalog; build once, query from any task."""

    __slots__ = (
        "_broad",
        "_by_audience",
        "_by_country",
        "_by_kind",
        "_ceiling",
        "_columns",
        "_docs",
        "_known",
        "_max_factor",
        "_phrases",
        "_postings",
        "_suggest_by_length",
        "_suggest_display",
        "_suggest_lengths",
        "_suggest_norm",
        "_suggest_order",
        "_vocab",
    )

    def __init__(self) -> None:
        raise TypeError("use SearchIndex.build(catalog)")

    # ------------------------------------------------------------------ build

    @classmethod
    def build(cls, catalog: Catalog) -> SearchIndex:
        """Index every program, organisation and event in all three languages at once."""
        self = object.__new__(cls)
        b = _Builder()
        docs: list[_Doc] = []
        for doc, item in enumerate(catalog.items()):
            docs.append(_doc_of(item))
            _index_item(b, doc, item, catalog)
        n = max(len(docs), 1)

        postings: dict[str, dict[int, float]] = {}
        idf: dict[str, float] = {}
        for term, bucket in b.postings.items():
            weight = math.log(1.0 + n / len(bucket))
            idf[term] = weight
            postings[term] = {d: w * weight for d, w in bucket.items()}

        # Phrases are matched as bags of words ("labor department" names the Department of
        # Labor too); each is filed under its rarest word, which any match must contain.
        phrases: dict[str, list[_Phrase]] = {}
        for key, ids in b.phrases.items():
            rarity = sum(idf.get(t, math.log(1.0 + n)) for t in key)
            anchor = max(key, key=lambda t: (idf.get(t, 99.0), t))
            bonus = W_PHRASE * rarity / math.sqrt(len(ids))
            phrases.setdefault(anchor, []).append(_Phrase(key, _by_rank(ids), bonus))

        concept_tokens = {t for t in _CONCEPTS.tokens() if not _is_stop(t)}
        vocab = {t for t in b.words | concept_tokens if len(t) >= 3 and not t.isdigit()}

        self._docs = tuple(docs)
        self._postings = postings
        self._ceiling = {term: max(bucket.values()) for term, bucket in postings.items()}
        self._max_factor = max((d.factor for d in docs), default=1.0)
        self._broad = max(BROAD_MIN, int(BROAD_SHARE * len(docs)))
        self._phrases = {k: tuple(v) for k, v in phrases.items()}
        self._vocab = sorted(vocab)  # sorted: prefix look-ups bisect it
        self._known = frozenset(postings) | concept_tokens
        self._by_country = _group_docs(docs, lambda d: [d.country] if d.active else [])
        self._columns = _Columns.of(docs)
        self._by_kind = _group_docs(docs, lambda d: [d.kind] if d.kind and d.active else [])
        self._by_audience = _group_docs(docs, lambda d: d.audiences if d.active else [])
        self._suggest_norm, self._suggest_display = _suggestion_vocabulary(b, postings)
        # By length, so `_suggest_candidates` scores only phrases that can reach the cutoff.
        self._suggest_order = sorted(
            range(len(self._suggest_norm)), key=lambda i: len(self._suggest_norm[i])
        )
        self._suggest_by_length = [self._suggest_norm[i] for i in self._suggest_order]
        self._suggest_lengths = [len(text) for text in self._suggest_by_length]
        return self

    @property
    def vocabulary(self) -> frozenset[str]:
        """The folded words the catalog uses (what "is covered" is checked against)."""
        return frozenset(self._vocab)

    def __len__(self) -> int:
        return len(self._docs)

    language_of = staticmethod(language_of)
    """Also reachable from the index, so handlers holding only the index can label gaps."""

    # ------------------------------------------------------------------ query

    def search(self, query: str, *, limit: int = 8) -> SearchResult:
        """Rank catalog items for a free-text query; never raises on any string."""
        return self._search(query, limit, prune=True)

    def _search(self, query: str, limit: int, *, prune: bool) -> SearchResult:
        """`search`, scoring every matched item when `prune` is False.

        That plain path is what the pruned one falls back to, and what tests compare it with.
        """
        folded = query_tokens(query) if isinstance(query, str) else []
        normalized = " ".join(folded)
        if not folded or limit <= 0:
            return SearchResult(normalized, (), None, None, None, False, ())

        stems, alternatives = self._correct_all(folded)
        groups, echoes, filter_words, countries, kinds, audiences = self._groups(
            folded, stems, alternatives
        )
        country = next(iter(countries)) if len(countries) == 1 else None
        kind = next(iter(kinds)) if len(kinds) == 1 else None
        audience = next(iter(audiences)) if len(audiences) == 1 else None
        if not groups:  # only stop words: "how many", "qué"
            return SearchResult(normalized, (), country, kind, audience, False, ())

        parts: list[_Part] = []
        unmatched: list[str] = []
        for group in groups:
            values = self._lookup(group.alternatives)
            if not values:
                if not group.is_filter:
                    unmatched.append(group.label)
                continue
            ceiling = max([self._ceiling.get(t, 0.0) * f for t, f in group.alternatives])
            matches = values.keys() if group.is_topical else frozenset()
            parts.append(_Part(values, 1.0, True, matches, ceiling))
        for term in echoes:
            if bucket := self._postings.get(term):
                ceiling = ECHO_FACTOR * self._ceiling[term]
                parts.append(_Part(bucket, ECHO_FACTOR, False, frozenset(), ceiling))
        content_stems = [s for t, s in zip(folded, stems, strict=True) if not _is_stop(t)]
        for a, b in itertools.pairwise(content_stems):
            pair = f"{a} {b}"
            if bucket := self._postings.get(pair):
                topical = a not in filter_words or b not in filter_words
                ceiling = BIGRAM_FACTOR * self._ceiling[pair]
                matches = bucket.keys() if topical else frozenset()
                parts.append(_Part(bucket, BIGRAM_FACTOR, False, matches, ceiling))
        phrases, found, full = self._phrase_bonus(content_stems, filter_words)
        if phrases is not None:
            parts.append(phrases)

        filter_only = all(g.is_filter for g in groups) or (
            bool(parts) and not any(p.content for p in parts)
        )
        strict = self._strict(countries, kinds, audiences) if filter_only else set()
        if not parts and not strict:
            return SearchResult(
                normalized,
                (),
                country,
                kind,
                audience,
                False,
                self._suggest(folded),
                tuple(unmatched),
                sum(1 for t in folded if not _is_stop(t)),
            )

        plan = _Plan(
            self._columns,
            parts,
            len(groups),
            countries,
            kinds,
            audiences,
            filter_only,
            strict,
            full,
            limit,
        )
        # On a catalog no larger than `_broad` no part is broad: nothing to prune.
        pruned = self._pruned(plan) if prune and len(self._docs) > self._broad else None
        if pruned is None:
            scores, content = plan.score(None)
            ranked = plan.top(scores, content, max(scores.values()))
        else:
            scores, ranked = pruned
        hits = tuple(Hit(self._docs[d].id, round(scores.get(d, 0.0), 4)) for d in ranked)
        clear = self._clear_winner(ranked, scores, found, full, filter_only)
        words = sum(1 for t in folded if not _is_stop(t))
        return SearchResult(
            normalized, hits, country, kind, audience, clear, (), tuple(unmatched), words
        )

    def _pruned(self, plan: _Plan) -> tuple[dict[int, float], list[int]] | None:
        """Rank by scoring only the items that can be listed; None when that cannot be shown.

        Parts matching more than `self._broad` items are "broad"; the pool is every item of
        the other parts plus, for a filter-only query, the items matching every filter and the
        named ones. If the pool's ranking cannot be shown to be the full one (`_rank_pool`),
        the broad part with the highest ceiling per item joins the pool and the pool is ranked
        again, a few times, while the pool stays a small share of the catalog. Otherwise None:
        the caller scores everything, as it always does on a small catalog.
        """
        # Most bound shed per item taken in first ("juvenil" before the echo of "prácticas").
        broad = sorted(
            (p for p in plan.parts if len(p.values) > self._broad),
            key=lambda p: -p.ceiling / len(p.values),
        )
        if not broad:
            return None
        pool = plan.strict | plan.full
        pool.update(*(p.values for p in plan.parts if len(p.values) <= self._broad))
        for _ in range(PRUNE_ATTEMPTS):
            if len(pool) > PRUNE_POOL_SHARE * len(self._docs):
                return None
            ranked = self._rank_pool(plan, pool, broad)
            if ranked is not None:
                return ranked
            pool.update(broad.pop(0).values)
        return None

    def _rank_pool(
        self, plan: _Plan, pool: set[int], broad: list[_Part]
    ) -> tuple[dict[int, float], list[int]] | None:
        """The ranking of the pool, if it provably is the ranking of the whole catalog.

        An item outside the pool matched `broad` parts only, so it scores at most the sum of
        their ceilings times the largest factor it could get. The pool's ranking is the full
        one when that bound shows that no outside item can (1) move the floor enough to change
        which pool items are listed, and (2) be listed at all, or rank above the last one.
        """
        scores, content = plan.score(pool)
        best = max(scores.values(), default=0.0)
        ceiling = (
            math.fsum(p.ceiling for p in broad)
            * plan.factor_ceiling(sum(p.group for p in broad), self._max_factor)
            * CEILING_MARGIN
        )
        ranked = plan.top(scores, content, best)
        # (1) The true best is between `best` and `ceiling`, and the eligible items only get
        # fewer as the best grows: if the listed ones are still eligible at `ceiling`, they
        # are the top of every eligible set in between, the true one included.
        if ceiling > best and not all(plan.eligible(d, scores, content, ceiling) for d in ranked):
            return None
        # (2) An outside item is listed only if it reaches the floor.
        if ceiling < max(best * RELATIVE_CUTOFF, 1e-12):
            return scores, ranked
        if len(ranked) < plan.limit:
            return None
        topical = any(p.content for p in broad)
        local = bool(plan.countries)
        outside = (False, local, False) if plan.filter_only else (topical and local, topical, local)
        last = plan.tier(ranked[-1], content)
        if outside < last or (outside == last and ceiling < scores.get(ranked[-1], 0.0)):
            return scores, ranked
        return None

    # ------------------------------------------------------------------ query steps

    def _correct_all(self, folded: list[str]) -> tuple[list[str], list[list[tuple[str, float]]]]:
        """Stem each token and, when the index has never seen it, find what was meant."""
        stems: list[str] = []
        alternatives: list[list[tuple[str, float]]] = []
        for token in folded:
            st = stem(token)
            if st in self._known or _is_stop(token) or len(st) < FUZZY_MIN_LEN or st.isdigit():
                stems.append(st)
                alternatives.append([(st, 1.0)])
                continue
            candidates = self._corrections(st)
            stems.append(candidates[0][0] if candidates else st)
            alternatives.append(candidates or [(st, 1.0)])
        return stems, alternatives

    def _corrections(self, st: str) -> list[tuple[str, float]]:
        """Vocabulary terms a misspelled or half-typed token may stand for, best first.

        rapidfuzz's `fuzz.ratio` (with a cutoff) shortlists; ties are common on short words
        ("sael" is 75 from "seal", "sale" and "sabe"), so the shortlist is re-ranked by
        optimal-string-alignment similarity (a swap of two letters is one typo, not two) and
        then by how many items use the word — a typo more likely aims at a common word.
        """
        found: dict[str, float] = {}
        cutoff = 75.0 if len(st) <= 5 else 80.0
        shortlist = process.extract(
            st, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=FUZZY_SHORTLIST
        )
        if shortlist:
            similarity = {term: OSA.normalized_similarity(st, term) for term, _, _ in shortlist}
            best = max(similarity.values())
            for term, sim in similarity.items():
                if sim >= best - 0.05 and 0.9 * sim**2 >= FUZZY_FLOOR:
                    found[term] = 0.9 * sim**2
        if len(st) >= PREFIX_MIN_LEN:
            i = bisect.bisect_left(self._vocab, st)
            for term in self._vocab[i : i + PREFIX_LIMIT]:
                if not term.startswith(st):
                    break
                factor = max(0.4, 0.85 * len(st) / len(term))
                if factor > found.get(term, 0.0):
                    found[term] = factor
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], -self._df(kv[0]), kv[0]))
        return ranked[:FUZZY_LIMIT] + [kv for kv in ranked[FUZZY_LIMIT:] if kv[0].startswith(st)]

    def _df(self, term: str) -> int:
        return len(self._postings.get(term, ()))

    def _groups(
        self,
        folded: list[str],
        stems: list[str],
        alternatives: list[list[tuple[str, float]]],
    ) -> tuple[list[_Group], list[str], set[str], set[Country], set[ProgramKind], set[Audience]]:
        """Split the query into concepts (some of them filters) and free words.

        Also returns the words inside concept phrases ("skills" in "skills certification"):
        they still count a little literally, so of two certification programs the one that
        says "skills" wins.
        """
        groups: list[_Group] = []
        echoes: list[str] = []
        filter_words: set[str] = set()
        seen: set[str] = set()
        consumed: set[int] = set()
        countries: set[Country] = set()
        kinds: set[ProgramKind] = set()
        audiences: set[Audience] = set()
        for start, end, key in _CONCEPTS.find(stems):
            concept = _CONCEPT_BY_KEY[key]
            if concept.audience and not _audience_intended(folded, start, end):
                continue  # "trabajar en una empresa": a word of the question, not a filter
            consumed.update(range(start, end))
            if concept.country:
                countries.add(concept.country)
            if concept.kind:
                kinds.add(concept.kind)
            if concept.audience:
                audiences.add(concept.audience)
            words = [stems[i] for i in range(start, end) if not _is_stop(folded[i])]
            echoes.extend(words)
            if not concept.is_topical:
                filter_words.update(words)
            term = "@" + key
            if term not in seen:
                seen.add(term)
                label = " ".join(folded[start:end])
                groups.append(_Group(label, [(term, 1.0)], concept.is_filter, concept.is_topical))
        for i, token in enumerate(folded):
            if i in consumed or _is_stop(token):
                continue
            first = alternatives[i][0][0]
            if first in seen:
                continue
            seen.add(first)
            groups.append(_Group(token, alternatives[i], False, True))
        echoes = [e for e in dict.fromkeys(echoes) if e not in seen]
        return groups, echoes, filter_words, countries, kinds, audiences

    def _lookup(self, alternatives: list[tuple[str, float]]) -> dict[int, float]:
        """Item → value of a group: its best spelling candidate. Read-only (maybe a posting)."""
        if len(alternatives) == 1:
            term, factor = alternatives[0]
            bucket = self._postings.get(term)
            if not bucket:
                return {}
            return bucket if factor == 1.0 else {d: v * factor for d, v in bucket.items()}
        best: dict[int, float] = {}
        for term, factor in alternatives:
            for d, v in self._postings.get(term, {}).items():
                v *= factor
                if v > best.get(d, 0.0):
                    best[d] = v
        return best

    def _phrase_bonus(
        self, content_stems: list[str], filter_words: set[str]
    ) -> tuple[_Part | None, list[_Phrase], set[int]]:
        """Reward items whose whole name / short name / keyword appears inside the query.

        Word order is ignored ("apprenticeship for high school students" contains the keyword
        "high school apprenticeship"). Returns the bonus as a part of the query (an item gets
        the best of its phrases), the phrases found (`_named` reads them) and the items whose
        name or short name is exactly the query. A phrase made only of filter words (the
        keyword "canada") adds to the score but does not make an item a topical match.
        """
        words = set(content_stems)
        found = [
            phrase
            for anchor in words
            for phrase in self._phrases.get(anchor, ())
            if phrase.tokens <= words
        ]
        if not found:
            return None, found, set()
        # Smallest bonus first: a later, larger one overwrites it, so each item keeps its best.
        bonuses = sorted(
            (
                (phrase.bonus * PHRASE_RANK_FACTOR[rank], items)
                for phrase in found
                for rank, items in phrase.ranks
            ),
            key=operator.itemgetter(0),
        )
        best: dict[int, float] = {}
        for bonus, items in bonuses:
            best.update(dict.fromkeys(items, bonus))
        topical = set().union(
            *(items for p in found if not p.tokens <= filter_words for _, items in p.ranks)
        )
        full = set().union(
            *(
                items
                for p in found
                if len(p.tokens) == len(words)
                for rank, items in p.ranks
                if rank == RANK_MAIN
            )
        )
        return _Part(best, 1.0, False, topical, bonuses[-1][0]), found, full

    @staticmethod
    def _named(found: list[_Phrase], d: int) -> tuple[int, int]:
        """How an item is named in the query: its best phrase found as (rank, length) — names
        beat keywords, longer beats shorter — or (-1, 0). One shared keyword ("welding") is no
        evidence that an item is *the* one, so it does not count."""
        best = (-1, 0)
        for phrase in found:
            rank, size = phrase.rank_of(d), len(phrase.tokens)
            if rank is not None and (rank > RANK_KEYWORD or size > 1):
                best = max(best, (rank, size))
        return best

    def _strict(
        self, countries: set[Country], kinds: set[ProgramKind], audiences: set[Audience]
    ) -> set[int]:
        """Items satisfying every detected filter (any of several values of one filter)."""
        sets: list[set[int]] = []
        for values, index in (
            (countries, self._by_country),
            (kinds, self._by_kind),
            (audiences, self._by_audience),
        ):
            if values:
                sets.append(set().union(*(index.get(v, frozenset()) for v in values)))
        if not sets:
            return set()
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:])

    def _clear_winner(
        self,
        ranked: list[int],
        scores: dict[int, float],
        found: list[_Phrase],
        full: set[int],
        filter_only: bool,
    ) -> bool:
        """Whether a handler may open the top card directly instead of showing a list."""
        if len(ranked) == 1:
            return True
        if not ranked:
            return False
        top, second = ranked[0], ranked[1]
        if top in full and second not in full:
            return True  # the query is this item's name ("Prêt canadien aux apprentis")
        if filter_only:
            return False  # "dual mexico" asks for a list, even if one item dominates
        top_score, second_score = scores.get(top, 0.0), scores.get(second, 0.0)
        if top_score > second_score and self._named(found, top) > self._named(found, second):
            return True  # it is *named* in the query, the runner-up only mentioned
        return top_score >= CLEAR_RATIO * second_score

    def _suggest(self, folded: list[str]) -> tuple[str, ...]:
        """Nearest vocabulary phrases for a query that found nothing ("did you mean").

        Probes are the whole query and each word; candidates come from `fuzz.ratio` (WRatio's
        partial matching proposes "fca" for "certifcate") and are ordered by OSA similarity
        first, so "jfc" offers "JCF" (one swap) before "FCR".
        """
        if not self._suggest_norm:
            return ()
        probes = [" ".join(t for t in folded if not _is_stop(t))]
        probes += [t for t in folded if not _is_stop(t)]
        best: dict[int, tuple[float, float]] = {}
        for probe in dict.fromkeys(p for p in probes if len(p) >= 3):
            for choice, score, i in self._suggest_candidates(probe):
                key = (OSA.normalized_similarity(probe, choice), score)
                if key > best.get(i, (0.0, 0.0)):
                    best[i] = key
        ranked = sorted(best.items(), key=lambda kv: (kv[1], -len(self._suggest_norm[kv[0]])))
        return tuple(self._suggest_display[i] for i, _ in reversed(ranked[-SUGGEST_LIMIT:]))

    def _suggest_candidates(self, probe: str) -> list[tuple[str, float, int]]:
        """`process.extract(probe, self._suggest_norm, scorer=fuzz.ratio, score_cutoff=
        SUGGEST_CUTOFF, limit=2 * SUGGEST_LIMIT)`: the same answer, without scoring the
        thousands of names of a large catalog that cannot reach the cutoff.

        fuzz.ratio is 100 × (1 − indel distance ÷ total length) and the distance is at least
        the difference in length, so the ratio is at most 200 × shorter ÷ total: only phrases
        whose length allows the cutoff (one character of slack each way, for rounding) are
        scored. Ties are broken by position in `_suggest_norm`, as rapidfuzz breaks them.
        """
        size, cutoff = len(probe), SUGGEST_CUTOFF
        shortest = math.ceil(cutoff * size / (200.0 - cutoff)) - 1
        longest = math.floor((200.0 - cutoff) * size / cutoff) + 1
        start = bisect.bisect_left(self._suggest_lengths, shortest)
        end = bisect.bisect_right(self._suggest_lengths, longest)
        found = process.extract(
            probe,
            self._suggest_by_length[start:end],
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            limit=None,
        )
        order = self._suggest_order
        ranked = sorted(
            ((choice, score, order[start + k]) for choice, score, k in found),
            key=lambda hit: (-hit[1], hit[2]),
        )
        return ranked[: SUGGEST_LIMIT * 2]


# ---------------------------------------------------------------------- build helpers


def _doc_of(item: Item) -> _Doc:
    factor = 1.0
    if isinstance(item, Program):
        audiences = set(item.audiences)
        if item.employers is not None:
            audiences.add(Audience.EMPLOYERS)  # same rule as Catalog.for_employers
        if item.status is Status.ENDED:
            factor *= ENDED_FACTOR
        if item.featured:
            factor *= FEATURED_FACTOR
        active = item.status is Status.ACTIVE
        return _Doc(item.id, item.country, item.kind, frozenset(audiences), factor, active)
    if isinstance(item, Organisation):
        audiences = {Audience.EMPLOYERS} if item.employers is not None else set()
        return _Doc(item.id, item.country, None, frozenset(audiences), factor, True)
    return _Doc(item.id, item.country, None, frozenset(), factor, True)


def _index_item(b: _Builder, doc: int, item: Item, catalog: Catalog) -> None:
    """Feed one item's fields to the builder at their weights."""
    b.add("@" + syn.COUNTRY_CONCEPT[item.country], doc, W_COUNTRY)
    names = _texts(item.title) if isinstance(item, Event) else _texts(item.name)
    for text in names:
        b.name(doc, text)
    for keyword in item.keywords.all():
        b.name(doc, keyword, title=False)
    for text in _texts(item.summary):
        b.text(doc, text, W_SUMMARY)
    for fact in item.key_facts:
        for text in _texts(fact.text):
            b.text(doc, text, W_OTHER)

    if not isinstance(item, Event) and item.short_name:
        b.name(doc, item.short_name)

    if isinstance(item, Program):
        b.add("@" + syn.KIND_CONCEPT[item.kind], doc, W_KIND)
        for audience in item.audiences:
            b.add("@" + syn.AUDIENCE_CONCEPT[audience], doc, W_AUDIENCE)
        if item.employers is not None:
            b.add("@" + syn.AUDIENCE_CONCEPT[Audience.EMPLOYERS], doc, W_EMPLOYER_TRACK)
        for text in _texts(item.region):
            b.text(doc, text, W_REGION)
        for field in (
            item.who_can_apply,
            item.what_you_get,
            item.duration,
            item.how_to_apply,
            item.employers,
        ):
            for text in _texts(field):
                b.text(doc, text, W_OTHER)
        org = catalog.organisations.get(item.organisation) if item.organisation else None
        if org is not None:
            for text in [*_texts(org.name), *([org.short_name] if org.short_name else [])]:
                b.text(doc, text, W_SUMMARY)
    elif isinstance(item, Organisation):
        concept = syn.ORGANISATION_KIND_CONCEPT.get(item.kind)
        if concept:
            b.add("@" + concept, doc, W_ORG_KIND)
        if item.employers is not None:
            b.add("@" + syn.AUDIENCE_CONCEPT[Audience.EMPLOYERS], doc, W_EMPLOYER_TRACK)
        for text in _texts(item.employers):
            b.text(doc, text, W_OTHER)
    else:
        b.add("@" + syn.EVENT_CONCEPT, doc, W_KIND)
        b.add(str(item.start.year), doc, W_NAME)
        for text in _texts(item.city):
            b.text(doc, text, W_REGION)
        for text in _texts(item.host):
            b.text(doc, text, W_SUMMARY)
        for text in _texts(item.outcomes):
            b.text(doc, text, W_OTHER)


def _by_rank(ids: dict[int, int]) -> tuple[tuple[int, frozenset[int]], ...]:
    """Item → rank as (rank, items) pairs, lowest rank first; usually there is one rank."""
    ranks = set(ids.values())
    if len(ranks) == 1:
        return ((ranks.pop(), frozenset(ids)),)
    items: dict[int, list[int]] = {}
    for d, rank in ids.items():
        items.setdefault(rank, []).append(d)
    return tuple((rank, frozenset(items[rank])) for rank in sorted(items))


def _group_docs(
    docs: Sequence[_Doc], keys: Callable[[_Doc], Iterable[_K]]
) -> dict[_K, frozenset[int]]:
    out: dict[_K, set[int]] = {}
    for i, d in enumerate(docs):
        for k in keys(d):
            out.setdefault(k, set()).add(i)
    return {k: frozenset(v) for k, v in out.items()}


def _suggestion_vocabulary(
    b: _Builder, postings: dict[str, dict[int, float]]
) -> tuple[list[str], list[str]]:
    """Display phrases that lead somewhere: concept words with hits, short names, keywords."""
    norm: list[str] = []
    display: list[str] = []
    seen: set[str] = set()

    def add(text: str) -> None:
        key = " ".join(tokenize(text))
        if key and key not in seen:
            seen.add(key)
            norm.append(key)
            display.append(text)

    for concept in syn.CONCEPTS:
        if "@" + concept.key not in postings:
            continue
        for _, phrase in concept.all_terms():
            add(phrase)
    for text in b.display.values():
        add(text)
    return norm, display
