"""Services that fail: Slack (429, 500, timing out), Elasticsearch (a refused bulk, one refused
document, unreachable), SMTP (refusing), and the embedded store locked by another process. Each
time the run reports it, keeps what it has, and the next run completes delivery, once.

Real parts only: the local Slack Web API server with the real slack_sdk client, osmem-server
behind the flaky proxy with the real Elasticsearch client, aiosmtpd, real SQLite in a second
process."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hirewatch.alerts import deliver_alerts
from hirewatch.alerts.slack_alerter import SlackAlerter
from hirewatch.config import Monitor
from hirewatch.pipeline import run_monitor
from hirewatch.stores.base import MentionStore
from hirewatch.stores.sqlite_store import SqliteStore

from tests.reliability.conftest import alerted_ids, rss, story
from tests.support.monitors import make_monitor
from tests.support.slack_server import BOT_TOKEN, Answer, SlackServer
from tests.support.web_server import WebServer

NEGATIVES = 4


def alerting_monitor(web: WebServer, *, n: int = NEGATIVES, neutral: int = 2, **extra: Any) -> Monitor:
    web.set("/feed.xml", rss([story(i) for i in range(n)] + [story(100 + i, negative=False) for i in range(neutral)]))
    routing = {"alerts": {"default_channel": "#ta-oncall", "min_interval_s": 0, "max_per_run": 50},
               **extra.pop("routing", {})}
    return make_monitor([{"type": "rss", "name": "news", "url": web.url("/feed.xml")}], routing=routing, **extra)


@pytest.fixture()
def slack_env(slack: SlackServer, monkeypatch: pytest.MonkeyPatch) -> SlackServer:
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
    return slack


def negative_ids(store: MentionStore) -> set[str]:
    from hirewatch.stores.base import MentionQuery

    return {h.mention.id for h in store.search(MentionQuery(monitor="acme", sentiment="negative", limit=1000))}


def assert_each_negative_alerted_once(store: MentionStore, slack: SlackServer) -> None:
    negatives = negative_ids(store)
    assert len(negatives) == NEGATIVES
    counts = alerted_ids(slack)
    assert set(counts) == negatives and set(counts.values()) == {1}, counts
    assert store.pending_alerts("acme") == []


# --------------------------------------------------------------------------- Slack


@pytest.mark.parametrize("outage", [
    Answer(status=500, raw=b"<html>upstream unavailable</html>"),
    Answer(status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "0"}),
    Answer(status=503, body={"ok": False, "error": "service_unavailable"}),
], ids=["500", "429-persistent", "503"])
def test_slack_down_then_back(web: WebServer, slack_env: SlackServer, store: SqliteStore, outage: Answer) -> None:
    monitor = alerting_monitor(web)
    with slack_env.outage(outage):
        first = run_monitor(monitor, store)
    assert first.negatives == NEGATIVES and first.alerts_sent == 0
    assert first.alerts_failed >= 1 and any("alert delivery" in note for note in first.notes), first.notes
    assert len(store.pending_alerts("acme")) == NEGATIVES, "nothing is lost while Slack is down"
    second = run_monitor(monitor, store)
    assert second.alerts_sent == NEGATIVES and second.alerts_failed == 0
    assert_each_negative_alerted_once(store, slack_env)


def test_slack_429_once_is_retried_within_the_run(web: WebServer, slack_env: SlackServer, store: SqliteStore) -> None:
    slack_env.answer_next("chat.postMessage", Answer(status=429, body={"ok": False, "error": "ratelimited"},
                                                     headers={"Retry-After": "1"}))
    report = run_monitor(alerting_monitor(web), store)
    assert report.alerts_sent == NEGATIVES and report.alerts_failed == 0
    assert_each_negative_alerted_once(store, slack_env)


def test_slack_timing_out(web: WebServer, slack: SlackServer, store: SqliteStore) -> None:
    monitor = alerting_monitor(web)
    run_monitor(monitor, store, alert=False)
    alerter = SlackAlerter(BOT_TOKEN, base_url=slack.base_url, timeout_s=0.3, min_interval_s=0)
    with slack.outage(Answer(body={"ok": False, "error": "too_slow"}, delay_s=1.5)):
        report = deliver_alerts(monitor, store, alerter=alerter)
    alerter.close()
    assert report.sent == 0 and report.failed == 1 and report.deferred == NEGATIVES - 1
    assert "could not be reached" in " ".join(report.errors) and "timed out" in " ".join(report.errors).lower()
    assert len(store.pending_alerts("acme")) == NEGATIVES
    time.sleep(1.5)  # the slow answers drain
    report = deliver_alerts(monitor, store, alerter=SlackAlerter(BOT_TOKEN, base_url=slack.base_url,
                                                                 min_interval_s=0))
    assert report.sent + report.threaded == NEGATIVES
    assert_each_negative_alerted_once(store, slack)


# --------------------------------------------------------------------------- the embedded store locked

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
print("released", flush=True)
"""


