"""The label of a text read sentence by sentence: a trained combination of its sentence scores,
not a fixed band around their mean.

Called by :mod:`hirewatch.enrich.stage` for every model-scored text of at least
:data:`MIN_SENTENCES` scoring units, and by ``bench/train_long_text.py`` (which fits it) and
``bench/eval_sentiment.py``. Pure numpy; never raises for any scores.

A long review's or article's sentence scores say more than their mean: how many sentences praise
and how many complain, what the opening, the closing and the verdict sentences say
(:mod:`hirewatch.enrich.verdict`), the strongest sentence each way. A weighted mean with the
head's neutral band calls a polar text "neutral" whenever praise and complaint partly cancel.
:func:`features` turns one text's scores into nine numbers; a small softmax (three classes) over
them, fitted per sentiment head on documents with gold labels, gives ``p(positive) -
p(negative)`` as the text's score and its label by the fitted threshold. Each fitted combination
records the head version it was fitted on; a head retrained since is not combined with a stale
fit (the weighted mean is used instead, and ``tests/enrich/test_long_text.py`` fails, so the fit
is redone with the head).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from hirewatch.enrich.model_scorer import softmax
from hirewatch.enrich.scoring import combine

MODELS = Path(__file__).resolve().parent / "models"
#: A text with fewer scoring units keeps the weighted mean (a short text is one unit anyway).
MIN_SENTENCES = 4
#: The features, in order (see :func:`features`).
FEATURES = ("weighted_mean", "mean", "share_positive", "share_negative", "heavy_mean", "opening",
            "closing", "min", "max")


def features(scores: Sequence[float], weights: Sequence[float] | None, threshold: float) -> np.ndarray:
    """Nine numbers for one text from its units' scores (-1..1), their verdict weights (None: all
    1) and the head's neutral threshold: the weighted mean of the sentences that carry sentiment
    (today's score), the plain mean, the shares of clearly positive and clearly negative
    sentences, the weighted mean of the heavier sentences (opening, verdict, about the entity;
    0 when none is), the opening sentence, the mean of the last two, the lowest and the highest."""
    s = np.asarray(scores, dtype=np.float64)
    if s.size == 0:
        return np.zeros(len(FEATURES))
    w = np.ones_like(s) if weights is None else np.asarray(weights, dtype=np.float64)
    heavy = w > 1.0
    heavy_mean = float((s[heavy] * w[heavy]).sum() / w[heavy].sum()) if heavy.any() else 0.0
    return np.array([combine(list(s), threshold, list(w)), float(s.mean()), float((s >= threshold).mean()),
                     float((s <= -threshold).mean()), heavy_mean, float(s[0]), float(s[-2:].mean()),
                     float(s.min()), float(s.max())])


@dataclass(frozen=True)
class LongTextCombiner:
    """A fitted combination for one sentiment head: ``softmax(features @ W.T + b)`` over
    (negative, neutral, positive); ``head`` and ``head_version`` say which head's scores it reads."""

    weights: np.ndarray  # (3, len(FEATURES))
    bias: np.ndarray  # (3,)
    threshold: float
    head: str
    head_version: str
    meta: dict

    @classmethod
    def load(cls, path: Path) -> LongTextCombiner:
        """Raises ``OSError`` or ``ValueError`` for a missing or bad file."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            weights = np.asarray(data["weights"], dtype=np.float64)
            bias = np.asarray(data["bias"], dtype=np.float64)
        if weights.shape != (3, len(FEATURES)) or bias.shape != (3,) or tuple(meta.get("features", ())) != FEATURES:
            raise ValueError(f"{path}: not a long-text combination over {FEATURES}")
        return cls(weights, bias, float(meta["threshold"]), str(meta["head"]), str(meta["head_version"]), meta)

    def save(self, path: Path) -> None:
        meta = {**self.meta, "features": list(FEATURES), "threshold": self.threshold, "head": self.head,
                "head_version": self.head_version}
        np.savez_compressed(path, weights=self.weights, bias=self.bias,
                            meta=np.array(json.dumps(meta, sort_keys=True)))

    def score(self, scores: Sequence[float], weights: Sequence[float] | None, head_threshold: float) -> float:
        """``p(positive) - p(negative)`` for one text's unit scores."""
        p = softmax((features(scores, weights, head_threshold) @ self.weights.T + self.bias)[None, :])[0]
        return float(p[2] - p[0])


def path_for(head: str) -> Path:
    """Where the combination for the head named ``head`` is kept (``e5-head`` ->
    ``models/long_text_e5-head.npz``)."""
    return MODELS / f"long_text_{head}.npz"


@lru_cache(maxsize=8)
def _load(path: Path) -> LongTextCombiner | None:
    try:
        return LongTextCombiner.load(path)
    except (OSError, ValueError, KeyError):
        return None


def combiner_for(head: str, head_version: str) -> LongTextCombiner | None:
    """The fitted combination for this head at this version, or None (none fitted, or fitted on
    an earlier version of the head). Read once per process, as the heads are."""
    found = _load(path_for(head))
    return found if found is not None and found.head_version == head_version else None


def fit_id(head: str, head_version: str) -> str:
    """Names the combination a head's long texts get (``none`` when there is none): part of the
    re-use key, so a stored mention is scored again when the combination changes."""
    found = combiner_for(head, head_version)
    return str(found.meta.get("version", "1")) if found is not None else "none"
