"""``run_monitor`` end to end with Slack: feeds over the local web server, the real SqliteStore,
the real WebClient against the local Slack server; then a second run that finds nothing new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hirewatch.config import parse_monitor
from hirewatch.pipeline import run_monitor
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.slack_server import BOT_TOKEN, SlackServer, channel_id
from tests.support.web_server import WebServer

FEEDS = Path(__file__).resolve().parents[2] / "monitors" / "example-feeds"


def test_a_run_alerts_each_negative_once(web: WebServer, slack: SlackServer, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    web.set("/en.xml", FEEDS / "careers-blog-en.xml")
    web.set("/alerts.xml", FEEDS / "google-alerts.xml", content_type="application/atom+xml")
    monitor = parse_monitor(f"""
name: acme
employer: {{name: Brightwave Logistics, aliases: [Brightwave], exclude: [Brightwave Audio]}}
sources:
  - {{name: en, type: rss, url: "{web.url('/en.xml')}"}}
  - {{name: alerts, type: google_alerts, url: "{web.url('/alerts.xml')}"}}
fetch: {{allow_loopback: true}}
routing:
  timezone: Europe/Amsterdam
  alerts: {{default_channel: "#ta-oncall", min_interval_s: 0.05}}
""", path="acme.yaml")
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
