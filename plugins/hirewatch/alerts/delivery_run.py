"""One delivery run's state and its records: the planned messages (:class:`Plan` of
:class:`Story` and :class:`Reply`), the message :class:`Budget`, and :class:`Run`, which posts
through the alerter and writes the outbox marks and the delivery record to the store.

Used by :mod:`hirewatch.alerts.delivery` (which orders the steps) and
:mod:`hirewatch.alerts.reconcile`. Nothing here raises to stop a run: a Slack or store failure is
recorded in the report and sets :attr:`Run.stopped`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hirewatch.alerts.base import Alerter, AlertReport, Posted, SentMessage, SlackRefused, SlackUnavailable
from hirewatch.alerts.lease import DeliveryLease
from hirewatch.alerts.slack_message import alert_message, thread_reply_message
from hirewatch.config import Monitor
from hirewatch.errors import StoreError
from hirewatch.mention import Mention, utcnow
from hirewatch.stores.base import DeliveryState, MentionStore

#: How far back to look when the record of the last run cannot be parsed.
UNKNOWN_WINDOW = timedelta(hours=24)


@dataclass
class Story:
    """A new alert of this run and the later copies of the same story found in the same run."""

    leader: Mention
    channel: str
    copies: list[Mention] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Reply:
    """A mention to post in an existing thread."""

    mention: Mention
    channel: str
    thread_ts: str


@dataclass
class Plan:
    """The messages of one run before anything is posted: the new stories (each one alert), the
    replies in earlier alerts' threads, the unrouted mentions, and (after an unfinished run) the
    stories its storm message promised to its thread (``followups``: story, storm message ts)."""

    stories: list[Story] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    unrouted: list[Mention] = field(default_factory=list)
    followups: list[tuple[Story, str]] = field(default_factory=list)
    _by_key: dict[str, Story] = field(default_factory=dict)

    def add(self, mention: Mention, channel: str) -> None:
        """A new alert, or a copy of a story already in this run (same URL or fingerprint)."""
        keys = story_keys(mention)
        story = next((self._by_key[k] for k in keys if k in self._by_key), None)
        if story is not None:
            story.copies.append(mention)
            return
        story = Story(mention, channel)
        self.stories.append(story)
        self._by_key.update((k, story) for k in keys)

    def reply_copies(self, story: Story, channel: str, thread_ts: str) -> None:
        """The story's copies go in the thread of its alert (posted at ``thread_ts``)."""
        self.replies.extend(Reply(copy, channel, thread_ts) for copy in story.copies)


