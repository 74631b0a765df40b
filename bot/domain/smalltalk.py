"""Chit-chat is not a search: "hola", "merci !", "thanks 🙏", "lol", "👍", "???".

Searching those opened a random card ("gracias" → the CONALEP Querétaro card), which told the
person the bot had not understood them while pretending it had, and hid real gaps from the
editors' report. A message made only of social words, laughter, emoji or punctuation gets a
short friendly answer instead. Pure and deterministic: no Telegram, no catalog.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Talk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    BYE = "bye"
    OK = "ok"
    LAUGH = "laugh"
    WHO = "who"
    SYMBOLS = "symbols"
    """Only emoji or punctuation: a reaction, or a question mark waiting for help."""


_PHRASES: dict[Talk, tuple[str, ...]] = {
    Talk.GREETING: (
        "hi",
        "hello",
        "hey",
        "hiya",
        "yo",
        "good morning",
        "good afternoon",
        "good evening",
        "hola",
        "buenas",
        "buenos dias",
        "buenas tardes",
        "buenas noches",
        "que tal",
        "que onda",
        "quiubo",
        "bonjour",
        "bonsoir",
        "salut",
        "allo",
        "coucou",
        "bon matin",
        "hi there",
        "hello there",
        "hola que tal",
        "hey there",
        "how are you",
        "hows it going",
        "good day",
        "como estas",
        "q onda",
        "q tal",
        "buen dia",
        "saludos",
        "ca va",
        "salut ca va",
        "comment ca va",
        "bonne journee",
        "bonne soiree",
        "bonjour ca va",
        "hola como estas",
    ),
    Talk.THANKS: (
        "thanks",
        "thank you",
        "thx",
        "ty",
        "thanks a lot",
        "thank you so much",
        "thank u",
        "gracias",
        "muchas gracias",
        "mil gracias",
        "grax",
        "merci",
        "merci beaucoup",
        "merci bien",
        "mercii",
        "thanks bot",
        "gracias bot",
        "merci bot",
        "thanks for the help",
        "gracias por la info",
        "gracias por la ayuda",
        "merci pour l info",
        "merci pour votre aide",
    ),
    Talk.BYE: (
        "bye",
        "goodbye",
        "see you",
        "good night",
        "adios",
        "hasta luego",
        "nos vemos",
        "chao",
        "chau",
        "ciao",
        "au revoir",
        "bonne nuit",
        "a plus",
        "bye bye",
    ),
    Talk.OK: (
        "ok",
        "okay",
        "oki",
        "okey",
        "k",
        "cool",
        "nice",
        "great",
        "perfect",
        "got it",
        "vale",
        "sale",
        "perfecto",
        "genial",
        "de acuerdo",
        "va",
        "daccord",
        "d accord",
        "parfait",
        "super",
        "ok merci",
        "ok gracias",
        "ok thanks",
        "okay thanks",
    ),
    Talk.LAUGH: ("lol", "lmao", "xd", "mdr", "ptdr", "jk"),
    Talk.WHO: (
        "who are you",
        "what are you",
        "what can you do",
        "are you a bot",
        "are you human",
        "quien eres",
        "que eres",
        "que haces",
        "que puedes hacer",
        "eres un bot",
        "qui es tu",
        "qui etes vous",
        "que fais tu",
        "tu es un bot",
        "es tu un robot",
    ),
}
_LOOKUP = {phrase: talk for talk, phrases in _PHRASES.items() for phrase in phrases}
_LAUGHTER = re.compile(r"^(?:j[aeiou]){2,}j?$|^(?:h[aeiou]){2,}h?$|^(?:hi){2,}$|^x+d+$")
_ELONGATED = re.compile(r"(.)\1{2,}")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def classify(text: str) -> Talk | None:
    """What kind of chit-chat `text` is, or None when it may be a real question."""
    folded = _fold(text).replace("'", " ").replace("’", " ")
    words = re.findall(r"[^\W_]+", folded)
    if not words:
        return Talk.SYMBOLS if text.strip() else None
    if len(words) > 6:
        return None
    squeezed = [_ELONGATED.sub(r"\1\1", w) for w in words]  # "holaaa", "merciii"
    phrase = " ".join(squeezed)
    for candidate in (phrase, " ".join(_ELONGATED.sub(r"\1", w) for w in words)):
        if candidate in _LOOKUP:
            return _LOOKUP[candidate]
    if all(_LAUGHTER.match(w) or w in ("lol", "mdr", "xd") for w in squeezed):
        return Talk.LAUGH
    # "hola gracias", "ok bye": every word social, the first one names the kind.
    kinds = [_LOOKUP.get(w) or _LOOKUP.get(_ELONGATED.sub(r"\1", w)) for w in squeezed]
    if all(kinds):
        return kinds[0]
    return None
