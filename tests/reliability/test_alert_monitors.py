"""Several monitors in one store: each alerts by its own rules and channels.

A story about Acme is found by monitor ``globex`` (Acme is its competitor) and by monitor
``acme``; two monitors of Acme (one per team, different channels) find the same stories. The
real pipeline (``run_monitor``) over the local feed server, the real SQLite store, the real
WebClient against the local Slack server. Written for this project.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hirewatch.config import Monitor
from hirewatch.pipeline import run_monitor
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.reliability.conftest import alerted_ids, rss, story
from tests.support.monitors import make_monitor
from tests.support.slack_server import BOT_TOKEN, SlackServer, channel_id
from tests.support.web_server import WebServer

NEGATIVES = 4


@pytest.fixture()
def slack_env(slack: SlackServer, monkeypatch: pytest.MonkeyPatch) -> SlackServer:
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
    return slack


def feed(web: WebServer) -> str:
    web.set("/acme.xml", rss([story(i) for i in range(NEGATIVES)] + [story(100, negative=False)]))
    return web.url("/acme.xml")


def monitor(name: str, employer: str, channel: str, url: str, **extra: Any) -> Monitor:
    return make_monitor([{"type": "rss", "name": "news", "url": url}], name=name, employer={"name": employer},
                        routing={"alerts": {"default_channel": channel, "min_interval_s": 0, "max_per_run": 50}},
                        **extra)


def alerts_by_channel(slack: SlackServer) -> Counter[str]:
    return Counter(message.channel for message in slack.posted())


def negatives(store: SqliteStore, name: str) -> set[str]:
    found = store.search(MentionQuery(monitor=name, sentiment="negative", limit=1000))
    return {h.mention.id for h in found if not h.mention.is_competitor}


@pytest.mark.parametrize("order", [("globex", "acme"), ("acme", "globex")], ids=["competitor-first", "employer-first"])
def test_a_competitor_mention_never_suppresses_another_monitors_employer_mention(
        web: WebServer, slack_env: SlackServer, store: SqliteStore, order: tuple[str, str]) -> None:
    url = feed(web)
    monitors = {"acme": monitor("acme", "Acme", "#acme-ta", url),
                "globex": monitor("globex", "Globex", "#globex-ta", url, competitors=[{"name": "Acme"}])}
    reports = {name: run_monitor(monitors[name], store) for name in order}
    mine = negatives(store, "acme")
    assert len(mine) == NEGATIVES and reports["acme"].negatives == NEGATIVES
    counts = alerted_ids(slack_env)
    assert {mid: counts[mid] for mid in mine} == dict.fromkeys(mine, 1), counts
    assert alerts_by_channel(slack_env) == {channel_id("#acme-ta"): NEGATIVES}, "globex alerts nothing of Acme"
    rivals = store.search(MentionQuery(monitor="globex", limit=1000))
    assert len(rivals) == NEGATIVES + 1 and all(h.mention.is_competitor for h in rivals)
    assert {h.alert.status for h in rivals} == {"none"}
    assert store.pending_alerts("acme") == [] and store.pending_alerts("globex") == []


def test_two_monitors_of_one_employer_with_different_channels_each_alert(web: WebServer, slack_env: SlackServer,
                                                                         store: SqliteStore) -> None:
    url = feed(web)
    ta = monitor("acme-ta", "Acme", "#ta-oncall", url)
    eng = monitor("acme-eng", "Acme", "#eng-hiring", url)
    first, second = run_monitor(ta, store), run_monitor(eng, store)
    assert first.alerts_sent == NEGATIVES and second.alerts_sent == NEGATIVES
    counts = alerted_ids(slack_env)
    for name in ("acme-ta", "acme-eng"):
        mine = negatives(store, name)
        assert len(mine) == NEGATIVES and {mid: counts[mid] for mid in mine} == dict.fromkeys(mine, 1)
    assert alerts_by_channel(slack_env) == {channel_id("#ta-oncall"): NEGATIVES, channel_id("#eng-hiring"): NEGATIVES}
    # a third run of each finds nothing new and sends nothing
    again = [run_monitor(m, store) for m in (ta, eng)]
    assert [r.alerts_sent for r in again] == [0, 0] and len(slack_env.posted()) == 2 * NEGATIVES
