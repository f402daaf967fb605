"""Delivery through the outbox: the real SqliteStore, the real WebClient, the local Slack server."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hirewatch.alerts import deliver_alerts
from hirewatch.alerts.base import AlertReport
from hirewatch.alerts.slack_alerter import SlackAlerter
from hirewatch.alerts.slack_message import alert_message
from hirewatch.config import AlertRule, Monitor
from hirewatch.errors import StoreError
from hirewatch.mention import Mention, utcnow
from hirewatch.report import RunReport, SourceReport
from hirewatch.stores.base import DeliveryState
from hirewatch.stores.sqlite_store import SqliteStore

from tests.alerts.conftest import NOW, make_mention, make_monitor
from tests.support.slack_server import BOT_TOKEN, Answer, SlackServer, channel_id

INTERVAL = 0.05  # min_interval_s in these tests; the server refuses (429) anything faster per channel


def _alerter(slack: SlackServer, **options: object) -> SlackAlerter:
    slack.rate_limit_s = INTERVAL
    return SlackAlerter(BOT_TOKEN, base_url=slack.base_url, min_interval_s=INTERVAL, timeout_s=2,
                        **options)  # type: ignore[arg-type]


def _status(store: SqliteStore, mention: Mention) -> str:
    stored = store.get(mention.id)
    assert stored is not None
    return stored.alert.status


def _posted_ids(slack: SlackServer) -> Counter[str]:
    """Which mentions reached Slack, and how often (the triage buttons carry the mention id;
    a same-story reply names it in its context line)."""
    seen: Counter[str] = Counter()
    for message in slack.posted():
        blocks = message.args.get("blocks") or []
        ids = {e["value"] for b in blocks if b.get("type") == "actions" for e in b["elements"] if e.get("value")}
        if not ids:
            ids = {t.rsplit("id ", 1)[1] for b in blocks if b.get("type") == "context"
                   for t in [b["elements"][0]["text"]] if " · id " in t}
        seen.update(ids)
    return seen


def test_each_pending_negative_is_sent_once_and_marked(store: SqliteStore, slack: SlackServer) -> None:
    monitor = make_monitor()
    negatives = [make_mention(i) for i in range(3)]
    neutral = make_mention(10, sentiment_label="neutral", sentiment_score=0.1)
    rival = make_mention(11, is_competitor=True, employer="Globex")
    store.upsert_mentions([*negatives, neutral, rival])

    report = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)

    assert (report.pending, report.sent, report.failed, report.deferred) == (3, 3, 0, 0)
    posted = slack.posted()
    assert [m.channel for m in posted] == [channel_id("#ta-oncall")] * 3
    # the whole JSON Slack received for the first alert
    first = slack.calls("chat.postMessage")[0]
    assert json.loads(first.raw) == {"channel": "#ta-oncall", **alert_message(negatives[0], monitor)}
    for mention, message in zip(negatives, posted, strict=True):
        stored = store.get(mention.id)
        assert stored is not None
        assert (stored.alert.status, stored.alert.channel, stored.alert.ts) == ("sent", message.channel, message.ts)
    assert _status(store, neutral) == "none" and _status(store, rival) == "none"
    assert store.pending_alerts("acme") == []

    again = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert (again.pending, again.sent) == (0, 0)
    assert len(slack.posted()) == 3
    assert slack.rate_violations == []


@pytest.mark.parametrize("failure", ["500", "unreachable", "rate limited", "slow"])
def test_slack_failing_a_whole_run_then_recovering(store: SqliteStore, slack: SlackServer, failure: str) -> None:
    monitor = make_monitor()
    mentions = [make_mention(i) for i in range(6)]
    store.upsert_mentions(mentions)

    if failure == "500":
        with slack.outage():
            report = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    elif failure == "unreachable":
        with SlackServer() as gone:
            base_url = gone.base_url
        report = deliver_alerts(monitor, store, alerter=SlackAlerter(BOT_TOKEN, base_url=base_url, timeout_s=2),
                                now=NOW)
    elif failure == "rate limited":
        with slack.outage(Answer(status=429, headers={"Retry-After": "0"}, body={"ok": False, "error": "ratelimited"})):
            report = deliver_alerts(monitor, store, alerter=_alerter(slack, max_rate_limit_retries=1), now=NOW)
    else:
        slack.answer_next("chat.postMessage", Answer(delay_s=1.5, body={"ok": True, "channel": "C1", "ts": "1.1"}))
        report = deliver_alerts(monitor, store, alerter=SlackAlerter(BOT_TOKEN, base_url=slack.base_url,
                                                                     timeout_s=0.5), now=NOW)

    # one attempt, then the run stopped: nothing lost, nothing marked
    assert (report.sent, report.failed, report.deferred) == (0, 1, 5)
    assert report.errors
    assert [m.id for m in store.pending_alerts("acme")] == [m.id for m in mentions]
    first = store.get(mentions[0].id)
    assert first is not None and first.alert.attempts == 1 and first.alert.last_error
    accepted_before = len(slack.posted())  # the slow answer was accepted by the server after the timeout

    recovered = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert (recovered.sent, recovered.failed, recovered.deferred) == (6, 0, 0)
    assert store.pending_alerts("acme") == []
    new = slack.posted()[accepted_before:]
    assert sorted(_posted_ids_of(new)) == sorted(m.id for m in mentions)  # every one, exactly once
    deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert len(slack.posted()) == accepted_before + 6


def _posted_ids_of(messages: list) -> list[str]:
    return [next(e["value"] for b in m.args["blocks"] if b.get("type") == "actions" for e in b["elements"]
                 if e.get("value")) for m in messages]


class InjectedFailures(SqliteStore):
    """The real store, except that the writes (and the delivery-state read) named in ``failures``
    raise StoreError that many times first: the crash window between Slack's ok and a store
    write, which a real crash cannot produce inside a test process."""

    def __init__(self, path: Path, **failures: int) -> None:
        super().__init__(path)
        self.failures = dict(failures)

    def _fail(self, name: str) -> None:
        if self.failures.get(name):
            self.failures[name] -= 1
            raise StoreError(f"{name}: disk I/O error (injected)")

    def mark_alert_sent(self, mention_id: str, channel: str, ts: str, thread_ts: str | None = None) -> None:
        self._fail("mark_alert_sent")
        super().mark_alert_sent(mention_id, channel, ts, thread_ts)

    def mark_alert_suppressed(self, mention_ids: list[str], reason: str) -> None:
        self._fail("mark_alert_suppressed")
        super().mark_alert_suppressed(mention_ids, reason)

    def get_delivery_state(self, monitor: str) -> DeliveryState | None:
        self._fail("get_delivery_state")
        return super().get_delivery_state(monitor)


STORM = {"max_per_run": 10, "min_interval_s": INTERVAL}


def _burst(count: int = 50) -> list[Mention]:
    return [make_mention(i, severity=round(0.3 + (i * 7 % 50) / 100, 2)) for i in range(count)]


def _crashed(tmp_path: Path, slack: SlackServer, mentions: list[Mention], *, monitor: Monitor | None = None,
             now: datetime | None = None, **failures: int) -> tuple[InjectedFailures, Monitor, AlertReport]:
    """A store holding ``mentions`` after a first delivery run that ``failures`` cut short (by
    default the first mark after Slack's ok); returns the store, the monitor and that run's report."""
    store = InjectedFailures(tmp_path / "store.db", **(failures or {"mark_alert_sent": 1}))
    monitor = monitor or make_monitor()
    store.upsert_mentions(mentions)
    first = deliver_alerts(monitor, store, alerter=_alerter(slack), now=now or utcnow())
    return store, monitor, first


def test_crash_between_slack_ok_and_mark_is_found_in_slack_and_not_sent_again(tmp_path, slack: SlackServer) -> None:
    mentions = [make_mention(i) for i in range(4)]
    store, monitor, first = _crashed(tmp_path, slack, mentions, now=NOW)
    assert first.sent == 0 and first.deferred == 4 and "injected" in first.errors[0]
    second = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)  # a new process: no channel ids known
    assert (second.sent, second.reconciled) == (4, 1)
    counts = _posted_ids(slack)
    assert all(counts[m.id] == 1 for m in mentions), counts  # the one in the window was found, not re-sent
    [window] = [m for m in slack.posted() if _posted_ids_of([m]) == [mentions[0].id]]
    stored = store.get(mentions[0].id)
    assert stored is not None and stored.alert.ts == window.ts  # marked with the message Slack holds
    assert store.pending_alerts("acme") == []
    assert {c.method for c in slack.calls(ok=True)} >= {"conversations.list", "conversations.history"}
    third = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert third.pending == 0
    store.upsert_mentions([make_mention(9)])
    history_reads = len(slack.calls("conversations.history"))
    assert deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW).sent == 1
    assert len(slack.calls("conversations.history")) == history_reads  # the last run finished: no look
    store.close()


def test_without_history_scopes_the_alert_in_the_crash_window_is_sent_again_once(tmp_path,
                                                                                  slack: SlackServer) -> None:
    slack.history_scope_missing = True
    mentions = [make_mention(i) for i in range(4)]
    store, monitor, first = _crashed(tmp_path, slack, mentions, now=NOW)
    assert first.sent == 0 and first.deferred == 4
    second = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert (second.sent, second.reconciled) == (4, 0)
    assert any("channels:history" in note for note in second.notes), second.notes
    counts = _posted_ids(slack)
    assert counts[mentions[0].id] == 2  # the one in the window: sent again, once
    assert all(counts[m.id] == 1 for m in mentions[1:])
    assert store.pending_alerts("acme") == []
    store.close()


def test_slack_down_while_looking_sends_nothing_and_the_next_run_looks_again(tmp_path, slack: SlackServer) -> None:
    # real times here: the local Slack filters the history by when messages really arrived
    start = utcnow()
    store, monitor, _ = _crashed(tmp_path, slack, [make_mention(i) for i in range(3)], now=start)
    posts = len(slack.posted())
    slack.answer_next("conversations.list", Answer(status=500, raw=b"upstream error"))
    down = deliver_alerts(monitor, store, alerter=_alerter(slack), now=start + timedelta(hours=1))
    assert down.sent == 0 and down.deferred == 3 and len(slack.posted()) == posts
    again = deliver_alerts(monitor, store, alerter=_alerter(slack), now=start + timedelta(hours=2))
    # the look reaches back to the first unfinished run's start (an hour before the failed look's
    # start, further than the allowance for clock skew), so the alert in the window is found
    assert (again.sent, again.reconciled) == (3, 1)
    assert all(count == 1 for count in _posted_ids(slack).values())
    store.close()


def test_an_answer_lost_after_slack_took_the_message_is_not_posted_again(store: SqliteStore,
                                                                         slack: SlackServer) -> None:
    monitor = make_monitor()
    mentions = [make_mention(i) for i in range(2)]
    store.upsert_mentions(mentions)
    slack.drop_after_accept = 1
    first = deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    assert first.sent == 0 and first.failed == 1 and first.deferred == 1  # the second was not attempted
    assert len(slack.posted()) == 1  # taken by Slack, and not posted again by a retry within the run
    second = deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    assert (second.sent, second.reconciled) == (2, 1)
    assert sorted(_posted_ids(slack).values()) == [1, 1]


def test_a_channel_the_bot_cannot_read_falls_back_to_one_resend_and_says_so(tmp_path, slack: SlackServer) -> None:
    slack.not_member.add(channel_id("#ta-oncall"))  # posting with chat:write.public, never invited
    store, monitor, _ = _crashed(tmp_path, slack, [make_mention(i) for i in range(3)])
    second = deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    assert (second.sent, second.reconciled) == (3, 0)
    assert any("not_in_channel" in note and "must be in the channel" in note for note in second.notes), second.notes
    assert sorted(_posted_ids(slack).values()) == [1, 1, 2]
    store.close()


@pytest.mark.parametrize("failure", ["mark_alert_sent", "mark_alert_suppressed"], ids=["first-alert", "storm-message"])
def test_a_storm_cut_short_by_a_crash_continues_in_its_own_thread(tmp_path, slack: SlackServer, failure: str) -> None:
    mentions = _burst()
    store, monitor, first = _crashed(tmp_path, slack, mentions, monitor=make_monitor(**STORM), **{failure: 1})
    assert first.storm == "cap" and first.threaded == 0  # the storm message went out, then a write failed
    second = deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    posted = slack.posted()
    [storm] = [m for m in posted if m.thread_ts is None]  # no second storm message
    in_thread = [m for m in posted if m.thread_ts == storm.ts]
    most_severe = sorted(mentions, key=lambda m: -(m.severity or 0))[:10]
    assert sorted(_posted_ids_of(in_thread)) == sorted(m.id for m in most_severe)  # each once, all in its thread
    assert second.reconciled == (1 if failure == "mark_alert_sent" else 0) and store.pending_alerts("acme") == []
    assert Counter(_status(store, m) for m in mentions) == {"threaded": 10, "suppressed": 40}
    store.close()


def test_a_mark_failing_again_after_the_look_keeps_the_window_for_the_next_run(tmp_path, slack: SlackServer) -> None:
    start = utcnow()
    # the first run's mark fails, then the mark of what the second run found
    store, monitor, _ = _crashed(tmp_path, slack, [make_mention(i) for i in range(2)], now=start, mark_alert_sent=2)
    second = deliver_alerts(monitor, store, alerter=_alerter(slack), now=start + timedelta(hours=1))
    assert second.reconciled == 0 and any("injected" in e for e in second.errors)
    state = store.get_delivery_state("acme")
    assert state is not None and state.unreconciled_since == start
    third = deliver_alerts(monitor, store, alerter=_alerter(slack), now=start + timedelta(hours=2))
    assert third.reconciled == 1 and sorted(_posted_ids(slack).values()) == [1, 1]
    store.close()


def test_a_new_alert_after_a_storm_cut_short_is_not_hidden_in_that_storms_thread(tmp_path,
                                                                                  slack: SlackServer) -> None:
    store, monitor, _ = _crashed(tmp_path, slack, _burst(), monitor=make_monitor(**STORM), mark_alert_suppressed=1)
    news = make_mention(77, title="Acme CEO arrested")
    store.upsert_mentions([news])
    second = deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    [storm] = [m for m in slack.posted() if m.thread_ts is None and m.args["text"].startswith("Alert storm")]
    [mine] = [m for m in slack.posted() if m is not storm and _posted_ids_of([m]) == [news.id]]
    assert mine.thread_ts is None, "a new alert gets its own message, not a reply in an hour-old storm thread"
    assert len([m for m in slack.posted() if m.thread_ts == storm.ts]) == 10
    assert second.sent == 1 and store.pending_alerts("acme") == []
    store.close()


def test_an_unknown_refusal_of_the_look_does_not_hold_alerts_back(tmp_path, slack: SlackServer) -> None:
    store, monitor, _ = _crashed(tmp_path, slack, [make_mention(i) for i in range(2)])
    slack.answer_next("conversations.history", Answer(body={"ok": False, "error": "invalid_cursor"}))
    second = deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    assert second.sent == 2 and any("invalid_cursor" in note for note in second.notes), second.notes
    assert store.pending_alerts("acme") == []
    store.close()


def test_after_three_failed_looks_delivery_goes_on_without_one(tmp_path, slack: SlackServer) -> None:
    store, monitor, _ = _crashed(tmp_path, slack, [make_mention(i) for i in range(2)])
    reports = []
    for _ in range(3):
        slack.answer_next("conversations.list", Answer(status=503, raw=b"unavailable"))
        reports.append(deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow()))
    assert [r.sent for r in reports] == [0, 0, 2]  # held back twice, then posted with the documented re-send
    assert any("failed 3 times" in note for note in reports[2].notes), reports[2].notes
    assert sorted(_posted_ids(slack).values()) == [1, 2]
    store.close()


def test_an_unreadable_delivery_state_holds_the_run_back_instead_of_writing_over_it(tmp_path,
                                                                                     slack: SlackServer) -> None:
    store, monitor, _ = _crashed(tmp_path, slack, [make_mention(i) for i in range(2)])
    store.failures["get_delivery_state"] = 1  # a lock, a timeout
    held = deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    assert held.sent == 0 and held.deferred == 2 and "get_delivery_state" in held.errors[0]
    after = deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    assert (after.sent, after.reconciled) == (2, 1)
    assert sorted(_posted_ids(slack).values()) == [1, 1]
    store.close()


class FindAlertedFails(SqliteStore):
    def find_alerted(self, monitor: str, *, url: str | None = None, fingerprint: str | None = None) -> list:
        raise StoreError("find_alerted: timeout (injected)")


def test_a_store_error_while_routing_stops_the_run_without_raising(tmp_path, slack: SlackServer) -> None:
    store = FindAlertedFails(tmp_path / "store.db")
    store.upsert_mentions([make_mention(1)])
    report = deliver_alerts(make_monitor(), store, alerter=_alerter(slack), now=utcnow())
    assert report.sent == 0 and report.deferred == 1 and "injected" in report.errors[0]
    assert slack.posted() == []
    store.close()


def test_after_a_storm_cut_short_a_lowered_cap_still_holds(tmp_path, slack: SlackServer) -> None:
    store, _, _ = _crashed(tmp_path, slack, _burst(), monitor=make_monitor(**STORM), mark_alert_suppressed=1)
    store.upsert_mentions([make_mention(100 + i) for i in range(40)])
    lowered = make_monitor(max_per_run=3, min_interval_s=INTERVAL)
    second = deliver_alerts(lowered, store, alerter=_alerter(slack), now=utcnow())
    # the storm's 10 promised alerts go to its thread; the 40 new ones are a storm of their own, whose
    # thread gets none (the cap is spent), never 33 of them
    assert second.threaded == 10 and second.suppressed_by["storm"] == 40 + 40
    store.close()


@pytest.mark.parametrize("crash", [True, False], ids=["after-a-crash", "no-crash"])
def test_a_new_copy_of_a_story_the_storm_suppressed_is_posted(tmp_path, slack: SlackServer, crash: bool) -> None:
    burst = _burst()
    store, monitor, _ = _crashed(tmp_path, slack, burst, monitor=make_monitor(**STORM),
                                 mark_alert_suppressed=1 if crash else 0)
    least = min(burst, key=lambda m: m.severity or 0)  # announced as suppressed by the storm message
    copy = make_mention(500, fingerprint=least.fingerprint, severity=0.99, title="Acme CEO arrested (Reuters)")
    store.upsert_mentions([copy])
    deliver_alerts(monitor, store, alerter=_alerter(slack), now=utcnow())
    assert _posted_ids(slack)[copy.id] == 1 and _status(store, least) == "suppressed"
    store.close()


INJECTED = "<!channel> <!here> <@U0123ABC> <!subteam^S0001> <#C0001|general>"


def test_injected_mentions_never_reach_slack_unescaped(store: SqliteStore, slack: SlackServer) -> None:
    monitor = make_monitor()
    evil = make_mention(1, title=f"Acme {INJECTED}", text=f"Read this {INJECTED} now", author=INJECTED,
                        topics=("<!channel>",), matched_terms=("Acme <!here>",))
    copy = make_mention(2, title=f"Copy {INJECTED}", fingerprint=evil.fingerprint, source="feed <!channel>")
    store.upsert_mentions([evil, copy])
    report = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert (report.sent, report.threaded) == (1, 1)
    raw = b"".join(call.raw for call in slack.calls("chat.postMessage"))
    for bad in (b"<!channel>", b"<!here>", b"<@U", b"<!subteam", b"<#C"):
        assert bad not in raw
    assert raw.count(b"&lt;!channel&gt;") >= 4
    for call in slack.calls("chat.postMessage"):
        assert json.loads(call.raw)["link_names"] is False


def test_storm_50_negatives_cap_10(store: SqliteStore, slack: SlackServer) -> None:
    monitor = make_monitor(max_per_run=10, min_interval_s=INTERVAL)
    mentions = [make_mention(i, severity=round(0.3 + (i * 7 % 50) / 100, 2)) for i in range(50)]
    store.upsert_mentions(mentions)

    report = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)

    posted = slack.posted()
    top_level = [m for m in posted if m.thread_ts is None]
    assert len(top_level) == 1 and len(posted) <= 11  # one storm message, at most 10 alerts
    storm = top_level[0]
    assert storm.args["text"].startswith("Alert storm: 50 negative mentions of Acme Corp. 50 new negative "
                                         "mentions in one run, more than the cap of 10")
    in_thread = [m for m in posted if m.thread_ts == storm.ts]
    assert len(in_thread) == 10
    most_severe = sorted(mentions, key=lambda m: -(m.severity or 0))[:10]
    assert set(_posted_ids_of(in_thread)) == {m.id for m in most_severe}
    assert report.storm == "cap" and (report.threaded, report.suppressed_by["storm"]) == (10, 40)
    statuses = Counter(_status(store, m) for m in mentions)
    assert statuses == {"threaded": 10, "suppressed": 40}
    # the per-channel rate never exceeded the limit (the server checks arrival times)
    assert slack.rate_violations == []
    assert min(slack.min_gap_per_channel().values()) >= INTERVAL


def test_storm_over_two_channels_sends_one_storm_message_each(store: SqliteStore, slack: SlackServer) -> None:
    rules = (AlertRule(channel="#people-leads", topics=("layoffs",)),)
    monitor = make_monitor(rules=rules, max_per_run=4)
    layoffs = [make_mention(i, topics=("layoffs",), severity=0.9) for i in range(3)]
    interviews = [make_mention(10 + i, severity=0.5) for i in range(5)]
    store.upsert_mentions([*layoffs, *interviews])
    report = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    storms = [m for m in slack.posted() if m.thread_ts is None]
    assert [m.channel for m in storms] == [channel_id("#people-leads"), channel_id("#ta-oncall")]
    assert [m.args["blocks"][0]["text"]["text"] for m in storms] == [
        "Alert storm: 3 negative mentions of Acme Corp", "Alert storm: 5 negative mentions of Acme Corp"]
    assert report.threaded == 4 and report.suppressed_by["storm"] == 4
    assert slack.rate_violations == []


def test_rate_storm_against_the_baseline(store: SqliteStore, slack: SlackServer) -> None:
    monitor = make_monitor(max_per_run=10, storm_factor=5)
    for i in range(42):  # a week of one negative every four hours
        store.record_run(RunReport(monitor="acme", started=NOW - timedelta(hours=4 * (i + 1)),
                                   finished=NOW - timedelta(hours=4 * (i + 1)),
                                   sources=[SourceReport(source="tech-news", kind="rss", negatives=1)]))
    burst = [make_mention(i) for i in range(6)]
    store.upsert_mentions(burst)
    report = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert report.storm == "rate"
    top_level = [m for m in slack.posted() if m.thread_ts is None]
    assert len(top_level) == 1 and "usual rate is 0.2 an hour" in top_level[0].args["text"]
    assert report.threaded == 6  # within the cap: all in the storm's thread, one notification


def test_same_story_goes_into_the_first_alerts_thread(store: SqliteStore, slack: SlackServer) -> None:
    monitor = make_monitor()
    alerter = _alerter(slack)  # one alerter for both runs: real runs are minutes apart, these are not
    original = make_mention(1, fingerprint="story-a")
    store.upsert_mentions([original])
    deliver_alerts(monitor, store, alerter=alerter, now=NOW)
    root = store.get(original.id)
    assert root is not None and root.alert.status == "sent"

    later = make_mention(2, fingerprint="story-a", source="acme-alert", source_kind="google_alerts")
    fresh = make_mention(3, fingerprint="story-b")
    fresh_copy = make_mention(4, fingerprint="story-b")
    store.upsert_mentions([later, fresh, fresh_copy])
    report = deliver_alerts(monitor, store, alerter=alerter, now=NOW)
    assert (report.sent, report.threaded) == (1, 2)

    stored_later = store.get(later.id)
    assert stored_later is not None
    assert (stored_later.alert.status, stored_later.alert.thread_ts) == ("threaded", root.alert.ts)
    reply = next(m for m in slack.posted() if m.thread_ts == root.alert.ts)
    assert reply.args["text"].startswith("Same story, also in acme-alert")
    fresh_root = store.get(fresh.id)
    copy = store.get(fresh_copy.id)
    assert fresh_root is not None and copy is not None
    assert fresh_root.alert.status == "sent" and copy.alert.thread_ts == fresh_root.alert.ts
    assert slack.rate_violations == []  # a reply to the kept channel id and a post to its name are paced as one


def test_unrouted_mentions_are_suppressed_not_sent(store: SqliteStore, slack: SlackServer) -> None:
    monitor = make_monitor(rules=(AlertRule(channel="#people-leads", topics=("layoffs",)),), default_channel=None)
    layoff = make_mention(1, topics=("layoffs",))
    interview = make_mention(2)
    store.upsert_mentions([layoff, interview])
    report = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert report.sent == 1 and report.suppressed_by == {"unrouted": 1}
    stored = store.get(interview.id)
    assert stored is not None and (stored.alert.status, stored.alert.last_error) == ("suppressed", "unrouted")
    assert [m.channel for m in slack.posted()] == [channel_id("#people-leads")]


def test_a_refused_channel_fails_its_mentions_and_the_rest_go_on(store: SqliteStore, slack: SlackServer) -> None:
    slack.refused_channels["#gone"] = "channel_not_found"
    monitor = make_monitor(rules=(AlertRule(channel="#gone", topics=("layoffs",)),))
    gone = [make_mention(i, topics=("layoffs",)) for i in range(3)]
    fine = [make_mention(10 + i) for i in range(2)]
    store.upsert_mentions([*gone, *fine])
    report = deliver_alerts(monitor, store, alerter=_alerter(slack), now=NOW)
    assert (report.sent, report.failed, report.deferred) == (2, 3, 0)
    assert len(slack.calls("chat.postMessage", ok=False)) == 1  # the channel is not asked again this run
    assert {m.id for m in store.pending_alerts("acme")} == {m.id for m in gone}
    stored = store.get(gone[2].id)
    assert stored is not None and "channel_not_found" in (stored.alert.last_error or "")


def test_thread_replies_beyond_the_cap_are_suppressed(store: SqliteStore, slack: SlackServer) -> None:
    monitor = make_monitor(max_per_run=3)
    alerter = _alerter(slack)  # one alerter for both runs: real runs are minutes apart, these are not
    original = make_mention(1, fingerprint="story")
    store.upsert_mentions([original])
    deliver_alerts(monitor, store, alerter=alerter, now=NOW)
    copies = [make_mention(10 + i, fingerprint="story") for i in range(5)]
    store.upsert_mentions(copies)
    report = deliver_alerts(monitor, store, alerter=alerter, now=NOW)
    assert report.threaded == 3 and report.suppressed_by == {"cap": 2}
    assert report.storm is None and slack.rate_violations == []


def test_alerts_disabled_suppresses(store: SqliteStore, slack: SlackServer) -> None:
    store.upsert_mentions([make_mention(1)])
    report = deliver_alerts(make_monitor(enabled=False), store, alerter=_alerter(slack), now=NOW)
    assert report.suppressed_by == {"disabled": 1} and slack.posted() == []


def test_without_a_token_it_prints_and_changes_nothing(store: SqliteStore, capsys: pytest.CaptureFixture[str]) -> None:
    monitor = make_monitor(rules=(AlertRule(channel="#people-leads", topics=("layoffs",)),), default_channel=None)
    mentions = [make_mention(1, topics=("layoffs",), title="Layoffs <!channel>"), make_mention(2)]
    store.upsert_mentions(mentions)
    report = deliver_alerts(monitor, store, now=NOW)  # no HIREWATCH_SLACK_TOKEN in the tests' environment
    out = capsys.readouterr().err  # stdout is the command's own (run --json)
    assert report.dry_run and report.alerter == "dry_run"
    assert (report.sent, report.would_send, report.suppressed_by) == (0, 1, {"unrouted": 1})
    assert report.notes[0].startswith("dry run: no Slack token") and "2 alerts stay pending" in report.notes[0]
    assert "would post to #people-leads: Negative mention of Acme Corp in tech-news: Layoffs &lt;!channel&gt;" in out
    assert [m.id for m in store.pending_alerts("acme")] == [m.id for m in mentions]  # nothing marked


def test_with_the_token_in_the_environment_it_sends(store: SqliteStore, slack: SlackServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
    monkeypatch.setenv("HIREWATCH_KIBANA_URL", "https://kibana.example.com/")
    store.upsert_mentions([make_mention(1)])
    report = deliver_alerts(make_monitor(), store, now=NOW)
    assert report.alerter == "slack" and report.sent == 1
    buttons = [e for b in slack.posted()[0].args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any(e.get("url", "").startswith("https://kibana.example.com/app/discover#/doc/") for e in buttons)


def test_a_near_duplicate_copy_goes_into_the_first_alerts_thread(store: SqliteStore, slack: SlackServer) -> None:
    from hirewatch.dedupe.fingerprint import fingerprint

    story = ("After four rounds of interviews and a take-home assessment, an applicant says Acme never replied "
             "again. The recruiter stopped answering emails; no feedback, nothing. It was humiliating.")
    copy = story + " Read more on our partner site."
    assert fingerprint(story) != fingerprint(copy)  # not the same fingerprint: only near
    monitor = make_monitor()
    alerter = _alerter(slack)
    original = make_mention(1, text=story, fingerprint=fingerprint(story))
    store.upsert_mentions([original])
    deliver_alerts(monitor, store, alerter=alerter, now=NOW)
    root = store.get(original.id)
    assert root is not None and root.alert.status == "sent"

    syndicated = make_mention(2, text=copy, fingerprint=fingerprint(copy), source="acme-alert")
    unrelated = make_mention(3, text="Acme opens a warehouse in Tilburg and praises its drivers' training.",
                             fingerprint=fingerprint("Acme opens a warehouse in Tilburg and praises its drivers."))
    store.upsert_mentions([syndicated, unrelated])
    report = deliver_alerts(monitor, store, alerter=alerter, now=NOW)
    assert (report.sent, report.threaded) == (1, 1)
    stored = store.get(syndicated.id)
    assert stored is not None and (stored.alert.status, stored.alert.thread_ts) == ("threaded", root.alert.ts)
    other = store.get(unrelated.id)
    assert other is not None and other.alert.status == "sent" and other.alert.thread_ts is None
