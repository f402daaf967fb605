"""``hirewatch serve`` page times over the benchmark farm's store (about 10,000 mentions).

Fills a fresh store the way ``bench/throughput.py`` does (``run_monitor`` against the local feed
farm, fast sentiment mode), with every farm item naming the employer, a competitor or the excluded
homonym, until the store holds ``--mentions``; then starts ``hirewatch serve`` on it (a real
process on 127.0.0.1) and times whole HTTP answers of the pages analysts use: a search, a facet
page, both together, the front page's charts, a saved search and a CSV export. Each page is asked
``--repeat`` times after one warm-up; median, 95th percentile and slowest are printed and
appended to ``bench/RESULTS.md``.

    .venv/bin/python -m bench.serve_pages [--mentions 10000] [--repeat 20] [--keep PATH | --store PATH]

``--keep`` copies the filled store to PATH; ``--store`` times an existing store instead of filling
one (it is only read, after the store's migrations ran on it once).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import Stopwatch, append_results, command_line, fmt_s, load_bench_monitor, machine_line
from bench.feed_farm import REPO, FarmSpec, serve

PAGES = (
    ("search \"interview\"", "/hirewatch/mentions?_search=interview"),
    ("facet: sentiment negative", "/hirewatch/mentions?sentiment_label=negative"),
    ("search + facet", "/hirewatch/mentions?_search=interview&sentiment_label=negative"),
    ("topic facet (array)", "/hirewatch/mentions?topics__arraycontains=interview"),
    ("table, first page", "/hirewatch/mentions"),
    ("front page, 14-day charts", "/"),
    ("saved search: latest negatives", "/hirewatch/latest_negative"),
    ("CSV of the search (all rows)", "/hirewatch/mentions.csv?_search=interview&_size=max"),
)


@dataclass
class Timing:
    name: str
    path: str
    seconds: list[float]
    rows: int | None = None

    def line(self) -> str:
        ordered = sorted(self.seconds)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return (f"| {self.name} | `{self.path}` | {statistics.median(ordered) * 1000:.0f} ms | {p95 * 1000:.0f} ms | "
                f"{ordered[-1] * 1000:.0f} ms |")


def fill_store(path: Path, wanted: int) -> float:
    """``run_monitor`` over farm feeds whose every item names an entity, until ``wanted`` mentions."""
    from hirewatch.pipeline import run_monitor
    from hirewatch.stores.sqlite_store import SqliteStore

    feeds = max(1, math.ceil(wanted / 23))  # 25 items a feed; a few sources fail, a few items name the homonym
    spec = FarmSpec(feeds=feeds, items=25, mention_share=1.0, delay=0.0, hosts=32)
    with Stopwatch() as watch, serve(spec) as farm, SqliteStore(path) as store:
        monitor = load_bench_monitor(farm.urls, path.parent / "monitor")
        run_monitor(monitor, store, alert=False)
    return watch.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def time_pages(store: Path, repeat: int) -> list[Timing]:
    port = free_port()
    env = {**os.environ, "HIREWATCH_HOME": str(store.parent), "HIREWATCH_SQLITE_PATH": str(store)}
    proc = subprocess.Popen([sys.executable, "-m", "hirewatch.cli", "serve", "--port", str(port), "--timezone", "UTC"],
                            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    error = proc.stderr.read() if proc.stderr else ""
                    raise RuntimeError(f"hirewatch serve did not start: {error}") from None
                time.sleep(0.2)
        timings = []
        for name, path in PAGES:
            urllib.request.urlopen(base + path, timeout=60).read()  # warm-up
            seconds = []
            for _ in range(repeat):
                started = time.perf_counter()
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    body = response.read()
                    assert response.status == 200, (path, response.status)
                seconds.append(time.perf_counter() - started)
            rows = body.count(b"\n") - 1 if path.split("?")[0].endswith(".csv") else None
            timings.append(Timing(name, path, seconds, rows))
        return timings
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def describe(store: Path) -> str:
    conn = sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True)
    try:
        total, negative, competitor = conn.execute(
            "SELECT count(*), sum(sentiment_label = 'negative'), sum(is_competitor) FROM mentions").fetchone()
        hits = conn.execute("SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH 'interview'").fetchone()[0]
        languages = dict(conn.execute("SELECT language, count(*) FROM mentions GROUP BY 1 ORDER BY 2 DESC").fetchall())
    finally:
        conn.close()
    size = store.stat().st_size / 1e6
    return (f"{total:,} mentions ({negative:,} negative, {competitor:,} about the competitor; languages {languages}); "
            f"\"interview\" matches {hits:,}; store file {size:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--store", type=Path, help="time this store instead of filling a new one")
    parser.add_argument("--keep", type=Path, help="keep the filled store at this path (to time it again with --store)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hirewatch-serve-bench-") as tmp:
        fill = ""
        store = args.store
        if store is None:
            store = Path(tmp) / "hirewatch.db"
            seconds = fill_store(store, args.mentions)
            fill = f"filled by run_monitor against the feed farm in {fmt_s(seconds)}; "
            if args.keep:
                shutil.copy2(store, args.keep)
        what = describe(store)
        print(what)
        timings = time_pages(store, args.repeat)
    table = ["| page | URL | median | p95 | slowest |", "|---|---|---:|---:|---:|", *(t.line() for t in timings)]
    print("\n".join(table))
    block = "\n".join([
        f"### {machine_line()}", "",
        f"`{command_line()}`: {fill}{what}; each page {args.repeat} times after one warm-up, whole HTTP answers "
        "from a `hirewatch serve` process on 127.0.0.1 (facets and counts included, as the browser gets them)", "",
        *table, "",
    ])
    append_results("hirewatch serve pages (bench/serve_pages.py)", block)


if __name__ == "__main__":
    main()
