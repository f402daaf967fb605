"""What leaving the feed's boilerplate out costs :func:`hirewatch.extract.html_text.html_to_text`.

``html_to_text`` runs on every entry body the pipeline reads. This times it over the entry
bodies of the benchmark farm's feeds (bench/feed_farm.py, built in this process from the real
feeds in realdata/, nothing served) with today's code and with an earlier revision's
``html_text.py`` (read with ``git show``; by default the revision before the boilerplate
rules), interleaved so that load from other processes hits both alike; CPU seconds
(``time.process_time``), best of ``--repeat``, the cache bypassed. It also says how many bodies
lost text to the boilerplate rules. ``--trafilatura`` adds trafilatura's ``extract`` (the library
the project uses for whole pages) on the same bodies, once, with how many it returns nothing for.

    .venv/bin/python -m bench.html_text_cost [--feeds 300] [--repeat 5] [--before REV] [--trafilatura]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import feedparser
from hirewatch.extract import html_text

from bench.common import machine_line
from bench.feed_farm import FarmSpec, FeedFarm

ROOT = Path(__file__).resolve().parent.parent


def farm_bodies(feeds: int) -> list[str]:
    """Every HTML entry body, content and title of the farm's first ``feeds`` sources."""
    farm = FeedFarm(FarmSpec(feeds=feeds))
    bodies: list[str] = []
    for index in range(feeds):
        feed = farm.feed(index)
        if not feed.body:
            continue
        parsed = feedparser.parse(feed.body, sanitize_html=False, resolve_relative_uris=False)
        for entry in parsed.entries:
            values = [entry.get("summary") or "", entry.get("title") or ""]
            values += [c.get("value") or "" for c in entry.get("content", [])]
            bodies += [v for v in values if html_text.looks_like_html(v)]
    return bodies


def module_at(revision: str) -> types.ModuleType:
    """``plugins/hirewatch/extract/html_text.py`` as it was at ``revision``, as a module."""
    source = subprocess.run(["git", "show", f"{revision}:plugins/hirewatch/extract/html_text.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    module = types.ModuleType(f"html_text_at_{revision}")
    exec(compile(source, module.__name__, "exec"), module.__dict__)
    return module


def cpu(read: Callable[[str], str], bodies: list[str]) -> float:
    started = time.process_time()
    for body in bodies:
        read(body)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", default="8ddb9f4^", help="revision to compare with (default: the one "
                        "before the boilerplate rules)")
    parser.add_argument("--trafilatura", action="store_true")
    args = parser.parse_args()
    bodies = farm_bodies(args.feeds)
    before = module_at(args.before).html_to_text.__wrapped__
    after = html_text.html_to_text.__wrapped__
    changed = sum(before(b) != after(b) for b in bodies)
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.repeat):
        times["before"].append(cpu(before, bodies))
        times["after"].append(cpu(after, bodies))
    best = {name: min(values) for name, values in times.items()}
    chars = sum(map(len, bodies))
    print(machine_line())
    print(f"{len(bodies)} HTML bodies from {args.feeds} farm feeds, {chars / 1e6:.1f} M characters; "
          f"best of {args.repeat}, CPU s")
    for name in ("before", "after"):
        label = f"{args.before} (before)" if name == "before" else "this tree (after)"
        print(f"  {label:24} {best[name]:.3f} s  {best[name] / len(bodies) * 1e6:.1f} us per body")
    print(f"  after / before: {best['after'] / best['before']:.3f}; bodies whose text changed: {changed}")
    if args.trafilatura:
        import trafilatura

        started = time.process_time()
        found = [trafilatura.extract(b, include_comments=False, favor_precision=True) for b in bodies]
        spent = time.process_time() - started
        print(f"  trafilatura.extract, once {spent:.3f} s  {spent / len(bodies) * 1e6:.1f} us per body"
              f" (x{spent / best['after']:.1f} this tree); no text for {sum(not f for f in found)} bodies")


if __name__ == "__main__":
    sys.exit(main())
