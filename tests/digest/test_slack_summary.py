"""The Slack summary: the exact Block Kit payload, mrkdwn escaping of crawled text, and a real
slack_sdk WebClient posting it to a local server that answers like Slack."""

from __future__ import annotations

import pytest
from hirewatch.digest.model import Counts, SourceHealth, TrendDay
from hirewatch.digest.slack_summary import post_summary, summary_payload
from hirewatch.errors import AlertError, NotConfigured
from pydantic import SecretStr

from tests.digest.sample import HOSTILE, digest, item
from tests.support.slack_server import BOT_TOKEN, Answer


def test_exact_payload() -> None:
    d = digest(items=(item("Interview cancelled twice"),))
    assert summary_payload(d, link="https://digests.example/example-2026-03-09.html") == {
        "text": "Digest: Brightwave Logistics, Mon 9 Mar: 6 new mentions yesterday (1 negative), up from 3 the day "
                "before; 1 source failed: glassdoor (HTTP 503).",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Digest: Brightwave Logistics, Mon 9 Mar",
                                        "emoji": False}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "6 new mentions yesterday (1 negative), up from 3 "
                                                                   "the day before; 1 source failed: glassdoor "
                                                                   "(HTTP 503)."}},
            {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Mentions*\n6  (▲ 3 vs day before, 7-day avg 5.4)"},
                {"type": "mrkdwn", "text": "*Negative*\n1  (▲ 1)"},
                {"type": "mrkdwn", "text": "*Avg sentiment*\n−0.12  (7-day +0.02)"},
                {"type": "mrkdwn", "text": "*Sources*\n1/2 ok"},
            ]},
            {"type": "section", "text": {"type": "mrkdwn", "text":
                "*Worth reading*\n• <https://news.example/a?b=1&amp;c=2|Interview cancelled twice>\n"
                "    industry-news-en · negative −0.62 · open"}},
            {"type": "section", "text": {"type": "mrkdwn",
                                         "text": ":warning: *Failing sources*: glassdoor (HTTP 503)"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text":
                "<https://digests.example/example-2026-03-09.html|Open the full digest> · Europe/Amsterdam"}]},
        ],
    }


def test_hostile_title_is_escaped_everywhere() -> None:
    d = digest(items=(item(HOSTILE, source="<!here>", url="https://news.example/x?a=<b>|c"),),
               sources=(SourceHealth("example", "x<@U123>", "rss", "failing", runs=1, failures=1,
                                     error="<!channel> HTTP 503"),))
    payload = summary_payload(d)
    blob = repr(payload)
    for raw in ("<script>", "<img", "<!channel>", "<!here>", "<@U123>", "@channel"):
        assert raw not in blob
    reading = payload["blocks"][3]["text"]["text"]
    assert reading.startswith("*Worth reading*\n• <https://news.example/x?a=%3Cb%3E%7Cc|&lt;script&gt;alert")
    assert "@\u200bchannel &lt;!channel&gt;>" in reading
    assert "&lt;!here&gt;" in reading
    failing = payload["blocks"][4]["text"]["text"]
    assert failing == ":warning: *Failing sources*: x&lt;@U123&gt; (&lt;!channel&gt; HTTP 503)"


def test_javascript_url_is_not_a_link() -> None:
    d = digest(items=(item("Click", url="javascript:alert(1)"),))
    reading = summary_payload(d)["blocks"][3]["text"]["text"]
    assert reading.startswith("*Worth reading*\n• Click\n") and "javascript" not in reading


def test_empty_day_summary() -> None:
    d = digest(today=Counts(), previous_day=Counts(), baseline=Counts(), items=(), topics=(), reviews=(),
               trend=tuple(TrendDay(t.day) for t in digest().trend),
               sources=(SourceHealth("example", "news", "rss", "ok", runs=1),))
    payload = summary_payload(d)
    assert payload["blocks"][1]["text"]["text"] == "No new mentions yesterday."
    assert [b["type"] for b in payload["blocks"]] == ["header", "section", "section", "context"]
    assert payload["blocks"][-1]["elements"][0]["text"] == ("Full digest sent by e-mail to 1 recipient"
                                                             " · Europe/Amsterdam")


def test_summary_without_history_makes_no_comparison() -> None:
    fields = summary_payload(digest(baseline_days=0))["blocks"][2]["fields"]
    assert [f["text"] for f in fields] == ["*Mentions*\n6  (no earlier days on record)", "*Negative*\n1",
                                           "*Avg sentiment*\n−0.12", "*Sources*\n1/2 ok"]


def test_post_summary_with_the_real_client(slack_server) -> None:
    d = digest()
    ts = post_summary(d, "#ta-leads", link="https://digests.example/x.html", token=SecretStr(BOT_TOKEN),
                      base_url=slack_server.base_url)
    (message,) = slack_server.posted()
    assert ts == message.ts
    assert message.args["channel"] == "#ta-leads"
    assert message.args["blocks"] == summary_payload(d, link="https://digests.example/x.html")["blocks"]
    assert message.args["unfurl_links"] is False
    assert slack_server.calls("chat.postMessage")[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"


def test_post_summary_reads_token_and_base_url_from_the_environment(slack_server, monkeypatch) -> None:
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack_server.base_url)
    post_summary(digest(), "#ta-leads")
    assert len(slack_server.posted()) == 1


def test_rate_limit_is_retried_after_retry_after(slack_server) -> None:
    slack_server.answer_next("chat.postMessage", Answer(status=429, body={"ok": False, "error": "ratelimited"},
                                                        headers={"Retry-After": "1"}))
    ts = post_summary(digest(), "#ta-leads", token=SecretStr(BOT_TOKEN), base_url=slack_server.base_url)
    assert [c.status for c in slack_server.calls("chat.postMessage")] == [429, 200]
    assert ts == slack_server.posted()[0].ts


def test_slack_refusal_is_an_alert_error(slack_server) -> None:
    slack_server.answer_next("chat.postMessage", Answer(body={"ok": False, "error": "channel_not_found"}))
    with pytest.raises(AlertError, match="Slack refused the digest summary for #nowhere: channel_not_found"):
        post_summary(digest(), "#nowhere", token=SecretStr(BOT_TOKEN), base_url=slack_server.base_url)


def test_slack_outage_is_an_alert_error(slack_server) -> None:
    with slack_server.outage(), pytest.raises(AlertError, match="Slack refused the digest summary for #ta-leads"):
        post_summary(digest(), "#ta-leads", token=SecretStr(BOT_TOKEN), base_url=slack_server.base_url)
    assert slack_server.posted() == []


def test_no_token_is_not_configured() -> None:
    with pytest.raises(NotConfigured, match="HIREWATCH_SLACK_TOKEN"):
        post_summary(digest(), "#ta-leads")


def test_an_overlong_item_url_is_shown_as_its_label_so_no_link_is_cut_in_half() -> None:
    long_url = "https://news.example/" + "a" * 2900
    d = digest(items=tuple(item(f"Story {i}", url=long_url) for i in range(3)))
    reading = summary_payload(d)["blocks"][3]["text"]["text"]
    assert len(reading) <= 3000 and long_url not in reading
    assert reading.count("<") == reading.count(">") == 0
    assert "• Story 0\n" in reading and "• Story 2\n" in reading
