"""Combining sentence scores into a mention's score, and scores into labels.

Called by :mod:`hirewatch.enrich.stage` and the benchmarks; pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from hirewatch.enrich.text import sentences
from hirewatch.mention import NEGATIVE, NEUTRAL, POSITIVE

VADER_THRESHOLD = 0.05  # VADER's own recommendation for its compound score
# A text up to this long (a tweet, a review title and a line or two) is scored whole, as VADER
# and the heads were built and validated; a longer one sentence by sentence, combined. Measured
# on the Hutto dev split: per-sentence scoring of short multi-sentence tweets cost the English
# head 6 points (0.848 vs 0.910).
SHORT_TEXT_CHARS = 300


def scoring_units(text: str) -> list[str]:
    """What is scored for a whole text: the text itself when short, else its sentences."""
    if len(text) <= SHORT_TEXT_CHARS:
        return [text] if text.strip() else []
    return sentences(text)


def combine(scores: Sequence[float], threshold: float = VADER_THRESHOLD,
            weights: Sequence[float] | None = None) -> float:
    """A text's score from its sentences' scores: the mean of the sentences that carry sentiment
    (``|s| >= threshold``), so neutral filler sentences do not dilute one clear complaint;
    0.0 when none does. ``weights`` (one per score; :mod:`hirewatch.enrich.verdict`) make it a
    weighted mean."""
    if weights is None:
        weights = [1.0] * len(scores)
    carrying = [(s, w) for s, w in zip(scores, weights, strict=True) if abs(s) >= threshold]
    total = sum(w for _, w in carrying)
    if not carrying or total <= 0:
        return 0.0
    return max(-1.0, min(1.0, sum(s * w for s, w in carrying) / total))


def label(score: float, threshold: float = VADER_THRESHOLD) -> str:
    """negative / neutral / positive for a score in -1..1."""
    if score >= threshold:
        return POSITIVE
    if score <= -threshold:
        return NEGATIVE
    return NEUTRAL
