"""Delivery through the outbox: read the monitor's pending alerts from the store, route them,
decide storm or not, send, and mark each one sent only after Slack said ok.

Called by :func:`hirewatch.alerts.deliver_alerts` (the pipeline's entry point). A run:

1. takes the monitor's delivery lease (:mod:`hirewatch.alerts.lease`): one delivery per monitor
   at a time, whatever runs beside it; then reads ``store.pending_alerts(monitor)`` (oldest
   first). Alert state is the monitor's own: the mention id names the monitor.
2. plans the messages (:func:`plan`): route each mention (:mod:`hirewatch.alerts.routing`; no
   channel -> suppressed ``unrouted``); a later mention of an already-alerted story
   (``store.find_alerted``) becomes a reply in that alert's thread; two mentions of one story in
   the same run -> the first is the alert, the second its reply.
3. after a run that did not finish, reconciles (:mod:`hirewatch.alerts.reconcile`): what that run
   posted but did not mark is found in Slack and marked instead of posted again.
4. posts (:func:`post`): no storm (:mod:`hirewatch.alerts.storm`) -> each new alert; a storm ->
   per channel ONE storm message, the most severe alerts in its thread (with their buttons), the
   rest suppressed ``storm``; then the replies. One :class:`Budget` of ``max_per_run`` messages
   for mentions covers it all; replies beyond it are suppressed ``cap``.
5. Slack unavailable -> the attempted mention gets a recorded failure, the run stops, everything
   not sent stays pending (``deferred``) for the next run. Slack refuses one message -> failure
   recorded for it (a channel-wide refusal for every mention of that channel), the run goes on.

The crash window: a mention is marked after Slack's ok; a crash (or a store failure, or a Slack
answer lost in a timeout) between the two leaves it pending. Each message carries its mention id
in Slack message metadata, and each run records in the store's delivery record
(:class:`~hirewatch.stores.base.DeliveryState`) when it started and, unless such a doubt arose,
that it finished; see :mod:`hirewatch.alerts.reconcile` for the run after an unfinished one. The
first write of a run (its start) also checks that the store takes writes: a store that can be
read but not written sends nothing, rather than the same first alert again on every run.

Nothing here raises to stop a run: each step records what went wrong in the report and sets
``stopped``; the steps after it do not run. Raises :class:`~hirewatch.errors.StoreError` only
when the pending alerts cannot be read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from hirewatch.alerts.base import Alerter, AlertReport
from hirewatch.alerts.delivery_run import Budget, Plan, Reply, Run, Story
from hirewatch.alerts.lease import DeliveryLease, lease_from_settings
from hirewatch.alerts.reconcile import reconcile
from hirewatch.alerts.routing import UNROUTED, route
from hirewatch.alerts.slack_message import storm_message
from hirewatch.alerts.storm import BASELINE_DAYS, by_severity, decide_storm, original_alert, recent_alerts
from hirewatch.config import Monitor
from hirewatch.errors import StoreError
from hirewatch.mention import Mention, utcnow
from hirewatch.stores.base import MentionStore, StoredMention

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the run


def deliver(monitor: Monitor, store: MentionStore, alerter: Alerter, *, now: datetime | None = None,
            kibana: str | None = None, lease: DeliveryLease | None = None) -> AlertReport:
    """Deliver ``monitor``'s pending alerts with ``alerter`` (see the module doc for the order).
    ``lease``: how to hold the monitor's delivery lease (default: from the settings)."""
    now = now or utcnow()
    pending = store.pending_alerts(monitor.name)
    if pending and alerter.marks_sent:
        lease = lease or lease_from_settings(store, monitor.name)
        run = Run(monitor, store, alerter, kibana, lease)
        if lease.acquire():
            if lease.waited:
                run.report.notes.append(f"waited for another delivery of monitor {monitor.name}: {lease.waited}")
            try:
                pending = store.pending_alerts(monitor.name)  # what a run that held the lease left
                if pending:
                    deliver_pending(run, pending, now)
            finally:
                lease.release()
        elif lease.error is not None:  # the store cannot be written: nothing is sent
            run.stop(f"store: the delivery lease could not be taken: {lease.error}")
        else:
            run.report.notes.append(lease.busy())
            run.stopped = True
    else:
        run = Run(monitor, store, alerter, kibana)
        if pending:
            deliver_pending(run, pending, now)
    return _close(run, pending)


def deliver_pending(run: Run, pending: list[Mention], now: datetime) -> None:
    """The run proper, under the lease: open the record, plan, reconcile, post, finish."""
    settings = run.monitor.routing.alerts
    if not settings.enabled:
        run.suppress(pending, "disabled")
        return
    unfinished = run.unfinished_since(now)
    if not run.stopped:
        run.open_record(now, unfinished)
    work = plan(run, pending, now) if not run.stopped else None
    if work is None:
        return
    run.suppress(work.unrouted, UNROUTED)
    if unfinished is not None and not run.stopped:
        reconcile(run, work, unfinished)
    if not run.stopped:
        post(run, work, now)
    if not run.stopped:
        run.finish()


def plan(run: Run, pending: list[Mention], now: datetime) -> Plan | None:
    """Route each pending mention and sort it into a new story, a copy of one, or a reply under
    an earlier alert. None (the run stopped) when an earlier alert cannot be looked up."""
    work = Plan()
    recent: list[StoredMention] | None = None  # near-duplicate candidates, read on first need
    for mention in pending:
        channel = route(mention, run.monitor.routing.alerts)
        if channel is None:
            work.unrouted.append(mention)
            continue
        try:
            if recent is None:
                recent = recent_alerts(run.store, run.monitor.name, now)
            original = original_alert(run.store, mention, recent)
        except StoreError as exc:  # the story's earlier alert cannot be looked up: send nothing
            run.stop(f"store: {exc}")
            return None
        if original is not None:
            state = original.alert
            work.replies.append(Reply(mention, str(state.channel), str(state.thread_ts or state.ts)))
        else:
            work.add(mention, channel)
    return work


