"""After a delivery run that did not finish: find in Slack what it posted but did not mark, and
mark it instead of posting it again.

Called by :func:`hirewatch.alerts.delivery.deliver_pending` between planning and posting, when the
monitor's delivery record says the last run did not finish. The alerter looks for the messages
posted since that run started (:meth:`~hirewatch.alerts.base.Alerter.find_posted`; each message
names its mention in Slack message metadata). A pending mention found there is marked; its later
copies become replies in its thread. A storm message found there names its burst: the alerts it
promised to its thread go there (:attr:`~hirewatch.alerts.delivery_run.Plan.followups`), those it
announced as suppressed are marked so. Where the alerter cannot look (the bot is not in the
channel, no history scopes; or Slack did not answer the look :data:`MAX_LOOK_FAILURES` runs in a
row) those alerts are posted again: at most one re-send, never a loss. A look Slack does not
answer stops the run (nothing posted; the next run looks again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hirewatch.alerts.base import Lookup, Posted, SlackUnavailable
from hirewatch.alerts.delivery_run import Plan, Run, Story
from hirewatch.errors import AlertError

if TYPE_CHECKING:
    from datetime import datetime

#: After this many runs in a row whose look-up Slack did not answer, post without it (one re-send
#: at most) rather than hold every alert back.
MAX_LOOK_FAILURES = 3


def reconcile(run: Run, work: Plan, since: datetime) -> None:
    """Settle what the unfinished run that started at ``since`` posted; ``work`` keeps only the
    stories still to decide."""
    lookup = look(run, work, since)
    if run.stopped:
        return
    if lookup is not None:
        settle_found(run, work, lookup)
    if run.stopped:
        return
    # What was found is marked: the next run need not reach back further than this one, unless
    # this run goes on in an older storm's thread (then that storm stays inside the next window).
    if not work.followups:
        run.look_failures = 0
        run.write_record(None)


def look(run: Run, work: Plan, since: datetime) -> Lookup | None:
    """What the alerter finds in the stories' channels and the replies' threads; None when it
    cannot look (a note says an unmarked alert is posted again). Stops the run when Slack did
    not answer and fewer than :data:`MAX_LOOK_FAILURES` looks failed in a row."""
    channels = {s.channel for s in work.stories} | {r.channel for r in work.replies}
    threads = {(r.channel, r.thread_ts) for r in work.replies}
    try:
        lookup = run.alerter.find_posted(channels, threads, since, monitor=run.monitor.name)
    except SlackUnavailable as exc:
        run.look_failures += 1
        if run.look_failures < MAX_LOOK_FAILURES:
            run.stop(f"{exc} (looking for alerts an unfinished run posted)")
            run.write_record(since)
            return None
        return _cannot_look(run, f"looking up what it posted failed {run.look_failures} times ({exc})")
    except AlertError as exc:  # a refusal this code does not know: post as without the look
        return _cannot_look(run, f"looking up what it posted failed ({exc})")
    if lookup is None:
        return _cannot_look(run, "this alerter cannot look up what it posted")
    if lookup.unreadable:
        _cannot_look(run, "what it posted could not be read in " + "; ".join(lookup.unreadable[:5])
                     + " (the bot must be in the channel, with the scopes channels:history and "
                     "channels:read, or groups:* for private ones)", there=True)
    return lookup


def _cannot_look(run: Run, why: str, *, there: bool = False) -> None:
    run.report.notes.append(f"the previous delivery run did not finish, and {why}; an alert it posted "
                            f"{'there ' if there else ''}but did not mark is posted again")


def settle_found(run: Run, work: Plan, lookup: Lookup) -> None:
    """Mark the stories and replies found in Slack; keep the rest of the stories in ``work``."""
    kept: list[Story] = []
    for story in work.stories:
        if run.stopped:
            return
        left = _settle_story(run, work, story, lookup)
        if left is not None:
            kept.append(left)
    work.stories = kept
    for item in list(work.replies):
        hit = lookup.found.get(item.mention.id)
        if run.stopped:
            return
        if hit is not None and item.mention.id not in run.settled:
            if run.mark(item.mention, Posted(hit.channel, hit.ts), hit.thread_ts or item.thread_ts):
                run.report.reconciled += 1


def _settle_story(run: Run, work: Plan, story: Story, lookup: Lookup) -> Story | None:
    """The story still to decide (itself, or a copy of it), or None when what was found settles it
    or hands it to a storm's thread."""
    hit = lookup.found.get(story.leader.id)
    storm = lookup.storm_thread.get(story.leader.id)
    if hit is not None:
        if run.mark(story.leader, Posted(hit.channel, hit.ts), hit.thread_ts):
            run.report.reconciled += 1
            work.reply_copies(story, hit.channel, hit.thread_ts or hit.ts)
        return None
    if story.leader.id in lookup.storm_suppressed:
        # the storm message announced the leader; a copy may have arrived since: it is decided on
        # its own (at worst one message more, never one lost)
        run.suppress([story.leader], "storm")
        return Story(story.copies[0], story.channel, story.copies[1:]) if story.copies else None
    if storm is not None:
        work.followups.append((story, storm.ts))
        return None
    return story
