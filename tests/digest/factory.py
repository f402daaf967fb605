"""Monitors, mentions and run reports for the digest tests, written into a real SqliteStore.
Written for this project."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hirewatch.config import Monitor
from hirewatch.mention import Mention, mention_id
from hirewatch.report import RunReport, SourceReport


def monitor(name: str = "acme", *, employer: str = "Acme", timezone: str = "Europe/Amsterdam",
            recipients: tuple[str, ...] = ("ta-leads@example.com",), slack_channel: str | None = "#ta-leads",
            competitors: tuple[str, ...] = ("Rival",), sources: tuple[str, ...] = ("news", "blog", "reviews"),
            top_items: int = 5) -> Monitor:
    """A monitor built from the config model itself (no YAML needed for the digest)."""
    return Monitor.model_validate({
        "name": name,
        "employer": {"name": employer},
        "competitors": [{"name": c} for c in competitors],
        "sources": [{"type": "rss", "name": s, "url": f"https://feeds.example/{s}.xml"} for s in sources],
        "routing": {"timezone": timezone,
                    "digest": {"recipients": list(recipients), "slack_channel": slack_channel,
                               "top_items": top_items}},
    })


def mention(key: str, fetched: datetime, *, monitor_name: str = "acme", employer: str = "Acme",
            label: str | None = "neutral", score: float | None = 0.0, **changes: Any) -> Mention:
    fields: dict[str, Any] = {
        "id": mention_id(employer, f"https://news.example/{key}", monitor=monitor_name), "monitor": monitor_name,
        "employer": employer,
        "url": f"https://news.example/{key}", "title": f"Story {key}", "text": f"Text of story {key}.",
        "source": "news", "source_kind": "rss", "fetched": fetched, "published": fetched,
        "sentiment_label": label, "sentiment_score": score,
    }
    fields.update(changes)
    return Mention(**fields)


def run(monitor_name: str, started: datetime, **statuses: str | tuple[str, str] | tuple[str, str, int]) -> RunReport:
    """A run report: ``news="ok"``, ``blog=("failed", "HTTP 503")``, ``news=("ok", "", 3)`` (3 new)."""
    sources = []
    for source, spec in statuses.items():
        status, error, new = (spec, None, 0) if isinstance(spec, str) else (*spec, 0)[:3]
        sources.append(SourceReport(source=source, kind="rss", status=status, error=error or None,
                                    new_mentions=new, items=new))
    return RunReport(monitor=monitor_name, started=started, finished=started, sources=sources)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
