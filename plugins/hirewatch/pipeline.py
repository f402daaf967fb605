"""The one place where the stages are chained: sources -> extract -> match -> enrich -> decide -> dedupe ->
store -> alert -> digest. :func:`process_items` is the item-to-mention sequence every path shares.

Called by the CLI (``hirewatch run``), the Airflow tasks (one mapped ``ingest_source`` per source,
then ``deliver_alerts``), :mod:`hirewatch.submit` and the tests. Airflow adds scheduling, retries
and the UI, not logic. Only the heavy stages (enrich's language and sentiment models, the Slack
client, the digest's renderers) are imported when first used.

Failure rules: a source that fails is recorded in the run report and the others go on; crawl state
(ETag, Last-Modified, seen ids) is saved only after the source's mentions are stored, so a crash in
between re-fetches rather than loses; alerts are delivered from the store's outbox.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hirewatch.config import Monitor, SourceSpec
from hirewatch.errors import FetchError, HirewatchError, NothingRecognised, SourceError, StoreError
from hirewatch.extract.item_to_mention import item_text, to_mention
from hirewatch.extract.limits import clip_item
from hirewatch.match.employer_matcher import EmployerMatcher
from hirewatch.match.prefilter import CandidateFilter, candidate_filter
from hirewatch.mention import Mention, utcnow
from hirewatch.records import CrawlState, Document, FetchOutcome, RatingPoint, RawItem
from hirewatch.report import RunReport, SourceReport
from hirewatch.settings import runtime_settings
from hirewatch.sources.base import Source
from hirewatch.sources.http_fetcher import HttpFetcher, request_budget
from hirewatch.sources.registry import build_source
from hirewatch.stores.base import MentionStore, UpsertResult

if TYPE_CHECKING:
    from hirewatch.alerts import AlertReport
    from hirewatch.digest import DigestResult

Progress = Callable[[SourceReport], None]

#: Below this many sources a run parses in-process; above, in a pool of worker processes (when
#: there are workers to spare, see :func:`_workers`) so that parsing overlaps with fetching and
#: uses every core.
POOL_THRESHOLD = 8
#: Threads that parse and enrich in-process (no pool): while one waits for the sentiment model
#: (C code that releases the GIL) the others parse, so a 2-core machine keeps both cores busy.
IN_PROCESS_THREADS = 3

#: A source that answered 429/503 with ``Retry-After`` is not fetched again before then, but a
#: hostile or broken header never parks a source for longer than this.
MAX_RETRY_AFTER = timedelta(hours=6)
RETRY_AFTER_KEY = "retry_after_until"
_NOTHING_STORED = UpsertResult()


# --------------------------------------------------------------------------- pure stages


@dataclass(slots=True)
class Processed:
    """What :func:`process_document` made of one document (picklable, crosses process pools)."""

    mentions: list[Mention]
    items: int
    bozo: str | None = None
    via: str | None = None


_MATCHERS: dict[tuple[Any, ...], EmployerMatcher] = {}


def _matcher(monitor: Monitor) -> EmployerMatcher:
    """One compiled matcher per monitor per process (compiling the patterns per item would waste
    the hot path). Keyed by what the matcher is built from (name, employer, competitors), not by
    the whole monitor: serialising a large monitor once per document would make a run quadratic
    in its sources."""
    key = (monitor.name, monitor.employer, monitor.competitors)
    matcher = _MATCHERS.get(key)
    if matcher is None:
        matcher = _MATCHERS[key] = EmployerMatcher(monitor)
    return matcher


_FILTERS: dict[tuple[Any, ...], CandidateFilter | None] = {}


def _candidate_filter(monitor: Monitor) -> CandidateFilter | None:
    """The monitor's :class:`~hirewatch.match.prefilter.CandidateFilter` (None when it has none),
    one per process, keyed like :func:`_matcher`."""
    key = (monitor.name, monitor.employer, monitor.competitors)
    if key not in _FILTERS:
        _FILTERS[key] = candidate_filter(monitor)
    return _FILTERS[key]


def items_to_mentions(monitor: Monitor, spec: SourceSpec, items: Iterable[RawItem],
                      fetched: datetime) -> tuple[list[Mention], int]:
    """Extract and match: each item held to the field limits of :mod:`hirewatch.extract.limits`,
    its body turned into plain text once, matched, and one Mention made per entity it mentions.
    Items that mention no entity of the monitor are dropped here. Returns the mentions and the
    number of items seen."""
    matcher = _matcher(monitor)
    mentions: list[Mention] = []
    count = 0
    for item in items:
        count += 1
        item = clip_item(item)  # bounded before any work is spent on it (see extract/limits.py)
        body = item_text(item)
        for match in matcher.match_item(item, body):
            mentions.append(to_mention(item, monitor, spec, match.entity, match.terms, fetched,
                                       is_competitor=match.is_competitor, body=body))
    return mentions, count


def process_items(monitor: Monitor, spec: SourceSpec, items: Iterable[RawItem], fetched: datetime, *,
                  enrich: bool = True, previous: Mapping[str, Mention] | None = None) -> tuple[list[Mention], int]:
    """The stage sequence from raw items to mentions: extract, match, then (by default) enrich,
    re-using the scores of ``previous`` (stored copies) for unchanged text. Returns the mentions
    and the number of items seen."""
    mentions, count = items_to_mentions(monitor, spec, items, fetched)
    if enrich and mentions:
        mentions = enrich_mentions(mentions, monitor, previous)
    return mentions, count


def process_document(monitor: Monitor, spec: SourceSpec, document: Document, fetched: datetime,
                     *, enrich: bool = True) -> Processed:
    """Parse one fetched document, then :func:`process_items`. Pure CPU: runs in the calling
    process or in a worker process. Raises :class:`SourceError` for a document that is not a
    usable feed or page."""
    source = build_source(spec, monitor)
    # Items that cannot name an entity are skipped before parsing (a pure optimisation: the
    # matcher would drop them; see hirewatch.match.prefilter).
    items = source.parse_filtered(document, _candidate_filter(monitor))
    mentions, count = process_items(monitor, spec, items, fetched, enrich=enrich)
    version = getattr(items, "version", None)
    return Processed(mentions, getattr(items, "total", count), getattr(items, "bozo", None),
                     f"feed ({version})" if version else None)


def store_mentions(store: MentionStore, mentions: Iterable[Mention],
                   ratings: Iterable[RatingPoint] = ()) -> tuple[list[Mention], UpsertResult]:
    """The store step: one mention per id (:func:`merge_duplicates`), upserted; the rating points
    are recorded only when every mention was stored (a retry re-reads them). Returns the merged
    mentions and the store's result."""
    merged = merge_duplicates(mentions)
    result = store.upsert_mentions(merged) if merged else _NOTHING_STORED
    if not result.failed:
        for point in ratings:
            store.record_rating(point)
    return merged, result


