"""Builders shared by the enrich tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hirewatch.config import Monitor
from hirewatch.mention import Mention, mention_id

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def monitor(**sentiment: Any) -> Monitor:
    data: dict[str, Any] = {
        "name": "acme",
        "employer": {"name": "Acme"},
        "sources": [{"type": "rss", "url": "http://127.0.0.1/feed.xml", "name": "feed"}],
    }
    extra = sentiment.pop("extra", {})
    if sentiment:
        data["sentiment"] = sentiment
    data.update(extra)
    return Monitor.model_validate(data)


def mention(text: str, title: str = "", *, kind: str = "rss", key: str | None = None, **changes: Any) -> Mention:
    key = key or f"http://127.0.0.1/{abs(hash((title, text)))}"
    return Mention(id=mention_id("Acme", key, monitor="acme"), monitor="acme", employer="Acme", url=key, title=title,
                   text=text, source="feed", source_kind=kind, fetched=NOW, **changes)
