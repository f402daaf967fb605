"""``run_monitor`` end to end with Slack: feeds over the local web server, the real SqliteStore,
the real WebClient against the local Slack server; then a second run that finds nothing new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hirewatch.config import parse_monitor
from hirewatch.pipeline import run_monitor
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.slack_server import BOT_TOKEN, SlackServer, channel_id
from tests.support.web_server import WebServer

FEEDS = Path(__file__).resolve().parents[2] / "monitors" / "example-feeds"


def _monitor(web: WebServer, alerts: str = '{default_channel: "#ta-oncall", min_interval_s: 0.05}'):
    web.set("/en.xml", FEEDS / "careers-blog-en.xml")
    web.set("/alerts.xml", FEEDS / "google-alerts.xml", content_type="application/atom+xml")
    return parse_monitor(f"""
name: acme
employer: {{name: Brightwave Logistics, aliases: [Brightwave], exclude: [Brightwave Audio]}}
sources:
  - {{name: en, type: rss, url: "{web.url('/en.xml')}"}}
  - {{name: alerts, type: google_alerts, url: "{web.url('/alerts.xml')}"}}
fetch: {{allow_loopback: true}}
routing:
  timezone: Europe/Amsterdam
  alerts: {alerts}
""", path="acme.yaml")


def test_a_run_alerts_each_negative_once(web: WebServer, slack: SlackServer, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monitor = _monitor(web)
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
    slack.rate_limit_s = 0.05
    with SqliteStore(tmp_path / "store.db") as store:
        first = run_monitor(monitor, store)
        negatives = first.negatives
        assert negatives >= 2 and first.alerts_sent == negatives and first.alerts_failed == 0
        assert store.pending_alerts("acme") == []
        second = run_monitor(monitor, store)
        assert second.alerts_sent == 0
    posted = slack.posted()
    assert len(posted) == negatives and {m.channel for m in posted} == {channel_id("#ta-oncall")}
    assert slack.rate_violations == []
    for call in slack.calls("chat.postMessage"):
        body = json.loads(call.raw)
        assert body["link_names"] is False and body["unfurl_links"] is False
        assert body["blocks"][0]["type"] == "header"


def test_with_alerts_switched_off_a_run_suppresses_rather_than_leaves_pending(
        web: WebServer, slack: SlackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same outcome as ``hirewatch slack deliver``: nothing posted, the negatives marked
    suppressed (reason disabled), not pending for ever; the digest and Kibana still show them."""
    monitor = _monitor(web, alerts='{enabled: false, default_channel: "#ta-oncall"}')
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
    with SqliteStore(tmp_path / "store.db") as store:
        report = run_monitor(monitor, store)
        assert report.ok and report.alerts_sent == 0 and report.alerts_suppressed == report.negatives >= 2
        assert store.pending_alerts("acme") == []
        suppressed = store.search(MentionQuery(monitor="acme", alert_status="suppressed", limit=100))
        assert len(suppressed) == report.negatives and {s.alert.last_error for s in suppressed} == {"disabled"}
    assert slack.posted() == []
