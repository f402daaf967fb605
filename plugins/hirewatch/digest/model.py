"""The digest model: what happened to one monitor (or a group of monitors sharing recipients) on
one local day, built from the store contract only (:class:`~hirewatch.stores.base.MentionStore`:
``iter_mentions``, ``get``, ``recent_runs``, ``ratings``).

Called by :func:`hirewatch.digest.run_digest` (pipeline, Airflow digest DAG, ``hirewatch digest``)
and by the tests; the HTML, text and Slack renderers only read the frozen :class:`Digest` it returns.
:func:`build_digest` raises ``ValueError`` for an empty monitor list and lets the store's
:class:`~hirewatch.errors.StoreError` through (no digest is better than a wrong one).

Days are local days of the recipients' time zone: the window of a day is
``[local midnight, next local midnight)`` converted to UTC, so a day is 23 or 25 hours long on the
nights the clocks change. Mentions are placed on days by when they were first seen (``fetched``),
the same field the store's ``iter_mentions`` windows on: "new yesterday" means seen yesterday.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from hirewatch.mention import NEGATIVE, NEUTRAL, POSITIVE, Mention

if TYPE_CHECKING:
    from hirewatch.config import Monitor
    from hirewatch.records import RatingPoint
    from hirewatch.report import RunReport
    from hirewatch.stores.base import AlertState, MentionStore

TREND_DAYS = 14
BASELINE_DAYS = 7
QUIET_DAYS = 3
RATING_LOOKBACK_DAYS = 60
EXCERPT_CHARS = 240
MAX_REVIEWS = 10
# VADER's conventional cut-offs, used only where a topic has a score but no label of its own.
POSITIVE_CUTOFF, NEGATIVE_CUTOFF = 0.05, -0.05

# Topics in the order of the candidate journey, then the employee topics; unknown topics follow.
TOPIC_LABELS: dict[str, str] = {
    "job_ad": "Job ad & employer brand",
    "employer_brand": "Job ad & employer brand",
    "application": "Application & ATS",
    "recruiter": "Recruiter contact",
    "interview": "Interview",
    "assessment": "Assessment",
    "offer": "Offer & pay",
    "rejection": "Rejection & ghosting",
    "ghosting": "Rejection & ghosting",
    "onboarding": "Onboarding",
    "management": "Management",
    "culture": "Culture",
    "pay_benefits": "Pay & benefits",
    "benefits": "Pay & benefits",
    "layoffs": "Layoffs & reorganisation",
    "workload": "Workload",
}
_TOPIC_ORDER = {key: index for index, key in enumerate(TOPIC_LABELS)}


def topic_label(topic: str) -> str:
    """A reader's name for a topic key (``rejection`` -> "Rejection & ghosting")."""
    return TOPIC_LABELS.get(topic) or topic.replace("_", " ").replace("-", " ").strip().capitalize() or topic


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class DayWindow:
    """One local day as a UTC half-open interval ``[start, end)``."""

    day: date
    timezone: str
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class Counts:
    """Mentions of one day (or the average day of a baseline): volume, split by sentiment, and
    the mean sentiment score of the scored ones (None when none was scored)."""

    total: float = 0
    negative: float = 0
    neutral: float = 0
    positive: float = 0
    avg_sentiment: float | None = None


@dataclass(frozen=True, slots=True)
class TrendDay:
    day: date
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    @property
    def total(self) -> int:
        return self.negative + self.neutral + self.positive


@dataclass(frozen=True, slots=True)
class TopicRow:
    """A topic of the candidate journey on the digest day. ``avg_sentiment`` is the mean of the
    per-topic scores (``Mention.topic_sentiment``), falling back to the mention's score."""

    topic: str
    label: str
    count: int
    negative: int
    neutral: int
    positive: int
    avg_sentiment: float | None
    baseline: float


