"""Stores written before alert state was kept per monitor migrate without sending anything again.

The old store: mention ids without the monitor (``story_id``), the row of a story two monitors
found belonging to whichever wrote it last, the delivery record in the crawl state under
``hirewatch:delivery``. SQLite migrates when opened (schema 3); Elasticsearch refuses to open
until ``migrate()`` (``hirewatch es migrate``) copied it into the next index. Real SQLite,
osmem-server with the real client, the local Slack server. Written for this project.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hirewatch.alerts import deliver_alerts
from hirewatch.alerts.slack_alerter import SlackAlerter
from hirewatch.errors import StoreError
from hirewatch.mention import Mention, mention_id, monitor_mention_id, story_id, utcnow
from hirewatch.records import CrawlState
from hirewatch.stores.sqlite_store import MIGRATIONS, SCHEMA_VERSION, SqliteStore
from slack_sdk import WebClient

from tests.alerts.conftest import make_monitor
from tests.stores.conftest import OSMEM_LANGUAGES, T0, make_mention
from tests.support.slack_server import BOT_TOKEN, SlackServer

URL_SENT = "https://news.example.test/sent-by-acme"  # alerted by acme, then overwritten by globex
URL_PENDING = "https://news.example.test/pending"  # acme's, pending; its alert was posted, not marked
URL_NEW = "https://news.example.test/new"


def legacy(url: str, monitor: str, **changes: object) -> Mention:
    """A mention as the old code stored it: its id without the monitor."""
    mention = make_mention("x", url=url, monitor=monitor, sentiment_label="negative", sentiment_score=-0.8,
                           fetched=utcnow() - timedelta(hours=2), published=utcnow() - timedelta(hours=2), **changes)
    return mention.with_(id=story_id("Acme", url), fingerprint=url)


def acme_copy(url: str) -> Mention:
    """Acme's own copy of a story as the new code extracts it."""
    return legacy(url, "acme").with_(id=mention_id("Acme", url, monitor="acme"))


def old_sqlite_store(path: Path, started: str) -> None:
    """A schema-2 store written as the old code wrote it: acme's alerted row of a story that
    globex's upsert then took over (monitor and is_competitor overwritten, alert state kept),
    acme's pending row, and acme's unfinished delivery run in the crawl state."""
    from hirewatch.stores.sqlite_store import _INSERT_SQL, _UPDATE_SQL

    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:2]:
        for statement in step:
            conn.execute(statement)
    now = utcnow().isoformat()
    for mention in (legacy(URL_SENT, "acme"), legacy(URL_PENDING, "acme")):
        conn.execute(_INSERT_SQL, SqliteStore._row(mention, now))
    conn.execute("UPDATE mentions SET alert_status = 'sent', alert_channel = 'C0ACME',"
                 " alert_ts = '1700000000.000100', alert_sent_at = ? WHERE id = ?", (now, story_id("Acme", URL_SENT)))
    conn.execute(_UPDATE_SQL, SqliteStore._row(legacy(URL_SENT, "globex", is_competitor=True), now))
    for monitor, source, extra in (("acme", "hirewatch:delivery", f'{{"delivery_started": "{started}"}}'),
                                   ("globex", "news", "{}")):
        conn.execute("INSERT INTO crawl_state (monitor, source, etag, extra, updated_at) VALUES (?, ?, ?, ?, ?)",
                     (monitor, source, '"g"' if monitor == "globex" else None, extra, now))
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()


def test_sqlite_migration_keeps_alert_state_per_monitor_and_sends_nothing_again(tmp_path: Path,
                                                                                 slack: SlackServer) -> None:
    started = utcnow() - timedelta(minutes=30)
    # the unfinished run had posted the pending alert (old metadata: the old id, no id scheme)
    posted = WebClient(token=BOT_TOKEN, base_url=slack.base_url).chat_postMessage(
        channel="#ta-oncall", text="Negative mention of Acme", metadata={
            "event_type": "hirewatch_alert",
            "event_payload": {"mention_id": story_id("Acme", URL_PENDING), "monitor": "acme"}})
    path = tmp_path / "old.db"
    old_sqlite_store(path, started.isoformat())
    store = SqliteStore(path)
    assert store.schema_version == SCHEMA_VERSION
    globex = store.get(monitor_mention_id("globex", story_id("Acme", URL_SENT)))
    assert globex is not None and globex.alert.status == "sent" and globex.mention.is_competitor
    assert store.get(story_id("Acme", URL_SENT)) is None, "no row keeps an old id"
    state = store.get_delivery_state("acme")
    assert state is not None and state.unfinished and state.started == started
    assert store.get_crawl_state("acme", "hirewatch:delivery") is None
    assert store.get_crawl_state("globex", "news") == CrawlState(etag='"g"')
    # acme sees both stories again, and a new one
    result = store.upsert_mentions([acme_copy(URL_SENT), acme_copy(URL_PENDING), acme_copy(URL_NEW)])
    assert len(result.new) == 2 and len(result.updated) == 1
    claimed = store.get(mention_id("Acme", URL_SENT, monitor="acme"))
    assert claimed is not None and (claimed.alert.status, claimed.alert.channel) == ("sent", "C0ACME")
    report = deliver_alerts(make_monitor(), store, alerter=SlackAlerter(BOT_TOKEN, base_url=slack.base_url,
                                                                        min_interval_s=0))
    assert report.reconciled == 1 and report.sent == 2, report.to_dict()
    sent = [m for m in slack.posted() if m.ts != posted["ts"]]
    assert len(sent) == 1 and mention_id("Acme", URL_NEW, monitor="acme") in str(sent[0].args["blocks"])
    assert store.pending_alerts("acme") == []
    store.close()


