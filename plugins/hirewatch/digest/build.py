"""Building the digest: what happened to one monitor (or a group of monitors sharing recipients)
on one local day, from the store contract only (:class:`~hirewatch.stores.base.MentionStore`:
``iter_mentions``, ``get``, ``recent_runs``, ``ratings``): the counts (:mod:`.tallies`), the items
worth reading with their alert and triage state, review-site ratings, source health, and the
headline (:mod:`.headline`).

Called by :func:`hirewatch.digest.run_digest` (pipeline, Airflow digest DAG, ``hirewatch digest``)
and by the tests. :func:`build_digest` raises ``ValueError`` for an empty monitor list and lets the
store's :class:`~hirewatch.errors.StoreError` through (no digest is better than a wrong one).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from hirewatch.digest.headline import headline
from hirewatch.digest.model import Digest, Item, RatingChange, SourceHealth
from hirewatch.digest.tallies import WindowTallies, entity_rows, tally_mentions, topic_rows
from hirewatch.digest.windows import BASELINE_DAYS, TREND_DAYS, DayWindow, day_window, previous_local_day
from hirewatch.mention import Mention

if TYPE_CHECKING:
    from hirewatch.config import Monitor
    from hirewatch.records import RatingPoint
    from hirewatch.report import RunReport
    from hirewatch.stores.base import AlertState, MentionStore

QUIET_DAYS = 3
RATING_LOOKBACK_DAYS = 60
EXCERPT_CHARS = 240
MAX_REVIEWS = 10


def group_key(monitor: Monitor) -> tuple[Any, ...]:
    """Monitors whose digests go to the same people in the same time zone share one digest.
    A monitor with neither recipients nor a Slack channel gets a digest (a file) of its own."""
    settings = monitor.routing.digest
    if not settings.recipients and not settings.slack_channel:
        return ("solo", monitor.name)
    return (tuple(sorted({r.lower() for r in settings.recipients})), settings.slack_channel,
            monitor.routing.timezone)


def group_name(monitors: Sequence[Monitor]) -> str:
    """A file-safe name for a group: the monitor's name, or the names joined by ``+``."""
    names = sorted(m.name for m in monitors)
    joined = "+".join(names)
    if len(joined) <= 64:
        return joined
    return f"{names[0]}-and-{len(names) - 1}-more"


def group_monitors(monitors: Iterable[Monitor]) -> list[tuple[str, list[Monitor]]]:
    """Split monitors into digest groups (see :func:`group_key`), in the order first seen."""
    groups: dict[tuple[Any, ...], list[Monitor]] = {}
    for monitor in monitors:
        groups.setdefault(group_key(monitor), []).append(monitor)
    return [(group_name(members), members) for members in groups.values()]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of ``text``, whitespace collapsed, cut at a word."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:-")
    return (cut or flat[:limit]) + "…"


def _status_label(state: AlertState | None) -> tuple[str, str, str]:
    if state is None:
        return "none", "open", "no alert"
    if state.triage == "false_positive":
        label = "false positive"
    elif state.triage == "acknowledged":
        label = "acknowledged"
    elif state.triage == "assigned":
        label = f"assigned to {state.triage_by}" if state.triage_by else "assigned"
    elif state.status in ("sent", "threaded"):
        label = "open"
    elif state.status == "pending":
        label = "alert pending"
    elif state.status == "suppressed":
        label = "alert suppressed"
    else:
        label = "no alert"
    return state.status, state.triage, label


def stars(normalised: float) -> float:
    """The store keeps ratings normalised to 0..1 (worst..best); the digest shows the usual 1-5."""
    return round(1 + 4 * normalised, 2)


def _rating(mention: Mention) -> float | None:
    value = mention.extra.get("rating")
    try:
        rating = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return stars(rating) if rating is not None and math.isfinite(rating) and 0 <= rating <= 1 else None


def _item(mention: Mention, state: AlertState | None) -> Item:
    status, triage, label = _status_label(state)
    return Item(
        mention_id=mention.id, monitor=mention.monitor, employer=mention.employer,
        title=(mention.title or "").strip() or excerpt(mention.text, 80) or mention.url,
        excerpt=excerpt(mention.text) if mention.text else "", url=mention.url, source=mention.source,
        source_kind=mention.source_kind, sentiment_label=mention.sentiment_label,
        sentiment_score=mention.sentiment_score, severity=mention.severity, topics=mention.topics,
        seen=mention.fetched, published=mention.published, alert_status=status, triage=triage,
        status_label=label, rating=_rating(mention), reasons=mention.alert_reasons,
    )


