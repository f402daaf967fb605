"""The digest's counts: mentions per day, per employer or competitor and per topic, read once from
the store's stream of a trend window, and the rows the renderers show from them.

Mentions are placed on days by when they were first seen (``fetched``), the same field the
store's ``iter_mentions`` windows on: "new yesterday" means seen yesterday. Competitors count in
the side-by-side rows, not in the employer's days, topics or items. Called by
:mod:`hirewatch.digest.build`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hirewatch.digest.model import _TOPIC_ORDER, Counts, EntityRow, TopicRow, TrendDay, topic_label
from hirewatch.digest.windows import BASELINE_DAYS
from hirewatch.mention import NEGATIVE, NEUTRAL, POSITIVE, Mention

if TYPE_CHECKING:
    from hirewatch.config import Monitor

# VADER's conventional cut-offs, used only where a topic has a score but no label of its own.
POSITIVE_CUTOFF, NEGATIVE_CUTOFF = 0.05, -0.05


class Tally:
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

    def merge(self, other: Tally) -> None:
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


def label_for(score: float | None, fallback: str | None) -> str | None:
    if score is None:
        return fallback
    if score >= POSITIVE_CUTOFF:
        return POSITIVE
    if score <= NEGATIVE_CUTOFF:
        return NEGATIVE
    return NEUTRAL


@dataclass(slots=True)
class WindowTallies:
    """What one pass over a trend window's mentions gives: per local day, per entity on the day
    and over the week (day included), topics over the baseline days, and the day's own mentions
    (the only ones kept in memory)."""

    day: date
    days: list[date]
    per_day: dict[date, Tally] = field(default_factory=lambda: defaultdict(Tally))
    entity_day: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    entity_week: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    topic_week: Counter[str] = field(default_factory=Counter)
    todays: list[Mention] = field(default_factory=list)

    def add(self, mention: Mention, local_day: date) -> None:
        label, score = mention.sentiment_label, mention.sentiment_score
        if local_day >= self.day - timedelta(days=BASELINE_DAYS - 1):
            self.entity_week[mention.employer].add(label, score)
        if local_day == self.day:
            self.entity_day[mention.employer].add(label, score)
        if mention.is_competitor:
            return
        self.per_day[local_day].add(label, score)
        if local_day == self.day:
            self.todays.append(mention)
        elif local_day >= self.day - timedelta(days=BASELINE_DAYS):
            self.topic_week.update(set(mention.topics))

    def counts_on(self, day: date) -> Counts:
        return self.per_day[day].counts() if day in self.per_day else Counts()

    def baseline_range(self) -> list[date]:
        return [self.day - timedelta(days=offset) for offset in range(BASELINE_DAYS, 0, -1)]

    def baseline_days(self, run_days: set[date]) -> int:
        """The baseline days hirewatch ran on (a run, or a mention first seen then); a store
        without run reports at all gets the plain 7-day average."""
        if not run_days:
            return BASELINE_DAYS
        covered = run_days | {d for d, tally in self.per_day.items() if tally.total}
        return sum(1 for d in self.baseline_range() if d in covered)

    def baseline(self, baseline_days: int) -> Counts:
        if not baseline_days:
            return Counts()
        total = Tally()
        for day in self.baseline_range():
            if day in self.per_day:
                total.merge(self.per_day[day])
        return total.counts(baseline_days)

    def trend(self) -> tuple[TrendDay, ...]:
        return tuple(TrendDay(d, self.per_day[d].negative, self.per_day[d].neutral, self.per_day[d].positive)
                     if d in self.per_day else TrendDay(d) for d in self.days)


def tally_mentions(mentions: Iterable[Mention], zone: ZoneInfo, days: list[date]) -> WindowTallies:
    """One pass over the mentions of the window ``days`` (oldest first, the digest day last)."""
    tallies = WindowTallies(day=days[-1], days=days)
    for mention in mentions:
        local_day = mention.fetched.astimezone(zone).date()
        if days[0] <= local_day <= days[-1]:
            tallies.add(mention, local_day)
    return tallies


def topic_rows(todays: list[Mention], week: Counter[str], baseline_days: int) -> tuple[TopicRow, ...]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for mention in todays:
        for topic in dict.fromkeys(mention.topics):
            score = mention.topic_sentiment.get(topic, mention.sentiment_score)
            label = label_for(mention.topic_sentiment.get(topic), mention.sentiment_label)
            tallies[topic].add(label, score)
    rows = [TopicRow(topic=t, label=topic_label(t), count=tally.total, negative=tally.negative,
                     neutral=tally.neutral, positive=tally.positive, avg_sentiment=tally.mean,
                     baseline=round(week[t] / baseline_days, 2) if baseline_days else 0.0)
            for t, tally in tallies.items()]
    rows.sort(key=lambda r: (_TOPIC_ORDER.get(r.topic, len(_TOPIC_ORDER)), -r.count, r.topic))
    return tuple(rows)


def entity_rows(monitors: Sequence[Monitor], day: dict[str, Tally], week: dict[str, Tally]) -> tuple[EntityRow, ...]:
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
        d, w = day.get(name, Tally()), week.get(name, Tally())
        rows.append(EntityRow(
            name=name, monitor=monitor, is_competitor=is_competitor, volume=d.total,
            share=round(d.total / day_total, 4) if day_total else None, avg_sentiment=d.mean, negative=d.negative,
            week_volume=w.total, week_share=round(w.total / week_total, 4) if week_total else None,
            week_avg_sentiment=w.mean))
    rows.sort(key=lambda r: (r.is_competitor, -r.volume, -r.week_volume, r.name))
    return tuple(rows)
