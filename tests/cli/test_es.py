"""``hirewatch es setup|sync|failures`` end to end: the CLI builds its own client from
HIREWATCH_ES_URL, which points at a local proxy that rewrites the client's compatible-with media
types for osmem-server (see tests/support/flaky_proxy.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from hirewatch.cli import app
from hirewatch.records import CrawlState, RatingPoint
from hirewatch.report import RunReport
from hirewatch.stores.elasticsearch_store import ElasticsearchStore
from hirewatch.stores.sqlite_store import SqliteStore
from typer.testing import CliRunner

from tests.stores.conftest import OSMEM_LANGUAGES, T0, make_mention
from tests.support.flaky_proxy import FlakyProxy

pytestmark = pytest.mark.elasticsearch


@pytest.fixture()
def es_env(osmem_clone, monkeypatch: pytest.MonkeyPatch):
    with FlakyProxy(osmem_clone.url, plain_json=True) as proxy:
        monkeypatch.setenv("HIREWATCH_ES_URL", proxy.url)
        monkeypatch.setenv("HIREWATCH_ES_LANGUAGES", ",".join(OSMEM_LANGUAGES))
        yield proxy


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_setup_is_idempotent(es_env, osmem_es) -> None:
    first = _run("es", "setup")
    assert first.exit_code == 0, first.output
    assert "created index template mentions" in first.output
    assert "created index mentions-000001 with alias mentions" in first.output
    second = _run("es", "setup")
    assert second.exit_code == 0
    assert "updated index template mentions" in second.output and "exists alias mentions" in second.output
    assert "created" not in second.output
    assert list(osmem_es.indices.get_alias(name="mentions").body) == ["mentions-000001"]


def test_sync_copies_the_embedded_store(es_env, osmem_es, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "embedded.db"
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(path))
    sent, pending, calm = (make_mention("sent", sentiment_label="negative"),
                           make_mention("pending", sentiment_label="negative"), make_mention("calm"))
    with SqliteStore(path) as sqlite:
        sqlite.upsert_mentions([sent, pending, calm])
        sqlite.mark_alert_sent(sent.id, "C1", "100.1")
        sqlite.set_triage(sent.id, "acknowledged", "U1")
        sqlite.put_crawl_state("acme", "feed-a", CrawlState(etag='"e1"', seen_ids=("a", "b")))
        sqlite.record_run(RunReport(monitor="acme", started=T0, finished=T0 + timedelta(seconds=3)))
        sqlite.record_rating(RatingPoint("acme", "glassdoor", T0, 3.9, 120))
        before = {s.mention.id: s for s in sqlite.iter_stored()}

    result = _run("es", "sync", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["new"], summary["updated"], summary["failed"]) == (3, 0, [])
    assert (summary["crawl_states"], summary["runs"], summary["ratings"]) == (1, 1, 1)

    es = ElasticsearchStore(osmem_es, languages=OSMEM_LANGUAGES)
    for mid, stored in before.items():
        assert es.get(mid) == stored, "mention, alert and triage state copied as they are"
    assert [m.id for m in es.pending_alerts("acme")] == [pending.id], "a sent alert is not sent again"
    assert es.get_crawl_state("acme", "feed-a") == CrawlState(etag='"e1"', seen_ids=("a", "b"))
    assert len(es.recent_runs("acme", T0)) == 1 and es.ratings("acme", T0)[0].rating == 3.9

    again = json.loads(_run("es", "sync", "--json").output)
    assert (again["new"], again["updated"]) == (0, 3)
    assert es.count() == 3


def test_sync_without_a_store_file_is_a_config_error(es_env, tmp_path: Path) -> None:
    result = _run("es", "sync", "--from", str(tmp_path / "missing.db"))
    assert result.exit_code == 2 and "no SQLite store at" in result.output


def test_failures_lists_kept_documents(es_env, osmem_es) -> None:
    store = ElasticsearchStore(osmem_es, languages=OSMEM_LANGUAGES)
    bad = make_mention("bad", extra={"rating": "five"})
    store.upsert_mentions([bad, make_mention("ok")])
    result = _run("es", "failures", "--json")
    assert result.exit_code == 0, result.output
    kept = json.loads(result.output)
    assert [(k["id"], k["source"], k["attempts"]) for k in kept] == [(bad.id, "feed-a", 1)]
    assert "extra.rating" in kept[0]["reason"]


def test_es_commands_need_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run("es", "setup")
    assert result.exit_code == 2 and "HIREWATCH_ES_URL" in result.output