class Budget:
    """The run's cap on messages for mentions (``max_per_run``): every alert and reply attempted
    spends one; the storm's thread gets what is left when it is decided."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self) -> None:
        self.left -= 1

    @property
    def spent(self) -> bool:
        return self.left <= 0


def story_keys(mention: Mention) -> list[str]:
    keys = []
    if mention.url:
        keys.append("url:" + mention.url)
    if mention.fingerprint:
        keys.append("fp:" + mention.fingerprint)
    return keys


class Run:
    """One delivery run's state: the report, what is settled, whether it stopped, and the store
    writes (skipped in a dry run, where nothing in the store changes)."""

    def __init__(self, monitor: Monitor, store: MentionStore, alerter: Alerter, kibana: str | None,
                 lease: DeliveryLease | None = None) -> None:
        self.monitor, self.store, self.alerter, self.kibana, self.lease = monitor, store, alerter, kibana, lease
        self.writes = alerter.marks_sent
        self.report = AlertReport(monitor=monitor.name, alerter=alerter.name, dry_run=not alerter.marks_sent)
        self.settled: set[str] = set()
        self.refused_channels: dict[str, str] = {}
        self.stopped = False
        self.started: datetime | None = None  # when open_record recorded this run's start
        self.look_failures = 0  # earlier looks that Slack did not answer (from the delivery record)

    def stop(self, error: str) -> None:
        self.report.errors.append(error)
        self.stopped = True

    # -- the delivery record
    def unfinished_since(self, now: datetime) -> datetime | None:
        """When the earliest run that did not finish (and whose posts were not looked for since)
        started; None when the last run finished, or in a dry run. An unreadable record counts as
        unfinished :data:`UNKNOWN_WINDOW` ago. Stops the run (nothing sent) when the record cannot
        be read: the record of an unfinished run must not be written over unseen."""
        if not self.writes:
            return None
        try:
            state = self.store.get_delivery_state(self.monitor.name)
        except StoreError as exc:
            self.stop(f"store: delivery state unavailable: {exc}")
            return None
        if state is None:
            return None
        if state.unreadable:
            return now - UNKNOWN_WINDOW
        if not state.unfinished:
            return None
        self.look_failures = state.look_failures
        try:
            return min(t for t in (state.started, state.unreconciled_since) if t is not None)
        except TypeError:  # naive and aware times mixed (a hand-edited record)
            return now - UNKNOWN_WINDOW

    def open_record(self, now: datetime, unreconciled: datetime | None) -> None:
        """One small write before anything is posted: this run's start (and, until a run
        finishes, the start of the earliest unfinished one). It also shows that the store takes
        writes: a store that can be read but not written (SQLite locked by another process,
        Elasticsearch read-only on a full disk) would let every run post its first alert and fail
        to mark it, the same alert again every run. Stops the run when the store refuses it."""
        self.started = now
        self.write_record(unreconciled)

    def write_record(self, unreconciled: datetime | None, *, finished: bool = False) -> bool:
        state = DeliveryState(started=self.started, finished=utcnow() if finished else None,
                              unreconciled_since=unreconciled,
                              look_failures=self.look_failures if unreconciled is not None else 0)
        owner = self.lease.owner if self.lease is not None else ""
        return self.write(lambda: self.store.put_delivery_state(self.monitor.name, state, owner=owner))

    def finish(self) -> None:
        """Record that this run ended with every accepted message marked, so the next run need not
        look in Slack. Called only when the run was not stopped: a stop (a Slack failure mid-post,
        a failed mark, a look Slack did not answer) leaves the run unfinished on purpose."""
        if self.writes and self.started is not None:
            self.write_record(None, finished=True)

    def write(self, action: Callable[[], None]) -> bool:
        """Run one store write (none in a dry run); a StoreError stops the run."""
        if not self.writes:
            return True
        try:
            action()
        except StoreError as exc:
            self.stop(f"store: {exc}")
            return False
        return True

    # -- outbox marks
    def suppress(self, mentions: Iterable[Mention], reason: str) -> None:
        ids = [m.id for m in mentions if m.id not in self.settled]
        if ids and self.write(lambda: self.store.mark_alert_suppressed(ids, reason)):
            self.settled.update(ids)
            self.report.suppressed_by[reason] += len(ids)

    def failed(self, mentions: Iterable[Mention], error: str) -> None:
        for mention in mentions:
            self.report.failed += 1
            self.settled.add(mention.id)
            if not self.write(lambda m=mention: self.store.record_alert_failure(m.id, error)):
                return

    def mark(self, mention: Mention, posted: Posted, thread_ts: str | None) -> bool:
        if self.writes and not self.write(
                lambda: self.store.mark_alert_sent(mention.id, posted.channel, posted.ts, thread_ts)):
            return False
        self.settled.add(mention.id)
        if self.writes:
            self.report.threaded += 1 if thread_ts else 0
            self.report.sent += 0 if thread_ts else 1
        return True

    # -- sending
    def send(self, kind: str, channel: str, message: dict, mentions: list[Mention],
             thread_ts: str | None = None) -> Posted | None:
        """Post one message for ``mentions`` (none for a storm message). None when Slack refused
        it (failure recorded) or could not take it (the run stops), or the lease was lost."""
        if self.lease is not None and not self.lease.keep():
            self.stop(self.lease.busy())
            return None
        if channel in self.refused_channels:
            self.failed(mentions, self.refused_channels[channel])
            return None
        try:
            posted = self.alerter.post(channel, message, thread_ts=thread_ts)
        except (SlackUnavailable, SlackRefused) as exc:
            self.report.errors.append(str(exc))
            if isinstance(exc, SlackRefused) and exc.channel_wide:
                self.refused_channels[channel] = str(exc)
            self.failed(mentions, str(exc))
            # unavailable, e.g. a timeout: Slack may have taken it; the stop leaves the run unfinished
            self.stopped = self.stopped or isinstance(exc, SlackUnavailable)
            return None
        self.report.messages.append(SentMessage(kind, posted.channel, posted.ts, tuple(m.id for m in mentions),
                                                thread_ts))
        if not self.writes:
            self.report.would_send += 1
        return posted

    def alert(self, story: Story, thread_ts: str | None = None) -> Reply | None:
        """Post a new alert (top level, or in a storm thread); returns where its copies go."""
        message = alert_message(story.leader, self.monitor, kibana=self.kibana)
        posted = self.send("alert", story.channel, message, [story.leader], thread_ts)
        if posted is None or not self.mark(story.leader, posted, thread_ts):
            return None
        return Reply(story.leader, posted.channel, thread_ts or posted.ts)

    def reply(self, item: Reply) -> None:
        message = thread_reply_message(item.mention, self.monitor, kibana=self.kibana)
        posted = self.send("thread", item.channel, message, [item.mention], item.thread_ts)
        if posted is not None:
            self.mark(item.mention, posted, item.thread_ts)
