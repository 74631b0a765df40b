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
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

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
ENDED_FACTOR = 0.8
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
PREFIX_MIN_LEN = 4
PREFIX_LIMIT = 8
SUGGEST_LIMIT = 5
SUGGEST_CUTOFF = 65.0
"""fuzz.ratio floor for "did you mean": looser than correction (80), since it only proposes."""

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
    docs: tuple[tuple[int, int], ...]
    """(item, rank): how the phrase names the item (RANK_MAIN / RANK_ALIAS / RANK_KEYWORD)."""
    bonus: float


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


class SearchIndex:
    """An immutable inverted index over one catalog; build once, query from any task."""

    __slots__ = (
        "_by_audience",
        "_by_country",
        "_by_kind",
        "_docs",
        "_known",
        "_phrases",
        "_postings",
        "_suggest_display",
        "_suggest_norm",
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
            phrases.setdefault(anchor, []).append(
                _Phrase(key, tuple(sorted(ids.items())), W_PHRASE * rarity / math.sqrt(len(ids)))
            )

        concept_tokens = {t for t in _CONCEPTS.tokens() if not _is_stop(t)}
        vocab = {t for t in b.words | concept_tokens if len(t) >= 3 and not t.isdigit()}

        self._docs = tuple(docs)
        self._postings = postings
        self._phrases = {k: tuple(v) for k, v in phrases.items()}
        self._vocab = sorted(vocab)  # sorted: prefix look-ups bisect it
        self._known = frozenset(postings) | concept_tokens
        self._by_country = _group_docs(docs, lambda d: [d.country] if d.active else [])
        self._by_kind = _group_docs(docs, lambda d: [d.kind] if d.kind and d.active else [])
        self._by_audience = _group_docs(docs, lambda d: d.audiences if d.active else [])
        self._suggest_norm, self._suggest_display = _suggestion_vocabulary(b, postings)
        return self

    def __len__(self) -> int:
        return len(self._docs)

    language_of = staticmethod(language_of)
    """Also reachable from the index, so handlers holding only the index can label gaps."""

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocab)

    # ------------------------------------------------------------------ query

    def search(self, query: str, *, limit: int = 8) -> SearchResult:
        """Rank catalog items for a free-text query; never raises on any string."""
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

        scores: dict[int, float] = {}
        matched_groups: dict[int, int] = {}
        content: set[int] = set()
        unmatched: list[str] = []
        for group in groups:
            best = self._lookup(group.alternatives)
            if not best:
                if not group.is_filter:
                    unmatched.append(group.label)
                continue
            for d, v in best.items():
                scores[d] = scores.get(d, 0.0) + v
                matched_groups[d] = matched_groups.get(d, 0) + 1
            if group.is_topical:
                content.update(best)
        for term in echoes:
            for d, v in self._postings.get(term, {}).items():
                scores[d] = scores.get(d, 0.0) + ECHO_FACTOR * v

        content_stems = [s for t, s in zip(folded, stems, strict=True) if not _is_stop(t)]
        for a, b in itertools.pairwise(content_stems):
            topical = a not in filter_words or b not in filter_words
            for d, v in self._postings.get(f"{a} {b}", {}).items():
                scores[d] = scores.get(d, 0.0) + BIGRAM_FACTOR * v
                if topical:
                    content.add(d)
        quality, full = self._phrase_bonus(content_stems, filter_words, scores, content)

        n_groups = len(groups)
        for d in scores:
            doc = self._docs[d]
            factor = (0.5 + 0.5 * matched_groups.get(d, 0) / n_groups) * doc.factor
            if doc.kind is not None and doc.kind in kinds:
                factor *= KIND_FACTOR
            if audiences and not audiences.isdisjoint(doc.audiences):
                factor *= AUDIENCE_FACTOR
            scores[d] *= factor

        filter_only = all(g.is_filter for g in groups) or (not content and bool(scores))
        strict = self._strict(countries, kinds, audiences) if filter_only else set()
        candidates = set(scores) | strict
        if not candidates:
            return SearchResult(
                normalized,
                (),
                country,
                kind,
                audience,
                False,
                self._suggest(folded),
                tuple(unmatched),
            )

        # Rank: for a filter-only query, items matching every filter, then the detected
        # country, then score; otherwise topical matches of the detected country, other
        # topical matches, then the rest. Stray weak matches below a share of the best go.
        best = max(scores.get(d, 0.0) for d in candidates)
        floor = max(best * RELATIVE_CUTOFF, 1e-12)
        filter_floor = best * FILTER_MATCH_CUTOFF
        docs = self._docs

        def rank_key(d: int) -> tuple[bool, bool, bool, float, int]:
            local = docs[d].country in countries
            if filter_only:  # the query may still be a full name ("Apprenticeship Incentive Grant")
                return (d in strict or d in full, local, False, scores.get(d, 0.0), -d)
            topical = d in content
            return (topical and local, topical, local, scores.get(d, 0.0), -d)

        eligible = (
            d
            for d in candidates
            if d in strict
            or (
                (score := scores.get(d, 0.0)) >= floor
                and (filter_only or d in content or score >= filter_floor)
            )
        )
        ranked = heapq.nlargest(limit, eligible, key=rank_key)
        hits = tuple(Hit(self._docs[d].id, round(scores.get(d, 0.0), 4)) for d in ranked)
        clear = self._clear_winner(ranked, scores, quality, full, filter_only)
        return SearchResult(normalized, hits, country, kind, audience, clear, (), tuple(unmatched))

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
                if sim >= best - 0.05:
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
            consumed.update(range(start, end))
            concept = _CONCEPT_BY_KEY[key]
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
        if len(alternatives) == 1:
            term, factor = alternatives[0]
            bucket = self._postings.get(term)
            if not bucket:
                return {}
            return dict(bucket) if factor == 1.0 else {d: v * factor for d, v in bucket.items()}
        best: dict[int, float] = {}
        for term, factor in alternatives:
            for d, v in self._postings.get(term, {}).items():
                v *= factor
                if v > best.get(d, 0.0):
                    best[d] = v
        return best

    def _phrase_bonus(
        self,
        content_stems: list[str],
        filter_words: set[str],
        scores: dict[int, float],
        content: set[int],
    ) -> tuple[dict[int, tuple[int, int]], set[int]]:
        """Reward items whose whole name / short name / keyword appears inside the query.

        Word order is ignored ("apprenticeship for high school students" contains the keyword
        "high school apprenticeship"). Returns per item the best phrase matched as (rank,
        length) — names beat keywords, longer beats shorter — and the items whose name or
        short name is exactly the query. A phrase made only of filter words (the keyword
        "canada") adds to the score but does not make an item a topical match.
        """
        words = set(content_stems)
        best: dict[int, float] = {}
        quality: dict[int, tuple[int, int]] = {}
        full: set[int] = set()
        topical: set[int] = set()
        for anchor in words:
            for phrase in self._phrases.get(anchor, ()):
                if not phrase.tokens <= words:
                    continue
                size = len(phrase.tokens)
                if not phrase.tokens <= filter_words:
                    topical.update(d for d, _ in phrase.docs)
                for d, rank in phrase.docs:
                    bonus = phrase.bonus * PHRASE_RANK_FACTOR[rank]
                    if bonus > best.get(d, 0.0):
                        best[d] = bonus
                    # One shared keyword ("welding") is no evidence that an item is *the* one.
                    q = (rank, size)
                    if (rank > RANK_KEYWORD or size > 1) and q > quality.get(d, (-1, 0)):
                        quality[d] = q
                    if rank == RANK_MAIN and size == len(words):
                        full.add(d)
        for d, bonus in best.items():
            scores[d] = scores.get(d, 0.0) + bonus
        content |= topical
        return quality, full

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
        quality: dict[int, tuple[int, int]],
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
        none = (-1, 0)
        top_score, second_score = scores.get(top, 0.0), scores.get(second, 0.0)
        if quality.get(top, none) > quality.get(second, none) and top_score > second_score:
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
            for choice, score, i in process.extract(
                probe,
                self._suggest_norm,
                scorer=fuzz.ratio,
                score_cutoff=SUGGEST_CUTOFF,
                limit=SUGGEST_LIMIT * 2,
            ):
                key = (OSA.normalized_similarity(probe, choice), score)
                if key > best.get(i, (0.0, 0.0)):
                    best[i] = key
        ranked = sorted(best.items(), key=lambda kv: (kv[1], -len(self._suggest_norm[kv[0]])))
        return tuple(self._suggest_display[i] for i, _ in reversed(ranked[-SUGGEST_LIMIT:]))


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
