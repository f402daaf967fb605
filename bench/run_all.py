"""``make bench``: the issue-9 benchmarks one after the other, each appending to bench/RESULTS.md.

1. throughput: (a) naive, (b) floor, (a') and (b') the same at equal work (the model for
   non-English mentions), (c) hirewatch, (d) re-run, at 1,000 feeds and 100 ms;
2. memory: peak RSS/PSS at 1,000 and 10,000 feeds;
3. profile_stages: CPU per stage at 300 feeds, feedparser options, the pool;
4. model_cost: the sentiment model's CPU per 1,000 mentions at 1,000 feeds.

``BENCH_QUICK=1 make bench`` runs a scaled-down version (200 feeds; memory at 200 and 2,000; (a)
on a sample of 50 feeds, extrapolated and said so) to check that everything works. Takes about
15 minutes in full on the 2-core machine, most of it (a) (1,000 x 100 ms one after the other).
"""

from __future__ import annotations

import os
import sys
import time

from bench import memory, profile_stages, throughput


def _model_cost(args: list[str]) -> None:
    from bench import model_cost  # last: it holds the engine to one thread when it is imported

    model_cost.main(args)


def main() -> None:
    quick = os.environ.get("BENCH_QUICK") not in (None, "", "0")
    steps = [
        ("throughput", throughput.main,
         ["--feeds", "200", "--naive-sample", "50"] if quick else ["--feeds", "1000", "--delay", "0.1"]),
        ("memory", memory.main, ["--sizes", "200,2000"] if quick else ["--sizes", "1000,10000"]),
        ("profile_stages", profile_stages.main, ["--feeds", "100"] if quick else ["--feeds", "300"]),
        ("model_cost", _model_cost, ["--feeds", "200"] if quick else ["--feeds", "1000"]),
    ]
    for name, run, args in steps:
        started = time.perf_counter()
        print(f"\n=== bench.{name} {' '.join(args)}", flush=True)
        sys.argv = [f"bench/{name}.py", *args]
        run(args)
        print(f"=== bench.{name} took {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
