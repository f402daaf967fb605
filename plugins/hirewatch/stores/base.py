"""The store contract: what the SQLite store (embedded default) and the Elasticsearch store both
provide. One contract test suite (``tests/stores/test_store_contract.py``) runs against both.

The store is the hand-off between ingest and alerting (an outbox): a new negative mention is
written with ``alert_status = pending``; the alerter reads pending mentions, sends them, and only
after Slack said ok marks them ``sent`` with the channel and ``ts``. Upserting a mention again never
changes its alert state or triage, never loses a source it was already seen in. Alert state is per
monitor: a mention id names its monitor (:func:`~hirewatch.mention.mention_id`), so each monitor
that finds a story has its own copy. Beside the outbox, each monitor has a delivery record
(:class:`DeliveryState`) and a delivery lease (:class:`Lease`): one delivery per monitor at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from hirewatch.mention import Mention
from hirewatch.records import CrawlState, RatingPoint
from hirewatch.report import RunReport

AlertStatus = Literal["none", "pending", "sent", "suppressed", "threaded"]
TriageStatus = Literal["open", "acknowledged", "false_positive", "assigned"]


@dataclass(frozen=True, slots=True)
class AlertState:
    """A mention's outbox and triage state."""

    status: AlertStatus = "none"
    channel: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    triage: TriageStatus = "open"
    triage_by: str | None = None
    triage_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """``new``: ids written for the first time; ``updated``: ids that existed (sources merged);
    ``failed``: (id, reason) pairs that were not written and will be retried next run."""

    new: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MentionQuery:
    """A search over stored mentions. ``text`` is full-text (FTS5 / Elasticsearch match);
    every other given field filters. Results newest first (by published, else fetched)."""

    text: str | None = None
    monitor: str | None = None
    employer: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sentiment: str | None = None
    source: str | None = None
    source_kind: str | None = None
    alert_status: AlertStatus | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """One monitor's record of its delivery runs (kept apart from the crawl state: the
    ``deliveries`` table, the ``<prefix>_deliveries`` index).

    ``started``: when the last run began posting; ``finished``: when a run last ended with every
    message Slack accepted marked (None, or before ``started``: that run did not finish);
    ``unreconciled_since``: the start of the earliest unfinished run whose posts were not looked
    for yet; ``look_failures``: looks in a row that Slack did not answer; ``unreadable``: a stored
    time could not be parsed (a hand edit), the delivery run then looks back a day. Written by
    :mod:`hirewatch.alerts.delivery` only while it holds the monitor's lease."""

    started: datetime | None = None
    finished: datetime | None = None
    unreconciled_since: datetime | None = None
    look_failures: int = 0
    unreadable: bool = False

    @property
    def unfinished(self) -> bool:
        return self.started is not None and (self.finished is None or self.finished < self.started)


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds a monitor's delivery lease: ``owner`` (a process description), since when, and
    until when it is valid unless renewed. Returned by :meth:`MentionStore.acquire_delivery`
    whether or not the caller got it (compare ``owner``)."""

    monitor: str
    owner: str
    since: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class StoredMention:
    mention: Mention
    alert: AlertState = field(default_factory=AlertState)


@runtime_checkable
class MentionStore(Protocol):
    """The contract of every store. Raises :class:`~hirewatch.errors.StoreError` when the backend
    cannot be reached or refuses a whole request; per-item failures are returned, not raised."""

    # -- mentions
    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertResult:
        """Insert new mentions, merge ``sources`` of known ones (the rest of a known mention is
        updated from the new copy, but never its alert or triage state). A new mention whose
        ``sentiment_label`` is negative and whose ``is_competitor`` is False gets alert status
        ``pending`` (unless the store's migration recorded that Slack already has this story for
        its monitor: then that alert state); all others ``none``."""
        ...

    def get(self, mention_id: str) -> StoredMention | None: ...

    def search(self, query: MentionQuery) -> list[StoredMention]: ...

    def iter_mentions(self, monitors: Iterable[str] | None, start: datetime, end: datetime) -> Iterator[Mention]:
        """Mentions of the given monitors (None: all) first seen (``fetched``) in ``[start, end)``,
        oldest first, streamed (the digest's day window and trend)."""
        ...

    def count(self, monitor: str | None = None) -> int: ...

    # -- crawl state
    def get_crawl_state(self, monitor: str, source: str) -> CrawlState | None: ...

    def put_crawl_state(self, monitor: str, source: str, state: CrawlState) -> None: ...

    # -- delivery runs: one at a time per monitor, and what the last one left
    def acquire_delivery(self, monitor: str, owner: str, ttl_s: float, *, replace: str | None = None) -> Lease:
        """Take (or renew) ``monitor``'s delivery lease for ``owner`` for ``ttl_s`` seconds, in one
        atomic step: it is taken when nobody holds it, the holder's lease expired, the holder is
        ``owner`` (a renewal keeps ``since``), or the holder is ``replace`` (a holder the caller
        knows to be dead). Returns the lease as it now stands: ``owner`` is the caller's when it
        got it, else the other holder's."""
        ...

    def release_delivery(self, monitor: str, owner: str) -> None:
        """Give the lease up when ``owner`` holds it (else nothing changes)."""
        ...

    def get_delivery_state(self, monitor: str) -> DeliveryState | None: ...

    def put_delivery_state(self, monitor: str, state: DeliveryState, *, owner: str) -> None:
        """Write ``monitor``'s delivery record; raises :class:`~hirewatch.errors.StoreError`
        when ``owner`` does not hold the lease (it expired and another run took it)."""
        ...

    # -- outbox and triage
    def pending_alerts(self, monitor: str, limit: int | None = None) -> list[Mention]:
        """Mentions of ``monitor`` with alert status pending, oldest first."""
        ...

    def mark_alert_sent(self, mention_id: str, channel: str, ts: str, thread_ts: str | None = None) -> None:
        """Record Slack's ok (status sent, or threaded when ``thread_ts`` is given)."""
        ...

    def mark_alert_suppressed(self, mention_ids: Iterable[str], reason: str) -> None: ...

    def record_alert_failure(self, mention_id: str, error: str) -> None:
        """Keep the mention pending, count the attempt and remember the error."""
        ...

    def set_triage(self, mention_id: str, status: TriageStatus, by: str | None) -> None: ...

    def find_alerted(
        self, monitor: str, *, url: str | None = None, fingerprint: str | None = None
    ) -> StoredMention | None:
        """An already-sent alert of the same story (same canonical URL, or an equal
        ``fingerprint`` value), for threading a later mention under it."""
        ...

    # -- runs, ratings
    def record_run(self, report: RunReport) -> None: ...

    def recent_runs(self, monitor: str, since: datetime) -> list[RunReport]: ...

    def record_rating(self, point: RatingPoint) -> None: ...

    def ratings(self, monitor: str, since: datetime) -> list[RatingPoint]: ...

    def close(self) -> None: ...
