"""A run over enough sources to parse in the process pool stores what an in-process run stores,
counts the items the candidate filter skipped, and a re-run where every source answers 304 writes
nothing and starts no worker. Feeds are written here for the project and served over HTTP."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hirewatch.pipeline import POOL_THRESHOLD, run_monitor
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.monitors import make_monitor
from tests.support.web_server import WebServer

SOURCES = POOL_THRESHOLD + 2


def feed(n: int) -> str:
    items = []
    for k in range(5):
        says = "Acme ghosted me after the interview." if (n + k) % 4 == 0 else "Nothing about anyone."
        items.append(f"<item><title>Story {n}-{k}</title><link>https://news.example/{n}/{k}</link>"
                     f"<description>{says}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>https://news.example/{n}</link>{''.join(items)}</channel></rss>")


@pytest.fixture()
def monitor(web: WebServer):
    urls = [web.set(f"/feed-{n}.xml", feed(n)) for n in range(SOURCES)]
    # A generous per-fetch timeout: the pool's workers start while the feeds are fetched, and on a busy
    # machine the first answers can wait behind them. The test is about what is stored, not timing.
    return make_monitor([{"type": "rss", "name": f"feed-{n}", "url": url} for n, url in enumerate(urls)],
                        fetch={"timeout_s": 60})


def stored(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id, url, title, text, sentiment_label, source FROM mentions ORDER BY id").fetchall()


def crawl_state(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT source, etag, updated_at FROM crawl_state ORDER BY source").fetchall()


def test_pool_run_stores_what_an_in_process_run_stores(monitor, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    results = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("HIREWATCH_WORKERS", workers)
        path = tmp_path / f"w{workers}.db"
        with SqliteStore(path) as store:
            report = run_monitor(monitor, store, alert=False)
        assert [(s.status, s.error) for s in report.sources] == [("ok", None)] * SOURCES
        assert all(s.items == 5 for s in report.sources)  # skipped items are still counted
        results[workers] = stored(path)
    assert len(results["1"]) == sum(1 for n in range(SOURCES) for k in range(5) if (n + k) % 4 == 0)
    assert results["2"] == results["1"]


def test_rerun_with_nothing_changed_writes_nothing(monitor, tmp_path: Path, web: WebServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_WORKERS", "2")
    path = tmp_path / "h.db"
    with SqliteStore(path) as store:
        run_monitor(monitor, store, alert=False)
        state = crawl_state(path)
        web.reset_hits()
        report = run_monitor(monitor, store, alert=False)
    assert [s.status for s in report.sources] == ["not_modified"] * SOURCES
    assert web.statuses() == {304: SOURCES}
    assert crawl_state(path) == state  # not rewritten: same validators, same updated_at


def test_worker_count_leaves_a_core_for_the_run_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch import pipeline

    monkeypatch.delenv("HIREWATCH_WORKERS", raising=False)
    for cpus, workers in ((1, 1), (2, 1), (4, 3), (None, 1)):
        monkeypatch.setattr(pipeline.os, "cpu_count", lambda cpus=cpus: cpus)
        assert pipeline._workers() == workers
    monkeypatch.setenv("HIREWATCH_WORKERS", "2")
    assert pipeline._workers() == 2


def test_more_sources_than_lanes_each_run_once_and_a_failure_stays_its_own(web: WebServer, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # fetch.concurrency 1 and no pool: 3 lanes for 10 sources, the fourth answering 500
    monkeypatch.setenv("HIREWATCH_WORKERS", "1")
    urls = [web.set(f"/lane-{n}.xml", feed(n), status=500 if n == 3 else 200) for n in range(SOURCES)]
    lanes = make_monitor([{"type": "rss", "name": f"feed-{n}", "url": url} for n, url in enumerate(urls)],
                         fetch={"concurrency": 1})
    with SqliteStore(tmp_path / "lanes.db") as store:
        report = run_monitor(lanes, store, alert=False)
    assert [s.source for s in report.sources] == [f"feed-{n}" for n in range(SOURCES)]
    assert [s.status for s in report.sources] == ["failed" if n == 3 else "ok" for n in range(SOURCES)]
    assert web.count() == SOURCES  # every source asked once, none twice
    assert len(stored(tmp_path / "lanes.db")) == sum(1 for n in range(SOURCES) if n != 3
                                                    for k in range(5) if (n + k) % 4 == 0)