def _worth_reading(mention: Mention) -> tuple[float, int, float, float]:
    """Sort key: highest severity first, then negatives, then the most negative, then newest."""
    severity = mention.severity if mention.severity is not None else -1.0
    score = mention.sentiment_score if mention.sentiment_score is not None else 0.0
    return (-severity, 0 if mention.is_negative else 1, score, -(mention.published or mention.fetched).timestamp())


def build_digest(monitors: Sequence[Monitor], store: MentionStore, day: date | None = None,
                 tz: ZoneInfo | str | None = None, *, now: datetime | None = None) -> Digest:
    """Build the digest of ``monitors`` (one group) for the local ``day`` in ``tz``.

    ``day`` defaults to the previous local day, ``tz`` to the first monitor's
    ``routing.timezone``; ``now`` (UTC) is when the digest is made (tests pin it). Reads
    ``TREND_DAYS`` days of mentions once, streamed, keeping only the digest day's in memory.
    """
    if not monitors:
        raise ValueError("build_digest needs at least one monitor")
    zone = ZoneInfo(tz) if isinstance(tz, str) else (tz or monitors[0].tz)
    made = (now or datetime.now(UTC)).astimezone(UTC)
    the_day = day or previous_local_day(zone, made)
    window = day_window(the_day, zone)
    days = [the_day - timedelta(days=offset) for offset in range(TREND_DAYS - 1, -1, -1)]
    first = day_window(days[0], zone)
    names = [m.name for m in monitors]
    tallies = tally_mentions(_mentions(store, names, first.start, window.end), zone, days)
    runs = {m.name: store.recent_runs(m.name, first.start) for m in monitors}
    baseline_days = tallies.baseline_days({r.started.astimezone(zone).date() for rs in runs.values() for r in rs})
    items, reviews, more_reviews = _worth_reading_items(monitors, store, tallies)
    more_negatives = sum(1 for m in tallies.todays if m.is_negative) - sum(
        1 for i in items if i.sentiment_label == "negative")
    sources, without_runs = _source_health_of(monitors, runs, window)
    digest = Digest(
        group=group_name(monitors), monitors=tuple(names),
        employers=tuple(dict.fromkeys(m.employer.name for m in monitors)),
        recipients=tuple(dict.fromkeys(r for m in monitors for r in m.routing.digest.recipients)),
        slack_channel=next((m.routing.digest.slack_channel for m in monitors if m.routing.digest.slack_channel), None),
        window=window, generated_at=made, today=tallies.counts_on(the_day),
        previous_day=tallies.counts_on(the_day - timedelta(days=1)), baseline=tallies.baseline(baseline_days),
        baseline_days=baseline_days, trend=tallies.trend(),
        topics=topic_rows(tallies.todays, tallies.topic_week, baseline_days),
        items=items, reviews=reviews, more_reviews=more_reviews, ratings=_ratings(monitors, store, window),
        entities=entity_rows(monitors, tallies.entity_day, tallies.entity_week), sources=sources,
        monitors_without_runs=without_runs, headline="", notes=_baseline_notes(baseline_days),
        more_negatives=more_negatives, negatives_link=_negatives_link(monitors, window) if more_negatives else None,
        negatives_command=_negatives_command(names, window) if more_negatives else None,
    )
    return replace(digest, headline=headline(digest))


def _negatives_link(monitors: Sequence[Monitor], window: DayWindow) -> str | None:
    """Kibana Discover over the day's negatives, when a Kibana URL is configured."""
    from hirewatch.stores.kibana import kibana_negatives_url, kibana_url

    base = next((url for m in monitors if (url := kibana_url(m.kibana_url))), None)
    return kibana_negatives_url(base, [m.name for m in monitors], window.start, window.end) if base else None


def _negatives_command(names: list[str], window: DayWindow) -> str:
    """The ``hirewatch search`` that lists the day's negatives (from the day's start, in UTC)."""
    monitor = f" --monitor {names[0]}" if len(names) == 1 else ""
    return (f"hirewatch search{monitor} --sentiment negative --since {window.start:%Y-%m-%dT%H:%M:%S} "
            "--limit 100")


def _baseline_notes(baseline_days: int) -> tuple[str, ...]:
    if baseline_days == 0:
        return ("hirewatch has no record of the 7 days before, so there is no average to compare with.",)
    if baseline_days < BASELINE_DAYS:
        return (f"The 7-day average covers the {baseline_days} of the last 7 days on which hirewatch ran.",)
    return ()


