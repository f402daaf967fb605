"""Delivery through the outbox: read the monitor's pending alerts from the store, route them,
decide storm or not, send, and mark each one sent only after Slack said ok.

Called by :func:`hirewatch.alerts.deliver_alerts` (the pipeline's entry point). Order of a run:

1. ``store.pending_alerts(monitor)`` (oldest first).
2. Route each (:mod:`hirewatch.alerts.routing`); no channel -> suppressed ``unrouted``.
3. A later mention of an already-alerted story (``store.find_alerted``) -> a reply in that
   alert's thread, marked ``threaded``; two mentions of one story in the same run -> the first is
   the alert, the second its reply.
4. Storm (:mod:`hirewatch.alerts.storm`)? No: each new alert is posted. Yes: per channel ONE storm
   message; the ``max_per_run`` most severe alerts follow in its thread (with their buttons); the
   rest are suppressed ``storm``. Replies beyond the per-run cap are suppressed ``cap``.
5. Slack unavailable -> the attempted mention gets a recorded failure, the run stops, everything
   not sent stays pending (``deferred``) for the next run. Slack refuses one message -> failure
   recorded for it (a channel-wide refusal for every mention of that channel), the run goes on.

The crash window: a mention is marked after Slack's ok; a crash (or a store failure, or a Slack
answer lost in a timeout) between the two leaves it pending. Each message carries its mention id
in Slack message metadata, and each run records in the crawl state ``hirewatch:delivery`` when it
started and, unless such a doubt arose, that it finished. A run that finds the previous one
unfinished first asks the alerter for the messages posted since it started
(:meth:`~hirewatch.alerts.base.Alerter.find_posted`) and marks the pending mentions found there
instead of posting them again; a storm message found there names its burst, so the alerts it
promised to its thread go there and those it announced as suppressed are marked so. Where the
alerter cannot look (the bot is not in the channel, no history scopes; or Slack did not answer
the look :data:`MAX_LOOK_FAILURES` runs in a row) those alerts are posted again: at most one
re-send, never a loss. A store failure while marking stops
the run for that reason.
The first of those writes also checks that the store takes writes: a store that can be read but
not written sends nothing, rather than the same first alert again on every run.

Raises :class:`~hirewatch.errors.StoreError` only when the pending alerts cannot be read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hirewatch.alerts.base import (
    Alerter,
    AlertReport,
    Found,
    Lookup,
    Posted,
    SentMessage,
    SlackRefused,
    SlackUnavailable,
)
from hirewatch.alerts.routing import UNROUTED, route
from hirewatch.alerts.slack_message import alert_message, storm_message, thread_reply_message
from hirewatch.alerts.storm import BASELINE_DAYS, by_severity, decide_storm, original_alert, recent_alerts
from hirewatch.config import Monitor
from hirewatch.errors import AlertError, StoreError
from hirewatch.mention import Mention, utcnow
from hirewatch.records import CrawlState
from hirewatch.stores.base import MentionStore, StoredMention

log = logging.getLogger(__name__)

#: The crawl-state key the write probe uses (not a source: source names come from monitor files).
DELIVERY_STATE = "hirewatch:delivery"
#: After this many runs in a row whose look-up Slack did not answer, post without it (one re-send
#: at most) rather than hold every alert back.
MAX_LOOK_FAILURES = 3
#: How far back to look when the record of the last run cannot be parsed.
UNKNOWN_WINDOW = timedelta(hours=24)


class _Stop(Exception):
    """Internal: Slack or the store is unavailable; end the run, keep the rest pending."""


@dataclass
class _Story:
    """A new alert of this run and the later copies of the same story found in the same run."""

    leader: Mention
    channel: str
    copies: list[Mention] = field(default_factory=list)


@dataclass
class _Reply:
    mention: Mention
    channel: str
    thread_ts: str


class _Run:
    """One delivery run's state: the report, what is settled, and the store writes (skipped in a
    dry run, where nothing in the store changes)."""

    def __init__(self, monitor: Monitor, store: MentionStore, alerter: Alerter, kibana: str | None) -> None:
        self.monitor, self.store, self.alerter, self.kibana = monitor, store, alerter, kibana
        self.writes = alerter.marks_sent
        self.report = AlertReport(monitor=monitor.name, alerter=alerter.name, dry_run=not alerter.marks_sent)
        self.settled: set[str] = set()
        self.refused_channels: dict[str, str] = {}
        self.started: datetime | None = None  # when probe_writes recorded this run's start
        self.storm_followups: list[tuple[_Story, Found]] = []  # alerts an unfinished run's storm promised
        self.look_failures = 0  # earlier looks that Slack did not answer (from the crawl state)

    # -- store writes
    def unfinished_since(self, now: datetime) -> datetime | None:
        """When the earliest run that did not finish (and whose posts were not looked for since)
        started, from the crawl state ``hirewatch:delivery``; None when the last run finished, or
        in a dry run. A state that cannot be parsed counts as unfinished a day ago
        (:data:`UNKNOWN_WINDOW`). Raises _Stop (nothing sent) when the state cannot be read: the
        record of an unfinished run must not be written over unseen."""
        if not self.writes:
            return None
        try:
            state = self.store.get_crawl_state(self.monitor.name, DELIVERY_STATE)
        except StoreError as exc:
            self.report.errors.append(f"store: delivery state unavailable: {exc}")
            raise _Stop from None
        extra = state.extra if state is not None else {}
        if not extra.get("delivery_started") or extra.get("delivery_finished"):
            return None
        try:
            self.look_failures = int(extra.get("look_failures") or 0)
            return min(datetime.fromisoformat(str(extra[k])) for k in ("delivery_started", "unreconciled_since")
                       if extra.get(k))
        except (ValueError, TypeError):  # a hand-edited state, or naive and aware times mixed
            return now - UNKNOWN_WINDOW

    def probe_writes(self, now: datetime, unreconciled: datetime | None) -> None:
        """One small write before anything is posted: this run's start (and, until a run finishes,
        the start of the earliest unfinished one). It also shows that the store takes writes: a
        store that can be read but not written (SQLite locked by another process, Elasticsearch
        read-only on a full disk) would let every run post its first alert and fail to mark it,
        the same alert again every run. Raises _Stop (nothing sent, everything stays pending) when
        the store refuses it."""
        self.started = now
        self._write_state(unreconciled)

    def _state(self, unreconciled: datetime | None = None, *, finished: bool = False) -> CrawlState:
        extra: dict[str, object] = {"delivery_started": self.started.isoformat() if self.started else ""}
        if unreconciled is not None:
            extra.update(unreconciled_since=unreconciled.isoformat(), look_failures=self.look_failures)
        if finished:
            extra["delivery_finished"] = utcnow().isoformat()
        return CrawlState(extra=extra)

    def _write_state(self, unreconciled: datetime | None) -> None:
        self._store(lambda: self.store.put_crawl_state(self.monitor.name, DELIVERY_STATE, self._state(unreconciled)))

    def finish(self) -> None:
        """Record that this run ended with every accepted message marked, so the next run need not
        look in Slack. Called only when the run was not stopped: a stop (a Slack failure mid-post,
        a failed mark, a look Slack did not answer) leaves the run unfinished on purpose."""
        if not self.writes or self.started is None:
            return
        try:
            self.store.put_crawl_state(self.monitor.name, DELIVERY_STATE, self._state(finished=True))
        except StoreError as exc:
            self.report.errors.append(f"store: {exc}")

    def _store(self, action: Callable[[], None]) -> None:
        if not self.writes:
            return
        try:
            action()
        except StoreError as exc:
            self.report.errors.append(f"store: {exc}")
            raise _Stop from None

    def reconcile(self, since: datetime, stories: list[_Story], replies: list[tuple[Mention, str, str]]  # noqa: C901 - rewritten in the delivery rework
                  ) -> list[_Story]:
        """After an unfinished run: mark the pending mentions whose message that run posted (found
        by the alerter in Slack) instead of posting them again; a found story's later copies become
        replies in its thread. An alert that run's storm message promised to its thread goes there
        (:attr:`storm_followups`), one it announced as suppressed is marked so. Returns the stories
        still to decide. Raises _Stop when Slack cannot answer (nothing posted; the next run looks
        again, up to :data:`MAX_LOOK_FAILURES` runs, then posts as without the look)."""
        channels = {s.channel for s in stories} | {channel for _, channel, _ in replies}
        threads = {(channel, thread_ts) for _, channel, thread_ts in replies}
        lookup: Lookup | None = None
        try:
            lookup = self.alerter.find_posted(channels, threads, since, monitor=self.monitor.name)
        except SlackUnavailable as exc:
            self.look_failures += 1
            if self.look_failures < MAX_LOOK_FAILURES:
                self.report.errors.append(f"{exc} (looking for alerts an unfinished run posted)")
                self._write_state(since)
                raise _Stop from None
            self._cannot_look(f"looking up what it posted failed {self.look_failures} times ({exc})")
        except AlertError as exc:  # a refusal this code does not know: post as without the look
            self._cannot_look(f"looking up what it posted failed ({exc})")
        else:
            if lookup is None:
                self._cannot_look("this alerter cannot look up what it posted")
            elif lookup.unreadable:
                self._cannot_look("what it posted could not be read in " + "; ".join(lookup.unreadable[:5])
                                  + " (the bot must be in the channel, with the scopes channels:history and "
                                  "channels:read, or groups:* for private ones)", there=True)
        kept = stories
        if lookup is not None:
            kept = []
            for story in stories:
                hit = lookup.found.get(story.leader.id)
                storm = lookup.storm_thread.get(story.leader.id)
                if hit is not None:
                    self.mark(story.leader, Posted(hit.channel, hit.ts), hit.thread_ts)
                    self.report.reconciled += 1
                    replies.extend((copy, hit.channel, hit.thread_ts or hit.ts) for copy in story.copies)
                elif story.leader.id in lookup.storm_suppressed:
                    # the storm message announced the leader; a copy may have arrived since: it is
                    # decided on its own (at worst one message more, never one lost)
                    self.suppress([story.leader], "storm")
                    if story.copies:
                        kept.append(_Story(story.copies[0], story.channel, story.copies[1:]))
                elif storm is not None:
                    self.storm_followups.append((story, storm))
                else:
                    kept.append(story)
            for mention, _, thread_ts in replies:
                hit = lookup.found.get(mention.id)
                if hit is not None and mention.id not in self.settled:
                    self.mark(mention, Posted(hit.channel, hit.ts), hit.thread_ts or thread_ts)
                    self.report.reconciled += 1
        # What was found is marked: the next run need not reach back further than this one, unless
        # this run goes on in an older storm's thread (then that storm stays inside the next window).
        if not self.storm_followups:
            self.look_failures = 0
            self._write_state(None)
        return kept

    def _cannot_look(self, why: str, *, there: bool = False) -> None:
        self.report.notes.append(f"the previous delivery run did not finish, and {why}; an alert it posted "
                                 f"{'there ' if there else ''}but did not mark is posted again")

    def suppress(self, mentions: Iterable[Mention], reason: str) -> None:
        ids = [m.id for m in mentions if m.id not in self.settled]
        if not ids:
            return
        self._store(lambda: self.store.mark_alert_suppressed(ids, reason))
        self.settled.update(ids)
        self.report.suppressed_by[reason] += len(ids)

    def failed(self, mention: Mention, error: str) -> None:
        self.report.failed += 1
        self.settled.add(mention.id)
        self._store(lambda: self.store.record_alert_failure(mention.id, error))

    # -- sending
    def send(self, kind: str, channel: str, message: dict, mentions: list[Mention],
             thread_ts: str | None = None) -> Posted | None:
        """Post one message for ``mentions`` (the storm message: the leaders it covers). Returns
        None when Slack refused it (failure recorded); raises _Stop when Slack is unavailable."""
        if channel in self.refused_channels:
            if kind != "storm":
                for mention in mentions:
                    self.failed(mention, self.refused_channels[channel])
            return None
        try:
            posted = self.alerter.post(channel, message, thread_ts=thread_ts)
        except SlackUnavailable as exc:  # e.g. a timeout: Slack may have taken it; the stop leaves the run unfinished
            self.report.errors.append(str(exc))
            if kind != "storm":
                for mention in mentions:
                    self.failed(mention, str(exc))
            raise _Stop from None
        except SlackRefused as exc:
            self.report.errors.append(str(exc))
            if exc.channel_wide:
                self.refused_channels[channel] = str(exc)
            if kind != "storm":
                for mention in mentions:
                    self.failed(mention, str(exc))
            return None
        ids = tuple(m.id for m in mentions) if kind != "storm" else ()
        self.report.messages.append(SentMessage(kind, posted.channel, posted.ts, ids, thread_ts))
        if not self.writes:
            self.report.would_send += 1
        return posted

    def mark(self, mention: Mention, posted: Posted, thread_ts: str | None) -> None:
        if not self.writes:
            self.settled.add(mention.id)
            return
        self._store(lambda: self.store.mark_alert_sent(mention.id, posted.channel, posted.ts, thread_ts))
        self.settled.add(mention.id)
        if thread_ts:
            self.report.threaded += 1
        else:
            self.report.sent += 1

    def alert(self, story: _Story, thread_ts: str | None = None) -> _Reply | None:
        """Post a new alert (top level, or in the storm thread); returns where its copies go."""
        message = alert_message(story.leader, self.monitor, kibana=self.kibana)
        posted = self.send("alert", story.channel, message, [story.leader], thread_ts)
        if posted is None:
            return None
        self.mark(story.leader, posted, thread_ts)
        return _Reply(story.leader, posted.channel, thread_ts or posted.ts)

    def reply(self, mention: Mention, channel: str, thread_ts: str) -> None:
        message = thread_reply_message(mention, self.monitor, kibana=self.kibana)
        posted = self.send("thread", channel, message, [mention], thread_ts)
        if posted is not None:
            self.mark(mention, posted, thread_ts)


def _story_keys(mention: Mention) -> list[str]:
    keys = []
    if mention.url:
        keys.append("url:" + mention.url)
    if mention.fingerprint:
        keys.append("fp:" + mention.fingerprint)
    return keys


def deliver(monitor: Monitor, store: MentionStore, alerter: Alerter, *, now: datetime | None = None,  # noqa: C901 - rewritten in the delivery rework
            kibana: str | None = None) -> AlertReport:
    """Deliver ``monitor``'s pending alerts with ``alerter`` (see the module doc for the order)."""
    now = now or utcnow()
    settings = monitor.routing.alerts
    pending = store.pending_alerts(monitor.name)
    run = _Run(monitor, store, alerter, kibana)
    run.report.pending = len(pending)
    if not pending:
        return run.report
    try:
        if not settings.enabled:
            run.suppress(pending, "disabled")
            return run.report
        unfinished = run.unfinished_since(now)
        run.probe_writes(now, unfinished)
        stories: list[_Story] = []
        by_key: dict[str, _Story] = {}
        replies: list[tuple[Mention, str, str]] = []
        unrouted: list[Mention] = []
        recent: list[StoredMention] | None = None  # near-duplicate candidates, read on first need
        for mention in pending:
            channel = route(mention, settings)
            if channel is None:
                unrouted.append(mention)
                continue
            try:
                if recent is None:
                    recent = recent_alerts(store, monitor.name, now)
                original = original_alert(store, mention, recent)
            except StoreError as exc:  # the story's earlier alert cannot be looked up: send nothing
                run.report.errors.append(f"store: {exc}")
                raise _Stop from None
            if original is not None:
                state = original.alert
                replies.append((mention, str(state.channel), str(state.thread_ts or state.ts)))
                continue
            story = next((by_key[k] for k in _story_keys(mention) if k in by_key), None)
            if story is not None:
                story.copies.append(mention)
                continue
            story = _Story(mention, channel)
            stories.append(story)
            for key in _story_keys(mention):
                by_key[key] = story
        run.suppress(unrouted, UNROUTED)
        if unfinished is not None:
            stories = run.reconcile(unfinished, stories, replies)

        try:
            runs = store.recent_runs(monitor.name, now - timedelta(days=BASELINE_DAYS))
        except StoreError as exc:
            run.report.errors.append(f"store: recent runs unavailable, storm by cap only: {exc}")
            runs = []
        budget = settings.max_per_run
        for story, storm in run.storm_followups:  # the unfinished run's storm promised these to its thread
            where = run.alert(story, thread_ts=storm.ts)
            budget -= 1
            if where is not None:
                replies.extend((copy, where.channel, where.thread_ts) for copy in story.copies)
        decision = decide_storm([s.leader for s in stories], settings, runs, now)
        if decision.storm:
            run.report.storm = decision.reason
            budget = _storm(run, stories, decision.summary, budget, now)
        else:
            for story in stories:
                where = run.alert(story)
                budget -= 1
                if where is not None:  # else the copies stay pending with their leader
                    replies.extend((copy, where.channel, where.thread_ts) for copy in story.copies)
        for mention, channel, thread_ts in replies:
            if mention.id in run.settled:
                continue
            if budget <= 0:
                run.suppress([mention], "cap")
                continue
            run.reply(mention, channel, thread_ts)
            budget -= 1
        run.finish()
    except _Stop:
        pass
    run.report.deferred = sum(1 for m in pending if m.id not in run.settled)
    if run.report.dry_run:
        run.report.notes.append(f"dry run: no Slack token (HIREWATCH_SLACK_TOKEN or the Airflow Connection "
                                f"hirewatch_slack); {run.report.would_send} messages printed, nothing sent "
                                f"or marked, {len(pending)} alerts stay pending")
    if run.report.errors:
        log.warning("alerts of monitor %s: %s", monitor.name, "; ".join(run.report.errors[:3]))
    return run.report


