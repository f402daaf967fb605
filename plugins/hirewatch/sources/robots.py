"""robots.txt for the page-crawling sources (review pages, submitted URLs), read with protego and
cached per host for one run (one :class:`~hirewatch.sources.http_fetcher.HttpFetcher`).

Follows RFC 9309: a robots.txt that is missing (any 4xx) allows everything; one that cannot be
fetched (5xx, timeout, refused) disallows everything for this run, since the site's wishes are
unknown. ``Crawl-delay`` for our agent is exposed so callers can slow down further.

Called by :mod:`hirewatch.sources.review_source` and :mod:`hirewatch.submit`; raises nothing
(a failure to read robots.txt is a "no").
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from hirewatch.errors import FetchError

if TYPE_CHECKING:
    from hirewatch.config import FetchSettings
    from hirewatch.sources.http_fetcher import HttpFetcher

#: The product token matched against ``User-agent:`` lines.
AGENT = "hirewatch"


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """One host's rules. ``parser`` None with ``allow_all`` says what to do without a file."""

    parser: Protego | None
    allow_all: bool
    reason: str = ""

    def allowed(self, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, AGENT))

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(AGENT)
        return float(delay) if delay is not None else None


_CACHE: weakref.WeakKeyDictionary[object, dict[str, RobotsRules]] = weakref.WeakKeyDictionary()
_LOCKS: weakref.WeakKeyDictionary[object, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def is_cached(url: str, fetcher: HttpFetcher) -> bool:
    """Whether this run already holds ``url``'s host rules (no request needed)."""
    return robots_url(url) in _CACHE.get(fetcher, {})


async def rules_for(url: str, fetcher: HttpFetcher, settings: FetchSettings, *,
                    monitor: str | None = None, source: str | None = None) -> RobotsRules:
    """The robots rules of ``url``'s host, fetched once per fetcher (run) and host."""
    key = robots_url(url)
    cache = _CACHE.setdefault(fetcher, {})
    if key in cache:
        return cache[key]
    lock = _LOCKS.setdefault(fetcher, {}).setdefault(key, asyncio.Lock())
    async with lock:
        if key not in cache:
            cache[key] = await _fetch_rules(key, fetcher, settings, monitor, source)
    return cache[key]


async def _fetch_rules(url: str, fetcher: HttpFetcher, settings: FetchSettings,
                       monitor: str | None, source: str | None) -> RobotsRules:
    try:
        document = await fetcher.get(url, settings=settings, monitor=monitor, source=source,
                                     accept="text/plain, */*;q=0.5", conditional=False)
    except FetchError as exc:
        status = getattr(exc, "status", None)
        if status is not None and 400 <= status < 500:
            return RobotsRules(None, allow_all=True, reason=f"no robots.txt ({status})")
        return RobotsRules(None, allow_all=False, reason=f"robots.txt unreachable: {exc.reason}")
    text = document.body.decode("utf-8", errors="replace")
    try:
        return RobotsRules(Protego.parse(text), allow_all=True)
    except Exception:  # noqa: BLE001 - protego on garbage: treat as no rules, as crawlers do
        return RobotsRules(None, allow_all=True, reason="robots.txt unreadable")

