"""Throughput of the enrich stage: VADER path, model path, and a re-run over unchanged text.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.bench_enrich_speed

Runs ``hirewatch.enrich.enrich_mentions`` (the real stage, the real bundled model, no disk
cache) over the project's 300 labelled mentions (50 per language): once in ``fast`` mode with a
cold model cache, once more passing the first run's results as ``previous`` (what the pipeline
does for mentions it has stored), and English-only in both modes. Prints mentions per second
and how many texts reached the model.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from hirewatch.config import Monitor
from hirewatch.enrich import enrich_mentions, model_scorer
from hirewatch.mention import Mention, mention_id

from bench import labelled

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _monitor(mode: str) -> Monitor:
    return Monitor.model_validate({"name": "bench", "employer": {"name": "Acme"}, "sentiment": {"mode": mode},
                                   "sources": [{"type": "rss", "url": "http://127.0.0.1/", "name": "x"}]})


def _fresh_scorers() -> None:
    model_scorer._scorers.clear()  # a cold in-process cache for each run


def _run(title: str, mentions: list[Mention], mode: str, previous=None) -> list[Mention]:
    started = time.perf_counter()
    out = enrich_mentions(mentions, _monitor(mode), previous, now=NOW)
    took = time.perf_counter() - started
    embedded = sum(s.embedded for s in model_scorer._scorers.values())
    print(f"| {title} | {len(mentions)} | {took:.2f} s | {len(mentions) / took:.1f} | {embedded} |")
    return out


def main() -> None:
    items = labelled.load(None)
    mentions = [Mention(id=mention_id("Acme", i.id, monitor="bench"), monitor="bench", employer="Acme",
                        url=f"urn:{i.id}", title="", text=i.text, source="bench", source_kind="review",
                        fetched=NOW) for i in items]
    english = [m for m, i in zip(mentions, items, strict=True) if i.lang == "en"]
    enrich_mentions(english[:1], _monitor("fast"), now=NOW)  # load VADER and lingua before timing
    print("| run | mentions | time | mentions/s | texts given to the model |\n|---|---|---|---|---|")
    _fresh_scorers()
    _run("English only, fast (VADER+HR)", english, "fast")
    _fresh_scorers()
    _run("English only, accurate (model)", english, "accurate")
    _fresh_scorers()
    first = _run("all six languages, fast, cold cache", mentions, "fast")
    _fresh_scorers()
    _run("the same again, previous results passed (cold cache)", mentions, "fast",
         previous={m.id: m for m in first})


if __name__ == "__main__":
    main()
