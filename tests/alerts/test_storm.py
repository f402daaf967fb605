"""Storm decisions: the cap per run and the hourly rate against the monitor's baseline."""

from __future__ import annotations

from datetime import timedelta

from hirewatch.alerts.storm import baseline_per_hour, by_severity, decide_storm
from hirewatch.report import RunReport, SourceReport

from tests.alerts.conftest import NOW, make_mention, make_monitor


def _runs(negatives_per_run: int, every_hours: float, count: int) -> list[RunReport]:
    return [RunReport(monitor="acme", started=NOW - timedelta(hours=every_hours * (i + 1)),
                      sources=[SourceReport(source="tech-news", kind="rss", negatives=negatives_per_run)])
            for i in range(count)]


def test_more_than_the_cap_is_a_storm() -> None:
    settings = make_monitor(max_per_run=10).routing.alerts
    assert not decide_storm([make_mention(i) for i in range(10)], settings, [], NOW).storm
    decision = decide_storm([make_mention(i) for i in range(11)], settings, [], NOW)
    assert decision.reason == "cap" and decision.count == 11
    assert decision.summary == "11 new negative mentions in one run, more than the cap of 10 alerts per run."


def test_baseline_needs_history() -> None:
    assert baseline_per_hour(_runs(1, 1, 2), NOW) is None  # two runs
    assert baseline_per_hour(_runs(1, 1, 4), NOW) is None  # 4 hours of history (the last hour excluded)
    assert baseline_per_hour(_runs(2, 4, 6), NOW) == 12 / 24  # 12 negatives in 24 hours


def test_rate_well_above_the_baseline_is_a_storm() -> None:
    settings = make_monitor(max_per_run=50, storm_factor=5).routing.alerts
    runs = _runs(1, 4, 42)  # a week of one negative every four hours: 0.25 an hour
    burst = [make_mention(i) for i in range(6)]  # six in the last hour > 5 x 0.25
    decision = decide_storm(burst, settings, runs, NOW)
    assert decision.reason == "rate" and decision.last_hour == 6
    assert decision.summary == ("6 new negative mentions in the last hour; the usual rate is 0.2 an hour "
                                "(storm above 5 times that).")
    assert not decide_storm(burst[:4], settings, runs, NOW).storm  # fewer than MIN_RATE_STORM
    old = [m.with_(fetched=NOW - timedelta(hours=3)) for m in burst]  # e.g. left pending by a Slack outage
    assert not decide_storm(old, settings, runs, NOW).storm
    busy = _runs(3, 1, 100)  # a monitor that usually sees 3 an hour: 6 is not a storm
    assert not decide_storm(burst, settings, busy, NOW).storm


def test_by_severity_most_severe_first() -> None:
    a = make_mention(1, severity=0.2)
    b = make_mention(2, severity=0.9, sentiment_score=-0.3)
    c = make_mention(3, severity=0.9, sentiment_score=-0.8)
    d = make_mention(4, severity=None)
    assert by_severity([a, b, c, d]) == [c, b, a, d]
