"""The Slack alerter: the real slack_sdk WebClient against the local Slack Web API server."""

from __future__ import annotations

import json
import time

import pytest
from hirewatch.alerts import alerter_class, default_alerter
from hirewatch.alerts.base import Posted, SlackRefused, SlackUnavailable
from hirewatch.alerts.dry_run_alerter import DryRunAlerter
from hirewatch.alerts.slack_alerter import SlackAlerter
from hirewatch.alerts.slack_message import alert_message
from pydantic import SecretStr

from tests.alerts.conftest import make_mention, make_monitor
from tests.support.slack_server import BOT_TOKEN, Answer, SlackServer, channel_id

MESSAGE = {"text": "hello", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]}


def _alerter(slack: SlackServer, **options: object) -> SlackAlerter:
    return SlackAlerter(SecretStr(BOT_TOKEN), base_url=slack.base_url, **options)  # type: ignore[arg-type]


def test_posts_the_exact_message_and_keeps_channel_and_ts(slack: SlackServer) -> None:
    message = alert_message(make_mention(), make_monitor())
    posted = _alerter(slack, min_interval_s=0).post("#ta-oncall", message)
    assert posted == Posted(channel_id("#ta-oncall"), slack.posted()[0].ts)
    (call,) = slack.calls("chat.postMessage")
    assert call.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert json.loads(call.raw) == {"channel": "#ta-oncall", **message}


def test_thread_reply_carries_thread_ts(slack: SlackServer) -> None:
    alerter = _alerter(slack, min_interval_s=0)
    first = alerter.post("#ta-oncall", MESSAGE)
    alerter.post(first.channel, MESSAGE, thread_ts=first.ts)
    assert slack.posted()[1].thread_ts == first.ts
    assert json.loads(slack.calls("chat.postMessage")[1].raw)["thread_ts"] == first.ts


def test_paces_each_channel(slack: SlackServer) -> None:
    slack.rate_limit_s = 0.1  # the server answers 429 to anything faster
    alerter = _alerter(slack, min_interval_s=0.1)
    for _ in range(4):
        alerter.post("#ta-oncall", MESSAGE)
        alerter.post("#people-leads", MESSAGE)
    assert slack.rate_violations == []
    gaps = slack.min_gap_per_channel()
    assert set(gaps) == {channel_id("#ta-oncall"), channel_id("#people-leads")}
    assert min(gaps.values()) >= 0.1


def test_pacing_knows_a_channel_by_name_and_by_id(slack: SlackServer) -> None:
    slack.rate_limit_s = 0.1
    alerter = _alerter(slack, min_interval_s=0.1)
    first = alerter.post("#ta-oncall", MESSAGE)
    alerter.post(first.channel, MESSAGE, thread_ts=first.ts)  # Slack's id for the same channel
    assert slack.rate_violations == []


def test_429_is_answered_by_waiting_retry_after(slack: SlackServer) -> None:
    slack.answer_next("chat.postMessage", Answer(status=429, headers={"Retry-After": "1"},
                                                 body={"ok": False, "error": "ratelimited"}))
    started = time.monotonic()
    posted = _alerter(slack, min_interval_s=0).post("#ta-oncall", MESSAGE)
    calls = slack.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0  # slack-sdk's RateLimitErrorRetryHandler waited Retry-After
    assert time.monotonic() - started < 5
    assert posted.ts == slack.posted()[0].ts


def test_still_rate_limited_after_the_retries_is_unavailable(slack: SlackServer) -> None:
    slack.answer_next("chat.postMessage", *[Answer(status=429, headers={"Retry-After": "0"},
                                                   body={"ok": False, "error": "ratelimited"})] * 2)
    with pytest.raises(SlackUnavailable, match="429"):
        _alerter(slack, min_interval_s=0, max_rate_limit_retries=1).post("#ta-oncall", MESSAGE)


def test_server_error_is_unavailable(slack: SlackServer) -> None:
    with slack.outage(), pytest.raises(SlackUnavailable, match="HTTP 500"):
        _alerter(slack).post("#ta-oncall", MESSAGE)