def _worth_reading_items(monitors: Sequence[Monitor], store: MentionStore,
                         tallies: WindowTallies) -> tuple[tuple[Item, ...], tuple[Item, ...], int]:
    """The day's items worth reading (the monitors' ``top_items``, most severe first), its newest
    reviews (at most :data:`MAX_REVIEWS`), and how many reviews were left out."""
    top_n = max(m.routing.digest.top_items for m in monitors)
    ranked = sorted(tallies.todays, key=_worth_reading)[:top_n]
    items = tuple(_item(m, _alert_state(store, m.id)) for m in ranked)
    reviews_all = sorted((m for m in tallies.todays if m.source_kind == "review"),
                         key=lambda m: (m.published or m.fetched), reverse=True)
    shown_ids = {i.mention_id for i in items}
    reviews = tuple(_with_state_from(items, _item(m, _alert_state(store, m.id) if m.id not in shown_ids else None))
                    for m in reviews_all[:MAX_REVIEWS])
    return items, reviews, max(0, len(reviews_all) - MAX_REVIEWS)


def _ratings(monitors: Sequence[Monitor], store: MentionStore, window: DayWindow) -> tuple[RatingChange, ...]:
    since = window.start - timedelta(days=RATING_LOOKBACK_DAYS)
    return tuple(change for monitor in monitors
                 for change in _rating_changes(monitor.name, store.ratings(monitor.name, since), window))


def _source_health_of(monitors: Sequence[Monitor], runs: dict[str, list[RunReport]],
                      window: DayWindow) -> tuple[tuple[SourceHealth, ...], tuple[str, ...]]:
    """Every monitor's source rows, and the monitors that recorded no run in the window."""
    sources: list[SourceHealth] = []
    without_runs: list[str] = []
    for monitor in monitors:
        health, ran = _source_health(monitor, runs[monitor.name], window)
        sources.extend(health)
        if not ran:
            without_runs.append(monitor.name)
    return tuple(sources), tuple(without_runs)


def _mentions(store: MentionStore, names: list[str], start: datetime, end: datetime) -> Iterator[Mention]:
    """The group's mentions, one monitor at a time: a single-monitor window is the query a store
    can answer from one (monitor, fetched) index range without sorting."""
    for name in names:
        yield from store.iter_mentions([name], start, end)


def _alert_state(store: MentionStore, mention_id: str) -> AlertState | None:
    stored = store.get(mention_id)
    return stored.alert if stored is not None else None


def _with_state_from(items: tuple[Item, ...], review: Item) -> Item:
    """A review also listed among the items reuses the item's alert state (one store read)."""
    for item in items:
        if item.mention_id == review.mention_id:
            return item
    return review


def _rating_changes(monitor: str, points: list[RatingPoint], window: DayWindow) -> list[RatingChange]:
    by_site: dict[str, list[RatingPoint]] = defaultdict(list)
    for point in points:
        by_site[point.site].append(point)
    out = []
    for site, site_points in sorted(by_site.items()):
        site_points.sort(key=lambda p: p.at)
        current = next((p for p in reversed(site_points) if p.at < window.end), None)
        before = next((p for p in reversed(site_points) if p.at < window.start), None)
        if current is None:
            continue
        out.append(RatingChange(monitor=monitor, site=site, rating=stars(current.rating),
                                previous=stars(before.rating) if before else None, count=current.count,
                                previous_count=before.count if before else None, at=current.at,
                                updated_today=current.at >= window.start))
    return out


def _source_health(monitor: Monitor, runs: list[RunReport], window: DayWindow) -> tuple[list[SourceHealth], bool]:
    """Per enabled source of ``monitor``: failing, quiet, not run or ok, from the runs the store
    kept. Returns the rows and whether the monitor ran at all during the window."""
    runs = sorted(runs, key=lambda r: r.started)
    ran_today = any(window.start <= r.started < window.end for r in runs)
    out = []
    for spec in monitor.sources:
        if not spec.enabled:
            continue
        history = [(r.started, s) for r in runs for s in r.sources if s.source == spec.name]
        today = [(at, s) for at, s in history if window.start <= at < window.end]
        past = [(at, s) for at, s in history if at < window.end]
        last_new = max((at for at, s in past if s.new_mentions > 0), default=None)
        failing_since = None
        for at, report in reversed(past):
            if report.status != "failed":
                break
            failing_since = at
        status, days_quiet = "ok", None
        if today and today[-1][1].status == "failed":
            status = "failing"
        elif not today:
            status = "not_run" if ran_today else "no_run"
        elif last_new is not None and window.end - last_new >= timedelta(days=QUIET_DAYS):
            status, days_quiet = "quiet", (window.end - last_new).days
        failures = [s for _, s in today if s.status == "failed"]
        out.append(SourceHealth(
            monitor=monitor.name, source=spec.name, kind=spec.type, status=status, runs=len(today),
            failures=len(failures), error=(today[-1][1].error or "failed") if status == "failing" else
            (failures[-1].error if failures else None),
            failing_since=failing_since if status == "failing" else None, last_new=last_new, days_quiet=days_quiet))
    return out, ran_today
