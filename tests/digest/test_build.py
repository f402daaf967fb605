"""The digest model built from a real SqliteStore: day windows across daylight-saving changes,
comparisons, trend, topics, items with their triage, reviews and ratings, competitors, source
health, empty and partial days, grouping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hirewatch.digest.build import build_digest, group_monitors
from hirewatch.digest.windows import day_window, previous_local_day
from hirewatch.records import RatingPoint

from tests.digest.factory import mention, monitor, run, utc

# --------------------------------------------------------------------------- windows


@pytest.mark.parametrize(("tz", "day", "start", "end", "hours"), [
    # Europe/Amsterdam: clocks go forward at 02:00 CET on 29 March, back at 03:00 CEST on 25 October.
    ("Europe/Amsterdam", date(2026, 3, 29), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), 23),
    ("Europe/Amsterdam", date(2026, 10, 25), utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), 25),
    ("Europe/Amsterdam", date(2026, 3, 30), utc(2026, 3, 29, 22), utc(2026, 3, 30, 22), 24),
    # America/Los_Angeles: forward on 8 March, back on 1 November.
    ("America/Los_Angeles", date(2026, 3, 8), utc(2026, 3, 8, 8), utc(2026, 3, 9, 7), 23),
    ("America/Los_Angeles", date(2026, 11, 1), utc(2026, 11, 1, 7), utc(2026, 11, 2, 8), 25),
    ("America/Los_Angeles", date(2026, 7, 1), utc(2026, 7, 1, 7), utc(2026, 7, 2, 7), 24),
    # America/Santiago springs forward at midnight: the day starts at 01:00 local, the first instant.
    ("America/Santiago", date(2026, 9, 6), utc(2026, 9, 6, 4), utc(2026, 9, 7, 3), 23),
])
def test_day_window_is_local_midnight_to_midnight(tz, day, start, end, hours) -> None:
    window = day_window(day, tz)
    assert (window.start, window.end, window.hours) == (start, end, hours)


@pytest.mark.parametrize(("tz", "now", "expected"), [
    # 00:30 on 30 March in Amsterdam is still 29 March in UTC: yesterday is the 29th, not the 28th.
    ("Europe/Amsterdam", utc(2026, 3, 29, 22, 30), date(2026, 3, 29)),
    ("Europe/Amsterdam", utc(2026, 3, 29, 21, 30), date(2026, 3, 28)),
    # 17:00 on 1 November in Los Angeles is 2 November in UTC: yesterday is 31 October.
    ("America/Los_Angeles", utc(2026, 11, 2, 1), date(2026, 10, 31)),
])
def test_previous_local_day(tz, now, expected) -> None:
    assert previous_local_day(tz, now) == expected


@pytest.mark.parametrize(("tz", "day", "inside", "outside"), [
    # In: the first and the last minute of the local day. Out: the minute before and the minute
    # after, which a 24-hour window from midnight would get wrong on these nights.
    ("Europe/Amsterdam", date(2026, 3, 29),
     [utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 21, 59)], [utc(2026, 3, 28, 22, 59), utc(2026, 3, 29, 22, 0)]),
    ("Europe/Amsterdam", date(2026, 10, 25),
     [utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 22, 30)], [utc(2026, 10, 24, 21, 59), utc(2026, 10, 25, 23, 0)]),
    ("America/Los_Angeles", date(2026, 3, 8),
     [utc(2026, 3, 8, 8, 0), utc(2026, 3, 9, 6, 59)], [utc(2026, 3, 8, 7, 59), utc(2026, 3, 9, 7, 0)]),
    ("America/Los_Angeles", date(2026, 11, 1),
     [utc(2026, 11, 1, 7, 0), utc(2026, 11, 2, 7, 30)], [utc(2026, 11, 1, 6, 59), utc(2026, 11, 2, 8, 0)]),
])
def test_digest_counts_exactly_the_local_day_on_clock_change_nights(store, tz, day, inside, outside) -> None:
    mon = monitor(timezone=tz)
    store.upsert_mentions([mention(f"in{i}", at) for i, at in enumerate(inside)]
                          + [mention(f"out{i}", at) for i, at in enumerate(outside)])
    digest = build_digest([mon], store, day, now=utc(2026, 12, 1))
    assert digest.window.timezone == tz
    assert digest.today.total == len(inside)
    assert sorted(i.title for i in digest.items) == [f"Story in{i}" for i in range(len(inside))]
    # The minute before the day belongs to the day before.
    assert digest.previous_day.total == 1
    assert digest.trend[-1].total == len(inside) and digest.trend[-2].total == 1


def test_default_day_is_yesterday_in_the_recipients_time_zone(store) -> None:
    mon = monitor(timezone="Europe/Amsterdam")
    store.upsert_mentions([mention("late", utc(2026, 3, 29, 21, 30))])  # 23:30 CEST on the 29th
    digest = build_digest([mon], store, now=utc(2026, 3, 29, 22, 30))  # 00:30 CEST on the 30th
    assert digest.day == date(2026, 3, 29)
    assert digest.today.total == 1
    assert digest.day_phrase == "yesterday"
    assert digest.headline.startswith("1 new mention yesterday")


# --------------------------------------------------------------------------- numbers

DAY = date(2026, 5, 12)  # a Tuesday, CEST (UTC+2)
NOW = utc(2026, 5, 13, 5)


def _noon(day: date):
    return utc(day.year, day.month, day.day, 10)


def test_counts_vs_day_before_and_seven_day_average(store) -> None:
    mon = monitor()
    mentions = []
    # 7 baseline days (DAY-7 .. DAY-1) with 2 mentions each, one negative; DAY-1 has 4 instead.
    for back in range(1, 8):
        day = DAY - timedelta(days=back)
        n = 4 if back == 1 else 2
        for i in range(n):
            label, score = ("negative", -0.5) if i == 0 else ("positive", 0.5)
            mentions.append(mention(f"b{back}-{i}", _noon(day), label=label, score=score))
        store.record_run(run("acme", _noon(day), news="ok", blog="ok", reviews="ok"))
    # The day: 3 mentions, 2 negative; and one competitor mention that must not count here.
    mentions += [mention("d0", _noon(DAY), label="negative", score=-0.8),
                 mention("d1", _noon(DAY), label="negative", score=-0.4),
                 mention("d2", _noon(DAY), label="neutral", score=0.0),
                 mention("c0", _noon(DAY), employer="Rival", is_competitor=True, label="negative", score=-0.9)]
    store.upsert_mentions(mentions)
    store.record_run(run("acme", _noon(DAY), news="ok", blog="ok", reviews="ok"))

    digest = build_digest([mon], store, DAY, now=NOW)
    assert (digest.today.total, digest.today.negative, digest.today.neutral) == (3, 2, 1)
    assert digest.today.avg_sentiment == pytest.approx(-0.4)
    assert (digest.previous_day.total, digest.previous_day.negative) == (4, 1)
    assert digest.previous_day.avg_sentiment == pytest.approx(0.25)
    assert digest.baseline_days == 7
    assert digest.baseline.total == pytest.approx(16 / 7, abs=0.01)
    assert digest.baseline.negative == pytest.approx(1.0)
    assert digest.headline.startswith("3 new mentions yesterday (2 negative), down from 4 the day before")
    # 14-day trend split by sentiment, employer only, oldest first, the day last.
    assert [t.day for t in digest.trend] == [DAY - timedelta(days=13 - i) for i in range(14)]
    assert (digest.trend[-1].negative, digest.trend[-1].neutral, digest.trend[-1].positive) == (2, 1, 0)
    assert (digest.trend[-2].negative, digest.trend[-2].positive) == (1, 3)
    assert all(t.total == 0 for t in digest.trend[:6])


def test_seven_day_average_counts_only_days_hirewatch_ran(store) -> None:
    mon = monitor()
    for back in (1, 2):
        store.record_run(run("acme", _noon(DAY - timedelta(days=back)), news="ok"))
        store.upsert_mentions([mention(f"b{back}", _noon(DAY - timedelta(days=back)))])
    digest = build_digest([mon], store, DAY, now=NOW)
    assert digest.baseline_days == 2
    assert digest.baseline.total == pytest.approx(1.0)
    assert any("2 of the last 7 days" in note for note in digest.notes)


def test_first_day_on_record_compares_with_nothing(store) -> None:
    store.record_run(run("acme", _noon(DAY), news=("ok", "", 2)))
    store.upsert_mentions([mention("a", _noon(DAY)), mention("b", _noon(DAY), label="negative", score=-0.5)])
    digest = build_digest([monitor()], store, DAY, now=NOW)
    assert not digest.has_history and digest.baseline_days == 0
    assert digest.headline == "2 new mentions yesterday (1 negative)."
    assert digest.notes == ("hirewatch has no record of the 7 days before, so there is no average to compare with.",)


def test_topics_use_per_topic_sentiment(store) -> None:
    mon = monitor()
    store.upsert_mentions([
        mention("mixed", _noon(DAY), label="neutral", score=0.0, topics=("recruiter", "interview"),
                topic_sentiment={"recruiter": 0.7, "interview": -0.8}),
        mention("bad", _noon(DAY), label="negative", score=-0.6, topics=("interview",)),
        mention("old", _noon(DAY - timedelta(days=2)), topics=("interview",)),
        mention("custom", _noon(DAY), label="positive", score=0.4, topics=("hiring_freeze",)),
    ])
    digest = build_digest([mon], store, DAY, now=NOW)
    rows = {t.topic: t for t in digest.topics}
    # Journey order: recruiter contact comes before the interview; unknown tags come last.
    assert [t.topic for t in digest.topics] == ["recruiter", "interview", "hiring_freeze"]
    assert (rows["interview"].count, rows["interview"].negative) == (2, 2)
    assert rows["interview"].avg_sentiment == pytest.approx(-0.7)
    assert (rows["recruiter"].positive, rows["recruiter"].avg_sentiment) == (1, pytest.approx(0.7))
    assert rows["hiring_freeze"].label == "Hiring freeze"
    assert rows["interview"].baseline == pytest.approx(1 / 7, abs=0.01)


def test_items_severity_first_negatives_first_with_triage_state(store) -> None:
    mon = monitor(top_items=4)
    store.upsert_mentions([
        mention("low-neg", _noon(DAY), label="negative", score=-0.9, severity=0.2),
        mention("high-pos", _noon(DAY), label="positive", score=0.9, severity=0.9),
        mention("high-neg", _noon(DAY), label="negative", score=-0.3, severity=0.9),
        mention("mid-neg-ack", _noon(DAY), label="negative", score=-0.5, severity=0.6),
        mention("mid-neg-fp", _noon(DAY), label="negative", score=-0.5, severity=0.5),
        mention("neutral", _noon(DAY), severity=0.1),
    ])
    ids = {i.title.removeprefix("Story "): i for i in build_digest([mon], store, DAY, now=NOW).items}
    by_key = {k: mention(k, _noon(DAY)).id for k in ids}
    store.mark_alert_sent(by_key["high-neg"], "#ta-oncall", "1.1")
    store.mark_alert_sent(by_key["mid-neg-ack"], "#ta-oncall", "1.2")
    store.set_triage(by_key["mid-neg-ack"], "acknowledged", "sam")
    store.set_triage(by_key["mid-neg-fp"], "false_positive", "sam")
    digest = build_digest([mon], store, DAY, now=NOW)
    assert [i.title for i in digest.items] == ["Story high-neg", "Story high-pos", "Story mid-neg-ack",
                                               "Story mid-neg-fp"]
    labels = {i.title: i.status_label for i in digest.items}
    assert labels == {"Story high-neg": "open", "Story high-pos": "no alert",
                      "Story mid-neg-ack": "acknowledged", "Story mid-neg-fp": "false positive"}
    first = digest.items[0]
    assert (first.source, first.url, first.excerpt) == ("news", "https://news.example/high-neg",
                                                       "Text of story high-neg.")


def test_items_without_severity_put_negatives_first(store) -> None:
    mon = monitor(top_items=2)
    store.upsert_mentions([mention("pos", _noon(DAY), label="positive", score=0.8),
                           mention("neg", _noon(DAY), label="negative", score=-0.2),
                           mention("neu", _noon(DAY))])
    digest = build_digest([mon], store, DAY, now=NOW)
    assert [i.title for i in digest.items] == ["Story neg", "Story neu"]
    assert digest.items[0].status_label == "alert pending"


def test_new_reviews_and_rating_change(store) -> None:
    mon = monitor()
    store.upsert_mentions([
        mention("r1", _noon(DAY), source="glassdoor", source_kind="review", label="negative", score=-0.6,
                extra={"rating": 0.25}),  # the store keeps 0..1: 2 stars
        mention("r2", _noon(DAY) + timedelta(hours=1), source="glassdoor", source_kind="review",
                extra={"rating": "0.75"}),
        mention("r-old", _noon(DAY - timedelta(days=1)), source="glassdoor", source_kind="review"),
    ])
    store.record_rating(RatingPoint("acme", "glassdoor", utc(2026, 5, 1, 6), 0.725, 100))
    store.record_rating(RatingPoint("acme", "glassdoor", _noon(DAY), 0.675, 102))
    store.record_rating(RatingPoint("acme", "glassdoor", _noon(DAY + timedelta(days=1)), 0.625, 104))  # after
    store.record_rating(RatingPoint("acme", "indeed", utc(2026, 5, 2, 6), 0.775, 50))
    digest = build_digest([mon], store, DAY, now=NOW)
    assert [(r.title, r.rating) for r in digest.reviews] == [("Story r2", 4.0), ("Story r1", 2.0)]
    ratings = {r.site: r for r in digest.ratings}
    assert (ratings["glassdoor"].rating, ratings["glassdoor"].previous, ratings["glassdoor"].delta) == (3.7, 3.9, -0.2)
    assert ratings["glassdoor"].updated_today and ratings["glassdoor"].count == 102
    assert (ratings["indeed"].delta, ratings["indeed"].updated_today) == (0.0, False)


def test_competitors_side_by_side(store) -> None:
    mon = monitor(competitors=("Rival", "Quiet Co"))
    store.upsert_mentions(
        [mention(f"a{i}", _noon(DAY), label="negative", score=-0.5) for i in range(3)]
        + [mention(f"r{i}", _noon(DAY), employer="Rival", is_competitor=True, label="positive", score=0.5)
           for i in range(1)]
        + [mention(f"w{i}", _noon(DAY - timedelta(days=3)), employer="Rival", is_competitor=True) for i in range(4)]
    )
    digest = build_digest([mon], store, DAY, now=NOW)
    rows = {e.name: e for e in digest.entities}
    assert [e.name for e in digest.entities] == ["Acme", "Rival", "Quiet Co"]
    assert (rows["Acme"].volume, rows["Acme"].share, rows["Acme"].avg_sentiment) == (3, 0.75, -0.5)
    assert (rows["Rival"].volume, rows["Rival"].share, rows["Rival"].week_volume) == (1, 0.25, 5)
    assert rows["Rival"].week_share == pytest.approx(5 / 8)
    assert (rows["Quiet Co"].volume, rows["Quiet Co"].share, rows["Quiet Co"].avg_sentiment) == (0, 0.0, None)


def test_no_competitors_no_table(store) -> None:
    digest = build_digest([monitor(competitors=())], store, DAY, now=NOW)
    assert digest.entities == ()


def test_source_health_failing_quiet_and_not_run(store) -> None:
    mon = monitor(sources=("news", "blog", "reviews", "forum"))
    early = DAY - timedelta(days=6)
    store.record_run(run("acme", _noon(early), news=("ok", "", 2), blog=("ok", "", 1), reviews=("ok", "", 1),
                         forum=("ok", "", 1)))
    store.record_run(run("acme", _noon(DAY - timedelta(days=1)), news=("ok", "", 1), blog="ok",
                         reviews=("failed", "HTTP 503"), forum="ok"))
    store.record_run(run("acme", utc(2026, 5, 12, 4), news="ok", blog="ok", reviews=("failed", "HTTP 503")))
    store.record_run(run("acme", utc(2026, 5, 12, 16), news=("ok", "", 2), blog="not_modified",
                         reviews=("failed", "timed out after 20 s")))
    digest = build_digest([mon], store, DAY, now=NOW)
    health = {s.source: s for s in digest.sources}
    assert health["news"].status == "ok"
    assert health["reviews"].status == "failing"
    assert health["reviews"].error == "timed out after 20 s"
    assert (health["reviews"].failures, health["reviews"].runs) == (2, 2)
    assert health["reviews"].failing_since == _noon(DAY - timedelta(days=1))
    assert health["blog"].status == "quiet" and health["blog"].days_quiet == 6
    assert health["forum"].status == "not_run"
    assert digest.headline.endswith("; 1 source failed: reviews (timed out after 20 s); "
                                    "1 source gone quiet: blog (nothing new for 6 days).")


def test_empty_day_reads_naturally(store) -> None:
    mon = monitor()
    digest = build_digest([mon], store, DAY, now=NOW)
    assert digest.today.total == 0 and digest.items == () and digest.topics == () and digest.reviews == ()
    assert len(digest.trend) == 14
    assert digest.headline == "No new mentions yesterday; no run recorded for acme."


def test_partial_day_lists_failed_sources(store) -> None:
    mon = monitor()
    store.record_run(run("acme", _noon(DAY), news="ok", blog=("failed", "HTTP 500"),
                         reviews=("failed", "redirect loop at https://reviews.example/x")))
    digest = build_digest([mon], store, DAY, now=NOW)
    assert digest.headline == ("No new mentions yesterday; 2 sources failed: blog (HTTP 500), "
                               "reviews (redirect loop at https://reviews.example/x).")


def test_an_older_day_is_named_not_called_yesterday(store) -> None:
    digest = build_digest([monitor()], store, DAY - timedelta(days=3), now=NOW)
    assert digest.headline.startswith("No new mentions on Sat 9 May")


def test_group_digest_adds_the_monitors_up(store) -> None:
    a = monitor("acme", employer="Acme", competitors=())
    b = monitor("beta", employer="Beta", competitors=())
    c = monitor("gamma", employer="Gamma", recipients=("other@example.com",), competitors=())
    groups = group_monitors([a, b, c])
    assert [(name, [m.name for m in members]) for name, members in groups] == [("acme+beta", ["acme", "beta"]),
                                                                              ("gamma", ["gamma"])]
    store.upsert_mentions([mention("x", _noon(DAY)),
                           mention("y", _noon(DAY), monitor_name="beta", employer="Beta"),
                           mention("z", _noon(DAY), monitor_name="gamma", employer="Gamma")])
    digest = build_digest(groups[0][1], store, DAY, now=NOW)
    assert digest.group == "acme+beta" and digest.employers == ("Acme", "Beta")
    assert digest.today.total == 2
    assert digest.recipients == ("ta-leads@example.com",)


def test_build_digest_needs_a_monitor(store) -> None:
    with pytest.raises(ValueError, match="at least one monitor"):
        build_digest([], store, DAY)


def test_a_stored_mention_brings_its_reasons_to_the_digest_item(store) -> None:
    decision = {"alert": True, "label": "negative", "reasons": ["1-star review"], "text_label": "positive"}
    store.upsert_mentions([mention("rated", _noon(DAY), label="negative", score=0.2, severity=0.7,
                                   source_kind="review", extra={"decision": decision})])
    [item] = build_digest([monitor()], store, DAY, now=NOW).items
    assert item.reasons == ("1-star review",) and item.status_label == "alert pending"