def test_slow_slack_times_out_as_unavailable(slack: SlackServer) -> None:
    slack.answer_next("chat.postMessage", Answer(delay_s=2, body={"ok": True, "channel": "C1", "ts": "1.0"}))
    with pytest.raises(SlackUnavailable, match="reached"):
        _alerter(slack, timeout_s=0.5).post("#ta-oncall", MESSAGE)


def test_unreachable_slack_is_unavailable() -> None:
    with SlackServer() as gone:
        base_url = gone.base_url
    with pytest.raises(SlackUnavailable, match="reached"):
        SlackAlerter(BOT_TOKEN, base_url=base_url, timeout_s=2).post("#ta-oncall", MESSAGE)


def test_refusals(slack: SlackServer) -> None:
    slack.refused_channels["#gone"] = "channel_not_found"
    slack.answer_next("chat.postMessage", Answer(body={"ok": False, "error": "invalid_blocks"}))
    alerter = _alerter(slack, min_interval_s=0)
    with pytest.raises(SlackRefused) as one:
        alerter.post("#ta-oncall", MESSAGE)
    assert (one.value.code, one.value.channel_wide) == ("invalid_blocks", False)
    with pytest.raises(SlackRefused) as channel:
        alerter.post("#gone", MESSAGE)
    assert (channel.value.code, channel.value.channel_wide) == ("channel_not_found", True)


def test_a_wrong_token_is_unavailable_and_never_shown() -> None:
    with SlackServer(token="xoxb-the-right-one") as slack:
        alerter = SlackAlerter(SecretStr("xoxb-secret-wrong-token"), base_url=slack.base_url)
        with pytest.raises(SlackUnavailable) as exc:
            alerter.post("#ta-oncall", MESSAGE)
    assert "invalid_auth" in str(exc.value)
    assert "xoxb-secret" not in str(exc.value) and "xoxb-secret" not in repr(alerter)


def test_registry_and_default_alerter(monkeypatch: pytest.MonkeyPatch, slack: SlackServer) -> None:
    assert alerter_class("slack") is SlackAlerter
    assert alerter_class("dry_run") is DryRunAlerter
    with pytest.raises(KeyError, match="known: dry_run, slack"):
        alerter_class("pager")
    monitor = make_monitor(min_interval_s=0.25)
    assert isinstance(default_alerter(monitor), DryRunAlerter)  # no token
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
    alerter = default_alerter(monitor)
    assert isinstance(alerter, SlackAlerter) and alerter.pacer.min_interval_s == 0.25
    alerter.post("#ta-oncall", MESSAGE)
    assert len(slack.posted()) == 1


def test_dry_run_prints_what_it_would_send(capsys: pytest.CaptureFixture[str]) -> None:
    alerter = DryRunAlerter()
    message = alert_message(make_mention(title="Bad [bold]interview[/bold] <!channel>"), make_monitor())
    posted = alerter.post("#ta-oncall", message)
    captured = capsys.readouterr()
    out = captured.err
    assert captured.out == "", "stdout stays for the command's own output (run --json)"
    assert posted == Posted("#ta-oncall", "dry-run.000001")
    assert "would post to #ta-oncall" in out
    assert "Bad [bold]interview[/bold] &lt;!channel&gt;" in out  # rich markup in crawled text is shown, not run
    assert "[Acknowledge]" in out and "https://news.example.com/acme-1" in out


