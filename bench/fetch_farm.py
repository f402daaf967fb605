"""HttpFetcher throughput: N feeds that each answer after a fixed delay, fetched with one client.

A local feed farm (tests/support/web_server.py, listening on all loopback addresses) serves a
real feed (realdata/blogs_news, BBC) at ``--feeds`` paths, each answer delayed ``--delay`` s. The
feeds are spread over ``--hosts`` loopback addresses (127.0.0.2, 127.0.0.3, ...) so the per-host
limit acts as it does on the web. Reports wall time against the sequential time (feeds x delay),
then a second, conditional round (ETags from the first): every answer a 304.

    .venv/bin/python -m bench.fetch_farm [--feeds 1000] [--delay 0.1] [--hosts 50]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import time
from pathlib import Path

from hirewatch.config import FetchSettings
from hirewatch.records import CrawlState
from hirewatch.sources.http_fetcher import HttpFetcher

from tests.support.web_server import WebServer

FEED = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata" / "blogs_news" / "feed-rs__rss_2.0_bbc.xml"


async def fetch_all(urls: list[str], settings: FetchSettings, states: dict[str, CrawlState]):
    async with HttpFetcher(settings) as fetcher:
        return await asyncio.gather(*(fetcher.get(u, settings=settings, state=states.get(u)) for u in urls))


def serve_farm(feeds: int, delay: float, port_out, stop) -> None:
    """The farm, in its own process: a server thread in the client's process would compete with
    the client for the GIL and measure that instead of the fetcher."""
    body = FEED.read_bytes()
    with WebServer(host="0.0.0.0") as farm:
        for i in range(feeds):
            farm.set(f"/feed/{i}.xml", body, delay_s=delay)
        port_out.send(farm._httpd.server_address[1])
        stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=FetchSettings().concurrency)
    parser.add_argument("--per-host", type=int, default=FetchSettings().per_host_concurrency)
    args = parser.parse_args()
    settings = FetchSettings(allow_loopback=True, concurrency=args.concurrency,
                             per_host_concurrency=args.per_host, timeout_s=60)
    receive, send = multiprocessing.Pipe(duplex=False)
    stop = multiprocessing.Event()
    farm = multiprocessing.Process(target=serve_farm, args=(args.feeds, args.delay, send, stop), daemon=True)
    farm.start()
    try:
        port = receive.recv()
        urls = [f"http://127.0.0.{2 + i % args.hosts}:{port}/feed/{i}.xml" for i in range(args.feeds)]
        started, cpu = time.perf_counter(), time.process_time()
        documents = asyncio.run(fetch_all(urls, settings, {}))
        first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        states = {u: CrawlState(etag=d.headers.get("etag")) for u, d in zip(urls, documents, strict=True)}
        started, cpu = time.perf_counter(), time.process_time()
        again = asyncio.run(fetch_all(urls, settings, states))
        second, second_cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        stop.set()
        farm.join(timeout=10)
    size = len(FEED.read_bytes()) / 1e3
    sequential = args.feeds * args.delay
    print(f"{args.feeds} feeds of {size:.0f} kB, {args.delay * 1000:.0f} ms each, over {args.hosts} hosts; "
          f"concurrency {args.concurrency}, per host {args.per_host}")
    print(f"first run:   {first:6.2f} s  ({sequential / max(first, 1e-9):5.1f}x faster than sequential "
          f"{sequential:.0f} s), {sum(d.status == 200 for d in documents)} x 200; "
          f"client CPU {first_cpu:.2f} s ({first_cpu / args.feeds * 1000:.1f} ms per feed)")
    print(f"second run:  {second:6.2f} s  ({sequential / max(second, 1e-9):5.1f}x), "
          f"{sum(d.status == 304 for d in again)} x 304; client CPU {second_cpu:.2f} s")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
