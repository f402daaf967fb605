"""A verdict of a few words in a language with a polarity lexicon: the lexicon's clear reading
stands where the multilingual head reads it the other way.

Called by :class:`hirewatch.enrich.model_scorer.ModelScorer` for the texts its ``e5+lex`` head
scores; pure, never raises.

The small embedding model reads a two-word verdict by its noun: "Teleurstellend boek." lands
among sentences about books, and even with the lexical features beside the embedding the head
read it +0.57 (bench/RESULTS.md, issue 17). In a text of at most :data:`MAX_WORDS` words the
polar word is the verdict, and the lexicon (:mod:`hirewatch.enrich.polarity_lexicon`, with its
negation rules) says which way it points. So, as the English cascade lets VADER's confident and
uncontradicted verdict stand, a short text whose lexical balance is clear (``|balance|`` at least
:data:`GATE`) and one-sided (nothing praised beside the complaint, or the other way round) keeps
the head's score only when the head agrees beyond its neutral threshold; otherwise the lexical
balance is the score. Longer texts, English (no lexicon in this head), a silent lexicon and
mixed verdicts ("Gut, aber teuer.") are left to the head.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from hirewatch.enrich.polarity_lexicon import FEATURES

#: Part of the multilingual scorer's version (the re-use key): a change scores stored texts again.
VERSION = 1
#: A text of at most this many words is a verdict the lexicon may decide.
MAX_WORDS = 4
#: The lexical balance (tanh of praise minus complaint, -1..1) at least this far from 0 is clear.
GATE = 0.3
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_POSITIVE, _NEGATIVE, _BALANCE, _SILENT = (FEATURES.index(n) for n in ("positive", "negative", "balance", "silent"))


def apply(scores: Sequence[float], texts: Sequence[str], lexical: np.ndarray, threshold: float) -> list[float]:
    """The head's ``scores`` of ``texts`` with the rule applied; ``lexical`` holds each text's
    :data:`~hirewatch.enrich.polarity_lexicon.FEATURES` (n, 7), ``threshold`` the head's."""
    out = []
    for score, text, row in zip(scores, texts, lexical, strict=True):
        balance = float(row[_BALANCE])
        decides = (len(_WORD.findall(text)) <= MAX_WORDS and not row[_SILENT] and abs(balance) >= GATE
                   and min(float(row[_POSITIVE]), float(row[_NEGATIVE])) == 0.0)
        agrees = np.sign(score) == np.sign(balance) and abs(score) >= threshold
        out.append(balance if decides and not agrees else float(score))
    return out
