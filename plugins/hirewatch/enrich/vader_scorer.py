"""English sentiment: VADER with the project's HR-domain lexicon, per sentence, combined.

Called by :func:`hirewatch.enrich.enrich_mentions` for English text in ``fast`` mode. One
``SentimentIntensityAnalyzer`` per process (built lazily on first use: loading VADER's lexicon
is not free). Never raises on any text.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hirewatch.enrich.hr_lexicon import lexicon_entries, normalise_phrases

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

NAME = "vader+hr"
_lock = threading.Lock()
_analyzer: SentimentIntensityAnalyzer | None = None


def analyzer() -> SentimentIntensityAnalyzer:
    """The process's one VADER analyzer, its lexicon extended with the HR-domain entries."""
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                built = SentimentIntensityAnalyzer()
                built.lexicon.update(lexicon_entries())
                _analyzer = built
    return _analyzer


def score_sentence(sentence: str, *, hr: bool = True) -> float:
    """VADER's compound score (-1..1) of one sentence; ``hr=False`` scores with VADER's own
    lexicon only (the benchmark's baseline)."""
    if not hr:
        return float(_plain_analyzer().polarity_scores(sentence)["compound"])
    return float(analyzer().polarity_scores(normalise_phrases(sentence))["compound"])


def score_sentences(sentences: Sequence[str], *, hr: bool = True) -> list[float]:
    return [score_sentence(s, hr=hr) for s in sentences]


_plain: SentimentIntensityAnalyzer | None = None


def _plain_analyzer() -> SentimentIntensityAnalyzer:
    global _plain
    if _plain is None:
        with _lock:
            if _plain is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _plain = SentimentIntensityAnalyzer()
    return _plain
