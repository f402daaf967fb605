"""Sentiment accuracy per data set, per language and per scorer, on data the head never saw.

    .venv/bin/python -m bench.eval_sentiment            # prints tables, writes bench/results/sentiment.json

1. Hutto & Gilbert (2014) TEST split (20%, ``bench/hutto.py``), English:
   ``vader`` (VADER as shipped, whole text: the paper's use), ``vader+hr`` (the product's fast
   path before issue 17 and still for social posts: HR lexicon), ``fast (cascade)`` (the product's
   fast path for English reviews and articles: VADER+HR where its verdict is confident and
   uncontradicted, the multilingual head for the rest; the share sent to the model is printed),
   ``e5-head`` (the multilingual head, as used for every other language, here
   on English) and ``e5+vader-head`` (the product's accurate path for English). Except ``vader``,
   each scores as the product does (``hirewatch.enrich.scoring.scoring_units``: a text up to
   300 characters whole, a longer one per sentence, combined). 3-class accuracy and macro-F1
   (the paper's ±0.05 labels).
   Also binary accuracy: on the polar items, a polar item called neutral counting as wrong.
   ``--no-hutto-model`` leaves the model scorers out of this table (when their embeddings are
   not cached).
2. Long texts: the Hutto Amazon and NYT test-split documents with more than 10 sentences, the
   sentences joined in order, gold by the paper's rule on the document's mean rating; scored as
   the product scores a long text (per sentence, weighted by :mod:`hirewatch.enrich.verdict`);
   3-class, binary, and the share of polar documents called neutral.
3. The project's labelled multilingual mentions (test split, ``mixed`` items left out), per
   language: ``fast`` mode, ``accurate`` mode, and VADER on every language for contrast.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from hirewatch.enrich import cascade, litotes, long_text, polarity_lexicon, short_verdict, vader_scorer, verdict
from hirewatch.enrich.model_scorer import (
    HEAD_EN_PATH,
    HEAD_PATH,
    NAME,
    NAME_EN,
    Head,
    ModelScorer,
    vader_features,
)
from hirewatch.enrich.scoring import SHORT_TEXT_CHARS, VADER_THRESHOLD, combine, label, scoring_units

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


def binary_accuracy(pred: Sequence[str], gold: Sequence[str]) -> float:
    """Accuracy on the polar items (gold negative or positive); a polar item called neutral counts
    as wrong."""
    pairs = [(p, g) for p, g in zip(pred, gold, strict=True) if g != "neutral"]
    return float(np.mean([p == g for p, g in pairs])) if pairs else float("nan")


def polar_called_neutral(pred: Sequence[str], gold: Sequence[str]) -> float:
    pairs = [(p, g) for p, g in zip(pred, gold, strict=True) if g != "neutral"]
    return float(np.mean([p == "neutral" for p, _ in pairs])) if pairs else float("nan")


def units_and_weights(text: str, language: str | None = "en") -> tuple[list[str], list[float] | None]:
    """What the product scores of a text and how the units weigh (``hirewatch.enrich.stage``): a
    short text whole; a long one per sentence, weighted by :mod:`hirewatch.enrich.verdict`."""
    parts = scoring_units(text) or [text]
    if len(text) <= SHORT_TEXT_CHARS:
        return parts, None
    return parts, verdict.weights(parts, language)


class ModelPath:
    """The product's model path (sentences -> head scores -> weighted combine), embeddings from
    the benchmark cache so re-runs are fast."""

    def __init__(self, path: Path) -> None:
        self.head = Head.load(path)
        self.scorer = ModelScorer(self.head, name=NAME_EN if path == HEAD_EN_PATH else NAME)

    def unit_scores(self, units: Sequence[str], language: str | None = "en") -> dict[str, float]:
        """The head's score of each distinct unit, the units in ``language``, as
        :class:`~hirewatch.enrich.model_scorer.ModelScorer` scores them: the model reads the
        litotes in their plain meaning, and a ``e5+lex`` head's short verdicts go through
        :mod:`hirewatch.enrich.short_verdict`."""
        flat = list(dict.fromkeys(units))
        x = embed([litotes.plain(t) for t in flat], depth=int(self.head.meta.get("layers", 12)))
        if self.head.features == "e5+vader":
            x = np.hstack([x, vader_features(flat)])
        elif self.head.features == "e5+lex":
            x = np.hstack([x, polarity_lexicon.features(flat, language)])
        values = self.head.scores(x)
        if self.head.features == "e5+lex":
            values = short_verdict.apply(values, flat, x[:, -len(polarity_lexicon.FEATURES):], self.head.threshold)
        return {t: float(v) for t, v in zip(flat, values, strict=True)}

    def labels(self, texts: Sequence[str], language: str | None = "en") -> list[str]:
        split = [units_and_weights(t, language) for t in texts]
        scores = self.unit_scores([s for parts, _ in split for s in parts], language)
        t = self.head.threshold
        fitted = long_text.combiner_for(self.scorer.name, self.scorer.version)
        out = []
        for parts, w in split:
            values = [scores[s] for s in parts]
            if fitted is not None and len(parts) >= long_text.MIN_SENTENCES:  # as the product does
                out.append(label(fitted.score(values, w, t), fitted.threshold))
            else:
                out.append(label(combine(values, t, w), t))
        return out


class Cascade:
    """The product's English fast mode (:mod:`hirewatch.enrich.cascade`): VADER+HR where its
    verdict is confident and uncontradicted, the multilingual head for the rest; counts the texts
    it sends to the model."""

    def __init__(self, model: ModelPath) -> None:
        self.model = model
        self.texts = 0
        self.sent = 0

    def labels(self, texts: Sequence[str]) -> list[str]:
        stands = [cascade.vader_stands(*units_and_weights(t)) for t in texts]
        rest = [t for t, ok in zip(texts, stands, strict=True) if not ok]
        self.texts += len(texts)
        self.sent += len(rest)
        by_model = iter(self.model.labels(rest))
        vader = vader_labels(texts, hr=True, per_sentence=True)
        return [v if ok else next(by_model) for v, ok in zip(vader, stands, strict=True)]


def vader_labels(texts: Sequence[str], *, hr: bool, per_sentence: bool) -> list[str]:
    out = []
    for text in texts:
        parts, weights = units_and_weights(text) if per_sentence else ([text], None)
        out.append(label(combine(vader_scorer.score_sentences(parts, hr=hr), VADER_THRESHOLD, weights),
                         VADER_THRESHOLD))
    return out


def long_documents(split: str = "test") -> list[tuple[str, str, str]]:
    """(set, text, gold label) of the Hutto Amazon and NYT ``split`` documents with more than 10
    sentences: the sentences in order, joined; gold by the paper's rule on the mean rating."""
    docs: dict[tuple[str, str], list[hutto.Item]] = {}
    for name in hutto.GROUPED:
        for item in hutto.load(name):
            if item.split == split:
                docs.setdefault((name, item.id.split("_")[0]), []).append(item)
    out = []
    for (name, _), items in sorted(docs.items()):
        if len(items) <= 10:
            continue
        items.sort(key=lambda i: int(i.id.split("_")[1]) if i.id.split("_")[1].isdigit() else 0)
        mean = float(np.mean([i.rating for i in items])) / 4.0
        gold = "positive" if mean >= 0.05 else "negative" if mean <= -0.05 else "neutral"
        out.append((name, " ".join(i.text.strip() for i in items), gold))
    return out


