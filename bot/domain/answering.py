"""What the bot answers to a free text, as data: chit-chat, nothing, or ranked results.

One pure function (no Telegram, no database) that the chat search, the relevance bench and the
tests share, so the figures the bench reports are the answers people get.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.catalog.catalog import Catalog
from bot.catalog.search import SearchIndex, SearchResult
from bot.domain import scope, smalltalk
from bot.domain.asker import NOTHING, Asker, Ranked, rank_for

RANKED_FROM = 100
"""Hits fetched before re-ranking for the asker: the few shown must be able to come from
the asker's country and region even when the text alone ranks other cards first ("apprenticeship"
matches all 51 US state cards; the asker's own must be among those re-ranked)."""


@dataclass(frozen=True, slots=True)
class Answer:
    talk: smalltalk.Talk | None
    """Set when the text was chit-chat: answer socially, search nothing, record no gap."""
    result: SearchResult | None
    ranked: Ranked

    @property
    def ids(self) -> list[str]:
        return self.ranked.ids


def answer(
    index: SearchIndex, catalog: Catalog, asker: Asker, text: str, *, limit: int = RANKED_FROM
) -> Answer:
    """The answer to `text` from `asker`: chit-chat first, then the search re-ranked."""
    talk = smalltalk.classify(text)
    if talk is not None:
        return Answer(talk, None, NOTHING)
    result = index.search(text, limit=limit)
    if off_topic(result) or _scope(index).outside(text) is not None:
        return Answer(None, result, NOTHING)
    return Answer(None, result, rank_for(asker, result, catalog))


@lru_cache(maxsize=2)
def _scope(index: SearchIndex) -> scope.Scope:
    """Built once per index (a reload builds a new one), from the words its catalog uses."""
    return scope.Scope(index.vocabulary)


def off_topic(result: SearchResult) -> bool:
    """Half or more of what the person asked about is unknown to the catalog.

    "nursing school", "devenir médecin", "piloto aviador": the word that says what they want
    matches nothing, and what is left ("school", "devenir", "piloto" in a "programa piloto")
    only matches by accident. Calibrated on the labelled queries (`bench/relevance.py`): long
    questions with one unknown word ("soy colombiano, ¿vale mi certificado en México?") keep
    their answer; short ones whose subject is unknown get an honest "nothing" and are counted
    as gaps for the editors.
    """
    return bool(result.unmatched) and 2 * len(result.unmatched) >= max(result.words, 1)
