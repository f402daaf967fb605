"""A digest model built by hand for the renderer tests (the model tests build theirs from a real
SqliteStore). Written for this project."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hirewatch.digest.headline import headline
from hirewatch.digest.model import (
    Counts,
    Digest,
    EntityRow,
    Item,
    RatingChange,
    SourceHealth,
    TopicRow,
    TrendDay,
)
from hirewatch.digest.windows import day_window

DAY = date(2026, 3, 9)
TZ = "Europe/Amsterdam"
NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)> @channel <!channel>'


def item(title: str = "Interview cancelled twice", **changes: Any) -> Item:
    base = Item(mention_id="m1", monitor="example", employer="Brightwave Logistics", title=title,
                excerpt="They cancelled my interview twice and never wrote back.", url="https://news.example/a?b=1&c=2",
                source="industry-news-en", source_kind="rss", sentiment_label="negative", sentiment_score=-0.62,
                severity=0.8, topics=("interview", "rejection"), seen=datetime(2026, 3, 9, 13, 5, tzinfo=UTC),
                published=datetime(2026, 3, 9, 12, 0, tzinfo=UTC), alert_status="sent", triage="open",
                status_label="open")
    return replace(base, **changes)


def digest(**changes: Any) -> Digest:
    trend = tuple(TrendDay(DAY - timedelta(days=13 - i), negative=i % 3, neutral=2 + i % 4, positive=1 + i % 2)
                  for i in range(14))
    base = Digest(
        group="example", monitors=("example",), employers=("Brightwave Logistics",),
        recipients=("ta-leads@example.com",),
        slack_channel="#ta-leads", window=day_window(DAY, TZ), generated_at=NOW,
        today=Counts(trend[-1].total, trend[-1].negative, trend[-1].neutral, trend[-1].positive, -0.12),
        previous_day=Counts(trend[-2].total, trend[-2].negative, trend[-2].neutral, trend[-2].positive, 0.05),
        baseline=Counts(5.4, 1.0, 3.1, 1.3, 0.02), baseline_days=7, trend=trend,
        topics=(TopicRow("interview", "Interview", 3, 2, 1, 0, -0.4, 1.2),
                TopicRow("offer", "Offer & pay", 1, 0, 0, 1, 0.5, 0.4)),
        items=(item(), item("Great onboarding week", mention_id="m2", sentiment_label="positive", sentiment_score=0.7,
                            severity=0.1, alert_status="none", status_label="no alert", topics=("onboarding",))),
        reviews=(item("Slow process", mention_id="m3", source="glassdoor", source_kind="review", rating=2.0),),
        more_reviews=0,
        ratings=(RatingChange("example", "glassdoor", 3.6, 3.8, 120, 118, datetime(2026, 3, 9, 8, tzinfo=UTC), True),),
        entities=(EntityRow("Brightwave Logistics", "example", False, 6, 0.6, -0.12, 2, 40, 0.55, 0.01),
                  EntityRow("Kestrel Freight", "example", True, 4, 0.4, 0.2, 0, 33, 0.45, 0.1)),
        sources=(SourceHealth("example", "industry-news-en", "rss", "ok", runs=4),
                 SourceHealth("example", "glassdoor", "review", "failing", runs=4, failures=4, error="HTTP 503",
                              failing_since=datetime(2026, 3, 8, 5, tzinfo=UTC))),
        monitors_without_runs=(), headline="",
    )
    digest = replace(base, **changes)
    return replace(digest, headline=headline(digest))