class LockHolder:
    """A second process holding ``BEGIN EXCLUSIVE`` on the store file until :meth:`release`."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=10)

    def release_after(self, seconds: float) -> None:
        import threading

        threading.Timer(seconds, self.release).start()


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "locked.db"
    SqliteStore(path).close()  # created (schema, WAL) before anyone locks it
    return path


def test_store_locked_briefly_waits(web: WebServer, slack_env: SlackServer, db: Path) -> None:
    holder = LockHolder(db)
    try:
        holder.release_after(1.0)
        with SqliteStore(db) as store:
            report = run_monitor(alerting_monitor(web), store)
            assert [s.status for s in report.sources] == ["ok"]
            assert report.alerts_sent == NEGATIVES
            assert_each_negative_alerted_once(store, slack_env)
    finally:
        holder.release()


def test_store_locked_for_the_whole_run(web: WebServer, slack_env: SlackServer, db: Path) -> None:
    monitor = alerting_monitor(web)
    holder = LockHolder(db)
    try:
        with SqliteStore(db, busy_timeout_ms=100, lock_retries=1, max_backoff_s=0.05) as store:
            report = run_monitor(monitor, store)  # must not raise: the report says what happened
        (source,) = report.sources
        assert source.status == "failed" and "stayed locked" in (source.error or "")
        assert any("run report not recorded" in note for note in report.notes), report.notes
        assert slack_env.posted() == []
    finally:
        holder.release()
    with SqliteStore(db) as store:
        assert store.get_crawl_state("acme", "news") is None, "no validators kept for what was not stored"
        report = run_monitor(monitor, store)
        assert report.sources[0].status == "ok" and report.sources[0].new_mentions == NEGATIVES + 2
        assert_each_negative_alerted_once(store, slack_env)
        check = store._conn.execute("PRAGMA integrity_check").fetchone()[0]
        assert check == "ok"


def test_store_locked_at_delivery_sends_nothing_and_repeats_nothing(web: WebServer, slack_env: SlackServer,
                                                                     db: Path) -> None:
    """A store that can be read but not written: no run posts anything (before the write probe,
    every run posted the first alert and failed to mark it: the same alert once per run)."""
    monitor = alerting_monitor(web)
    with SqliteStore(db) as store:
        run_monitor(monitor, store, alert=False)
    holder = LockHolder(db)
    try:
        for _ in range(3):
            with SqliteStore(db, busy_timeout_ms=100, lock_retries=1, max_backoff_s=0.05) as store:
                report = deliver_alerts(monitor, store)
            assert report.sent == 0 and report.deferred == NEGATIVES
            assert any("store:" in e and "locked" in e for e in report.errors), report.errors
        assert slack_env.posted() == []
    finally:
        holder.release()
    with SqliteStore(db) as store:
        report = deliver_alerts(monitor, store)
        assert report.sent + report.threaded == NEGATIVES
        assert_each_negative_alerted_once(store, slack_env)


class LockingSlack(SlackServer):
    """Slack that, on the first message it accepts, has another process lock the store: the
    alerter's mark of that message then fails (the crash window, made to happen)."""

    db: Path
    holder: LockHolder | None = None

    def _api_chat_postMessage(self, args: dict[str, Any]) -> Answer:
        if self.holder is None:
            self.holder = LockHolder(self.db)
        return super()._api_chat_postMessage(args)