# The monitor of the run, sent once to each pool worker (its initializer) instead of with every
# document: a monitor with thousands of sources is large to pickle.
_WORKER_MONITOR: Monitor | None = None


def _init_worker(monitor: Monitor) -> None:
    global _WORKER_MONITOR
    _WORKER_MONITOR = monitor
    # The pool's workers (and the run's process) fill the cores: the model's OpenMP engine must
    # not start a thread per core in each of them (bench/RESULTS.md).
    _limit_engine_threads(1)


def _limit_engine_threads(threads: int) -> None:
    from hirewatch.enrich.model_scorer import limit_engine_threads  # the model's libraries: heavy

    limit_engine_threads(threads)


def _process_in_worker(spec: SourceSpec, document: Document, fetched: datetime) -> Processed:
    """:func:`process_document` without enrich in a pool worker, with the monitor its initializer
    received (enrich comes after the store said which texts it already scored)."""
    assert _WORKER_MONITOR is not None, "pool worker started without _init_worker"
    return process_document(_WORKER_MONITOR, spec, document, fetched, enrich=False)


def _enrich_in_worker(mentions: list[Mention], previous: dict[str, Mention]) -> list[Mention]:
    assert _WORKER_MONITOR is not None, "pool worker started without _init_worker"
    return enrich_mentions(mentions, _WORKER_MONITOR, previous)


def enrich_mentions(mentions: list[Mention], monitor: Monitor,
                    previous: Mapping[str, Mention] | None = None) -> list[Mention]:
    """Language, sentiment, topics, severity, then the alert decision and its reasons
    (:mod:`hirewatch.decide`). ``previous``: the stored copies of these mentions, so that
    unchanged text keeps its scores instead of going through the model again."""
    from hirewatch.decide import decide_mentions
    from hirewatch.enrich import enrich_mentions as _enrich  # the language and sentiment models: heavy

    return decide_mentions(_enrich(mentions, monitor, previous), monitor)


