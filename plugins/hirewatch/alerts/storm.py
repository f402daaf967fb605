"""Storm control: when a run would send too many alerts, send one storm message instead.

A storm is declared for a monitor's run when

- ``cap``: there are more new alerts to send than ``routing.alerts.max_per_run``, or
- ``rate``: the new negatives of the last hour are at least ``MIN_RATE_STORM`` and more than
  ``storm_factor`` times the monitor's usual hourly rate (its runs of the last
  ``BASELINE_DAYS`` days, from ``store.recent_runs``; a monitor with less history than
  ``MIN_BASELINE_RUNS`` runs over ``MIN_BASELINE_HOURS`` hours has no baseline, only the cap).

Also here: :func:`original_alert`, the earlier alert of the same story that a later mention is
threaded under: the same canonical URL or the same ``Mention.fingerprint`` (asked of the store), or
else a near-duplicate text (fingerprints at most a few bits apart, :mod:`hirewatch.dedupe.fingerprint`)
among the alerts of the last ``NEAR_DUPLICATE_DAYS`` days. Called by
:mod:`hirewatch.alerts.delivery`; the functions do not raise (a store error propagates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hirewatch.config import AlertSettings
from hirewatch.dedupe.fingerprint import same_fingerprint_family
from hirewatch.mention import Mention
from hirewatch.report import RunReport
from hirewatch.stores.base import MentionQuery, MentionStore, StoredMention

BASELINE_DAYS = 7
NEAR_DUPLICATE_DAYS = 14
NEAR_DUPLICATE_CANDIDATES = 500
MIN_BASELINE_RUNS = 3
MIN_BASELINE_HOURS = 6.0
MIN_RATE_STORM = 5


@dataclass(frozen=True, slots=True)
class StormDecision:
    """``reason``: ``cap``, ``rate`` or None (no storm); ``summary``: plain words for the storm
    message and the run report (no crawled text)."""

    reason: str | None
    count: int
    last_hour: int
    baseline_per_hour: float | None
    summary: str

    @property
    def storm(self) -> bool:
        return self.reason is not None


def baseline_per_hour(runs: Sequence[RunReport], now: datetime) -> float | None:
    """The monitor's usual negatives per hour over its recent runs (those that started more than
    an hour ago, so the burst being judged does not raise its own baseline), or None when there is
    too little history."""
    past = [r for r in runs if r.started <= now - timedelta(hours=1)]
    if len(past) < MIN_BASELINE_RUNS:
        return None
    hours = (now - min(r.started for r in past)).total_seconds() / 3600
    if hours < MIN_BASELINE_HOURS:
        return None
    return sum(r.negatives for r in past) / hours


def decide_storm(candidates: Sequence[Mention], settings: AlertSettings, runs: Sequence[RunReport],
                 now: datetime) -> StormDecision:
    """Judge the new alerts of this run (not the threaded copies, not the unrouted)."""
    count = len(candidates)
    last_hour = sum(1 for m in candidates if m.fetched >= now - timedelta(hours=1))
    baseline = baseline_per_hour(runs, now)
    if count > settings.max_per_run:
        return StormDecision("cap", count, last_hour, baseline,
                             f"{count} new negative mentions in one run, more than the cap of "
                             f"{settings.max_per_run} alerts per run.")
    if baseline is not None and last_hour >= MIN_RATE_STORM and last_hour > settings.storm_factor * baseline:
        return StormDecision("rate", count, last_hour, baseline,
                             f"{last_hour} new negative mentions in the last hour; the usual rate is "
                             f"{baseline:.1f} an hour (storm above {settings.storm_factor:g} times that).")
    return StormDecision(None, count, last_hour, baseline, "")


def by_severity(mentions: Sequence[Mention]) -> list[Mention]:
    """Most severe first: severity, then the more negative score, then the newer."""
    def key(m: Mention) -> tuple[float, float, float]:
        moment = m.published or m.fetched
        return (-(m.severity or 0.0), m.sentiment_score if m.sentiment_score is not None else 0.0,
                -moment.timestamp())
    return sorted(mentions, key=key)


def recent_alerts(store: MentionStore, monitor: str, now: datetime) -> list[StoredMention]:
    """The monitor's alerts that reached Slack in the last ``NEAR_DUPLICATE_DAYS`` days (the
    candidates for near-duplicate threading); read once per delivery run."""
    since = now - timedelta(days=NEAR_DUPLICATE_DAYS)
    found = store.search(MentionQuery(monitor=monitor, alert_status="sent", since=since,
                                      limit=NEAR_DUPLICATE_CANDIDATES))
    return [s for s in found if s.mention.fingerprint and s.alert.channel and s.alert.ts]


def original_alert(store: MentionStore, mention: Mention,
                   recent: Sequence[StoredMention] = ()) -> StoredMention | None:
    """The earlier alert of the same story, when it reached Slack (has a channel and a ts), else
    None: same URL or fingerprint first, then a near-duplicate among ``recent`` (see
    :func:`recent_alerts`). The mention itself never counts as its own original."""
    found = store.find_alerted(mention.monitor, url=mention.url or None, fingerprint=mention.fingerprint)
    if found is not None and found.mention.id != mention.id and found.alert.channel and found.alert.ts:
        return found
    if mention.fingerprint:
        for candidate in recent:
            if candidate.mention.id != mention.id and same_fingerprint_family(
                    candidate.mention.fingerprint, mention.fingerprint):
                return candidate
    return None