def test_find_posted_reads_alerts_back_from_history_threads_and_pages(slack: SlackServer) -> None:
    from datetime import UTC, datetime, timedelta

    from hirewatch.alerts.base import Found
    from hirewatch.alerts.slack_message import storm_message, thread_reply_message

    monitor = make_monitor()
    other = monitor.model_copy(update={"name": "other"})
    mentions = [make_mention(i) for i in range(8)]
    extra = make_mention(50)  # in the storm's burst, marked suppressed
    poster = _alerter(slack, min_interval_s=0)
    old_alert = poster.post("#ta-oncall", alert_message(mentions[0], monitor))
    since = datetime.now(UTC)
    slack.messages[0].posted_at -= 3600  # posted an hour before the unfinished run started
    top = [poster.post("#ta-oncall", alert_message(m, monitor)) for m in mentions[1:5]]  # more than a page
    storm = poster.post("#ta-oncall", storm_message(monitor, reason="burst", total=3, items=[*mentions[5:7], extra],
                                                     in_thread=2, thread_ids=[m.id for m in mentions[5:7]],
                                                     suppressed_ids=[extra.id]))
    in_storm = [poster.post("#ta-oncall", alert_message(m, monitor), thread_ts=storm.ts) for m in mentions[5:7]]
    late_copy = poster.post("#ta-oncall", thread_reply_message(mentions[7], monitor), thread_ts=old_alert.ts)
    poster.post("#ta-oncall", alert_message(make_mention(99), other))  # another monitor's alert
    poster.post("#ta-oncall", MESSAGE)  # not hirewatch's: no metadata

    fresh = _alerter(slack)  # a new process: the channel id comes from conversations.list
    lookup = fresh.find_posted({"#ta-oncall"}, {("#ta-oncall", old_alert.ts)}, since, monitor=monitor.name)
    assert lookup is not None and lookup.unreadable == []
    cid = channel_id("#ta-oncall")
    assert lookup.storm_thread == {m.id: Found(cid, storm.ts) for m in mentions[5:7]}
    assert lookup.storm_suppressed == {extra.id}
    assert lookup.found == {
        **{m.id: Found(cid, p.ts) for m, p in zip(mentions[1:5], top, strict=True)},
        **{m.id: Found(cid, p.ts, storm.ts) for m, p in zip(mentions[5:7], in_storm, strict=True)},
        mentions[7].id: Found(cid, late_copy.ts, old_alert.ts),
    }  # not mentions[0]: posted before the window
    assert len(slack.calls("conversations.history", ok=True)) >= 3  # pages of 3 followed by the cursor
    assert all(c.args.get("include_all_metadata") in ("1", "true", "True")
               for c in slack.calls("conversations.history"))
    # an older window finds the first alert too
    older = fresh.find_posted({"#ta-oncall"}, set(), since - timedelta(hours=2))
    assert older is not None and mentions[0].id in older.found


def test_find_posted_without_history_scopes_names_what_it_could_not_read(slack: SlackServer) -> None:
    from datetime import UTC, datetime

    slack.history_scope_missing = True
    alerter = _alerter(slack, min_interval_s=0)
    posted = alerter.post("#ta-oncall", alert_message(make_mention(), make_monitor()))
    lookup = alerter.find_posted({"#ta-oncall", posted.channel}, set(), datetime.now(UTC))
    assert lookup is not None and lookup.found == {}
    assert len(lookup.unreadable) == 2 and all("missing_scope" in u for u in lookup.unreadable), lookup.unreadable
    with slack.outage():
        with pytest.raises(SlackUnavailable):
            alerter.find_posted({"#ta-oncall"}, set(), datetime.now(UTC))


def test_find_posted_skips_a_thread_it_cannot_read_and_reads_the_rest(slack: SlackServer) -> None:
    from datetime import UTC, datetime, timedelta

    monitor = make_monitor()
    poster = _alerter(slack, min_interval_s=0)
    since = datetime.now(UTC) - timedelta(seconds=1)
    kept = poster.post("#ta-oncall", alert_message(make_mention(1), monitor))
    lookup = _alerter(slack).find_posted({"#ta-oncall"}, {("#ta-oncall", "1690000000.000001")}, since,
                                         monitor=monitor.name)  # an alert deleted from the channel since
    assert lookup is not None and [f.ts for f in lookup.found.values()] == [kept.ts]
    assert len(lookup.unreadable) == 1 and "thread_not_found" in lookup.unreadable[0]
