"""What every source kind provides, and the records that pass between fetch and extract.

A source kind is a :class:`Source` subclass registered under a short key (``type: rss`` in the
monitor YAML, see :mod:`hirewatch.sources.registry`). The pipeline calls :meth:`Source.fetch`
(async, I/O only, with the shared :class:`~hirewatch.sources.http_fetcher.HttpFetcher`) and then
:meth:`Source.parse` on each fetched document (pure CPU, picklable input and output, so it can run
in a process pool or in another Airflow task).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from hirewatch.config import Monitor, SourceSpec

if TYPE_CHECKING:
    from hirewatch.sources.http_fetcher import HttpFetcher
    from hirewatch.stores.base import RatingPoint


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
    """What :meth:`Source.fetch` returns: the documents fetched this run and the state to keep.
    ``not_modified`` is True when every request was answered 304 (or the source had nothing new)."""

    documents: tuple[Document, ...]
    state: CrawlState
    not_modified: bool = False
    requests: int = 0


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


class Source(ABC):
    """One configured source of one monitor. Subclasses set ``kind`` and ``Spec`` (their options,
    a :class:`SourceSpec` subclass) and implement :meth:`fetch` and :meth:`parse`.

    Raise :class:`~hirewatch.errors.SourceError` (or ``FetchError``) for a failure; the pipeline
    records it against this source only.
    """

    kind: ClassVar[str]
    Spec: ClassVar[type[SourceSpec]] = SourceSpec

    def __init__(self, spec: SourceSpec, monitor: Monitor) -> None:
        self.spec = spec
        self.monitor = monitor

    @property
    def name(self) -> str:
        return self.spec.name

    @abstractmethod
    async def fetch(self, fetcher: HttpFetcher, state: CrawlState | None) -> FetchOutcome:
        """Fetch this run's documents, conditionally where ``state`` allows."""

    @abstractmethod
    def parse(self, document: Document) -> Iterator[RawItem]:
        """Turn one document into items. Must not raise on a broken-but-usable document."""

    def parse_filtered(self, document: Document,
                       keep: Callable[[str, Iterable[str]], bool] | None) -> Iterator[RawItem]:
        """:meth:`parse`, allowed to skip items whose raw text ``keep`` rules out (the pipeline
        passes :class:`~hirewatch.match.prefilter.CandidateFilter`: items that cannot name the
        monitor's entities). Skipping is only an optimisation, so this default parses everything.
        The result may carry ``total``: how many items the document had, skipped ones included."""
        return self.parse(document)

    def rating_points(self, outcome: FetchOutcome) -> list[RatingPoint]:
        """Aggregate ratings seen this run (review sites), for the store's rating trend. The
        pipeline records them with the source's mentions; most kinds have none."""
        return []
