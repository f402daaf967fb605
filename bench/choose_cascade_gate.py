"""Choose the English fast-mode cascade's gate (``hirewatch.enrich.cascade.GATE`` and ``MIXED``)
on the Hutto DEV split; the test split is never read.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.choose_cascade_gate [--cap-dev 250] [HEAD]

Prints, per (gate, mixed), the mean macro-F1 over the Amazon, NYT and movie dev items (tweets are
social posts, which the product leaves with VADER), the accuracy per set and the share of dev texts
sent to the model. The rule (bench/RESULTS.md, issue 17): the fewest texts sent within 2 points of
the model's macro-F1 alone. Embeddings from ``bench/embedding_cache.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from hirewatch.enrich import polarity_lexicon
from hirewatch.enrich.hr_lexicon import normalise_phrases
from hirewatch.enrich.model_scorer import HEAD_PATH, Head
from hirewatch.enrich.scoring import VADER_THRESHOLD, combine, label
from hirewatch.enrich.vader_scorer import analyzer

from bench import hutto
from bench.embedding_cache import embed
from bench.eval_sentiment import macro_f1, units_and_weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("head", nargs="?", type=Path, default=HEAD_PATH)
    parser.add_argument("--cap-dev", type=int, default=250)
    args = parser.parse_args()
    head = Head.load(args.head)
    dev = hutto.capped([i for i in hutto.load_all() if i.split == "dev"], args.cap_dev)
    rows = []
    for item in dev:
        parts, weights = units_and_weights(item.text)
        rows.append((item.set, item.label, parts, weights,
                     [analyzer().polarity_scores(normalise_phrases(p)) for p in parts]))
    flat = list(dict.fromkeys(p for _, _, parts, _, _ in rows for p in parts))
    x = embed(flat, depth=int(head.meta.get("layers", 12)), progress=False)
    if head.features == "e5+lex":
        x = np.hstack([x, polarity_lexicon.features(flat, "en")])
    scores = dict(zip(flat, head.scores(x), strict=True))

    def run(gate: float | None, mixed: float) -> tuple[float, dict[str, float], float]:
        out: dict[str, list[tuple[str, str]]] = {}
        sent = 0
        for name, gold, parts, weights, vader in rows:
            compounds = [v["compound"] for v in vader]
            doc = combine(compounds, VADER_THRESHOLD, weights)
            contradicted = (any(v["pos"] >= mixed and v["neg"] >= mixed for v in vader)
                            or (any(c >= VADER_THRESHOLD for c in compounds)
                                and any(c <= -VADER_THRESHOLD for c in compounds)))
            if gate is None or (abs(doc) >= gate and not contradicted):
                pred = label(doc, VADER_THRESHOLD)
            else:
                pred = label(combine([float(scores[p]) for p in parts], head.threshold, weights), head.threshold)
                sent += 1
            out.setdefault(name, []).append((pred, gold))
        f1 = float(np.mean([macro_f1([p for p, _ in v], [g for _, g in v]) for k, v in out.items() if k != "tweets"]))
        accuracy = {k: round(float(np.mean([p == g for p, g in v])), 3) for k, v in out.items()}
        return round(f1, 4), accuracy, round(sent / len(rows), 3)

    print("VADER+HR alone", run(None, 1.01))
    print("model alone", run(9.0, 1.01))
    for gate in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        for mixed in (0.1, 0.2, 1.01):
            print(f"gate {gate} mixed {mixed}", run(gate, mixed))


if __name__ == "__main__":
    main()
