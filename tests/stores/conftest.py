"""Store fixtures: the contract suite (test_store_contract.py) runs once per store in STORES."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hirewatch.mention import Mention, mention_id
from hirewatch.stores.base import MentionStore
from hirewatch.stores.sqlite_store import SqliteStore

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def make_mention(key: str, *, monitor: str = "acme", employer: str = "Acme", **changes: Any) -> Mention:
    """A fully populated mention whose id derives from ``key`` (a path under example.test)."""
    url = changes.pop("url", f"https://news.example.test/{key}")
    base = Mention(
        id=mention_id(employer, url), monitor=monitor, employer=employer, url=url,
        title=f"Story {key}", text=f"Plain text of story {key} about {employer}.",
        source="feed-a", source_kind="rss", fetched=T0, published=T0,
        author="A. Writer", matched_terms=(employer,), language="en", sentiment_score=0.1,
        sentiment_label="neutral", scorer="vader", topics=(), topic_sentiment={}, severity=0.0,
        fingerprint=f"fp-{key}", extra={},
    )
    if "source" in changes:
        changes.setdefault("sources", (changes["source"],))
    return base.with_(**changes)


@pytest.fixture()
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "store.db")
    yield store
    store.close()


STORES = ["sqlite"]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> MentionStore:
    return request.getfixturevalue(f"{request.param}_store")
