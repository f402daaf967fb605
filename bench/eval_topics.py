"""Topic tagging precision/recall and per-topic sentiment on the project's labelled mentions.

    .venv/bin/python -m bench.eval_topics [--split test|dev] [--mode fast|accurate]

Runs the real stage (``hirewatch.enrich.enrich_mentions``) on every labelled item and compares:
- topics: micro precision / recall / F1 per language and overall (watch tags excluded);
- per-topic sentiment: for each labelled topic that was found, is the sign of
  ``topic_sentiment[topic]`` (negative / neutral / positive, the scorer's threshold) the label's?
  Reported over all found topics and over the ``mixed`` items only;
- whole-text sentiment accuracy on the non-mixed items.
Writes ``bench/results/topics.json`` (the tests read its precision/recall floor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hirewatch.config import Monitor
from hirewatch.enrich import model_scorer, stage
from hirewatch.enrich.scoring import label
from hirewatch.mention import Mention, mention_id

from bench import labelled
from bench.embedding_cache import embed

RESULTS = Path(__file__).resolve().parent / "results" / "topics.json"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _monitor(mode: str) -> Monitor:
    return Monitor.model_validate({"name": "bench", "employer": {"name": "Acme"}, "sentiment": {"mode": mode},
                                   "sources": [{"type": "rss", "url": "http://127.0.0.1/", "name": "x"}]})


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["test", "dev"])
    parser.add_argument("--mode", default="fast", choices=["fast", "accurate"])
    args = parser.parse_args()
    # the product's scorer, with embeddings from the benchmark's disk cache (same vectors)
    model_scorer._scorer = model_scorer.ModelScorer(embed=embed)
    monitor = _monitor(args.mode)
    items = labelled.load(args.split)
    mentions = [Mention(id=mention_id("Acme", i.id, monitor="bench"), monitor="bench", employer="Acme",
                        url=f"urn:{i.id}", title="", text=i.text, source="bench", source_kind="review",
                        fetched=NOW) for i in items]
    enriched = stage.enrich_mentions(mentions, monitor, now=NOW)
    per_lang: dict[str, Counter] = {}
    per_topic: dict[str, Counter] = {}
    errors = []
    for item, m in zip(items, enriched, strict=True):
        c = per_lang.setdefault(item.lang, Counter())
        threshold = model_scorer.scorer(m.language).threshold if m.scorer != "vader+hr" else 0.05
        got = {t for t in m.topics if not t.startswith("watch:")}
        gold = set(item.topics)
        c["tp"] += len(got & gold)
        c["fp"] += len(got - gold)
        c["fn"] += len(gold - got)
        for t in got | gold:
            pt = per_topic.setdefault(t, Counter())
            pt["tp"] += t in got and t in gold
            pt["fp"] += t in got and t not in gold
            pt["fn"] += t in gold and t not in got
        if got != gold:
            errors.append(f"{item.id}: extra {sorted(got - gold)} missing {sorted(gold - got)}")
        for t in got & gold:
            ok = label(m.topic_sentiment.get(t, 0.0), threshold) == item.topics[t]
            c["ts_n"] += 1
            c["ts_ok"] += ok
            if item.sentiment == "mixed":
                c["mixed_n"] += 1
                c["mixed_ok"] += ok
            if not ok:
                errors.append(f"{item.id}: topic {t} scored {m.topic_sentiment.get(t)} labelled {item.topics[t]}")
        if item.sentiment != "mixed":
            c["s_n"] += 1
            c["s_ok"] += m.sentiment_label == item.sentiment
    total = sum(per_lang.values(), Counter())
    report = {"date": dt.date.today().isoformat(), "machine": f"{platform.machine()} {platform.processor()}",
              "split": args.split, "mode": args.mode, "languages": {}, "topics": {}}
    print(f"## Topics, {args.split} split, mode {args.mode}\n")
    print("| language | items | topic P | topic R | topic F1 | per-topic sentiment | on mixed texts | text sentiment |")
    print("|---|---|---|---|---|---|---|---|")
    for lang, c in [*per_lang.items(), ("all", total)]:
        row = {**_prf(c["tp"], c["fp"], c["fn"]),
               "items": sum(1 for i in items if lang in ("all", i.lang)),
               "topic_sentiment_accuracy": round(c["ts_ok"] / c["ts_n"], 4) if c["ts_n"] else None,
               "mixed_topic_sentiment_accuracy": round(c["mixed_ok"] / c["mixed_n"], 4) if c["mixed_n"] else None,
               "text_sentiment_accuracy": round(c["s_ok"] / c["s_n"], 4) if c["s_n"] else None}
        report["languages" if lang != "all" else "overall"] = (
            {**report["languages"], lang: row} if lang != "all" else row)
        print(f"| {lang} | {row['items']} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | "
              f"{row['topic_sentiment_accuracy']:.3f} ({c['ts_n']}) | {row['mixed_topic_sentiment_accuracy']:.3f} "
              f"({c['mixed_n']}) | {row['text_sentiment_accuracy']:.3f} ({c['s_n']}) |")
    for topic, c in sorted(per_topic.items()):
        report["topics"][topic] = _prf(c["tp"], c["fp"], c["fn"])
    print("\n| topic | P | R |\n|---|---|---|")
    for topic, row in report["topics"].items():
        print(f"| {topic} | {row['precision']:.3f} | {row['recall']:.3f} |")
    print("\nerrors:\n  " + "\n  ".join(errors))
    if args.split == "test":
        out = RESULTS if args.mode == "fast" else RESULTS.with_name("topics_accurate.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
