"""The MentionStore contract, run against every store in ``conftest.STORES`` (the ``store`` fixture).

Every method of :class:`hirewatch.stores.base.MentionStore` is exercised here; store-specific
behaviour (schema versions, FTS details, concurrency, bulk failures) lives in each store's own file.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hirewatch.errors import StoreError
from hirewatch.records import CrawlState, RatingPoint
from hirewatch.report import RunReport, SourceReport
from hirewatch.stores.base import AlertState, MentionQuery, MentionStore, UpsertResult

from tests.stores.conftest import T0, make_mention


def _ids(stored) -> list[str]:
    return [s.mention.id for s in stored]


def test_store_satisfies_the_protocol(store: MentionStore) -> None:
    assert isinstance(store, MentionStore)


# -- upsert


def test_upsert_new_round_trips_every_field(store: MentionStore) -> None:
    mention = make_mention(
        "full", published=T0 - timedelta(hours=3), sentiment_label="negative", sentiment_score=-0.72,
        topics=("interview", "ghosting"), topic_sentiment={"interview": -0.8, "ghosting": -0.6},
        severity=0.9, matched_terms=("Acme", "Acme Corp"), language="nl", author=None,
        extra={"rating": 2.0, "review_site": "glassdoor", "role": "Engineer", "nested": {"a": [1, 2]}},
    )
    result = store.upsert_mentions([mention])
    assert result == UpsertResult(new=(mention.id,))
    stored = store.get(mention.id)
    assert stored is not None
    assert stored.mention == mention
    assert stored.alert.status == "pending"
    assert stored.alert.attempts == 0 and stored.alert.triage == "open"
    assert store.count() == 1 and store.count("acme") == 1 and store.count("other") == 0


def test_get_unknown_is_none(store: MentionStore) -> None:
    assert store.get("no-such-id") is None


@pytest.mark.parametrize(("label", "competitor", "expected"), [
    ("negative", False, "pending"),
    ("negative", True, "none"),
    ("neutral", False, "none"),
    ("positive", False, "none"),
    (None, False, "none"),
])
def test_initial_alert_status(store: MentionStore, label, competitor, expected) -> None:
    mention = make_mention("s", sentiment_label=label, is_competitor=competitor)
    store.upsert_mentions([mention])
    assert store.get(mention.id).alert.status == expected


def test_reupsert_updates_content_and_merges_sources(store: MentionStore) -> None:
    first = make_mention("same", source="feed-a", sources=("feed-a",))
    assert store.upsert_mentions([first]).new == (first.id,)
    later = first.with_(source="feed-b", sources=("feed-b",), title="Story same (updated)",
                        fetched=T0 + timedelta(hours=5), sentiment_score=0.3)
    result = store.upsert_mentions([later])
    assert result.new == () and result.updated == (first.id,)
    assert store.count() == 1
    stored = store.get(first.id).mention
    assert stored.sources == ("feed-a", "feed-b")
    assert stored.title == "Story same (updated)" and stored.sentiment_score == 0.3
    assert stored.fetched == T0, "fetched is when the mention was first seen"
    assert stored.source == "feed-a", "the source that first saw it, whose run counted it as new"
    # the same source again adds nothing
    store.upsert_mentions([later])
    assert store.get(first.id).mention.sources == ("feed-a", "feed-b")


def test_same_mention_twice_in_one_batch_is_one_mention_with_both_sources(store: MentionStore) -> None:
    a = make_mention("dup", source="feed-a", sources=("feed-a",))
    b = a.with_(source="feed-b", sources=("feed-b",))
    result = store.upsert_mentions([a, b])
    assert result.new == (a.id,) and not result.failed
    assert store.count() == 1
    assert set(store.get(a.id).mention.sources) == {"feed-a", "feed-b"}
    assert store.get(a.id).mention.source == "feed-a"


def test_reupsert_never_touches_alert_or_triage_state(store: MentionStore) -> None:
    neg = make_mention("neg", sentiment_label="negative")
    store.upsert_mentions([neg])
    store.mark_alert_sent(neg.id, "C0ONCALL", "1714550400.000100")
    store.set_triage(neg.id, "acknowledged", "U123")
    before = store.get(neg.id).alert
    # re-scored as neutral, seen in another source: alert and triage stay as they were
    store.upsert_mentions([neg.with_(sentiment_label="neutral", source="feed-b", sources=("feed-b",))])
    after = store.get(neg.id)
    assert after.alert == before
    assert after.alert.status == "sent" and after.alert.ts == "1714550400.000100"
    assert after.mention.sentiment_label == "neutral"


def test_reupsert_keeps_pending_failures_and_suppression(store: MentionStore) -> None:
    a, b = make_mention("a", sentiment_label="negative"), make_mention("b", sentiment_label="negative")
    store.upsert_mentions([a, b])
    store.record_alert_failure(a.id, "ratelimited")
    store.mark_alert_suppressed([b.id], "storm")
    store.upsert_mentions([a, b])
    assert store.get(a.id).alert.status == "pending" and store.get(a.id).alert.attempts == 1
    assert store.get(b.id).alert.status == "suppressed"


def test_neutral_later_rescored_negative_does_not_start_an_alert(store: MentionStore) -> None:
    m = make_mention("late", sentiment_label="neutral")
    store.upsert_mentions([m])
    store.upsert_mentions([m.with_(sentiment_label="negative")])
    assert store.get(m.id).alert.status == "none"


def test_outbox_after_a_rerun_holds_exactly_the_unsent_alerts(store: MentionStore) -> None:
    """What the alerter reads (pending_alerts, a search in Elasticsearch) after the next run sees
    every mention again: sent, threaded and suppressed ones stay out, a failed one stays in with
    its attempts, and only the new negative joins."""
    kinds = ("sent", "threaded", "suppressed", "failing", "waiting")
    first = [make_mention(k, sentiment_label="negative", fetched=T0 + timedelta(minutes=i))
             for i, k in enumerate(kinds)]
    quiet = [make_mention("rival", sentiment_label="negative", is_competitor=True), make_mention("calm")]
    store.upsert_mentions([*first, *quiet])
    sent, threaded, suppressed, failing, waiting = first
    store.mark_alert_sent(sent.id, "C0ONCALL", "100.1")
    store.mark_alert_sent(threaded.id, "C0ONCALL", "100.2", thread_ts="100.1")
    store.mark_alert_suppressed([suppressed.id], "storm")
    store.record_alert_failure(failing.id, "ratelimited")
    before = {m.id: store.get(m.id).alert for m in first}

    later = make_mention("later", sentiment_label="negative", fetched=T0 + timedelta(hours=1))
    rerun = [m.with_(source="feed-b", sources=("feed-b",), fetched=T0 + timedelta(hours=1))
             for m in (*first, *quiet)]
    result = store.upsert_mentions([*rerun, later])
    assert result.new == (later.id,) and len(result.updated) == len(rerun)
    assert [m.id for m in store.pending_alerts("acme")] == [failing.id, waiting.id, later.id]
    assert {m.id: store.get(m.id).alert for m in first} == before
    assert store.get(threaded.id).alert.thread_ts == "100.1" and store.get(failing.id).alert.attempts == 1
    assert store.get(waiting.id).mention.sources == ("feed-a", "feed-b")


def test_upsert_many_counts_new_and_updated(store: MentionStore) -> None:
    batch = [make_mention(f"m{i}") for i in range(1200)]
    result = store.upsert_mentions(iter(batch[:700]))
    assert len(result.new) == 700 and not result.updated and not result.failed
    result = store.upsert_mentions(iter(batch))
    assert len(result.new) == 500 and len(result.updated) == 700
    assert set(result.new) == {m.id for m in batch[700:]}
    assert store.count() == 1200


def test_same_id_in_two_chunks_of_one_call_is_reported_once(store: MentionStore) -> None:
    head = make_mention("head", source="feed-a", sentiment_label="negative")
    filler = [make_mention(f"f{i}") for i in range(600)]
    result = store.upsert_mentions([head, *filler, head.with_(source="feed-b", sources=("feed-b",))])
    assert len(result.new) == 601 and result.updated == ()
    assert set(store.get(head.id).mention.sources) == {"feed-a", "feed-b"}
    assert [m.id for m in store.pending_alerts("acme")] == [head.id], "one alert, still pending"


def test_upsert_nothing(store: MentionStore) -> None:
    assert store.upsert_mentions([]) == UpsertResult()


# -- outbox and triage


def test_pending_alerts_oldest_first_per_monitor(store: MentionStore) -> None:
    older = make_mention("older", sentiment_label="negative", fetched=T0)
    newer = make_mention("newer", sentiment_label="negative", fetched=T0 + timedelta(minutes=5))
    other = make_mention("other", monitor="globex", employer="Globex", sentiment_label="negative")
    neutral = make_mention("calm")
    store.upsert_mentions([newer, neutral, other, older])
    assert [m.id for m in store.pending_alerts("acme")] == [older.id, newer.id]
    assert [m.id for m in store.pending_alerts("acme", limit=1)] == [older.id]
    assert [m.id for m in store.pending_alerts("globex")] == [other.id]
    assert store.pending_alerts("nobody") == []


def test_pending_to_sent(store: MentionStore) -> None:
    m = make_mention("x", sentiment_label="negative")
    store.upsert_mentions([m])
    store.mark_alert_sent(m.id, "C0ONCALL", "111.222")
    alert = store.get(m.id).alert
    assert (alert.status, alert.channel, alert.ts, alert.thread_ts) == ("sent", "C0ONCALL", "111.222", None)
    assert alert.sent_at is not None and alert.sent_at.tzinfo is not None
    assert store.pending_alerts("acme") == []


def test_sent_in_thread_is_threaded(store: MentionStore) -> None:
    m = make_mention("x", sentiment_label="negative")
    store.upsert_mentions([m])
    store.mark_alert_sent(m.id, "C0ONCALL", "333.444", thread_ts="111.222")
    alert = store.get(m.id).alert
    assert (alert.status, alert.ts, alert.thread_ts) == ("threaded", "333.444", "111.222")


def test_suppressed(store: MentionStore) -> None:
    ms = [make_mention(f"s{i}", sentiment_label="negative") for i in range(3)]
    store.upsert_mentions(ms)
    store.mark_alert_suppressed([ms[0].id, ms[1].id], "storm: 40 negatives in 10 minutes")
    assert store.get(ms[0].id).alert.status == "suppressed"
    assert store.get(ms[0].id).alert.last_error == "storm: 40 negatives in 10 minutes"
    assert [m.id for m in store.pending_alerts("acme")] == [ms[2].id]
    store.mark_alert_suppressed([], "nothing")  # no ids: no-op


def test_failures_are_counted_and_stay_pending(store: MentionStore) -> None:
    m = make_mention("f", sentiment_label="negative")
    store.upsert_mentions([m])
    store.record_alert_failure(m.id, "ratelimited")
    store.record_alert_failure(m.id, "channel_not_found")
    alert = store.get(m.id).alert
    assert (alert.status, alert.attempts, alert.last_error) == ("pending", 2, "channel_not_found")
    assert [p.id for p in store.pending_alerts("acme")] == [m.id]
    store.mark_alert_sent(m.id, "C1", "1.2")
    alert = store.get(m.id).alert
    assert alert.status == "sent" and alert.attempts == 2 and alert.last_error is None


def test_triage(store: MentionStore) -> None:
    m = make_mention("t", sentiment_label="negative")
    store.upsert_mentions([m])
    store.set_triage(m.id, "false_positive", "U42")
    alert = store.get(m.id).alert
    assert (alert.triage, alert.triage_by) == ("false_positive", "U42")
    assert alert.triage_at is not None
    assert alert.status == "pending", "triage is not delivery"


@pytest.mark.parametrize("call", [
    lambda s: s.mark_alert_sent("missing", "C", "1.1"),
    lambda s: s.record_alert_failure("missing", "boom"),
    lambda s: s.set_triage("missing", "acknowledged", None),
    lambda s: s.mark_alert_suppressed(["missing"], "storm"),
])
def test_outbox_calls_on_unknown_ids_raise(store: MentionStore, call) -> None:
    with pytest.raises(StoreError, match="missing"):
        call(store)


def test_find_alerted_by_url_or_fingerprint(store: MentionStore) -> None:
    root = make_mention("root", sentiment_label="negative", fingerprint="fp-story")
    copy = make_mention("copy", sentiment_label="negative", fingerprint="fp-story")
    pending = make_mention("pend", sentiment_label="negative", fingerprint="fp-pending")
    store.upsert_mentions([root, copy, pending])
    assert store.find_alerted("acme", fingerprint="fp-story") is None, "nothing sent yet"
    store.mark_alert_sent(root.id, "C1", "100.1")
    store.mark_alert_sent(copy.id, "C1", "100.2", thread_ts="100.1")
    found = store.find_alerted("acme", fingerprint="fp-story")
    assert found is not None and found.mention.id == root.id and found.alert.ts == "100.1"
    found = store.find_alerted("acme", url=copy.url)
    assert found is not None and found.mention.id == copy.id and found.alert.status == "threaded"
    assert store.find_alerted("acme", url=pending.url, fingerprint="fp-pending") is None
    assert store.find_alerted("globex", fingerprint="fp-story") is None
    assert store.find_alerted("acme") is None


# -- search


@pytest.fixture()
def corpus(store: MentionStore) -> MentionStore:
    store.upsert_mentions([
        make_mention("ghost", title="Ghosted after the final interview", text="The recruiter never called back.",
                     sentiment_label="negative", published=T0 - timedelta(days=1), source="feed-a"),
        make_mention("praise", title="Great onboarding", text="Friendly interview panel and quick offer.",
                     sentiment_label="positive", published=T0 - timedelta(days=3), source="feed-b",
                     sources=("feed-b", "feed-c")),
        make_mention("glob", monitor="acme", employer="Globex", is_competitor=True,
                     title="Globex interview", text="Long interview process at Globex.",
                     sentiment_label="negative", published=T0 - timedelta(days=2), source="feed-c",
                     source_kind="google_alerts"),
        make_mention("other", monitor="initech", employer="Initech", title="Initech layoffs",
                     text="Recruiter quit.", sentiment_label="negative", published=T0, source="feed-a"),
        make_mention("nopub", title="Undated note", text="Interview scheduling at Acme.", published=None,
                     fetched=T0 - timedelta(hours=12)),
    ])
    return store


def _search(store: MentionStore, **kwargs) -> list[str]:
    return [s.mention.url.rsplit("/", 1)[1] for s in store.search(MentionQuery(**kwargs))]


def test_search_all_newest_first(corpus: MentionStore) -> None:
    assert _search(corpus) == ["other", "nopub", "ghost", "glob", "praise"]


def test_search_text(corpus: MentionStore) -> None:
    assert _search(corpus, text="interview") == ["nopub", "ghost", "glob", "praise"]
    assert _search(corpus, text="recruiter") == ["other", "ghost"]
    assert _search(corpus, text="final interview") == ["ghost"], "all words must occur"
    assert _search(corpus, text="no-such-word-anywhere") == []


def test_search_filters(corpus: MentionStore) -> None:
    assert _search(corpus, employer="Globex") == ["glob"]
    assert _search(corpus, monitor="initech") == ["other"]
    assert _search(corpus, sentiment="negative") == ["other", "ghost", "glob"]
    assert _search(corpus, source="feed-c") == ["glob", "praise"], "any of the mention's sources"
    assert _search(corpus, source_kind="google_alerts") == ["glob"]
    assert _search(corpus, since=T0 - timedelta(days=2)) == ["other", "nopub", "ghost", "glob"]
    assert _search(corpus, since=T0 - timedelta(days=3), until=T0 - timedelta(days=1)) == ["glob", "praise"]
    assert _search(corpus, alert_status="pending") == ["other", "ghost"], "competitor negatives do not alert"
    assert _search(corpus, text="interview", sentiment="negative", monitor="acme") == ["ghost", "glob"]
    assert _search(corpus, limit=2) == ["other", "nopub"]


def test_search_odd_text_is_not_an_error(corpus: MentionStore) -> None:
    """Syntax characters are not syntax: the words in them are searched for, the rest ignored."""
    assert _search(corpus, text="interview)") == _search(corpus, text="interview")
    assert _search(corpus, text='"final interview') == ["ghost"], "an unbalanced quote is still a phrase"
    assert _search(corpus, text="ghost* OR") == ["ghost"], "a trailing OR is dropped"
    assert _search(corpus, text="*") == _search(corpus), "no words: no text condition"
    assert "praise" in _search(corpus, text="AND OR NOT"), "AND and NOT are words here (praise has 'and')"
    assert _search(corpus, text="C++ -") == []


# -- iter_mentions


def test_iter_mentions_window(store: MentionStore) -> None:
    ms = [make_mention(f"d{i}", fetched=T0 + timedelta(hours=i)) for i in range(6)]
    other = make_mention("o", monitor="globex", employer="Globex", fetched=T0 + timedelta(hours=1))
    store.upsert_mentions([*reversed(ms), other])
    got = [m.id for m in store.iter_mentions(["acme"], T0 + timedelta(hours=1), T0 + timedelta(hours=4))]
    assert got == [ms[1].id, ms[2].id, ms[3].id], "half-open window, oldest first"
    every = list(store.iter_mentions(None, T0, T0 + timedelta(days=1)))
    assert len(every) == 7 and every[0] == ms[0]
    both = [m.id for m in store.iter_mentions(["acme", "globex"], T0 + timedelta(hours=1), T0 + timedelta(hours=2))]
    assert sorted(both) == sorted([ms[1].id, other.id])
    assert list(store.iter_mentions([], T0, T0 + timedelta(days=1))) == []


def test_iter_mentions_streams_more_than_a_page(store: MentionStore) -> None:
    ms = [make_mention(f"p{i}", fetched=T0 + timedelta(seconds=i % 7)) for i in range(2500)]
    store.upsert_mentions(ms)
    got = list(store.iter_mentions(["acme"], T0, T0 + timedelta(days=1)))
    assert len(got) == 2500 and len({m.id for m in got}) == 2500
    assert [m.fetched for m in got] == sorted(m.fetched for m in got)


# -- crawl state


def test_crawl_state_round_trip(store: MentionStore) -> None:
    assert store.get_crawl_state("acme", "feed-a") is None
    state = CrawlState(etag='W/"abc"', last_modified="Wed, 01 May 2024 08:00:00 GMT",
                       seen_ids=("r1", "r2"), extra={"page": 3, "cursor": "x"})
    store.put_crawl_state("acme", "feed-a", state)
    assert store.get_crawl_state("acme", "feed-a") == state
    assert store.get_crawl_state("acme", "feed-b") is None
    assert store.get_crawl_state("globex", "feed-a") is None
    store.put_crawl_state("acme", "feed-a", CrawlState(etag='"def"'))
    assert store.get_crawl_state("acme", "feed-a") == CrawlState(etag='"def"')


# -- runs and ratings


def test_runs_round_trip(store: MentionStore) -> None:
    old = RunReport(monitor="acme", started=T0 - timedelta(days=2), finished=T0 - timedelta(days=2))
    run = RunReport(
        monitor="acme", started=T0, finished=T0 + timedelta(seconds=42),
        sources=[SourceReport(source="feed-a", kind="rss", items=10, mentions=4, new_mentions=2, negatives=1,
                              requests=1, seconds=0.5),
                 SourceReport(source="feed-b", kind="rss", status="failed", error="HTTP 500", requests=1)],
        alerts_sent=1, store_failures=[("id1", "mapper_parsing_exception")], notes=["storm"],
    )
    store.record_run(old)
    store.record_run(run)
    store.record_run(RunReport(monitor="globex", started=T0))
    recent = store.recent_runs("acme", T0 - timedelta(days=1))
    assert len(recent) == 1
    assert recent[0].to_dict() == run.to_dict()
    assert [r.started for r in store.recent_runs("acme", T0 - timedelta(days=3))] == [old.started, run.started]


def test_ratings(store: MentionStore) -> None:
    points = [RatingPoint("acme", "glassdoor", T0 - timedelta(days=d), 3.5 + d / 10, 100 + d) for d in range(3)]
    for point in points:
        store.record_rating(point)
    store.record_rating(RatingPoint("acme", "indeed", T0, 4.0))
    store.record_rating(RatingPoint("globex", "glassdoor", T0, 2.0))
    got = store.ratings("acme", T0 - timedelta(days=1))
    assert got == [points[1], points[0], RatingPoint("acme", "indeed", T0, 4.0)]
    assert store.ratings("acme", T0 + timedelta(days=1)) == []


def test_alert_state_default_is_none() -> None:
    assert AlertState().status == "none"


# -- delivery lease and record


def test_delivery_lease_one_holder_at_a_time(store: MentionStore) -> None:
    first = store.acquire_delivery("acme", "run-a", 60)
    assert first.owner == "run-a" and first.until > first.since
    other = store.acquire_delivery("acme", "run-b", 60)
    assert other.owner == "run-a" and other.since == first.since, "the holder and since when, not the caller"
    assert store.acquire_delivery("globex", "run-b", 60).owner == "run-b", "one lease per monitor"
    renewed = store.acquire_delivery("acme", "run-a", 120)
    assert renewed.owner == "run-a" and renewed.since == first.since and renewed.until > first.until
    store.release_delivery("acme", "run-b")  # not the holder: nothing changes
    assert store.acquire_delivery("acme", "run-b", 60).owner == "run-a"
    store.release_delivery("acme", "run-a")
    assert store.acquire_delivery("acme", "run-b", 60).owner == "run-b"


def test_an_expired_or_replaced_lease_is_taken(store: MentionStore) -> None:
    store.acquire_delivery("acme", "crashed", 0.2)
    assert store.acquire_delivery("acme", "next", 60).owner == "crashed"
    time.sleep(0.3)
    assert store.acquire_delivery("acme", "next", 60).owner == "next", "an expired lease blocks nobody"
    assert store.acquire_delivery("acme", "third", 60, replace="someone else").owner == "next"
    assert store.acquire_delivery("acme", "third", 60, replace="next").owner == "third", "a holder known dead"


def test_delivery_record_round_trip_only_for_the_lease_holder(store: MentionStore) -> None:
    from hirewatch.stores.base import DeliveryState

    assert store.get_delivery_state("acme") is None
    store.acquire_delivery("acme", "run-a", 60)
    state = DeliveryState(started=T0, unreconciled_since=T0 - timedelta(hours=1), look_failures=2)
    store.put_delivery_state("acme", state, owner="run-a")
    assert store.get_delivery_state("acme") == state and state.unfinished
    done = DeliveryState(started=T0, finished=T0 + timedelta(seconds=5))
    store.put_delivery_state("acme", done, owner="run-a")
    assert store.get_delivery_state("acme") == done and not done.unfinished
    with pytest.raises(StoreError, match="no longer held"):
        store.put_delivery_state("acme", state, owner="run-b")
    assert store.get_delivery_state("acme") == done
    assert store.get_delivery_state("globex") is None
    assert store.get_crawl_state("acme", "hirewatch:delivery") is None, "no longer kept in the crawl state"
