"""What every source kind provides: the :class:`Source` contract (its records are in :mod:`hirewatch.records`).

A source kind is a :class:`Source` subclass registered under a short key (``type: rss`` in the
monitor YAML, see :mod:`hirewatch.sources.registry`). The pipeline calls :meth:`Source.fetch`
(async, I/O only, with the shared :class:`~hirewatch.sources.http_fetcher.HttpFetcher`) and then
:meth:`Source.parse` on each fetched document (pure CPU, picklable input and output, so it can run
in a process pool or in another Airflow task).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from hirewatch.config import Monitor, SourceSpec
from hirewatch.records import CrawlState, Document, FetchOutcome, RatingPoint, RawItem

if TYPE_CHECKING:
    from hirewatch.sources.http_fetcher import HttpFetcher


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
        #: When this source's time budget ends (the event loop's clock), set by the pipeline
        #: before :meth:`fetch`; None: no budget (a test driving the source alone).
        self.deadline: float | None = None

    def out_of_time(self, wait: float = 0.0) -> bool:
        """True when a request that first waits ``wait`` seconds would start after the budget:
        a source that fetches several pages stops there and keeps the rest for the next run."""
        if self.deadline is None:
            return False
        import asyncio

        return asyncio.get_running_loop().time() + wait > self.deadline

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
