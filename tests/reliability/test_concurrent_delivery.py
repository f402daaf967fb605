"""Two deliveries of one monitor at once: ``hirewatch slack deliver`` twice as real processes (as
beside the DAG's alert task, which calls the same delivery), and two delivery threads in one
process. One holds the monitor's delivery lease; the other waits for it (then finds nothing left
to send) or, with no wait, stops and says who holds it and since when. Nothing is posted twice.
The local Slack server (slowed so the runs overlap), the real WebClient, the real SQLite store.
Written for this project.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hirewatch.alerts import deliver_alerts
from hirewatch.alerts.base import AlertReport
from hirewatch.alerts.slack_alerter import SlackAlerter
from hirewatch.config import Monitor, load_monitors
from hirewatch.pipeline import run_monitor
from hirewatch.stores.sqlite_store import SqliteStore

from tests.reliability.conftest import alerted_ids, rss, story
from tests.support.slack_server import BOT_TOKEN, Answer, SlackServer
from tests.support.web_server import WebServer

NEGATIVES = 8


class SlowSlack(SlackServer):
    """Slack taking a while to accept each message, so two deliveries overlap."""

    delay_s = 0.15

    def _api_chat_postMessage(self, args: dict[str, Any]) -> Answer:
        time.sleep(self.delay_s)
        return super()._api_chat_postMessage(args)


@pytest.fixture()
def slow_slack() -> Iterator[SlowSlack]:
    with SlowSlack() as server:
        yield server


def pending_store(web: WebServer, tmp_path: Path) -> tuple[Path, Path, Monitor]:
    """A monitors folder and a store holding ``NEGATIVES`` pending alerts of monitor acme."""
    web.set("/feed.xml", rss([story(i) for i in range(NEGATIVES)]))
    monitors = tmp_path / "monitors"
    monitors.mkdir()
    (monitors / "acme.yaml").write_text(f"""
name: acme
employer: {{name: Acme}}
sources:
  - {{name: news, type: rss, url: "{web.url('/feed.xml')}"}}
fetch: {{allow_loopback: true}}
sentiment: {{languages: [en]}}
routing:
  alerts: {{default_channel: "#ta-oncall", min_interval_s: 0, max_per_run: 50}}
""", encoding="utf-8")
    (monitor,), errors = load_monitors(monitors)
    assert not errors
    db = tmp_path / "home" / "hirewatch.db"
    with SqliteStore(db) as store:
        report = run_monitor(monitor, store, alert=False)
        assert report.negatives == NEGATIVES and len(store.pending_alerts("acme")) == NEGATIVES
    return monitors, db, monitor


def test_two_cli_deliveries_at_once_post_each_alert_once(web: WebServer, slow_slack: SlowSlack,
                                                         tmp_path: Path) -> None:
    monitors, db, _ = pending_store(web, tmp_path)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HIREWATCH_HOME": str(db.parent),
           "HIREWATCH_SLACK_TOKEN": BOT_TOKEN, "HIREWATCH_SLACK_BASE_URL": slow_slack.base_url}
    command = [sys.executable, "-m", "hirewatch.cli", "slack", "deliver", "--monitors", str(monitors), "--json"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    reports = [json.loads(out)[0] for out, _ in outputs]
    counts = alerted_ids(slow_slack)
    assert len(counts) == NEGATIVES and set(counts.values()) == {1}, counts
    assert len(slow_slack.posted()) == NEGATIVES
    assert sorted(r["sent"] for r in reports) == [0, NEGATIVES], reports
    with SqliteStore(db) as store:
        assert store.pending_alerts("acme") == []


def test_a_second_delivery_that_does_not_wait_says_who_holds_the_lease(web: WebServer, slow_slack: SlowSlack,
                                                                      tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, db, monitor = pending_store(web, tmp_path)
    monkeypatch.setenv("HIREWATCH_DELIVERY_WAIT_S", "0")
    reports: list[AlertReport] = []
    started = threading.Event()

    def first() -> None:
        with SqliteStore(db) as store:
            started.set()
            reports.append(deliver_alerts(monitor, store, alerter=SlackAlerter(BOT_TOKEN, base_url=slow_slack.base_url,
                                                                               min_interval_s=0)))

    holder = threading.Thread(target=first)
    holder.start()
    started.wait(5)
    deadline = time.monotonic() + 10
    while not slow_slack.posted() and time.monotonic() < deadline:  # the first run is posting
        time.sleep(0.02)
    with SqliteStore(db) as store:
        second = deliver_alerts(monitor, store, alerter=SlackAlerter(BOT_TOKEN, base_url=slow_slack.base_url,
                                                                     min_interval_s=0))
    holder.join(60)
    assert second.sent == 0 and not second.ok and second.messages == []
    [note] = second.notes
    assert "another delivery of monitor acme is running" in note and f"pid {os.getpid()}" in note
    assert "since 20" in note, note
    assert reports[0].sent == NEGATIVES
    counts = alerted_ids(slow_slack)
    assert len(counts) == NEGATIVES and set(counts.values()) == {1}
