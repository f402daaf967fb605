"""The pipeline end to end over real HTTP (local web server) into the real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from hirewatch.config import parse_monitor
from hirewatch.errors import SourceError
from hirewatch.pipeline import ingest_source, run_monitor
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.web_server import WebServer

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "monitors" / "example-feeds"


def monitor_for(web: WebServer, *, broken: bool = False):
    web.set("/en.xml", FEEDS / "careers-blog-en.xml")
    web.set("/nl.xml", FEEDS / "vacatures-nl.xml", content_type="application/atom+xml")
    web.set("/sv.xml", FEEDS / "jobb-sv.xml")
    web.set("/alerts.xml", FEEDS / "google-alerts.xml", content_type="application/atom+xml",
            status=500 if broken else 200)
    text = f"""
name: acme
employer:
  name: Brightwave Logistics
  aliases: [Brightwave]
  exclude: [Brightwave Audio]
competitors:
  - name: Kestrel Freight
sources:
  - {{name: en, type: rss, url: "{web.url('/en.xml')}"}}
  - {{name: nl, type: atom, url: "{web.url('/nl.xml')}"}}
  - {{name: sv, type: rss, url: "{web.url('/sv.xml')}"}}
  - {{name: alerts, type: google_alerts, url: "{web.url('/alerts.xml')}"}}
fetch:
  allow_loopback: true
"""
    return parse_monitor(text, path="acme.yaml")


@pytest.fixture()
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "store.db")
    yield s
    s.close()


def test_run_stores_matched_mentions_and_remembers_both_sources(web: WebServer, store: SqliteStore) -> None:
    report = run_monitor(monitor_for(web), store, alert=False)
    assert [s.status for s in report.sources] == ["ok", "ok", "ok", "ok"]
    hits = store.search(MentionQuery(monitor="acme", limit=1000))
    titles = {h.mention.title for h in hits}
    assert not any("Audio" in t for t in titles), "the exclusion phrase must drop the headphone maker"
    assert not any("Port congestion" in t for t in titles), "an item without the employer is not a mention"
    kestrel = [h.mention for h in hits if h.mention.employer == "Kestrel Freight"]
    assert len(kestrel) == 1 and kestrel[0].is_competitor
    # The Rotterdam story is in the English feed and in the Google Alert (wrapped, with utm_*):
    # one mention that remembers both sources.
    rotterdam = [h.mention for h in hits if "rotterdam-hub" in h.mention.url]
    assert len(rotterdam) == 1
    assert rotterdam[0].url == "https://news.example.org/2026/11/brightwave-rotterdam-hub"
    assert set(rotterdam[0].sources) == {"en", "alerts"}
    # Every mention has its language; the ghosting story is negative and pending in the outbox.
    assert {h.mention.language for h in hits} == {"en", "nl", "sv"}
    assert all(h.mention.sentiment_label in {"negative", "neutral", "positive"}
               for h in hits if h.mention.language == "en")
    ghosted = next(h for h in hits if "ghosted" in h.mention.title)
    assert ghosted.mention.sentiment_label == "negative"
    assert ghosted.alert.status == "pending"
    assert report.new_mentions == len(hits)


def test_second_run_is_conditional_and_adds_nothing(web: WebServer, store: SqliteStore) -> None:
    monitor = monitor_for(web)
    first = run_monitor(monitor, store, alert=False)
    count = store.count("acme")
    assert first.new_mentions == count > 0
    web.reset_hits()
    second = run_monitor(monitor, store, alert=False)
    assert second.new_mentions == 0
    assert store.count("acme") == count
    assert [s.status for s in second.sources] == ["not_modified"] * 4
    assert len(web.hits) == 4
    assert all(h.status == 304 for h in web.hits)
    assert all("If-None-Match" in h.headers or "if-none-match" in {k.lower() for k in h.headers} for h in web.hits)


def test_a_failing_source_is_reported_and_the_rest_go_on(web: WebServer, store: SqliteStore) -> None:
    report = run_monitor(monitor_for(web, broken=True), store, alert=False)
    statuses = {s.source: s.status for s in report.sources}
    assert statuses == {"en": "ok", "nl": "ok", "sv": "ok", "alerts": "failed"}
    failed = report.failed_sources[0]
    assert "500" in (failed.error or "")
    assert store.count("acme") > 0
    assert not report.ok and report.to_dict()["ok"] is False



def test_ingest_source_raises_for_its_own_failure_only(web: WebServer, store: SqliteStore) -> None:
    monitor = monitor_for(web, broken=True)
    assert ingest_source(monitor, "en", store).status == "ok"
    with pytest.raises(SourceError, match=r"in source 'alerts' of monitor 'acme': .*500"):
        ingest_source(monitor, "alerts", store)
