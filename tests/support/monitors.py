"""Monitors and source runs for the tests: build a validated Monitor from plain data (through the
real YAML loader) and drive one source's fetch and parse as the pipeline does. Written for this
project."""

from __future__ import annotations

import asyncio
from typing import Any

import yaml
from hirewatch.config import Monitor, parse_monitor
from hirewatch.records import CrawlState, FetchOutcome, RawItem
from hirewatch.sources.base import Source
from hirewatch.sources.http_fetcher import HttpFetcher
from hirewatch.sources.registry import build_source


def make_monitor(sources: list[dict[str, Any]], *, employer: dict[str, Any] | None = None,
                 fetch: dict[str, Any] | None = None, **extra: Any) -> Monitor:
    """A monitor named ``acme`` for employer Acme (override with ``employer``); loopback allowed."""
    data = {
        "name": "acme",
        "employer": employer or {"name": "Acme"},
        "sources": sources,
        "fetch": {"allow_loopback": True, "timeout_s": 10, **(fetch or {})},
        **extra,
    }
    return parse_monitor(yaml.safe_dump(data, allow_unicode=True), path="<test monitor>")


def feed_source(url: str, kind: str = "rss", **options: Any) -> Source:
    monitor = make_monitor([{"type": kind, "name": "feed", "url": url, **options}])
    return build_source(monitor.sources[0], monitor)


def fetch_once(source: Source, state: CrawlState | None = None) -> FetchOutcome:
    async def go() -> FetchOutcome:
        async with HttpFetcher(source.monitor.fetch) as fetcher:
            return await source.fetch(fetcher, state)

    return asyncio.run(go())


def fetch_items(source: Source, state: CrawlState | None = None) -> tuple[FetchOutcome, list[RawItem]]:
    """Fetch then parse every document, as the pipeline does."""
    outcome = fetch_once(source, state)
    items = [item for document in outcome.documents for item in source.parse(document)]
    return outcome, items
