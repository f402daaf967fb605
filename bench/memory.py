"""Peak memory of a hirewatch run (fast sentiment mode) at 1,000 and 10,000 feeds.

Each size runs in a fresh child process (``python -m bench.memory --child N``) against the feed
farm, so one size's peak does not carry into the next and the pool's forkserver starts fresh. A
thread samples the child's whole process tree every 50 ms (the run's process, the forkserver, the
pool workers; the farm is a separate process and not counted):

- summed RSS: every process's resident pages, pages shared between processes (what the forkserver
  loaded and the workers inherited) counted once per process: an upper bound;
- summed PSS (``/proc/<pid>/smaps_rollup``): shared pages counted by their share, so the sum is
  the memory the run really holds.

The run first loads lingua's short-text language models, as a real monitor's first short text
(a post, an alert snippet) does; the farm's mention texts are all long enough not to
(``--cold-languages`` leaves them out: about 190 MB less).

Run: ``python -m bench.memory`` (sizes 1000 and 10000; ``--sizes 1000`` for one). Appends to
``bench/RESULTS.md``. Target: under 400 MB at 10,000 feeds, growing far less than the feed count.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import PeakSampler, append_results, command_line, cpu_since, cpu_snapshot, machine_line
from bench.feed_farm import FarmSpec, serve

REPO = Path(__file__).resolve().parent.parent


def child(urls_file: str, workdir: str, warm_languages: bool = True) -> None:
    """Runs in the child: one run_monitor over the URLs, sampled; prints one JSON line.
    ``warm_languages``: lingua's short-text models are loaded first (see below)."""
    from hirewatch.pipeline import run_monitor
    from hirewatch.stores.sqlite_store import SqliteStore

    from bench.common import load_bench_monitor

    urls = Path(urls_file).read_text().split()
    directory = Path(workdir)
    monitor = load_bench_monitor(urls, directory)
    before = cpu_snapshot()
    with SqliteStore(directory / "hirewatch.db") as store, PeakSampler(interval=0.05, pss=True) as peak:
        if warm_languages:
            # lingua loads its 1- to 5-gram models (about 190 MB for six languages) on the first
            # text under 120 characters; the farm's mention texts are longer, a real monitor's
            # (posts, alert snippets, review titles) are not: count them, as a real run would.
            from hirewatch.enrich.language import detect_language

            detect_language("Short text, long models.", monitor.sentiment.languages)
        started = time.perf_counter()
        report = run_monitor(monitor, store, alert=False)
        seconds = time.perf_counter() - started
    time.sleep(0.2)
    me = os.getpid()
    print(json.dumps({
        "feeds": len(urls), "seconds": seconds, "cpu": cpu_since(before),
        "mentions": sum(s.mentions for s in report.sources),
        "failed": sum(1 for s in report.sources if s.status == "failed"),
        "peak_rss_mb": peak.peak_kb / 1024, "peak_pss_mb": peak.peak_pss_kb / 1024,
        "main_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "at_peak": {("run" if pid == me else str(pid)): [rss / 1024, pss / 1024]
                    for pid, (rss, pss) in peak.at_peak.items()},
        "samples": peak.samples,
    }), flush=True)


def measure(feeds: int, delay: float, seed: int, cold_languages: bool = False) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="hirewatch-memory-"))
    try:
        with serve(FarmSpec(feeds=feeds, delay=delay, seed=seed)) as farm:
            urls = workdir / "urls.txt"
            urls.write_text("\n".join(farm.urls))
            extra = ["--cold-languages"] if cold_languages else []
            out = subprocess.run([sys.executable, "-m", "bench.memory", "--child", str(urls), str(workdir), *extra],
                                 cwd=REPO, capture_output=True, text=True, check=False)
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            if out.returncode or not lines:
                raise RuntimeError(f"the measured run failed ({out.returncode}):\n{out.stderr[-3000:]}")
            return json.loads(lines[-1])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("URLS_FILE", "WORKDIR"), help=argparse.SUPPRESS)
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--cold-languages", action="store_true",
                        help="do not load lingua's short-text models first (the farm's texts alone never do)")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child, warm_languages=not args.cold_languages)
        return
    head = machine_line()
    print(head, flush=True)
    rows = ["| feeds | wall | CPU s | mentions | peak RSS, summed (MB) | peak PSS, summed (MB) | "
            "per process at the PSS peak (RSS/PSS MB) |", "|---:|---:|---:|---:|---:|---:|---|"]
    results = []
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        r = measure(size, args.delay, args.seed, args.cold_languages)
        results.append(r)
        procs = ", ".join(f"{name}: {rss:.0f}/{pss:.0f}" for name, (rss, pss) in r["at_peak"].items())
        rows.append(f"| {r['feeds']} | {r['seconds']:.1f} s | {r['cpu']:.1f} | {r['mentions']} | "
                    f"{r['peak_rss_mb']:.0f} | {r['peak_pss_mb']:.0f} | {procs} |")
        print(rows[-1], flush=True)
    lines = ["\n".join(rows)]
    if len(results) >= 2:
        a, b = results[0], results[-1]
        growth = b["peak_pss_mb"] / a["peak_pss_mb"]
        lines.append(f"- {b['feeds'] / a['feeds']:.0f}x the feeds: peak PSS x{growth:.2f}, "
                     f"peak summed RSS x{b['peak_rss_mb'] / a['peak_rss_mb']:.2f} (target: under 400 MB at "
                     f"10,000 feeds, growing far less than the feed count)")
    end = os.getloadavg()
    lines.append(f"- farm delay {args.delay * 1000:.0f} ms per request; load at the end {end[0]:.2f}/{end[1]:.2f}")
    body = "\n".join(lines)
    print(body)
    if not args.no_results:
        append_results("Memory (bench/memory.py)", f"### {head}\n\n`{command_line()}`\n\n{body}\n")


if __name__ == "__main__":
    main()