def _previous_versions(store: MentionStore, processed: list[Processed]) -> dict[str, Mention]:
    from hirewatch.enrich import stored_versions  # the enrich package loads the models

    return stored_versions(store, (m for p in processed for m in p.mentions))


def merge_duplicates(mentions: Iterable[Mention]) -> list[Mention]:
    """One mention per id within a batch; a story carried by two sources keeps both."""
    merged: dict[str, Mention] = {}
    for mention in mentions:
        seen = merged.get(mention.id)
        if seen is None:
            merged[mention.id] = mention
        else:
            sources = tuple(dict.fromkeys((*seen.sources, *mention.sources)))
            merged[mention.id] = seen.with_(sources=sources)
    return list(merged.values())


# --------------------------------------------------------------------------- fetching


def _fetcher(monitor: Monitor) -> HttpFetcher:
    return HttpFetcher(monitor.fetch, base_dir=_monitor_dir(monitor))


def _monitor_dir(monitor: Monitor) -> str | None:
    return os.path.dirname(os.path.abspath(monitor.path)) if monitor.path else None


async def _fetch_one(source: Source, fetcher: HttpFetcher,
                     store: MentionStore) -> tuple[CrawlState | None, FetchOutcome]:
    """The source's stored crawl state and what fetching with it gave. A site that asked us
    (429/503 ``Retry-After``) to wait is not asked again before then: that raises
    :class:`SourceError` without a request, and a new such answer is remembered in the crawl state."""
    state = store.get_crawl_state(source.monitor.name, source.name)
    until = _retry_after_until(state)
    if until is not None and until > utcnow():
        raise SourceError(f"the site asked to wait until {until.isoformat(timespec='seconds')} (Retry-After); "
                          "not fetched before then", monitor=source.monitor.name, source=source.name,
                          retry_after=(until - utcnow()).total_seconds())
    try:
        outcome = await source.fetch(fetcher, state)
    except FetchError as exc:
        if exc.retry_after:
            wait = min(timedelta(seconds=exc.retry_after), MAX_RETRY_AFTER)
            kept = state or CrawlState()
            store.put_crawl_state(source.monitor.name, source.name, replace(
                kept, extra={**kept.extra, RETRY_AFTER_KEY: (utcnow() + wait).isoformat()}))
        raise
    if RETRY_AFTER_KEY in outcome.state.extra:
        extra = {k: v for k, v in outcome.state.extra.items() if k != RETRY_AFTER_KEY}
        outcome = replace(outcome, state=replace(outcome.state, extra=extra))
    return state, outcome


async def _fetch_in_budget(source: Source, fetcher: HttpFetcher, store: MentionStore,
                           run_deadline: float) -> tuple[CrawlState | None, FetchOutcome]:
    """:func:`_fetch_one` within the source's time budget (``fetch.source_budget_s``, at most
    what is left of the run's, ``fetch.run_budget_s``): no request of the source starts after its
    deadline (the fetcher checks :data:`request_budget`), one under way keeps its own time limit,
    and anything beyond that is cut off here. Raises :class:`SourceError` when the run's budget
    is already spent (nothing is fetched) or the source is cut off."""
    loop = asyncio.get_running_loop()
    budgets = source.monitor.fetch
    if loop.time() >= run_deadline:
        raise SourceError(f"not fetched: the run's time budget of {budgets.run_budget_s:g} s "
                          "(fetch.run_budget_s) was spent; it is fetched in the next run")
    source.deadline = min(loop.time() + budgets.source_budget_s, run_deadline)
    which = (f"the run's time budget of {budgets.run_budget_s:g} s (fetch.run_budget_s)"
             if source.deadline == run_deadline else
             f"its time budget of {budgets.source_budget_s:g} s (fetch.source_budget_s)")
    token = request_budget.set((source.deadline, which))
    try:
        async with asyncio.timeout_at(source.deadline + budgets.timeout_s + 1.0):
            return await _fetch_one(source, fetcher, store)
    except TimeoutError:
        raise SourceError(f"stopped: took longer than {which}; fetched again in the next run") from None
    finally:
        request_budget.reset(token)


#: Crawl-state key of what a source last read: {"found": n, "via": "...", "at": iso time}.
READ_KEY = "last_read"


