"""Sentiment accuracy per data set, per language and per scorer, on data the head never saw.

    .venv/bin/python -m bench.eval_sentiment            # prints tables, writes bench/results/sentiment.json

1. Hutto & Gilbert (2014) TEST split (20%, ``bench/hutto.py``), English:
   ``vader`` (VADER as shipped, whole text: the paper's use), ``vader+hr`` (the product's fast
   path: HR lexicon), ``e5-head`` (the multilingual head, as used for every other language, here
   on English) and ``e5+vader-head`` (the product's accurate path for English). Except ``vader``,
   each scores as the product does (``hirewatch.enrich.scoring.scoring_units``: a text up to
   300 characters whole, a longer one per sentence, combined). 3-class accuracy and macro-F1
   (the paper's ±0.05 labels).
2. The project's labelled multilingual mentions (test split, ``mixed`` items left out), per
   language: ``fast`` mode, ``accurate`` mode, and VADER on every language for contrast.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from hirewatch.enrich import vader_scorer
from hirewatch.enrich.model_scorer import HEAD_EN_PATH, HEAD_PATH, Head, vader_features
from hirewatch.enrich.scoring import VADER_THRESHOLD, combine, label, scoring_units

from bench import hutto, labelled
from bench.embedding_cache import embed

RESULTS = Path(__file__).resolve().parent / "results" / "sentiment.json"
LABELS = ("negative", "neutral", "positive")


def accuracy(pred: Sequence[str], gold: Sequence[str]) -> float:
    return float(np.mean([p == g for p, g in zip(pred, gold, strict=True)])) if gold else float("nan")


def macro_f1(pred: Sequence[str], gold: Sequence[str]) -> float:
    f1s = []
    for c in LABELS:
        tp = sum(p == c and g == c for p, g in zip(pred, gold, strict=True))
        fp = sum(p == c and g != c for p, g in zip(pred, gold, strict=True))
        fn = sum(p != c and g == c for p, g in zip(pred, gold, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s))


class ModelPath:
    """The product's model path (sentences -> head scores -> combine), embeddings from the
    benchmark cache so re-runs are fast."""

    def __init__(self, path: Path) -> None:
        self.head = Head.load(path)

    def labels(self, texts: Sequence[str]) -> list[str]:
        split = [scoring_units(t) or [t] for t in texts]
        flat = list(dict.fromkeys(s for parts in split for s in parts))
        x = embed(flat)
        if self.head.features == "e5+vader":
            x = np.hstack([x, vader_features(flat)])
        scores = dict(zip(flat, self.head.scores(x), strict=True))
        t = self.head.threshold
        return [label(combine([float(scores[s]) for s in parts], t), t) for parts in split]


def vader_labels(texts: Sequence[str], *, hr: bool, per_sentence: bool) -> list[str]:
    out = []
    for text in texts:
        parts = scoring_units(text) if per_sentence else [text]
        out.append(label(combine(vader_scorer.score_sentences(parts or [text], hr=hr)), VADER_THRESHOLD))
    return out


def main() -> None:
    model = ModelPath(HEAD_PATH)
    english = ModelPath(HEAD_EN_PATH)
    scorers: dict[str, Callable[[Sequence[str]], list[str]]] = {
        "vader": lambda ts: vader_labels(ts, hr=False, per_sentence=False),
        "vader+hr": lambda ts: vader_labels(ts, hr=True, per_sentence=True),
        "e5-head": model.labels,
        "e5+vader-head": english.labels,
    }
    report: dict = {"date": dt.date.today().isoformat(), "machine": f"{platform.machine()} {platform.processor()}",
                    "python": platform.python_version(),
                    "heads": {"e5-head": {**model.head.meta, "threshold": model.head.threshold},
                              "e5+vader-head": {**english.head.meta, "threshold": english.head.threshold}},
                    "hutto_test": {}, "multilingual_test": {}}
    print("## Hutto & Gilbert 2014, test split (3-class accuracy / macro-F1)\n")
    print("| set | n | " + " | ".join(scorers) + " |")
    print("|---|---|" + "---|" * len(scorers))
    for name in hutto.SETS:
        items = [i for i in hutto.load(name) if i.split == "test"]
        gold = [i.label for i in items]
        row = {}
        for scorer, fn in scorers.items():
            pred = fn([i.text for i in items])
            row[scorer] = {"accuracy": round(accuracy(pred, gold), 4), "macro_f1": round(macro_f1(pred, gold), 4)}
        report["hutto_test"][name] = {"n": len(items), **row}
        cells = " | ".join(f"{row[s]['accuracy']:.3f} / {row[s]['macro_f1']:.3f}" for s in scorers)
        print(f"| {name} | {len(items)} | {cells} |")

    print("\n## Labelled multilingual mentions, test split, mixed items left out (accuracy)\n")
    print("| language | n | fast | accurate | VADER on everything |")
    print("|---|---|---|---|---|")
    for lang in labelled.LANGUAGES:
        items = [i for i in labelled.load("test", (lang,)) if i.sentiment != "mixed"]
        texts, gold = [i.text for i in items], [i.sentiment for i in items]
        accurate = english.labels(texts) if lang == "en" else model.labels(texts)
        fast = vader_labels(texts, hr=True, per_sentence=True) if lang == "en" else accurate
        vader_all = vader_labels(texts, hr=True, per_sentence=True)
        row = {"n": len(items), "fast": round(accuracy(fast, gold), 4), "accurate": round(accuracy(accurate, gold), 4),
               "vader_everywhere": round(accuracy(vader_all, gold), 4)}
        report["multilingual_test"][lang] = row
        print(f"| {lang} | {row['n']} | {row['fast']:.3f} | {row['accurate']:.3f} | {row['vader_everywhere']:.3f} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