def test_store_locked_while_marking_that_alert_is_found_in_slack_not_sent_again(web: WebServer, db: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monitor = alerting_monitor(web)
    with SqliteStore(db) as store:
        run_monitor(monitor, store, alert=False)
    slack = LockingSlack()
    slack.db = db
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.start().base_url)
    try:
        with SqliteStore(db, busy_timeout_ms=100, lock_retries=1, max_backoff_s=0.05) as store:
            report = deliver_alerts(monitor, store)
        assert report.sent == 0 and any("store:" in e for e in report.errors), report.errors
        assert len(slack.posted()) == 1, "the run stops at the first mark it cannot write"
        assert slack.holder is not None
        slack.holder.release()
        with SqliteStore(db) as store:
            report = deliver_alerts(monitor, store)
            assert report.sent + report.threaded == NEGATIVES and report.reconciled == 1
            counts = alerted_ids(slack)
            assert set(counts) == negative_ids(store)
            assert sorted(counts.values()) == [1] * NEGATIVES, "the alert in the window was found, not re-sent"
    finally:
        if slack.holder is not None:
            slack.holder.release()
        slack.stop()


# --------------------------------------------------------------------------- Elasticsearch


@pytest.fixture()
def es_proxy(osmem_clone) -> Iterator[Any]:
    from tests.support.flaky_proxy import FlakyProxy

    with FlakyProxy(osmem_clone.url) as proxy:
        yield proxy


def es_store(url: str, **options: Any) -> Any:
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore

    from tests.support.es_shim import osmem_client

    options = {"retries": 2, "initial_backoff_s": 0.01, "max_backoff_s": 0.05, **options}
    return ElasticsearchStore(osmem_client(url), languages=("english", "german"), **options)


@pytest.mark.elasticsearch
def test_elasticsearch_refusing_the_bulk(web: WebServer, slack_env: SlackServer, es_proxy: Any) -> None:
    monitor = alerting_monitor(web)
    store = es_store(es_proxy.url)
    es_proxy.fail("/_bulk", 100, "429")
    report = run_monitor(monitor, store)
    (source,) = report.sources
    assert source.status == "failed" and "429" in (source.error or "") and "after 3 attempts" in (source.error or "")
    outcomes = es_proxy.outcomes("/_bulk")
    assert len(outcomes) >= 3 and set(outcomes) == {429}, outcomes
    assert slack_env.posted() == [] and store.count() == 0
    es_proxy.faults.clear()
    report = run_monitor(monitor, store)
    assert report.sources[0].status == "ok" and report.alerts_sent == NEGATIVES
    assert store.count() == NEGATIVES + 2
    assert_each_negative_alerted_once(store, slack_env)


@pytest.mark.elasticsearch
def test_elasticsearch_rejecting_one_document(web: WebServer, slack_env: SlackServer, osmem_clone: Any) -> None:
    """A document the mapping refuses (a review rating that is not a number) fails alone, is kept
    in the retry index and reported; the others are stored and alerted; a later good copy lands."""
    from hirewatch.pipeline import items_to_mentions
    from hirewatch.records import Document
    from hirewatch.sources.registry import build_source

    monitor = alerting_monitor(web)
    store = es_store(osmem_clone.url)
    source = build_source(monitor.sources[0], monitor)
    body = rss([story(i) for i in range(NEGATIVES)])
    items = list(source.parse(Document(url=web.url("/feed.xml"), status=200, body=body)))
    mentions, _ = items_to_mentions(monitor, monitor.sources[0], items, datetime.now(UTC))
    from hirewatch.enrich import enrich_mentions

    mentions = enrich_mentions(mentions, monitor)
    bad = mentions[0].with_(extra={"rating": "four stars"})
    result = store.upsert_mentions([bad, *mentions[1:]])
    assert [mid for mid, _ in result.failed] == [bad.id] and "rating" in result.failed[0][1]
    assert len(result.new) == NEGATIVES - 1
    report = deliver_alerts(monitor, store)
    assert report.sent + report.threaded == NEGATIVES - 1
    result = store.upsert_mentions([mentions[0]])  # the next run's copy is good
    assert result.new == (bad.id,) and result.failed == ()
    report = deliver_alerts(monitor, store)
    assert report.sent + report.threaded == 1
    assert_each_negative_alerted_once(store, slack_env)