def _with_markup_hint(exc: NothingRecognised, state: CrawlState | None) -> NothingRecognised:
    """``exc`` saying "markup changed?" when the source read items from this place before: the
    page changed (a 304 never gets here) and what read it no longer does."""
    read = state.extra.get(READ_KEY) if state is not None else None
    if not isinstance(read, dict) or not read.get("found"):
        return exc
    before = f"{read['found']} items" + (f" by {read['via']}" if read.get("via") else "")
    when = f" on {str(read['at'])[:10]}" if read.get("at") else ""
    return NothingRecognised(f"markup changed? the last good run read {before}{when}; {exc.reason}",
                             monitor=exc.monitor, source=exc.source)


def _stored_state(store: MentionStore, source: Source) -> CrawlState | None:
    try:
        return store.get_crawl_state(source.monitor.name, source.name)
    except StoreError:
        return None


def _remember_read(state: CrawlState, report: SourceReport) -> CrawlState:
    """``state`` remembering what this run read (for :func:`_with_markup_hint`), when it read any."""
    if not report.items:
        return state
    read = {"found": report.items, "via": report.via, "at": utcnow().isoformat(timespec="seconds")}
    return replace(state, extra={**state.extra, READ_KEY: read})


def _retry_after_until(state: CrawlState | None) -> datetime | None:
    value = state.extra.get(RETRY_AFTER_KEY) if state is not None else None
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- runs


def _workers() -> int:
    """Worker processes for a run's CPU work: ``HIREWATCH_WORKERS``, else one fewer than the CPUs.
    Fewer than 2 means no pool: the run's own threads do the work. One process already keeps two
    cores busy (its Python threads on one, the sentiment model's C code on the other), so on 2
    cores a pool holds several times the memory for little time saved (bench/RESULTS.md)."""
    configured = runtime_settings().workers
    return _spare_cores() if configured is None else configured


def _spare_cores() -> int:
    """Every core but one (at least one): the pool's size, or the model's engine threads beside the
    run's parse threads."""
    return max(1, (os.cpu_count() or 1) - 1)


def _store_source(monitor: Monitor, source: Source, outcome: FetchOutcome, processed: list[Processed],
                  store: MentionStore, report: SourceReport,
                  previous: CrawlState | None = None, *, persist_state: bool = True) -> list[tuple[str, str]]:
    mentions, result = store_mentions(store, (m for p in processed for m in p.mentions),
                                      source.rating_points(outcome))
    failures = list(result.failed)
    new = set(result.new)
    report.new_mentions = len(new)
    report.negatives = sum(1 for m in mentions if m.id in new and m.is_negative and not m.is_competitor)
    report.mentions = len(mentions)
    report.items = sum(p.items for p in processed) if outcome.found is None else outcome.found
    report.bozo = next((p.bozo for p in processed if p.bozo), None) or ("; ".join(outcome.notes) or None)
    report.via = outcome.via or next((p.via for p in processed if p.via), None)
    if persist_state and not failures and not (outcome.not_modified and outcome.state == previous):
        # Crawl state only after the mentions are safely stored: a crash before this re-fetches.
        # A 304 that changed nothing writes nothing (a re-run must cost almost nothing).
        state = outcome.state if outcome.not_modified else _remember_read(outcome.state, report)
        store.put_crawl_state(monitor.name, source.name, state)
    return failures


def _run_sources(monitor: Monitor, store: MentionStore, sources: list[Source], progress: Progress | None,
                 causes: dict[str, HirewatchError] | None = None) -> tuple[list[SourceReport], list[tuple[str, str]]]:
    return asyncio.run(_run_sources_async(monitor, store, sources, progress, causes))


def _process_here(monitor: Monitor, spec: SourceSpec, documents: Iterable[Document], fetched_at: datetime,
                  store: MentionStore) -> list[Processed]:
    """Parse, extract, match and enrich one source's documents in this process (the run's worker
    thread), re-using the stored versions' scores."""
    processed = [process_document(monitor, spec, doc, fetched_at, enrich=False) for doc in documents]
    stored = _previous_versions(store, processed)
    for p in processed:
        if p.mentions:
            p.mentions = enrich_mentions(p.mentions, monitor, stored)
    return processed


