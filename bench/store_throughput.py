"""Store throughput: upsert N synthetic mentions (new), upsert them again (all known: sources
merged, alert state kept), full-text search, and stream them back with iter_mentions, for the
SQLite store and (with ``--es``) the Elasticsearch store on a local osmem-server.

    .venv/bin/python -m bench.store_throughput [--n 10000] [--es]

The mentions are generated here (random words, a tenth negative), not tuned to any fixture.
Figures go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hirewatch.mention import Mention, mention_id
from hirewatch.stores.base import MentionQuery, MentionStore

WORDS = ("interview recruiter offer onboarding salary ghosted feedback hiring manager process rejected "
         "culture remote team deadline assessment application portal reference contract").split()


def mentions(n: int, seed: int = 7) -> list[Mention]:
    rng = random.Random(seed)
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        url = f"https://news.example.test/{i}"
        out.append(Mention(
            id=mention_id("Acme", url, monitor="bench"), monitor="bench", employer="Acme", url=url,
            title=" ".join(rng.choices(WORDS, k=8)), text=" ".join(rng.choices(WORDS, k=120)),
            source=f"feed-{i % 20}", source_kind="rss", fetched=t0 + timedelta(seconds=i),
            published=t0 + timedelta(seconds=i), sentiment_label="negative" if i % 10 == 0 else "neutral",
            sentiment_score=-0.6 if i % 10 == 0 else 0.1, language="en", topics=("interview",),
            extra={"rating": 3.0},
        ))
    return out


def run(store: MentionStore, batch: list[Mention], label: str) -> None:
    n = len(batch)
    t = time.perf_counter()
    result = store.upsert_mentions(batch)
    first = time.perf_counter() - t
    assert len(result.new) == n, (len(result.new), result.failed[:3])
    again = [m.with_(source="feed-x", sources=("feed-x",)) for m in batch]
    t = time.perf_counter()
    result = store.upsert_mentions(again)
    second = time.perf_counter() - t
    assert len(result.updated) == n
    t = time.perf_counter()
    for _ in range(20):
        store.search(MentionQuery(text="ghosted recruiter", sentiment="negative", limit=50))
    search = (time.perf_counter() - t) / 20
    t = time.perf_counter()
    streamed = sum(1 for _ in store.iter_mentions(["bench"], datetime(2024, 1, 1, tzinfo=UTC),
                                                   datetime(2025, 1, 1, tzinfo=UTC)))
    stream = time.perf_counter() - t
    assert streamed == n
    print(f"{label:<24} n={n:>6}  upsert new {n / first:>8.0f}/s  re-upsert {n / second:>8.0f}/s  "
          f"search {search * 1000:>6.1f} ms  iter {n / stream:>8.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--es", action="store_true", help="also the Elasticsearch store on osmem-server")
    args = parser.parse_args()
    batch = mentions(args.n)
    from hirewatch.stores.sqlite_store import SqliteStore

    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.db") as store:
        run(store, batch, "sqlite")
    if args.es:
        from hirewatch.stores.elasticsearch_store import ElasticsearchStore
        from osmem_server import OsmemServer

        from tests.support.es_shim import osmem_client

        with OsmemServer.start(japanese=False) as server, server.clone() as clone:
            store = ElasticsearchStore(osmem_client(clone.url), languages=("english", "german"))
            run(store, batch, "elasticsearch (osmem)")
            store.close()


if __name__ == "__main__":
    main()
