"""The front page of ``hirewatch serve``: the digest's charts over the last 14 days.

Counts mentions the way the digest does (by the local day they were first seen; trend and topics
over the employer's own mentions, a topic's sentiment from its own score where it has one) and
draws them with :mod:`hirewatch.digest.charts` (counting with the digest's own
:class:`~hirewatch.digest.tallies.Tally`): volume by sentiment per day, topics, and the
employer beside its competitors. :func:`tally` runs on one read-only connection of Datasette's
(``execute_fn``, in Datasette's thread pool), reading only the window's rows through the
``fetched`` index. Called by :mod:`hirewatch.serve.plugin` for the index page, and by the tests.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from hirewatch.digest import charts
from hirewatch.digest.charts import SplitBar
from hirewatch.digest.model import TopicRow, TrendDay, topic_label
from hirewatch.digest.tallies import Tally, label_for
from hirewatch.digest.windows import TREND_DAYS
from hirewatch.stores.codec import format_time

MAX_TOPICS = 12


@dataclass(frozen=True, slots=True)
class Overview:
    """What the front page shows: the window, the totals, and the three charts as SVG."""

    first: date
    last: date
    timezone: str
    total: int
    negative: int
    trend_svg: Markup
    topics_svg: Markup | None
    entities_svg: Markup | None


def tally(conn: sqlite3.Connection, timezone: str, now: datetime | None = None) -> Overview:
    """Count the last ``TREND_DAYS`` local days (today included) and draw the charts."""
    zone = ZoneInfo(timezone)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    days = [today - timedelta(days=offset) for offset in range(TREND_DAYS - 1, -1, -1)]
    start = datetime.combine(days[0], time(), zone).astimezone(UTC)
    per_day: dict[date, Tally] = defaultdict(Tally)
    per_topic: dict[str, Tally] = defaultdict(Tally)
    per_entity: dict[tuple[str, int], Tally] = defaultdict(Tally)
    cursor = conn.execute(
        "SELECT fetched, employer, is_competitor, sentiment_label, sentiment_score, topics, topic_sentiment"
        " FROM mentions WHERE fetched >= ?", (format_time(start),))
    for fetched, employer, is_competitor, label, score, topics, topic_sentiment in cursor:
        local_day = datetime.fromisoformat(fetched).astimezone(zone).date()
        if local_day > today:
            continue
        per_entity[(employer, is_competitor)].add(label, score)
        if is_competitor:
            continue
        per_day[local_day].add(label, score)
        scores = json.loads(topic_sentiment or "{}")
        for topic in dict.fromkeys(json.loads(topics or "[]")):
            per_topic[topic].add(label_for(scores.get(topic), label), scores.get(topic, score))
    trend = tuple(TrendDay(d, per_day[d].negative, per_day[d].neutral, per_day[d].positive) for d in days)
    topic_rows = sorted(per_topic.items(), key=lambda kv: (-kv[1].total, kv[0]))
    topics = tuple(TopicRow(t, topic_label(t), c.total, c.negative, c.neutral, c.positive, c.mean, 0.0)
                   for t, c in topic_rows[:MAX_TOPICS])
    entities = [SplitBar(f"{name} (competitor)" if competitor else name, c.negative, c.neutral, c.positive)
                for (name, competitor), c in sorted(per_entity.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    return Overview(
        first=days[0], last=today, timezone=timezone, total=sum(t.total for t in trend),
        negative=sum(t.negative for t in trend),
        trend_svg=_svg(charts.trend_chart(trend, highlight=today, width=720)),
        topics_svg=_svg(charts.topic_chart(topics, width=720)) if topics else None,
        entities_svg=_svg(charts.entity_chart(entities, width=720)) if len(entities) > 1 else None,
    )


def _svg(chart: charts.Chart) -> Markup:
    return Markup(charts.to_svg(chart))  # noqa: S704 - built by charts.to_svg, every text XML-escaped