class _Executors:
    """Where a run's CPU work goes, each started on first use: a pool of worker processes (a
    re-run where every source answers 304 never pays for starting them), or, without a pool,
    worker threads: parsing a big feed must not stall the other sources' fetches on the event
    loop (their time limits would fire late, or falsely), and one thread can parse while another
    waits for the sentiment model."""

    def __init__(self, monitor: Monitor, workers: int) -> None:
        self._monitor, self._workers = monitor, workers
        self._pool: ProcessPoolExecutor | None = None
        self._thread: ThreadPoolExecutor | None = None

    def pool(self) -> Executor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            # The forkserver loads the stages and the language models once; workers fork from it
            # (hirewatch.worker_warmup). No effect when the forkserver already runs.
            context.set_forkserver_preload(["hirewatch.worker_warmup"])
            # Workers get the monitor without its source list (they are handed each source's spec
            # with its document): a large monitor would be pickled into every worker otherwise.
            slim = self._monitor.model_copy(update={"sources": ()})
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context,
                                             initializer=_init_worker, initargs=(slim,))
        return self._pool

    def thread(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=IN_PROCESS_THREADS, thread_name_prefix="hirewatch-parse")
        return self._thread

    def shutdown(self) -> None:
        for executor in (self._pool, self._thread):
            if executor is not None:
                executor.shutdown(cancel_futures=True)


async def _run_sources_async(monitor: Monitor, store: MentionStore, sources: list[Source], progress: Progress | None,
                             causes: dict[str, HirewatchError] | None = None,
                             ) -> tuple[list[SourceReport], list[tuple[str, str]]]:
    """Every source through the chain. ``causes``, when given, receives the error each failed
    source raised (its retry hints: :attr:`SourceError.permanent`, ``retry_after``)."""
    loop = asyncio.get_running_loop()
    workers = _workers()
    use_pool = workers > 1 and len(sources) >= POOL_THRESHOLD
    if not use_pool:
        # One core stays with the parse threads' Python; the model's engine may have the others.
        _limit_engine_threads(_spare_cores())
    # Sources between "fetch started" and "stored", one per lane: bounds the fetched documents held
    # in memory while parsing catches up (fetching runs ahead of parsing) without stopping the
    # overlap. Lanes pull sources one after the other, so a run holds a lane's state per lane, not
    # a waiting task per source.
    lanes = monitor.fetch.concurrency + 2 * max(1, workers)
    executors = _Executors(monitor, workers)
    fetched_at = utcnow()
    reports: list[SourceReport] = []
    failures: list[tuple[str, str]] = []

    run_deadline = loop.time() + monitor.fetch.run_budget_s

    async def handle(source: Source, fetcher: HttpFetcher) -> None:
        report = SourceReport(source=source.name, kind=source.spec.type)
        started = time.perf_counter()
        try:
            previous, outcome = await _fetch_in_budget(source, fetcher, store, run_deadline)
            report.requests = outcome.requests
            if outcome.not_modified or not outcome.documents:
                report.status = "not_modified" if outcome.not_modified else "ok"
                processed: list[Processed] = []
            elif use_pool:
                processed = await _process_in_pool(executors.pool(), source.spec, outcome.documents, fetched_at,
                                                   store)
            else:
                processed = await loop.run_in_executor(executors.thread(), _process_here, monitor, source.spec,
                                                       outcome.documents, fetched_at, store)
            failures.extend(_store_source(monitor, source, outcome, processed, store, report, previous))
        except NothingRecognised as exc:
            report.status, report.error = "failed", _reason(_with_markup_hint(exc, _stored_state(store, source)))
        except HirewatchError as exc:
            report.status, report.error = "failed", _reason(exc)
            if causes is not None:
                causes[source.name] = exc
        except Exception as exc:  # noqa: BLE001 - one broken source must never stop the others
            report.status, report.error = "failed", f"unexpected {type(exc).__name__}: {exc}"
        report.seconds = round(time.perf_counter() - started, 3)
        reports.append(report)
        if progress is not None:
            progress(report)

    queue = iter(sources)

    async def lane(fetcher: HttpFetcher) -> None:
        for source in queue:  # shared by the lanes; the event loop runs one at a time
            await handle(source, fetcher)

    try:
        async with _fetcher(monitor) as fetcher:
            await asyncio.gather(*(lane(fetcher) for _ in range(min(lanes, len(sources)))))
    finally:
        executors.shutdown()
    order = {s.name: i for i, s in enumerate(sources)}
    reports.sort(key=lambda r: order[r.source])
    return reports, failures


async def _process_in_pool(executor: Executor, spec: SourceSpec, documents: Iterable[Document],
                           fetched_at: datetime, store: MentionStore) -> list[Processed]:
    """:func:`_process_here` in the pool's workers: every document parsed at once, then the
    mentions enriched once the store said which texts it already scored."""
    loop = asyncio.get_running_loop()
    futures = [loop.run_in_executor(executor, _process_in_worker, spec, doc, fetched_at) for doc in documents]
    processed = list(await asyncio.gather(*futures))
    stored = _previous_versions(store, processed)
    with_mentions = [p for p in processed if p.mentions]
    enriched = [loop.run_in_executor(executor, _enrich_in_worker, p.mentions, stored) for p in with_mentions]
    for p, mentions in zip(with_mentions, await asyncio.gather(*enriched), strict=True):
        p.mentions = mentions
    return processed