@pytest.mark.elasticsearch
def test_elasticsearch_unreachable(web: WebServer, slack_env: SlackServer, es_proxy: Any) -> None:
    monitor = alerting_monitor(web)
    store = es_store(es_proxy.url)
    es_proxy.fail("/", 1000, "drop")  # every request: the connection closes without an answer
    report = run_monitor(monitor, store)
    (source,) = report.sources
    assert source.status == "failed" and "failed after 3 attempts" in (source.error or "")
    assert any("run report not recorded" in note for note in report.notes)
    es_proxy.faults.clear()
    report = run_monitor(monitor, store)
    assert report.alerts_sent == NEGATIVES
    assert_each_negative_alerted_once(store, slack_env)


# --------------------------------------------------------------------------- SMTP


class _Refusing:
    def __init__(self) -> None:
        self.refuse = True
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "554 5.7.1 message refused by the test server"
        self.received.append(envelope.content)
        return "250 OK"


def test_smtp_refusing_then_accepting(web: WebServer, store: SqliteStore, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller
    from hirewatch.digest import run_digest

    from tests.digest.conftest import _free_port

    handler = _Refusing()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("HIREWATCH_SMTP_URL", f"smtp://127.0.0.1:{port}?from=digest@example.com")
        monitor = alerting_monitor(web, routing={"digest": {"recipients": ["ta@example.com"]}})
        run_monitor(monitor, store, alert=False)
        today = datetime.now(UTC).date()
        first = run_digest([monitor], store, today, out_dir=tmp_path / "digests", send=True)
        (group,) = first.groups
        assert not first.ok and any("554" in e and "refused" in e for e in group.errors), group.errors
        assert group.path is not None and group.path.exists(), "the digest file is written anyway"
        assert group.mailed_to == ()
        handler.refuse = False
        second = run_digest([monitor], store, today, out_dir=tmp_path / "digests", send=True)
        assert second.ok and second.groups[0].mailed_to == ("ta@example.com",)
        assert len(handler.received) == 1
    finally:
        controller.stop()
    monkeypatch.setenv("HIREWATCH_SMTP_URL", f"smtp://127.0.0.1:{port}?from=digest@example.com")
    gone = run_digest([monitor], store, today, out_dir=tmp_path / "digests", send=True)
    assert any("could not be reached" in e for e in gone.groups[0].errors), gone.groups[0].errors



def _read_only(folder: Path, command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with ``folder`` read-only: a read-only bind mount of it in a private mount
    namespace when this runs as root (root writes through file modes), else file modes."""
    import os
    import shlex

    if os.geteuid() == 0:
        script = (f"mount --bind {shlex.quote(str(folder))} {shlex.quote(str(folder))} && "
                  f"mount -o remount,bind,ro {shlex.quote(str(folder))} && exec {shlex.join(command)}")
        return subprocess.run(["unshare", "--mount", "sh", "-c", script], env=env, capture_output=True, text=True,
                              timeout=120)
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)


def test_search_works_on_a_store_on_a_read_only_file_system(web: WebServer, tmp_path: Path) -> None:
    import os

    home = tmp_path / "home"
    web.set("/feed.xml", rss([story(n) for n in range(3)]))
    with SqliteStore(home / "hirewatch.db") as store:
        run_monitor(make_monitor([{"type": "rss", "name": "news", "url": web.url("/feed.xml")}]), store,
                    alert=False)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HIREWATCH_HOME": str(home)}
    cli = [sys.executable, "-c", "from hirewatch.cli import main; main()"]
    done = _read_only(home, [*cli, "search", "--json"], env)
    assert done.returncode == 0, done.stderr
    assert len(__import__("json").loads(done.stdout)) == 3
    done = _read_only(home, [*cli, "search", "terrible"], env)
    assert done.returncode == 0 and "3 mentions" in done.stdout, done.stdout + done.stderr
