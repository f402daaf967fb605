"""Lexical polarity features beside the embedding, for the multilingual sentiment head.

Called by :class:`hirewatch.enrich.model_scorer.ModelScorer` (a head whose meta says features
``e5+lex``) and by ``bench/train_sentiment_head.py``, which computes the same features.

The small embedding model reads a short phrase mostly by its noun ("Teleurstellend boek." lands
near other sentences about books); a polarity lexicon per language says what the phrase's words
mean. Per text, over its words: positive and negative mass, their balance, the balance per word
(in a two-word verdict the polar word is the text; in a long sentence it is one word among many),
how many positive and negative words are negated, and whether the lexicon is silent
(:data:`FEATURES`). A word is negated by a negator ("niet", "geen", "nicht", "kein", "inte", "ej",
"ikke", ...) at most three words before it in the same clause, or by a negator right after it
("Jag gillar inte chefen") or a clause-final one ("Das gefällt mir nicht"); a negated word counts
for the other side at 0.74 of its weight (VADER's factor). Unknown words are looked up without
their inflection ending ("langweiligen" -> "langweilig") and by the head of a compound
("Lesespaß" -> "spaß"). English text is silent here (see :data:`LANGUAGES`).

The lexicons (``lexicons/<language>.tsv``, score -1..1) are derived from openly licensed sources
by ``bench/build_lexicons.py``; ``lexicons/README.md`` names each source and its licence.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

LEXICONS = Path(__file__).resolve().parent / "lexicons"
# English has none here: its sentences in this head are Hutto's movie, product and news snippets,
# where VADER's lexicon as features cost dev accuracy; English keeps VADER in its own head and in
# the cascade (bench/RESULTS.md, issue 17)
LANGUAGES = ("nl", "de", "sv", "no", "da")
FEATURES = ("positive", "negative", "balance", "density", "negated_positive", "negated_negative", "silent")
NEGATED_WEIGHT = -0.74
WINDOW = 3

_NEGATORS = {
    "nl": {"niet", "geen", "nooit", "niets", "niks", "nergens", "geeneens", "allerminst", "zonder"},
    "de": {"nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "nichts", "ohne",
           "weder", "noch"},
    "sv": {"inte", "ej", "icke", "aldrig", "ingen", "inget", "inga", "ingenting", "utan"},
    "no": {"ikke", "ikkje", "aldri", "ingen", "intet", "ingenting", "uten", "verken"},
    "da": {"ikke", "aldrig", "ingen", "intet", "ingenting", "uden", "hverken"},
}
# inflection endings tried, longest first, when a word is not in the lexicon as written
_ENDINGS = {
    "nl": ("ste", "en", "er", "e", "s"),
    "de": ("sten", "ste", "en", "er", "es", "em", "e", "n", "s"),
    "sv": ("arna", "orna", "erna", "are", "ast", "na", "en", "et", "ar", "or", "er", "a", "t", "e"),
    "no": ("ene", "ere", "est", "este", "et", "en", "er", "e", "t"),
    "da": ("ene", "ere", "est", "este", "et", "en", "er", "e", "t"),
}
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|[.!?;:,()]|\s[-–]\s")
_BREAKS = set(".!?;:,()") | {" - ", " – "}


@functools.cache
def fingerprint() -> str:
    """A short hash of everything the features depend on (the lexicon files, the negators, the
    endings, the window and the negation weight): part of the multilingual scorer's version, so a
    stored mention is scored again when any of them changes."""
    import hashlib

    digest = hashlib.sha256(repr((sorted(_NEGATORS.items()), sorted(_ENDINGS.items()), WINDOW, NEGATED_WEIGHT,
                                  FEATURES, LANGUAGES)).encode())
    for language in LANGUAGES:
        path = LEXICONS / f"{language}.tsv"
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:8]


@functools.cache
def lexicon(language: str) -> dict[str, float]:
    """The polarity lexicon of ``language`` (word -> -1..1); empty for a language without one."""
    path = LEXICONS / f"{language}.tsv"
    if language not in LANGUAGES or not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, score = line.split("\t")
            out[word] = float(score)
    return out


@functools.lru_cache(maxsize=200_000)
def polarity(word: str, language: str) -> float:
    """The lexicon score of a lower-case ``word`` (0 when unknown): as written, without an
    inflection ending, or the head of a compound of at least four letters."""
    words = lexicon(language)
    if word in words:
        return words[word]
    for ending in _ENDINGS.get(language, ()):
        stem = word[:-len(ending)]
        if word.endswith(ending) and len(stem) >= 3 and stem in words:
            return words[stem]
    if len(word) >= 8:
        for start in range(3, len(word) - 3):
            head = word[start:]
            if head in words:
                return words[head]
    return 0.0


def _is_negator(token: str, language: str) -> bool:
    return token in _NEGATORS.get(language, ())


def _clauses(text: str) -> list[list[str]]:
    clauses: list[list[str]] = [[]]
    for token in _TOKEN.findall(text.lower()):
        if token in _BREAKS or token.strip() in _BREAKS:
            clauses.append([])
        else:
            clauses[-1].append(token.replace("’", "'"))
    return [c for c in clauses if c]


def text_features(text: str, language: str | None) -> tuple[float, ...]:
    """The :data:`FEATURES` of one text in ``language`` (silent for a language without a lexicon,
    English among them)."""
    positive = negative = 0.0
    negated_positive = negated_negative = 0
    polar = words = 0
    lang = language or ""
    for clause in _clauses(text):
        words += len(clause)
        negators = [i for i, t in enumerate(clause) if _is_negator(t, lang)]
        final_negator = bool(negators) and negators[-1] == len(clause) - 1
        for i, token in enumerate(clause):
            score = polarity(token, lang) if not _is_negator(token, lang) else 0.0
            if not score:
                continue
            polar += 1
            negated = any(i - WINDOW <= n < i for n in negators) or i + 1 in negators or (
                final_negator and i < negators[-1] <= i + WINDOW + 1
                and not any(polarity(t, lang) for t in clause[i + 1:negators[-1]]))
            if negated:
                negated_positive += score > 0
                negated_negative += score < 0
                score *= NEGATED_WEIGHT
            if score > 0:
                positive += score
            else:
                negative -= score
    return (math.tanh(positive), math.tanh(negative), math.tanh(positive - negative),
            (positive - negative) / max(words, 1), float(min(negated_positive, 3)), float(min(negated_negative, 3)),
            float(polar == 0))


def features(texts: Sequence[str], language: str | None) -> np.ndarray:
    """(n, 7) :data:`FEATURES` of ``texts``, all in ``language``."""
    return np.asarray([text_features(t, language) for t in texts], dtype=np.float32).reshape(len(texts),
                                                                                               len(FEATURES))