@dataclass(frozen=True, slots=True)
class Item:
    """A mention worth reading, with where it stands in the alert outbox and triage.

    ``status_label``: "acknowledged", "assigned", "false positive", "open" (alerted, nobody has
    acted), "alert pending", "alert suppressed" or "no alert" (not negative, never alerted).
    """

    mention_id: str
    monitor: str
    employer: str
    title: str
    excerpt: str
    url: str
    source: str
    source_kind: str
    sentiment_label: str | None
    sentiment_score: float | None
    severity: float | None
    topics: tuple[str, ...]
    seen: datetime
    published: datetime | None
    alert_status: str = "none"
    triage: str = "open"
    status_label: str = "no alert"
    rating: float | None = None


@dataclass(frozen=True, slots=True)
class RatingChange:
    """A review site's aggregate rating at the end of the day and before it started, in stars
    (1-5; the store keeps 0..1)."""

    monitor: str
    site: str
    rating: float
    previous: float | None
    count: int | None
    previous_count: int | None
    at: datetime
    updated_today: bool

    @property
    def delta(self) -> float | None:
        return None if self.previous is None else round(self.rating - self.previous, 3)


@dataclass(frozen=True, slots=True)
class EntityRow:
    """The employer or a competitor, side by side: the day and the last 7 days (day included)."""

    name: str
    monitor: str
    is_competitor: bool
    volume: int
    share: float | None
    avg_sentiment: float | None
    negative: int
    week_volume: int
    week_share: float | None
    week_avg_sentiment: float | None


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One configured source: ``failing`` (its last run of the day failed), ``quiet`` (runs fine
    but no new mention for ``days_quiet`` days while it had some before), ``not_run`` (its monitor
    ran that day, this source did not) or ``ok``."""

    monitor: str
    source: str
    kind: str
    status: str
    runs: int = 0
    failures: int = 0
    error: str | None = None
    failing_since: datetime | None = None
    last_new: datetime | None = None
    days_quiet: int | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything the renderers show, for one group of monitors and one local day."""

    group: str
    monitors: tuple[str, ...]
    employers: tuple[str, ...]
    recipients: tuple[str, ...]
    slack_channel: str | None
    window: DayWindow
    generated_at: datetime
    today: Counts
    previous_day: Counts
    baseline: Counts
    baseline_days: int
    trend: tuple[TrendDay, ...]
    topics: tuple[TopicRow, ...]
    items: tuple[Item, ...]
    reviews: tuple[Item, ...]
    more_reviews: int
    ratings: tuple[RatingChange, ...]
    entities: tuple[EntityRow, ...]
    sources: tuple[SourceHealth, ...]
    monitors_without_runs: tuple[str, ...]
    headline: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def day(self) -> date:
        return self.window.day

    @property
    def title(self) -> str:
        return f"{', '.join(self.employers)}: {self.day_name}"

    @property
    def day_name(self) -> str:
        return f"{self.day:%A} {self.day.day} {self.day:%B %Y}"

    @property
    def day_phrase(self) -> str:
        """"yesterday" when the digest is about the day before it was made, else "on Mon 9 Mar"."""
        local_today = self.generated_at.astimezone(ZoneInfo(self.window.timezone)).date()
        if self.day == local_today - timedelta(days=1):
            return "yesterday"
        if self.day == local_today:
            return "today so far"
        return f"on {self.day:%a} {self.day.day} {self.day:%b}"

    @property
    def has_history(self) -> bool:
        """Whether hirewatch ran on any of the 7 days before (else there is nothing to compare with)."""
        return self.baseline_days > 0

    @property
    def failing(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if s.status == "failing")

    @property
    def quiet(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if s.status == "quiet")

    @property
    def not_run(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if s.status == "not_run")

    @property
    def competitors(self) -> bool:
        return any(row.is_competitor for row in self.entities)


# --------------------------------------------------------------------------- windows


