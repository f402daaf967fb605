"""Compare verdict weights (``hirewatch.enrich.verdict``) on long texts, with VADER+HR sentence
scores: the Hutto Amazon and NYT train+dev documents with more than 10 sentences (the test split
is never read; gold by the paper's rule on the document's mean sentence rating).

    .venv/bin/python -m bench.compare_verdict_weights

Prints, per (opening, closing, verdict) weight, the 3-class accuracy and the share of polar
documents right. No model: seconds.
"""

from __future__ import annotations

import itertools

import numpy as np
from hirewatch.enrich import verdict
from hirewatch.enrich.scoring import VADER_THRESHOLD, combine, label
from hirewatch.enrich.vader_scorer import score_sentence

from bench import hutto


def documents() -> list[tuple[str, list[str]]]:
    docs: dict[tuple[str, str], list[hutto.Item]] = {}
    for name in hutto.GROUPED:
        for item in hutto.load(name):
            if item.split in ("train", "dev"):
                docs.setdefault((name, item.id.split("_")[0]), []).append(item)
    out = []
    for items in docs.values():
        if len(items) <= 10:
            continue
        items.sort(key=lambda i: int(i.id.split("_")[1]) if i.id.split("_")[1].isdigit() else 0)
        mean = float(np.mean([i.rating for i in items])) / 4.0
        gold = "positive" if mean >= 0.05 else "negative" if mean <= -0.05 else "neutral"
        out.append((gold, [i.text for i in items]))
    return out


def main() -> None:
    docs = [(gold, parts, [score_sentence(p) for p in parts]) for gold, parts in documents()]
    print(f"{len(docs)} documents")
    for opening, closing, conclusion in itertools.product((1.0, 2.0, 3.0), (1.0, 1.5, 2.0), (1.0, 3.0, 5.0)):
        verdict.OPENING_WEIGHT, verdict.CLOSING_WEIGHT, verdict.VERDICT_WEIGHT = opening, closing, conclusion
        right, polar = [], []
        for gold, parts, scores in docs:
            pred = label(combine(scores, VADER_THRESHOLD, verdict.weights(parts, "en")), VADER_THRESHOLD)
            right.append(pred == gold)
            if gold != "neutral":
                polar.append(pred == gold)
        print(f"opening {opening:g} closing {closing:g} verdict {conclusion:g}: "
              f"{np.mean(right):.3f} / polar {np.mean(polar):.3f}")


if __name__ == "__main__":
    main()