def test_sqlite_migration_is_atomic_and_runs_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_sqlite_store(path, utcnow().isoformat())
    SqliteStore(path).close()
    with SqliteStore(path) as again:
        ids = {s.mention.id for s in again.iter_stored()}
    assert ids == {monitor_mention_id("globex", story_id("Acme", URL_SENT)),
                   monitor_mention_id("acme", story_id("Acme", URL_PENDING))}


# --------------------------------------------------------------------------- Elasticsearch


def old_es_index(client) -> None:
    """The index and side indices as the old code set them up (no _meta.mention_ids, no
    deliveries or claims index), holding the same history as the SQLite case."""
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore
    from hirewatch.stores.es_templates import mentions_template, side_mapping

    body = mentions_template("mentions", OSMEM_LANGUAGES)
    body["template"]["mappings"].pop("_meta")
    client.indices.put_index_template(name="mentions", **body)
    client.indices.create(index="mentions-000001", aliases={"mentions": {"is_write_index": True}})
    for kind in ("crawl_state", "runs", "ratings", "retry"):
        client.indices.create(index=f"mentions_{kind}", mappings=side_mapping(kind))
    old = ElasticsearchStore(client, languages=OSMEM_LANGUAGES, ensure_setup=False)
    old.upsert_mentions([legacy(URL_SENT, "acme"), legacy(URL_PENDING, "acme")])
    old.mark_alert_sent(story_id("Acme", URL_SENT), "C0ACME", "1700000000.000100")
    old.upsert_mentions([legacy(URL_SENT, "globex", is_competitor=True)])
    old.put_crawl_state("acme", "hirewatch:delivery", CrawlState(extra={"delivery_started": T0.isoformat()}))


def test_elasticsearch_refuses_an_old_index_then_migrates_it(osmem_es) -> None:
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore

    old_es_index(osmem_es)
    with pytest.raises(StoreError, match="hirewatch es migrate"):
        ElasticsearchStore(osmem_es, languages=OSMEM_LANGUAGES)
    store = ElasticsearchStore(osmem_es, languages=OSMEM_LANGUAGES, ensure_setup=False)
    with pytest.raises(StoreError, match="hirewatch es migrate"):
        store.setup()
    counts = store.migrate()
    assert counts == {"mentions": 2, "claims": 1, "deliveries": 1, "kept_failures": 0}
    assert list(osmem_es.indices.get_alias(name="mentions").body) == ["mentions-000002"]
    store = ElasticsearchStore(osmem_es, languages=OSMEM_LANGUAGES)  # opens now
    globex = store.get(monitor_mention_id("globex", story_id("Acme", URL_SENT)))
    assert globex is not None and globex.alert.status == "sent"
    state = store.get_delivery_state("acme")
    assert state is not None and state.started == T0 and state.unfinished
    assert store.get_crawl_state("acme", "hirewatch:delivery") is None
    store.upsert_mentions([acme_copy(URL_SENT), acme_copy(URL_NEW)])
    pending = store.pending_alerts("acme")
    assert sorted(m.id for m in pending) == sorted([monitor_mention_id("acme", story_id("Acme", URL_PENDING)),
                                                    mention_id("Acme", URL_NEW, monitor="acme")])
    claimed = store.get(mention_id("Acme", URL_SENT, monitor="acme"))
    assert claimed is not None and (claimed.alert.status, claimed.alert.channel) == ("sent", "C0ACME")
    assert store.migrate()["mentions"] == 0, "a second run has nothing to do"