def day_window(day: date, tz: ZoneInfo | str) -> DayWindow:
    """``[local midnight of day, local midnight of the next day)`` in UTC.

    Each end is converted on its own, so the window is 23 or 25 hours long on the nights the
    clocks change. Where midnight itself does not exist (a zone that springs forward at 00:00),
    ``fold=0`` maps it to the first instant that does, which is where that day starts.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return DayWindow(day=day, timezone=zone.key, start=start, end=end)


def previous_local_day(tz: ZoneInfo | str, now: datetime | None = None) -> date:
    """The day before today in ``tz`` (the digest's default day)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return (now or datetime.now(UTC)).astimezone(zone).date() - timedelta(days=1)


# --------------------------------------------------------------------------- grouping


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


# --------------------------------------------------------------------------- building


class _Tally:
    """Running counts of one bucket (a day, an entity, a topic)."""

    __slots__ = ("negative", "neutral", "positive", "score_n", "score_sum")

    def __init__(self) -> None:
        self.negative = self.neutral = self.positive = 0
        self.score_sum, self.score_n = 0.0, 0

    def add(self, label: str | None, score: float | None) -> None:
        if label == NEGATIVE:
            self.negative += 1
        elif label == POSITIVE:
            self.positive += 1
        else:  # neutral, and the rare unscored mention: it is counted, but not in the mean
            self.neutral += 1
        if score is not None and not math.isnan(score):
            self.score_sum += score
            self.score_n += 1

    def merge(self, other: _Tally) -> None:
        self.negative += other.negative
        self.neutral += other.neutral
        self.positive += other.positive
        self.score_sum += other.score_sum
        self.score_n += other.score_n

    @property
    def total(self) -> int:
        return self.negative + self.neutral + self.positive

    @property
    def mean(self) -> float | None:
        return round(self.score_sum / self.score_n, 3) if self.score_n else None

    def counts(self, days: int = 1) -> Counts:
        if days <= 1:
            return Counts(self.total, self.negative, self.neutral, self.positive, self.mean)
        return Counts(round(self.total / days, 2), round(self.negative / days, 2), round(self.neutral / days, 2),
                      round(self.positive / days, 2), self.mean)


def _label_for(score: float | None, fallback: str | None) -> str | None:
    if score is None:
        return fallback
    if score >= POSITIVE_CUTOFF:
        return POSITIVE
    if score <= NEGATIVE_CUTOFF:
        return NEGATIVE
    return NEUTRAL


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
        status_label=label, rating=_rating(mention),
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
    notes: list[str] = []

    per_day: dict[date, _Tally] = defaultdict(_Tally)
    entity_day: dict[str, _Tally] = defaultdict(_Tally)
    entity_week: dict[str, _Tally] = defaultdict(_Tally)
    topic_week: Counter[str] = Counter()
    week_start = the_day - timedelta(days=BASELINE_DAYS - 1)
    baseline_first = the_day - timedelta(days=BASELINE_DAYS)
    todays: list[Mention] = []
    for mention in _mentions(store, names, first.start, window.end):
        local_day = mention.fetched.astimezone(zone).date()
        if local_day < days[0] or local_day > the_day:
            continue
        if local_day >= week_start:
            entity_week[mention.employer].add(mention.sentiment_label, mention.sentiment_score)
        if local_day == the_day:
            entity_day[mention.employer].add(mention.sentiment_label, mention.sentiment_score)
        if mention.is_competitor:
            continue
        per_day[local_day].add(mention.sentiment_label, mention.sentiment_score)
        if local_day == the_day:
            todays.append(mention)
        elif local_day >= baseline_first:
            topic_week.update(set(mention.topics))

    runs = {m.name: store.recent_runs(m.name, first.start) for m in monitors}
    # A day counts towards the average when hirewatch ran on it (a run, or a mention first seen
    # then); a store without run reports at all gets the plain 7-day average.
    run_days = {r.started.astimezone(zone).date() for reports in runs.values() for r in reports}
    covered = run_days | {d for d, tally in per_day.items() if tally.total}
    baseline_range = [the_day - timedelta(days=offset) for offset in range(BASELINE_DAYS, 0, -1)]
    baseline_days = sum(1 for d in baseline_range if d in covered) if run_days else BASELINE_DAYS
    baseline_tally = _Tally()
    for d in baseline_range:
        if d in per_day:
            baseline_tally.merge(per_day[d])
    today = per_day[the_day].counts() if the_day in per_day else Counts()
    previous = per_day[the_day - timedelta(days=1)].counts() if the_day - timedelta(days=1) in per_day else Counts()
    baseline = baseline_tally.counts(max(baseline_days, 1)) if baseline_days else Counts()
    if baseline_days == 0:
        notes.append("hirewatch has no record of the 7 days before, so there is no average to compare with.")
    elif baseline_days < BASELINE_DAYS:
        notes.append(f"The 7-day average covers the {baseline_days} of the last 7 days on which hirewatch ran.")

    trend = tuple(TrendDay(d, per_day[d].negative, per_day[d].neutral, per_day[d].positive) if d in per_day
                  else TrendDay(d) for d in days)

    topics = _topics(todays, topic_week, max(baseline_days, 1) if baseline_days else 0)

    top_n = max(m.routing.digest.top_items for m in monitors)
    ranked = sorted(todays, key=_worth_reading)[:top_n]
    items = tuple(_item(m, _alert_state(store, m.id)) for m in ranked)

    reviews_all = sorted((m for m in todays if m.source_kind == "review"),
                         key=lambda m: (m.published or m.fetched), reverse=True)
    shown_ids = {i.mention_id for i in items}
    reviews = tuple(_item(m, _alert_state(store, m.id) if m.id not in shown_ids else None)
                    for m in reviews_all[:MAX_REVIEWS])
    reviews = tuple(_with_state_from(items, r) for r in reviews)

    ratings: list[RatingChange] = []
    for monitor in monitors:
        ratings.extend(_rating_changes(monitor.name, store.ratings(monitor.name, window.start
                                                                   - timedelta(days=RATING_LOOKBACK_DAYS)), window))

    entities = _entities(monitors, entity_day, entity_week)

    sources: list[SourceHealth] = []
    without_runs: list[str] = []
    for monitor in monitors:
        health, ran = _source_health(monitor, runs[monitor.name], window)
        sources.extend(health)
        if not ran:
            without_runs.append(monitor.name)

    digest = Digest(
        group=group_name(monitors), monitors=tuple(names),
        employers=tuple(dict.fromkeys(m.employer.name for m in monitors)),
        recipients=tuple(dict.fromkeys(r for m in monitors for r in m.routing.digest.recipients)),
        slack_channel=next((m.routing.digest.slack_channel for m in monitors if m.routing.digest.slack_channel), None),
        window=window, generated_at=made, today=today, previous_day=previous, baseline=baseline,
        baseline_days=baseline_days, trend=trend, topics=topics, items=items, reviews=reviews,
        more_reviews=max(0, len(reviews_all) - MAX_REVIEWS), ratings=tuple(ratings), entities=entities,
        sources=tuple(sources), monitors_without_runs=tuple(without_runs), headline="", notes=tuple(notes),
    )
    return _with_headline(digest)


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


def _topics(todays: list[Mention], week: Counter[str], baseline_days: int) -> tuple[TopicRow, ...]:
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for mention in todays:
        for topic in dict.fromkeys(mention.topics):
            score = mention.topic_sentiment.get(topic, mention.sentiment_score)
            label = _label_for(mention.topic_sentiment.get(topic), mention.sentiment_label)
            tallies[topic].add(label, score)
    rows = [TopicRow(topic=t, label=topic_label(t), count=tally.total, negative=tally.negative,
                     neutral=tally.neutral, positive=tally.positive, avg_sentiment=tally.mean,
                     baseline=round(week[t] / baseline_days, 2) if baseline_days else 0.0)
            for t, tally in tallies.items()]
    rows.sort(key=lambda r: (_TOPIC_ORDER.get(r.topic, len(_TOPIC_ORDER)), -r.count, r.topic))
    return tuple(rows)


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


def _entities(monitors: Sequence[Monitor], day: dict[str, _Tally], week: dict[str, _Tally]) -> tuple[EntityRow, ...]:
    listed: dict[str, tuple[str, bool]] = {}
    for monitor in monitors:
        listed.setdefault(monitor.employer.name, (monitor.name, False))
    for monitor in monitors:
        for competitor in monitor.competitors:
            listed.setdefault(competitor.name, (monitor.name, True))
    if not any(is_competitor for _, is_competitor in listed.values()):
        return ()
    day_total = sum(day[name].total for name in listed if name in day)
    week_total = sum(week[name].total for name in listed if name in week)
    rows = []
    for name, (monitor, is_competitor) in listed.items():
        d, w = day.get(name, _Tally()), week.get(name, _Tally())
        rows.append(EntityRow(
            name=name, monitor=monitor, is_competitor=is_competitor, volume=d.total,
            share=round(d.total / day_total, 4) if day_total else None, avg_sentiment=d.mean, negative=d.negative,
            week_volume=w.total, week_share=round(w.total / week_total, 4) if week_total else None,
            week_avg_sentiment=w.mean))
    rows.sort(key=lambda r: (r.is_competitor, -r.volume, -r.week_volume, r.name))
    return tuple(rows)


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
            status = "not_run" if ran_today else "ok"
        elif last_new is not None and window.end - last_new >= timedelta(days=QUIET_DAYS):
            status, days_quiet = "quiet", (window.end - last_new).days
        failures = [s for _, s in today if s.status == "failed"]
        out.append(SourceHealth(
            monitor=monitor.name, source=spec.name, kind=spec.type, status=status, runs=len(today),
            failures=len(failures), error=(today[-1][1].error or "failed") if status == "failing" else
            (failures[-1].error if failures else None),
            failing_since=failing_since if status == "failing" else None, last_new=last_new, days_quiet=days_quiet))
    return out, ran_today


# --------------------------------------------------------------------------- the headline


def _plural(n: float, word: str, plural: str | None = None) -> str:
    n_int = round(n)
    return f"{n_int} {word if n_int == 1 else (plural or word + 's')}"


def _change(now: float, before: float, what: str) -> str:
    if before == 0 and now == 0:
        return ""
    if round(now) == round(before):
        return f"as many as {what}"
    return f"{'up' if now > before else 'down'} from {f'{before:g}' if before else 'none'} {what}"


def _with_headline(digest: Digest) -> Digest:
    """One or two sentences a lead reads first; every renderer shows it as is."""
    parts: list[str] = []
    when = digest.day_phrase
    today = digest.today
    if today.total == 0:
        parts.append(f"No new mentions {when}")
    else:
        negatives = f" ({_plural(today.negative, 'negative', 'negative')})" if today.negative else " (none negative)"
        sentence = f"{_plural(today.total, 'new mention')} {when}{negatives}"
        change = _change(today.total, digest.previous_day.total, "the day before") if digest.has_history else ""
        if change:
            sentence += f", {change}"
        parts.append(sentence)
    failing = digest.failing
    if failing:
        listed = ", ".join(f"{s.source} ({_short_error(s.error)})" for s in failing)
        parts.append(f"{_plural(len(failing), 'source')} failed: {listed}")
    quiet = digest.quiet
    if quiet:
        listed = ", ".join(f"{s.source} (nothing new for {s.days_quiet} days)" for s in quiet)
        parts.append(f"{_plural(len(quiet), 'source')} gone quiet: {listed}")
    if digest.monitors_without_runs:
        parts.append("no run recorded for " + ", ".join(digest.monitors_without_runs))
    headline = "; ".join(parts) + "."
    return replace(digest, headline=headline)


def _short_error(error: str | None, limit: int = 80) -> str:
    text = re.sub(r"\s+", " ", error or "failed").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