def _reason(exc: HirewatchError) -> str:
    return exc.reason if isinstance(exc, SourceError) and exc.reason else str(exc)


def _sources(monitor: Monitor, names: Iterable[str] | None = None) -> list[Source]:
    wanted = set(names) if names is not None else None
    return [build_source(spec, monitor) for spec in monitor.sources
            if spec.enabled and (wanted is None or spec.name in wanted)]


def run_monitor(monitor: Monitor, store: MentionStore, *, alert: bool = True, progress: Progress | None = None,
                sources: Iterable[str] | None = None) -> RunReport:
    """Run one monitor end to end: every enabled source (or only ``sources``), then alerts.
    Never raises for a failing source, a failing delivery or a store that cannot record the run;
    those are in the report."""
    report = RunReport(monitor=monitor.name, started=utcnow())
    report.sources, report.store_failures = _run_sources(monitor, store, _sources(monitor, sources), progress)
    if alert:
        _deliver_into(report, monitor, store)
    report.finished = utcnow()
    try:
        store.record_run(report)
    except StoreError as exc:  # the store is down or locked: the report still reaches the caller
        report.notes.append(f"run report not recorded: {exc}")
    return report


def ingest_source(monitor: Monitor, source_name: str, store: MentionStore) -> SourceReport:
    """One source end to end into the store (fetch, parse, match, enrich, store). The Airflow DAG
    maps this over a monitor's sources. Raises :class:`SourceError` when the source failed, so the
    mapped task fails alone and Airflow's retries apply."""
    monitor.source(source_name)  # KeyError for an unknown name
    causes: dict[str, HirewatchError] = {}
    reports, failures = _run_sources(monitor, store, _sources(monitor, [source_name]), None, causes)
    (report,) = reports
    if report.status == "failed":
        cause = causes.get(source_name)
        raise SourceError(report.error or "failed", monitor=monitor.name, source=source_name,
                          permanent=getattr(cause, "permanent", False),
                          retry_after=getattr(cause, "retry_after", None))
    if failures:
        raise SourceError(f"{len(failures)} mentions could not be stored: {failures[0][1]}",
                          monitor=monitor.name, source=source_name)
    return report


def record_ingest(monitor: Monitor, store: MentionStore, reports: list[SourceReport],
                  started: datetime) -> RunReport:
    """Record a run whose sources were ingested separately (Airflow's mapped tasks)."""
    report = RunReport(monitor=monitor.name, started=started, sources=reports, finished=utcnow())
    store.record_run(report)
    return report


def deliver_alerts(monitor: Monitor, store: MentionStore, **kwargs: Any) -> AlertReport:
    """Deliver the monitor's pending alerts from the outbox (Slack, or a dry run printed to the
    console without a token)."""
    from hirewatch.alerts import deliver_alerts as _deliver  # the Slack client: only where alerts go out

    return _deliver(monitor, store, **kwargs)


def _deliver_into(report: RunReport, monitor: Monitor, store: MentionStore) -> None:
    # Also with ``alerts.enabled: false``: delivery marks the pending ones suppressed (reason
    # ``disabled``) as ``hirewatch slack deliver`` does, rather than leaving them pending for ever.
    try:
        result = deliver_alerts(monitor, store)
    except HirewatchError as exc:
        report.alert_error = str(exc)
        report.notes.append(f"alert delivery failed: {exc}")
        return
    if result.dry_run:
        report.notes.append(f"dry run (no Slack token): {result.would_send} alerts printed, not sent; "
                            "they stay pending in the outbox")
        return
    report.alerts_sent = result.sent + result.threaded
    report.alerts_suppressed = result.suppressed
    report.alerts_failed = result.failed
    report.notes.extend(f"alert delivery: {line}" for line in (*result.errors, *result.notes))


def run_digest(monitors: list[Monitor], store: MentionStore, day: date | None = None,
               **kwargs: Any) -> DigestResult:
    """Build and render (and, when asked and configured, send) the daily digest."""
    from hirewatch.digest import run_digest as _run_digest  # the renderers and charts: only for the digest

    return _run_digest(monitors, store, day, **kwargs)