def _metrics(pred: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    return {"accuracy": round(accuracy(pred, gold), 4), "macro_f1": round(macro_f1(pred, gold), 4),
            "binary": round(binary_accuracy(pred, gold), 4),
            "polar_called_neutral": round(polar_called_neutral(pred, gold), 4)}


def _cell(m: dict[str, float]) -> str:
    return f"{m['accuracy']:.3f} / {m['binary']:.3f}"


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-hutto-model", action="store_true",
                        help="leave the model scorers out of the Hutto sentence-level test table (their "
                             "embeddings are not cached)")
    args = parser.parse_args()
    model = ModelPath(HEAD_PATH)
    english = ModelPath(HEAD_EN_PATH)
    scorers: dict[str, Callable[[Sequence[str]], list[str]]] = {
        "vader": lambda ts: vader_labels(ts, hr=False, per_sentence=False),
        "vader+hr": lambda ts: vader_labels(ts, hr=True, per_sentence=True),
        "fast (cascade)": None,  # filled below: one counter per table
        "e5-head": model.labels,
        "e5+vader-head": english.labels,
    }
    hutto_cascade = Cascade(model)
    scorers["fast (cascade)"] = hutto_cascade.labels
    hutto_scorers = {k: v for k, v in scorers.items()
                     if not (args.no_hutto_model and (k.startswith("e5") or k.startswith("fast")))}
    report: dict = {"date": dt.date.today().isoformat(), "machine": f"{platform.machine()} {platform.processor()}",
                    "python": platform.python_version(),
                    "heads": {"e5-head": {**model.head.meta, "threshold": model.head.threshold},
                              "e5+vader-head": {**english.head.meta, "threshold": english.head.threshold}},
                    "hutto_test": {}, "hutto_long_test": {}, "multilingual_test": {}}
    print("## Hutto & Gilbert 2014, test split (3-class accuracy / binary accuracy on polar items)\n")
    print("| set | n | " + " | ".join(hutto_scorers) + " |")
    print("|---|---|" + "---|" * len(hutto_scorers))
    for name in hutto.SETS:
        items = [i for i in hutto.load(name) if i.split == "test"]
        gold = [i.label for i in items]
        row = {scorer: _metrics(fn([i.text for i in items]), gold) for scorer, fn in hutto_scorers.items()}
        report["hutto_test"][name] = {"n": len(items), **row}
        print(f"| {name} | {len(items)} | " + " | ".join(_cell(row[s]) for s in hutto_scorers) + " |")

    report["hutto_test_sent_to_model"] = round(hutto_cascade.sent / max(1, hutto_cascade.texts), 4)
    print(f"\nfast (cascade): {hutto_cascade.sent} of {hutto_cascade.texts} texts sent to the model")
    print("\n## Long texts: Hutto Amazon + NYT test documents of more than 10 sentences "
          "(3-class / binary; polar called neutral)\n")
    docs = long_documents()
    long_cascade = Cascade(model)
    long_scorers = {"vader+hr": scorers["vader+hr"], "fast (cascade)": long_cascade.labels,
                    "e5-head": model.labels, "e5+vader-head (accurate)": english.labels}
    print("| set | n | " + " | ".join(long_scorers) + " |")
    print("|---|---|" + "---|" * len(long_scorers))
    for name in (*sorted(hutto.GROUPED), "both"):
        chosen = [d for d in docs if name in ("both", d[0])]
        gold = [g for _, _, g in chosen]
        row = {scorer: _metrics(fn([t for _, t, _ in chosen]), gold) for scorer, fn in long_scorers.items()}
        report["hutto_long_test"][name] = {"n": len(chosen), **row}
        cells = " | ".join(f"{_cell(row[s])}; {row[s]['polar_called_neutral']:.3f}" for s in long_scorers)
        print(f"| {name} | {len(chosen)} | {cells} |")

    report["hutto_long_test_sent_to_model"] = round(long_cascade.sent / max(1, long_cascade.texts), 4)
    print(f"\nfast (cascade): {long_cascade.sent} of {long_cascade.texts} documents sent to the model")
    print("\n## Labelled multilingual mentions, test split, mixed items left out (3-class / binary)\n")
    print("| language | n | fast | accurate | VADER on everything |")
    print("|---|---|---|---|---|")
    for lang in labelled.LANGUAGES:
        items = [i for i in labelled.load("test", (lang,)) if i.sentiment != "mixed"]
        texts, gold = [i.text for i in items], [i.sentiment for i in items]
        accurate = english.labels(texts) if lang == "en" else model.labels(texts, lang)
        fast = Cascade(model).labels(texts) if lang == "en" else accurate
        vader_all = vader_labels(texts, hr=True, per_sentence=True)
        row = {"n": len(items), "fast": _metrics(fast, gold), "accurate": _metrics(accurate, gold),
               "vader_everywhere": _metrics(vader_all, gold)}
        report["multilingual_test"][lang] = row
        print(f"| {lang} | {row['n']} | {_cell(row['fast'])} | {_cell(row['accurate'])} | "
              f"{_cell(row['vader_everywhere'])} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
