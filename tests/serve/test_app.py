"""``hirewatch serve`` over HTTP: the front page's charts, the saved searches, readable cells,
the JSON export, and Datasette finding the full-text index by itself."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from datasette.utils import detect_fts
from hirewatch.errors import ConfigError
from hirewatch.serve.app import check_store
from hirewatch.stores.sqlite_store import SqliteStore

from tests.serve.conftest import Served, base_env, cli
from tests.serve.test_browser import store_rows

pytestmark = pytest.mark.xdist_group("serve")


def test_datasette_detects_the_full_text_index(served: Served) -> None:
    conn = sqlite3.connect(f"{served.store.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert detect_fts(conn, "mentions") == "mentions_fts"
    finally:
        conn.close()


def test_front_page_draws_the_digest_charts_of_the_last_14_days(served: Served) -> None:
    html = served.get("/")
    labels = re.findall(r'<svg [^>]*aria-label="([^"]*)"', html)
    assert len(labels) == 3
    since = (datetime.now(UTC) - timedelta(days=15)).strftime("%Y-%m-%dT%H:%M:%S")
    (total, negative), = store_rows(served.store, "SELECT count(*), sum(sentiment_label = 'negative') FROM mentions "
                                                  "WHERE is_competitor = 0 AND fetched >= ?", (since,))
    assert re.search(rf": {total} in all, {negative} negative;", labels[0]), labels[0]
    assert labels[1].startswith("Topics: ") and "Interview 4 (" in labels[1]
    assert labels[2].startswith("Mentions by employer and competitor: ")
    assert "Kestrel Freight (competitor) 1" in labels[2]
    assert "Pending alerts" in html and "Source health" in html


def test_every_saved_search_runs(served: Served) -> None:
    for name in ("negative_candidate_experience", "pending_alerts", "latest_negative", "source_health"):
        data = json.loads(served.get(f"/hirewatch/{name}.json?_shape=objects"))
        assert data["ok"] is True, (name, data)
    health = json.loads(served.get("/hirewatch/source_health.json?_shape=array"))
    assert sorted(r["source"] for r in health) == ["google-alert", "industry-news-en", "jobbsnack-sv", "werkblog-nl"]
    assert {r["last status"] for r in health} == {"ok"} and {r["failed runs"] for r in health} == {"0 of 1"}
    latest = json.loads(served.get("/hirewatch/latest_negative.json?_shape=array"))
    negatives = store_rows(served.store, "SELECT count(*) FROM mentions WHERE sentiment_label = 'negative'")[0][0]
    assert len(latest) == negatives


def test_source_health_lists_failing_sources_first(tmp_path: Path) -> None:
    from hirewatch.report import RunReport, SourceReport

    home = tmp_path / "home"
    store_path = home / "hirewatch.db"
    with SqliteStore(store_path) as store:
        now = datetime.now(UTC)
        for hours, status in ((3, "ok"), (2, "failed"), (1, "failed")):
            store.record_run(RunReport("acme", now - timedelta(hours=hours), now, [
                SourceReport("a-good-feed", "rss"), SourceReport("z-broken-feed", "rss", status=status,
                                                                error=f"HTTP 500 at -{hours}h")]))
    from tests.serve.conftest import start_serve, stop

    server = start_serve(home)
    try:
        rows = json.loads(server.get("/hirewatch/source_health.json?_shape=array"))
    finally:
        stop(server)
    assert [(r["source"], r["last status"], r["last error"], r["failed runs"]) for r in rows] == [
        ("z-broken-feed", "failed", "HTTP 500 at -1h", "2 of 3"), ("a-good-feed", "ok", None, "0 of 3")]


def test_table_cells_are_readable(served: Served) -> None:
    html = served.get("/hirewatch/mentions?_search=rude")
    assert re.search(r'class="col-published[^"]*">\s*2026-11-22 21:00 UTC\s*<', html)
    assert re.search(r'class="col-sentiment_score[^"]*">\s*-0\.\d\d\s*<', html)
    assert re.search(r'class="col-topics[^"]*">\s*recruiter, interview\s*<', html)
    assert 'rel="nofollow noopener noreferrer"' in html
    for hidden in ("col-fingerprint", "col-sort_at", "col-extra", "col-alert_ts", "col-scorer"):
        assert hidden not in html


def test_json_export_matches_the_search(served: Served) -> None:
    rows = json.loads(served.get("/hirewatch/mentions.json?_search=interview&_shape=array"))
    assert [r["title"] for r in rows][:1] and all("interview" in (r["title"] + r["text"]).lower() for r in rows)
    assert {"id", "url", "sentiment_score", "alert_status", "triage"} <= set(rows[0])


def test_a_store_that_cannot_be_served_is_refused_in_words(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no store at .*make run"):
        check_store(tmp_path / "missing.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ConfigError, match="not a hirewatch store"):
        check_store(other)
    old = tmp_path / "old.db"
    SqliteStore(old).close()
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with pytest.raises(ConfigError, match=r"older than this hirewatch's .* only reads"):
        check_store(old)


def test_serve_refuses_an_elasticsearch_store(tmp_path: Path) -> None:
    done = subprocess.run(cli("serve"), env=base_env(tmp_path, HIREWATCH_STORE="elasticsearch",
                                                      HIREWATCH_ES_URL="http://127.0.0.1:9"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Kibana" in done.stderr
