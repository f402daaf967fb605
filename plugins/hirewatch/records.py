"""The records several stages share, at the bottom of the layers beside :mod:`hirewatch.mention`.

A source's fetch returns a :class:`FetchOutcome` of :class:`Document` bodies and the
:class:`CrawlState` the store keeps for the next run; its parser yields :class:`RawItem` records
that extract and match read; a review source also reports :class:`RatingPoint` aggregates that the
store keeps and the digest charts. Every stage imports them from here, never from another stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class CrawlState:
    """What a source remembers between runs (kept by the store): validators for conditional GET
    and the ids it has already seen (review pagination stops at the first page of seen ids)."""

    etag: str | None = None
    last_modified: str | None = None
    seen_ids: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Document:
    """One fetched body (a feed, a review page). ``status`` 304 means not modified (empty body)."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What a source's fetch returns: the documents fetched this run and the state to keep.
    ``not_modified`` is True when every request was answered 304. ``found`` is how many items the
    fetched pages held (seen ones included) when the source counts them while fetching (review
    pages), and ``via`` how they were read (``JSON-LD``, ``site adapter (glassdoor)``, ...)."""

    documents: tuple[Document, ...]
    state: CrawlState
    not_modified: bool = False
    requests: int = 0
    found: int | None = None
    via: str | None = None
    #: What was repaired or skipped while reading (an export's stray bytes, rows without text).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RawItem:
    """A source's item before matching: what the parser found, still unscored.

    ``html`` is markup to be turned into text by extract; ``text`` is already plain. ``key`` is the
    item's identity when the site has one of its own (a review id), else None (the canonical URL is
    used). ``bozo`` carries the parser's complaint about a broken-but-usable document.
    """

    title: str
    url: str
    html: str = ""
    text: str = ""
    author: str | None = None
    published: datetime | None = None
    guid: str | None = None
    key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    bozo: str | None = None


@dataclass(frozen=True, slots=True)
class RatingPoint:
    """A review site's aggregate rating as seen in one run (the digest shows its trend)."""

    monitor: str
    site: str
    at: datetime
    rating: float
    count: int | None = None