def post(run: Run, work: Plan, now: datetime) -> None:
    """Post the plan: an unfinished run's storm follow-ups, the new alerts (or a storm), then the
    replies, all within one :class:`Budget`."""
    settings = run.monitor.routing.alerts
    budget = Budget(settings.max_per_run)
    for story, storm_ts in work.followups:  # the unfinished run's storm promised these to its thread
        if run.stopped:
            return
        budget.spend()
        _alert_story(run, work, story, storm_ts)
    try:
        runs = run.store.recent_runs(run.monitor.name, now - timedelta(days=BASELINE_DAYS))
    except StoreError as exc:
        run.report.errors.append(f"store: recent runs unavailable, storm by cap only: {exc}")
        runs = []
    decision = decide_storm([s.leader for s in work.stories], settings, runs, now)
    if decision.storm:
        run.report.storm = decision.reason
        post_storm(run, work, decision.summary, budget)
    else:
        for story in work.stories:
            if run.stopped:
                return
            budget.spend()
            _alert_story(run, work, story, None)
    post_replies(run, work.replies, budget)


def _alert_story(run: Run, work: Plan, story: Story, thread_ts: str | None) -> None:
    where = run.alert(story, thread_ts)
    if where is not None:  # else the copies stay pending with their leader
        work.reply_copies(story, where.channel, where.thread_ts)


def post_replies(run: Run, replies: Iterable[Reply], budget: Budget) -> None:
    """Replies in earlier threads while the budget lasts; the rest suppressed ``cap``."""
    for item in replies:
        if run.stopped:
            return
        if item.mention.id in run.settled:
            continue
        if budget.spent:
            run.suppress([item.mention], "cap")
            continue
        budget.spend()
        run.reply(item)


def post_storm(run: Run, work: Plan, summary: str, budget: Budget) -> None:
    """Per channel: one storm message, the most severe alerts in its thread (as many as the
    budget allows, over all channels), the rest suppressed. A story's copies follow it in the
    thread while the budget lasts."""
    ranked = by_severity([s.leader for s in work.stories])
    top_ids = {m.id for m in ranked[:max(budget.left, 0)]}
    stories = {s.leader.id: s for s in work.stories}
    by_channel: dict[str, list[Story]] = {}
    for mention in ranked:  # channels in the order of their most severe item
        story = stories[mention.id]
        by_channel.setdefault(story.channel, []).append(story)
    since = min(s.leader.fetched for s in work.stories)
    for channel, channel_stories in by_channel.items():
        if run.stopped:
            return
        top = [s for s in channel_stories if s.leader.id in top_ids]
        rest = [s for s in channel_stories if s.leader.id not in top_ids]
        storm_ts = _post_storm_message(run, channel, summary, channel_stories, top, rest, since)
        if storm_ts is None:
            continue
        run.suppress([m for s in rest for m in (s.leader, *s.copies)], "storm")
        for story in top:
            _storm_thread_alert(run, story, storm_ts, budget)


def _post_storm_message(run: Run, channel: str, summary: str, stories: list[Story], top: list[Story],
                        rest: list[Story], since: datetime) -> str | None:
    """The storm message of one channel; its ts, or None (refused: the channel's alerts stay
    pending with the error recorded; unavailable: the run stopped)."""
    leaders = [s.leader for s in stories]
    message = storm_message(run.monitor, reason=summary, total=len(leaders), items=leaders, in_thread=len(top),
                            kibana=run.kibana, since=since, thread_ids=[s.leader.id for s in top],
                            suppressed_ids=[s.leader.id for s in rest])
    posted = run.send("storm", channel, message, [])
    if posted is None and not run.stopped:
        error = run.refused_channels.get(channel) or (run.report.errors or ["storm message refused"])[-1]
        run.failed(leaders, error)
    return posted.ts if posted is not None else None


def _storm_thread_alert(run: Run, story: Story, storm_ts: str, budget: Budget) -> None:
    """One of the most severe alerts in the storm's thread, then its copies while the budget lasts."""
    if run.stopped:
        return
    budget.spend()
    where = run.alert(story, thread_ts=storm_ts)
    if where is None:
        return
    for copy in story.copies:
        if run.stopped:
            return
        if budget.spent:
            run.suppress([copy], "cap")
            continue
        budget.spend()
        run.reply(Reply(copy, where.channel, where.thread_ts))


def _close(run: Run, pending: list[Mention]) -> AlertReport:
    """Count what stays pending, add the dry-run note, log the errors."""
    report = run.report
    report.pending = len(pending)
    report.deferred = sum(1 for m in pending if m.id not in run.settled)
    if report.dry_run and pending:
        report.notes.append(f"dry run: no Slack token (HIREWATCH_SLACK_TOKEN or the Airflow Connection "
                            f"hirewatch_slack); {report.would_send} messages printed, nothing sent "
                            f"or marked, {len(pending)} alerts stay pending (printed again by every run "
                            f"until a token is set)")
    if report.errors:
        log.warning("alerts of monitor %s: %s", run.monitor.name, "; ".join(report.errors[:3]))
    return report
