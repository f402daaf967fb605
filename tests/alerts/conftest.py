"""Fixtures of the alert tests: the local Slack Web API server, a monitor, mentions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hirewatch.config import AlertRule, AlertSettings, Entity, Monitor, Routing, SourceSpec
from hirewatch.mention import Mention, mention_id

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def make_monitor(*, rules: tuple[AlertRule, ...] = (), default_channel: str | None = "#ta-oncall",
                 **alerts: Any) -> Monitor:
    """A monitor built in code (no source kinds needed): employer Acme, two feed sources."""
    settings = AlertSettings(default_channel=default_channel, rules=rules, **alerts)
    return Monitor(
        name="acme",
        employer=Entity(name="Acme Corp", aliases=("Acme",)),
        competitors=(Entity(name="Globex"),),
        sources=(SourceSpec(type="rss", name="tech-news", url="http://127.0.0.1/feed"),
                 SourceSpec(type="google_alerts", name="acme-alert", url="http://127.0.0.1/alert")),
        routing=Routing(timezone="Europe/Amsterdam", alerts=settings),
    )


@pytest.fixture()
def monitor() -> Monitor:
    return make_monitor()


def make_mention(n: int = 1, **changes: Any) -> Mention:
    """A negative mention of Acme; ``n`` makes the URL (and so the id) distinct."""
    url = changes.pop("url", f"https://news.example.com/acme-{n}")
    owner = changes.get("monitor", "acme")
    fields: dict[str, Any] = {
        "id": mention_id("Acme Corp", url, monitor=owner),
        "monitor": owner,
        "employer": "Acme Corp",
        "url": url,
        "title": f"Acme interview process was a mess (story {n})",
        "text": "Six rounds, no feedback, and the recruiter ghosted me after the final interview at Acme.",
        "source": "tech-news",
        "source_kind": "rss",
        "fetched": NOW - timedelta(minutes=10) + timedelta(seconds=n),  # the outbox reads oldest first
        "published": NOW - timedelta(hours=2),
        "matched_terms": ("Acme",),
        "language": "en",
        "sentiment_score": -0.72,
        "sentiment_label": "negative",
        "scorer": "vader",
        "topics": ("interview",),
        "severity": 0.6,
        "fingerprint": f"fp-{n}",
    }
    fields.update(changes)
    return Mention(**fields)


@pytest.fixture()
def mention() -> Callable[..., Mention]:
    return make_mention
