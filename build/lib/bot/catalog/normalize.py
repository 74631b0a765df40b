"""Text normalization shared by the search index and the query side.

Both sides must fold text in exactly the same way, otherwise "Certificación" in a YAML file and
"certificacion" typed on a phone would never meet. Everything here is pure and cheap: it runs on
every query and on every field of every item when the index is built.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_QUERY_CHARS = 256
"""Telegram's inline-query limit; anything longer is cut before any work so cost stays bounded."""

MAX_QUERY_TOKENS = 48
"""A 256-char query has at most ~128 one-letter tokens; nobody needs more than this many."""

_TOKEN_RE = re.compile(r"[^\W_]+")

# Letters that NFKD does not decompose but that people commonly type without their mark.
_FOLD = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
    }
)


_COMBINING = dict.fromkeys(
    # The last combining mark is U+1E94A (Unicode 15); scanning further only costs import time.
    cp
    for cp in range(0x20000)
    if unicodedata.combining(chr(cp))
)
"""Every combining mark → deleted, for `str.translate` (C speed, unlike a per-char loop)."""


def fold(text: str) -> str:
    """Accent- and case-fold: NFKD, drop combining marks, casefold.

    NFKD also turns compatibility forms ("ﬁ", full-width digits, superscripts) into plain
    letters, so what looks the same on a screen is the same in the index.
    """
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text).translate(_COMBINING)
    folded = decomposed.casefold().translate(_FOLD)
    if folded.isascii():
        return folded
    # Casefolding can produce new decomposable letters or marks; fold once more so that
    # folding is idempotent (the index and a re-normalized query must agree).
    return unicodedata.normalize("NFKD", folded).translate(_COMBINING)


def tokenize(text: str) -> list[str]:
    """Folded word tokens; punctuation, symbols, emoji and control characters separate words."""
    return _TOKEN_RE.findall(fold(text))


def query_tokens(text: str) -> list[str]:
    """The folded tokens of a query, after the length bounds that keep its cost fixed."""
    return tokenize(text[:MAX_QUERY_CHARS])[:MAX_QUERY_TOKENS]


def normalize(text: str) -> str:
    """The canonical form of a query: folded tokens joined by single spaces.

    This is what a search result reports as its query (and what gaps are recorded under), so
    "¿Certificación?" and "certificacion" count as the same unanswered question.
    """
    return " ".join(query_tokens(text))


@lru_cache(maxsize=1 << 16)
def stem(token: str) -> str:
    """A deliberately tiny plural folding for en/es/fr, applied identically on both sides.

    Real stemmers over-conflate across three languages at once ("formation" / "formación" /
    "forma"); folding plurals and a final "e" already makes "trades"/"trade",
    "jóvenes"/"joven", "empleadores"/"empleador", "certificaciones"/"certificación",
    "étudiants"/"estudiantes"-style pairs and "certificate"/"certificat" meet, which is what
    people type differently most often. Short tokens and numbers are left alone so acronyms
    ("jcf", "us") and years survive.
    """
    if len(token) <= 3 or token.isdigit():
        return token
    if len(token) > 5 and token.endswith("iones"):
        return token[:-2]  # certificaciones -> certificacion
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"  # companies -> company
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    if len(token) > 4 and token.endswith("e"):
        token = token[:-1]  # trade(s) -> trad, joven(es) -> joven, empleador(es) -> empleador
    return token
