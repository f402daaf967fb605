"""Throughput, side by side in one run on the same feeds, and the incremental re-run.

(a) the naive script many teams start with: sequential ``feedparser.parse(url)`` and VADER on
    every entry (title and summary), counting entries that name the employer or the competitor;
(b) the floor: feedparser with its default options over the already-downloaded bytes plus VADER
    on every entry, one process, no I/O (the bodies come from the same generator the farm serves);
(a') and (b'), the same at equal work: the scoring hirewatch's fast mode does. Each entry whose
    title or summary names the employer or the competitor (case-insensitive substring, the count
    (a) and (b) report) is scored, the others are not: its language is found as hirewatch finds
    it (``hirewatch.enrich.language.detect_language`` with the default languages), English is
    scored as fast mode's cascade decides (``hirewatch.enrich.cascade.vader_stands`` on the whole
    text: VADER's confident, uncontradicted verdict stands, else the model reads it), every other
    language by the project's multilingual model (``hirewatch.enrich.model_scorer.ModelScorer`` with the
    multilingual head and its cache off: one model call per entry on the entry's whole text,
    title + newline + summary as feedparser gives it, which the model cuts at its 512 tokens),
    no focus on the entity, no sentence split, no cache. They run after the other runs, each in a
    child process, with the engine held to one thread as hirewatch holds it (``--model-threads``);
(c) hirewatch end to end: ``run_monitor`` (fetch, parse, match, score in fast mode, dedupe, store
    in the embedded SQLite store) against the farm, into a fresh store;
(d) the incremental re-run: (c) again on the same store with nothing changed (the farm answers 304).

Prints feeds/s, mentions/s, the ratios c/a and c/b (and c/a', c/b') and the re-run's share of the
first run, and appends them to ``bench/RESULTS.md``. Run: ``python -m bench.throughput`` (1,000
feeds, 100 ms per request); ``--feeds 200`` for a quick look; ``--naive-sample 200`` measures (a)
and (a') on every k-th feed only and extrapolates per feed (said so in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    PeakSampler,
    Stopwatch,
    append_results,
    command_line,
    cpu_since,
    cpu_snapshot,
    fmt_s,
    load_bench_monitor,
    machine_line,
)
from bench.feed_farm import COMPETITOR, EMPLOYER_ALIAS, FarmSpec, FeedFarm, RunningFarm, serve

NAMES = (EMPLOYER_ALIAS.lower(), COMPETITOR.lower())


@dataclass
class Result:
    name: str
    feeds: int
    seconds: float
    mentions: int
    entries: int = 0
    cpu_seconds: float = 0.0
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def feeds_per_s(self) -> float:
        return self.feeds / self.seconds if self.seconds else 0.0

    @property
    def mentions_per_s(self) -> float:
        return self.mentions / self.seconds if self.seconds else 0.0


def _cpu() -> float:
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime


def _names_in(text: str) -> bool:
    lowered = text.lower()
    return any(name in lowered for name in NAMES)


# --------------------------------------------------------------------------- (a) and (b)


class _VaderOnEveryEntry:
    """(a) and (b): VADER on every entry; an entry naming an entity counts as a mention."""

    label = ""

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.analyzer = SentimentIntensityAnalyzer()
        self.scored: Counter[str] = Counter()

    def __call__(self, text: str) -> bool:
        self.analyzer.polarity_scores(text)
        self.scored["vader"] += 1
        return _names_in(text)


class _EqualWork(_VaderOnEveryEntry):
    """(a') and (b'): hirewatch's fast-mode scoring of the entries that name an entity (see the
    module's docstring): language as hirewatch finds it, the cascade for English (VADER where it
    is confident, else the model), the multilingual model for every other language, one call
    per entry on its whole text, no cache."""

    label = " (equal work: mentions only, the cascade for English, the model for the rest)"

    def __init__(self) -> None:
        from hirewatch.enrich.model_scorer import HEAD_PATH, ModelScorer

        super().__init__()
        self.model = ModelScorer(head_path=HEAD_PATH, cache_size=0)

    def __call__(self, text: str) -> bool:
        from hirewatch.enrich.cascade import vader_stands
        from hirewatch.enrich.language import detect_language

        if not _names_in(text):
            return False
        language = detect_language(text)
        if language == "en" and vader_stands([text]):
            self.analyzer.polarity_scores(text)
            self.scored["vader"] += 1
        elif language is not None:
            self.model.score([text], [language])
            self.scored["model"] += 1
        return True


def _scorer(equal_work: bool) -> _VaderOnEveryEntry:
    return _EqualWork() if equal_work else _VaderOnEveryEntry()


def run_naive(urls: list[str], sample: int | None = None, equal_work: bool = False) -> Result:
    """(a), or (a') with ``equal_work``: ``feedparser.parse(url)`` one after the other, each entry scored."""
    import feedparser

    chosen = urls
    if sample and sample < len(urls):
        step = len(urls) / sample
        chosen = [urls[int(i * step)] for i in range(sample)]
    cpu = _cpu()
    with Stopwatch() as watch:
        score = _scorer(equal_work)
        mentions = entries = 0
        for url in chosen:
            parsed = feedparser.parse(url)
            for entry in parsed.entries:
                entries += 1
                mentions += score(entry.get("title", "") + "\n" + entry.get("summary", ""))
    name = "(a') naive" if equal_work else "(a) naive"
    result = Result(f"{name}: sequential feedparser.parse(url) + {'VADER' if not equal_work else 'scoring'}"
                    f"{score.label}", len(chosen), watch.seconds, mentions, entries, _cpu() - cpu,
                    extra={"scored": dict(score.scored)})
    if chosen is not urls:
        factor = len(urls) / len(chosen)
        result.note = (f"measured on {len(chosen)} of {len(urls)} feeds (every {len(urls) / len(chosen):.1f}th) "
                       f"in {fmt_s(watch.seconds)}; time, mentions and entries extrapolated per feed x{factor:.2f}")
        result.feeds, result.seconds = len(urls), watch.seconds * factor
        result.mentions, result.entries = round(mentions * factor), round(entries * factor)
        result.cpu_seconds *= factor
    return result


def run_floor(bodies: list[bytes], total_feeds: int, equal_work: bool = False) -> Result:
    """(b), or (b') with ``equal_work``: feedparser (default options) over bytes already in
    memory, each entry scored."""
    import feedparser

    cpu = _cpu()
    with Stopwatch() as watch:
        score = _scorer(equal_work)
        mentions = entries = 0
        for body in bodies:
            parsed = feedparser.parse(body)
            for entry in parsed.entries:
                entries += 1
                mentions += score(entry.get("title", "") + "\n" + entry.get("summary", ""))
    name = "(b') floor" if equal_work else "(b) floor"
    return Result(f"{name}: feedparser(bytes) + {'VADER' if not equal_work else 'scoring'}, one process, no I/O"
                  f"{score.label}", len(bodies), watch.seconds, mentions, entries, _cpu() - cpu,
                  note=f"{total_feeds - len(bodies)} failing sources have no body to parse",
                  extra={"scored": dict(score.scored)})


def _equal_work_child(kind: str, spec: FarmSpec, urls: list[str], sample: int | None) -> Result:
    """(a') or (b') in a fresh process (see :func:`equal_work_runs`)."""
    if kind == "a":
        return run_naive(urls, sample, equal_work=True)
    return run_floor(floor_bodies(spec), spec.feeds, equal_work=True)


def equal_work_run(kind: str, spec: FarmSpec, urls: list[str], sample: int | None, threads: str = "1") -> Result:
    """(a') or (b') in a child process started for it: its engine starts with the threads
    ``OMP_NUM_THREADS`` says (unset: the engine's default), the child's CPU is its own and no cache
    of this process helps it. The floor's bodies are generated in the child before its clock
    starts."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    saved = os.environ.get("OMP_NUM_THREADS")
    if threads == "default":
        os.environ.pop("OMP_NUM_THREADS", None)
    else:
        os.environ["OMP_NUM_THREADS"] = threads
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(_equal_work_child, kind, spec, urls, sample).result()
    finally:
        os.environ.pop("OMP_NUM_THREADS", None)
        if saved is not None:
            os.environ["OMP_NUM_THREADS"] = saved


def floor_bodies(spec: FarmSpec) -> list[bytes]:
    """The identity bodies of every source that answers 200 (what a crawler would have downloaded)."""
    return [feed.body for feed in FeedFarm(spec) if feed.status == 200]


# --------------------------------------------------------------------------- (c) and (d)


def run_hirewatch(farm: RunningFarm, workdir: Path, label: str, concurrency: int | None = None,
                  workers: str = "auto") -> Result:
    """(c) or, on the store of an earlier call with the same ``workdir``, (d): ``run_monitor``
    against the farm, fast sentiment mode. ``workers``: ``HIREWATCH_WORKERS`` for the run
    (``auto``: the product's default). Each (c) starts with a cold model cache, as a new process
    would: an earlier run in this process must not have scored its texts already."""
    from hirewatch.enrich import model_scorer
    from hirewatch.pipeline import run_monitor
    from hirewatch.stores.sqlite_store import SqliteStore

    saved = os.environ.pop("HIREWATCH_WORKERS", None)
    if workers != "auto":
        os.environ["HIREWATCH_WORKERS"] = workers
    if label.startswith("(c)"):
        model_scorer._scorers.clear()

    monitor = load_bench_monitor(farm.urls, workdir, concurrency=concurrency)
    store = SqliteStore(workdir / "hirewatch.db")
    before = farm.stats()
    farm_pid = {farm.process.pid}
    cpu = cpu_snapshot(farm_pid)
    try:
        with PeakSampler(farm_pid) as peak, Stopwatch() as watch:
            report = run_monitor(monitor, store, alert=False)
    finally:
        store.close()
        os.environ.pop("HIREWATCH_WORKERS", None)
        if saved is not None:  # the later benchmarks (memory: a child process) see the caller's setting
            os.environ["HIREWATCH_WORKERS"] = saved
    time.sleep(0.2)  # let the forkserver reap the pool workers, so their CPU is in its cutime
    cpu_seconds = cpu_since(cpu, farm_pid)
    after = farm.stats()
    statuses = Counter(s.status for s in report.sources)
    answered = {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}
    result = Result(label, len(report.sources), watch.seconds, sum(s.mentions for s in report.sources),
                    sum(s.items for s in report.sources), cpu_seconds)
    result.extra = {"sources": dict(statuses), "new_mentions": report.new_mentions, "peak_rss_mb": peak.peak_kb // 1024,
                    "farm_answers": answered, "store_failures": len(report.store_failures),
                    "errors": Counter(re.sub(r" from \S+", "", s.error or "") for s in report.sources
                                      if s.status == "failed")}
    return result


# --------------------------------------------------------------------------- report


def table(results: list[Result]) -> str:
    rows = ["| run | feeds | wall | feeds/s | entries | mentions | mentions/s | CPU s (all processes) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(f"| {r.name} | {r.feeds} | {fmt_s(r.seconds)} | {r.feeds_per_s:.1f} | {r.entries} | "
                    f"{r.mentions} | {r.mentions_per_s:.1f} | {r.cpu_seconds:.1f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds the farm waits before each answer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hosts", type=int, default=FarmSpec.hosts, help="loopback addresses the farm serves on")
    parser.add_argument("--mention-share", type=float, default=FarmSpec.mention_share,
                        help="share of generated items that name an entity")
    parser.add_argument("--naive-sample", type=int, default=0,
                        help="measure (a) on this many feeds and extrapolate per feed (0: all feeds)")
    parser.add_argument("--concurrency", default="128,32",
                        help="fetch.concurrency of the monitor for (c)/(d), comma-separated: one pair of runs each "
                             "(32 is the default setting)")
    parser.add_argument("--workers", default="auto,2",
                        help="HIREWATCH_WORKERS for (c)/(d), comma-separated: one pair of runs each (auto: the "
                             "default, no pool on 2 CPUs; 2: a pool of two worker processes)")
    parser.add_argument("--skip", default="", help="comma-separated runs to skip: a,b,c,a',b' (or a2,b2)")
    parser.add_argument("--model-threads", default="1",
                        help="engine threads for (a') and (b'): 1 (as hirewatch runs it) or 'default' (the engine's "
                             "own, one per core: on a shared 2-core machine its spinning threads made 20 calls 5x "
                             "slower in wall time)")
    parser.add_argument("--no-results", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    spec = FarmSpec(feeds=args.feeds, delay=args.delay, seed=args.seed, hosts=args.hosts,
                    mention_share=args.mention_share)
    start_line = machine_line()
    print(start_line, flush=True)
    results: list[Result] = []
    workdir = Path(tempfile.mkdtemp(prefix="hirewatch-bench-"))
    try:
        with serve(spec) as farm:
            summary = farm.summary
            print("farm:", json.dumps({k: summary[k] for k in ("by_kind", "by_language", "items", "mention_items",
                                                                "bytes_identity", "bytes_gzip")}), flush=True)
            farm_cpu_start = farm.cpu_seconds()
            if "c" not in skip:
                # every default-setting run before any pool run: the pool's forkserver outlives its
                # run in this process and would be counted in a later run's memory
                for workers in [w.strip() for w in args.workers.split(",") if w.strip()]:
                    for concurrency in [int(c) for c in args.concurrency.split(",") if c.strip()]:
                        run_dir = workdir / f"c{concurrency}-w{workers}"
                        tag = f"concurrency {concurrency}, workers {workers}"
                        first = run_hirewatch(farm, run_dir, f"(c) hirewatch end to end (fast mode), {tag}",
                                              concurrency, workers)
                        print(_line(first), flush=True)
                        again = run_hirewatch(farm, run_dir, f"(d) hirewatch re-run, nothing changed, {tag}",
                                              concurrency, workers)
                        print(_line(again), flush=True)
                        results += [first, again]
            if "b" not in skip:
                bodies = floor_bodies(spec)
                floor = run_floor(bodies, args.feeds)
                print(_line(floor), flush=True)
                results.append(floor)
            if "a" not in skip:
                naive = run_naive(farm.urls, args.naive_sample or None)
                print(_line(naive), flush=True)
                results.append(naive)
            for kind in ("b", "a"):
                if f"{kind}'" not in skip and f"{kind}2" not in skip:
                    equal = equal_work_run(kind, spec, farm.urls, args.naive_sample or None, args.model_threads)
                    print(_line(equal), flush=True)
                    results.append(equal)
            farm_cpu = farm.cpu_seconds() - farm_cpu_start
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    naive = next((r for r in results if r.name.startswith("(a)")), None)
    floor = next((r for r in results if r.name.startswith("(b)")), None)
    naive_eq = next((r for r in results if r.name.startswith("(a')")), None)
    floor_eq = next((r for r in results if r.name.startswith("(b')")), None)
    firsts = [r for r in results if r.name.startswith("(c)")]
    agains = [r for r in results if r.name.startswith("(d)")]
    lines = [table(results)]
    for c, d in zip(firsts, agains, strict=False):
        tag = c.name.split("(fast mode), ", 1)[-1]
        ratios = []
        if naive:
            ratios.append(f"c vs a **{naive.seconds / c.seconds:.1f}x** faster (target >= 15x)")
        if floor:
            ratios.append(f"c / b wall time **{c.seconds / floor.seconds:.2f}** (target <= 0.5)")
        if naive_eq:
            ratios.append(f"at equal work c vs a' **{naive_eq.seconds / c.seconds:.1f}x** faster (target >= 15x)")
        if floor_eq:
            ratios.append(f"at equal work c / b' wall time **{c.seconds / floor_eq.seconds:.2f}** (target <= 0.5)")
        ratios.append(f"re-run **{100 * d.seconds / c.seconds:.1f}%** of the first run (target <= 5%)")
        lines.append(f"- {tag}: " + "; ".join(ratios))
        lines.append(f"  - (c) sources {c.extra['sources']}, new mentions {c.extra['new_mentions']}, store failures "
                     f"{c.extra['store_failures']}, failed sources {dict(c.extra['errors'])}; CPU use "
                     f"{c.cpu_seconds / c.seconds:.2f} cores; peak RSS of the tree (summed) "
                     f"{c.extra['peak_rss_mb']} MB")
        lines.append(f"  - (d) farm answers {d.extra['farm_answers']}")
    lines += [f"- {r.name.split(' ')[0]} note: {r.note}" for r in results if r.note]
    lines += [f"- {r.name.split(' ')[0]} scored: {r.extra['scored']}" for r in results if "scored" in r.extra]
    if naive_eq or floor_eq:
        lines.append(f"- (a') and (b') ran in a child process, engine threads: {args.model_threads}")
    lines.append(f"- farm: {summary['by_kind']} sources on {args.hosts} loopback addresses, languages "
                 f"{summary['by_language']}, {summary['items']} generated items of which {summary['mention_items']} "
                 f"name an entity, {summary['bytes_identity'] / 1e6:.1f} MB ({summary['bytes_gzip'] / 1e6:.1f} MB "
                 f"gzip); the farm process used {farm_cpu:.1f} s of CPU serving (same machine)")
    end_load = os.getloadavg()
    lines.append(f"- load at the end: {end_load[0]:.2f}/{end_load[1]:.2f} (1/5 min)")
    body = "\n".join(lines)
    print(body)
    if not args.no_results:
        block = f"### {start_line}\n\n`{command_line()}` (feeds {args.feeds}, delay {args.delay * 1000:.0f} ms, " \
                f"seed {args.seed}, mention share {args.mention_share:g})\n\n{body}\n"
        append_results("Throughput (bench/throughput.py)", block)


def _line(r: Result) -> str:
    return (f"{r.name}: {r.feeds} feeds in {fmt_s(r.seconds)} = {r.feeds_per_s:.1f} feeds/s, {r.mentions} mentions "
            f"({r.mentions_per_s:.1f}/s), CPU {r.cpu_seconds:.1f} s {r.extra or ''} {r.note}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")