def _storm(run: _Run, stories: list[_Story], summary: str, budget: int, now: datetime) -> int:
    """Per channel: one storm message, the most severe alerts in its thread, the rest suppressed.
    Returns the budget left for replies."""
    ranked = by_severity([s.leader for s in stories])
    top_ids = {m.id for m in ranked[:max(budget, 0)]}
    by_channel: dict[str, list[_Story]] = {}
    for mention in ranked:  # channels in the order of their most severe item
        story = next(s for s in stories if s.leader.id == mention.id)
        by_channel.setdefault(story.channel, []).append(story)
    since = min(s.leader.fetched for s in stories)
    for channel, channel_stories in by_channel.items():
        leaders = [s.leader for s in channel_stories]
        top = [s for s in channel_stories if s.leader.id in top_ids]
        rest = [s for s in channel_stories if s.leader.id not in top_ids]
        message = storm_message(run.monitor, reason=summary, total=len(leaders), items=leaders,
                                in_thread=len(top), kibana=run.kibana, since=since,
                                thread_ids=[s.leader.id for s in top], suppressed_ids=[s.leader.id for s in rest])
        posted = run.send("storm", channel, message, leaders)
        if posted is None:  # refused: the channel's alerts stay pending with the error recorded
            error = run.refused_channels.get(channel) or (run.report.errors or ["storm message refused"])[-1]
            for story in channel_stories:
                run.failed(story.leader, error)
            continue
        run.suppress([m for s in rest for m in (s.leader, *s.copies)], "storm")
        for story in top:
            where = run.alert(story, thread_ts=posted.ts)
            budget -= 1
            if where is not None:
                for copy in story.copies:
                    if budget <= 0:
                        run.suppress([copy], "cap")
                        continue
                    run.reply(copy, where.channel, where.thread_ts)
                    budget -= 1
    return budget
