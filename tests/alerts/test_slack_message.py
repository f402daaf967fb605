"""The Block Kit payloads: the exact alert, escaping of crawled text, Block Kit limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hirewatch.alerts.slack_message import (
    alert_message,
    escape,
    fit,
    kibana_search_url,
    safe_url,
    storm_message,
    thread_reply_message,
    triaged_blocks,
)

from tests.alerts.conftest import make_mention, make_monitor

KIBANA = "https://kibana.example.com"


def _button(action_id: str, label: str, *, url: str | None = None, value: str | None = None,
            style: str | None = None) -> dict:
    out: dict = {"type": "button", "action_id": action_id,
                 "text": {"type": "plain_text", "text": label, "emoji": False}}
    if url:
        out["url"] = url
    if value:
        out["value"] = value
    if style:
        out["style"] = style
    return out


def _md(text: str) -> dict:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def test_the_whole_alert_payload() -> None:
    mention = make_mention(sources=("tech-news", "acme-alert"), author="Sam")
    mid = mention.id
    assert alert_message(mention, make_monitor(), kibana=KIBANA) == {
        "text": "Negative mention of Acme Corp in tech-news: Acme interview process was a mess (story 1)",
        "blocks": [
            {"type": "header",
             "text": {"type": "plain_text", "text": "Acme interview process was a mess (story 1)", "emoji": False}},
            {"type": "section", "fields": [
                _md("*Employer*\nAcme Corp"),
                _md("*Source*\ntech-news (rss), +1 more"),
                _md("*Sentiment*\nnegative (-0.72), severity 0.60"),
                _md("*Topics*\ninterview"),
                _md("*Language*\nen"),
                _md("*Published*\n2026-03-02 08:30 CET"),  # 07:30 UTC in the monitor's Europe/Amsterdam
            ]},
            {"type": "section", "text": _md("> Six rounds, no feedback, and the recruiter ghosted me after the "
                                            "final interview at Acme.")},
            {"type": "actions", "block_id": "hw_actions", "elements": [
                _button("hw_open_source", "Open source", url="https://news.example.com/acme-1"),
                _button("hw_open_kibana", "Open in Kibana",
                        url=f"https://kibana.example.com/app/discover#/doc/mentions/mentions?id={mid}"),
                _button("hw_ack", "Acknowledge", value=mid, style="primary"),
                _button("hw_false_positive", "False positive", value=mid),
                _button("hw_assign", "Assign to me", value=mid),
            ]},
            {"type": "context", "elements": [_md(f"hirewatch · monitor acme · matched Acme · by Sam · id {mid}")]},
        ],
        "link_names": False,
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": {"event_type": "hirewatch_alert", "event_payload": {"mention_id": mid, "monitor": "acme",
                                                                       "id_scheme": "monitor"}},
    }


def test_without_kibana_there_is_no_kibana_button() -> None:
    message = alert_message(make_mention(), make_monitor())
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["hw_open_source", "hw_ack", "hw_false_positive",
                                                             "hw_assign"]


INJECTIONS = "<!channel> <!here> <@U123> <#C999|general> <!subteam^S1> <https://evil.example|click me>"


def test_crawled_text_cannot_mention_or_link() -> None:
    mention = make_mention(title="Acme " + INJECTIONS, text="Body " + INJECTIONS + " & more",
                           source="feed <!channel>", topics=("<!here>",), author="<@U999>",
                           matched_terms=("<!channel>",), language="<!here>")
    message = alert_message(mention, make_monitor(), kibana=KIBANA)
    raw = json.dumps(message)
    for bad in ("<!channel>", "<!here>", "<@U", "<#C", "<!subteam", "<https://evil"):
        assert bad not in raw
    assert "&lt;!channel&gt;" in message["text"]
    assert message["blocks"][0]["text"]["text"].startswith("Acme &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;")
    assert "Body &lt;!channel&gt;" in message["blocks"][2]["text"]["text"]
    assert message["link_names"] is False
    # every mrkdwn object is verbatim: Slack does not link-ify bare @channel or #general either
    texts = [f for b in message["blocks"] for f in [*(b.get("fields") or []), *(b.get("elements") or []),
                                                     b.get("text") or {}] if f.get("type") == "mrkdwn"]
    assert texts and all(t["verbatim"] is True for t in texts)


def test_escape_and_fit() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert fit("<<<<", 10) == "&lt;&lt;…"  # never half an entity
    assert fit("abc", 3) == "abc"
    assert len(fit("&" * 1000, 150)) <= 150


def test_block_kit_limits() -> None:
    mention = make_mention(title="Acme <" + "x" * 400, text="<&>" * 5000, source="s" * 3000,
                           topics=tuple(f"topic{i}" for i in range(600)))
    message = alert_message(mention, make_monitor(), kibana=KIBANA)
    blocks = message["blocks"]
    assert len(blocks) <= 50
    header = blocks[0]["text"]["text"]
    assert len(header) <= 150 and header.startswith("Acme &lt;xx") and header.endswith("…")
    assert all(len(f["text"]) <= 2000 for f in blocks[1]["fields"])
    assert len(blocks[2]["text"]["text"]) <= 3000
    assert "&l…" not in blocks[2]["text"]["text"] and "&a…" not in blocks[2]["text"]["text"]


def test_urls_that_cannot_be_buttons() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("file:///etc/passwd") is None
    assert safe_url("https://" + "a" * 3000 + ".example") is None
    assert safe_url("https://x.example/a b<c>|d\"e") == "https://x.example/a%20b%3Cc%3E%7Cd%22e"
    message = alert_message(make_mention(url="mailto:x@example.com"), make_monitor())
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert "hw_open_source" not in [e["action_id"] for e in actions["elements"]]


def test_thread_reply_is_short_and_has_no_triage_buttons() -> None:
    message = thread_reply_message(make_mention(2, source="acme-alert", source_kind="google_alerts",
                                                title="Copy <!here>"), make_monitor())
    assert message["text"] == "Same story, also in acme-alert: Copy &lt;!here&gt;"
    assert message["blocks"][0]["text"]["text"] == (
        "*Same story, also in acme-alert (google_alerts)* (negative (-0.72), severity 0.60, 2026-03-02 08:30 CET)\n"
        "Copy &lt;!here&gt;")
    assert [e["action_id"] for e in message["blocks"][1]["elements"]] == ["hw_open_source"]


def test_storm_message() -> None:
    items = [make_mention(i, severity=1 - i / 10, title=f"Story {i} <!channel>") for i in range(8)]
    message = storm_message(make_monitor(), reason="40 new negative mentions in one run, more than the cap.",
                            total=40, items=items, in_thread=10, kibana=KIBANA,
                            since=datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert message["text"].startswith("Alert storm: 40 negative mentions of Acme Corp. 40 new")
    header, reason, top, actions, context = message["blocks"]
    assert reason["text"]["text"] == "40 new negative mentions in one run, more than the cap."
    assert header["text"]["text"] == "Alert storm: 40 negative mentions of Acme Corp"
    lines = top["text"]["text"].splitlines()
    assert lines[0] == "*Most severe*"
    assert lines[1] == "• *1.00* <https://news.example.com/acme-0|Story 0 &lt;!channel&gt;> · tech-news"
    assert len(lines) == 6  # the five most severe
    assert actions["elements"][0]["url"].startswith(
        "https://kibana.example.com/app/discover#/?_g=(time:(from:'2026-03-02T08:00:00Z',to:now))")
    assert context["elements"][0]["text"] == ("The 10 most severe follow in this thread with their buttons. "
                                              "The other 30 are marked suppressed: they are in the daily digest "
                                              "and in Kibana.")
    assert "<!channel>" not in json.dumps(message)


def test_kibana_search_url_quotes_the_query() -> None:
    url = kibana_search_url(KIBANA, "acme", datetime(2026, 3, 2, tzinfo=UTC))
    assert url == ("https://kibana.example.com/app/discover#/?_g=(time:(from:'2026-03-02T00:00:00Z',to:now))"
                   "&_a=(query:(language:kuery,query:'monitor:%22acme%22%20and%20sentiment_label:%22negative%22'))")


def test_triaged_blocks_adjust_buttons_and_add_one_status_line() -> None:
    blocks = alert_message(make_mention(), make_monitor(), kibana=KIBANA)["blocks"]
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    tz = ZoneInfo("Europe/Amsterdam")
    acked = triaged_blocks(blocks, status="acknowledged", user_id="U0ONCALL", at=at, tz=tz)
    actions = next(b for b in acked if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["hw_open_source", "hw_open_kibana",
                                                             "hw_false_positive", "hw_assign"]
    assert acked[-1] == {"type": "context", "block_id": "hw_status-acknowledged", "elements": [
        _md(":white_check_mark: Acknowledged by <@U0ONCALL> · 2026-03-02 11:00 CET")]}
    assigned = triaged_blocks(acked, status="assigned", user_id="U0OTHER", at=at, tz=tz)
    assert [b.get("block_id") for b in assigned].count("hw_status-assigned") == 1
    assert not any(str(b.get("block_id")).startswith("hw_status-ack") for b in assigned)
    actions = next(b for b in assigned if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["hw_open_source", "hw_open_kibana", "hw_ack",
                                                             "hw_false_positive"]
    assert actions["elements"][2]["style"] == "primary"
    false_pos = triaged_blocks(assigned, status="false_positive", user_id="<!channel>", at=at, tz=tz)
    actions = next(b for b in false_pos if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["hw_open_source", "hw_open_kibana"]
    assert "&lt;!channel&gt;" in false_pos[-1]["elements"][0]["text"]  # not a user id: escaped


def test_the_alert_says_why_it_was_raised_escaped() -> None:
    decision = {"alert": True, "label": "negative", "reasons": ["1-star review", "negative about <!channel>"],
                "text_label": "positive", "stars": 1.0}
    mention = make_mention(source_kind="review", extra={"decision": decision})
    message = alert_message(mention, make_monitor())
    assert message["text"].startswith("Alert (1-star review; negative about &lt;!channel&gt;) of Acme Corp in ")
    fields = message["blocks"][1]["fields"]
    assert fields[1] == _md("*Why*\n1-star review; negative about &lt;!channel&gt;")
