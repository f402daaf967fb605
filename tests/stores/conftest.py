"""Store fixtures: the contract suite (test_store_contract.py) runs once per store in STORES:
the SQLite store, the Elasticsearch store on osmem-server (started once per test process, one
clone per test), and the Elasticsearch store on a real cluster when ``HIREWATCH_ES_URL`` is set
(each test gets its own index prefix, deleted afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hirewatch.mention import Mention, mention_id
from hirewatch.stores.base import MentionStore
from hirewatch.stores.sqlite_store import SqliteStore

# Read before the autouse fixture in tests/conftest.py hides HIREWATCH_* from every test.
REAL_ES_URL = os.environ.get("HIREWATCH_ES_URL")
REAL_ES_API_KEY = os.environ.get("HIREWATCH_ES_API_KEY")
#: osmem-server has these built-in language analyzers (not dutch, swedish, norwegian, danish).
OSMEM_LANGUAGES = ("english", "german")

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def make_mention(key: str, *, monitor: str = "acme", employer: str = "Acme", **changes: Any) -> Mention:
    """A fully populated mention whose id derives from ``key`` (a path under example.test)."""
    url = changes.pop("url", f"https://news.example.test/{key}")
    base = Mention(
        id=mention_id(employer, url, monitor=monitor), monitor=monitor, employer=employer, url=url,
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


@pytest.fixture()
def osmem_es(osmem_clone):
    """An Elasticsearch client on a fresh osmem clone."""
    from tests.support.es_shim import osmem_client

    client = osmem_client(osmem_clone.url)
    yield client
    client.close()


@pytest.fixture()
def elasticsearch_store(osmem_es):
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore

    store = ElasticsearchStore(osmem_es, languages=OSMEM_LANGUAGES, initial_backoff_s=0.01, max_backoff_s=0.05)
    yield store


@pytest.fixture()
def real_es():
    """A client for the real cluster at HIREWATCH_ES_URL and a prefix of its own."""
    if not REAL_ES_URL:
        pytest.skip("HIREWATCH_ES_URL is not set: no real Elasticsearch to test against")
    from elasticsearch import Elasticsearch

    client = Elasticsearch(REAL_ES_URL, api_key=REAL_ES_API_KEY, max_retries=0, request_timeout=30)
    prefix = f"hwtest-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    client.options(ignore_status=404).indices.delete(index=f"{prefix}-*,{prefix}_*", expand_wildcards="all")
    client.options(ignore_status=404).indices.delete_index_template(name=prefix)
    client.close()


@pytest.fixture()
def real_elasticsearch_store(real_es):
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore

    client, prefix = real_es
    return ElasticsearchStore(client, prefix=prefix, initial_backoff_s=0.05, max_backoff_s=1.0)


STORES = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]
if REAL_ES_URL:  # else one skipped test in test_elasticsearch_store.py says the suite did not run there
    STORES.append(pytest.param("real_elasticsearch", marks=pytest.mark.elasticsearch))


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> MentionStore:
    return request.getfixturevalue(f"{request.param}_store")
