"""CPU per text of the multilingual model at each depth (the first k of its 12 layers).

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python -m bench.model_depth_cost [--depths 12 8 6] [--rounds 3]

One engine thread (``OMP_NUM_THREADS=1``: the engine runs on the calling thread, so the thread's
CPU time is the model's). Texts: the labelled mentions' sentences in the six languages and the
Hutto Amazon dev sentences (review-length text; no test item). Each depth embeds the same texts
``rounds`` times after one warm-up pass; the median round is reported, in CPU milliseconds per text
and relative to 12 layers. Written to ``bench/results/model_depth_cost.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from hirewatch.enrich.model_scorer import embed_texts
from hirewatch.enrich.text import sentences

from bench import hutto, labelled

OUT = Path(__file__).resolve().parent / "results" / "model_depth_cost.json"


def texts() -> list[str]:
    out = [s for item in labelled.load(None) for s in sentences(item.text)]
    out += [i.text for i in hutto.load("amazon") if i.split == "dev"][:300]
    return list(dict.fromkeys(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[12, 8, 6])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    corpus = texts()
    rows = {}
    for depth in args.depths:
        embed_texts(corpus[:32], depth)  # load and warm
        rounds = []
        for _ in range(args.rounds):
            start = time.thread_time()
            for i in range(0, len(corpus), 32):
                embed_texts(corpus[i:i + 32], depth)
            rounds.append(time.thread_time() - start)
        rows[depth] = statistics.median(rounds) / len(corpus) * 1000
    full = rows.get(12)
    result = {"texts": len(corpus), "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
              "machine": platform.processor() or platform.machine(), "load": os.getloadavg(),
              "cpu_ms_per_text": {str(d): round(v, 3) for d, v in rows.items()},
              "relative_to_12": {str(d): round(v / full, 3) for d, v in rows.items()} if full else None}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
