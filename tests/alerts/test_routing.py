"""Routing: first matching rule wins, default channel for negatives, unrouted otherwise."""

from __future__ import annotations

from hirewatch.alerts.routing import route, rule_matches
from hirewatch.config import AlertRule

from tests.alerts.conftest import make_mention, make_monitor

RULES = (
    AlertRule(channel="#people-leads", topics=("layoffs",)),
    AlertRule(channel="#ta-oncall", sentiment=("negative",), topics=("interview", "recruiter")),
    AlertRule(channel="#reviews", source_kinds=("review",), min_severity=0.5),
    AlertRule(channel="#alerts-feed", sources=("acme-alert",)),
)


def test_first_matching_rule_wins() -> None:
    settings = make_monitor(rules=RULES, default_channel="#fallback").routing.alerts
    both = make_mention(topics=("Layoffs", "interview"))
    assert route(both, settings) == "#people-leads"  # case-insensitive topic, first rule before the second
    assert route(make_mention(topics=("interview",)), settings) == "#ta-oncall"
    assert route(make_mention(topics=(), source_kind="review", severity=0.7), settings) == "#reviews"
    assert route(make_mention(topics=(), source_kind="review", severity=0.3), settings) == "#fallback"
    assert route(make_mention(topics=(), source="news", sources=("news", "acme-alert")), settings) == "#alerts-feed"


def test_default_channel_only_for_negative_employer_mentions() -> None:
    settings = make_monitor(rules=RULES, default_channel="#fallback").routing.alerts
    assert route(make_mention(topics=("pay",)), settings) == "#fallback"
    assert route(make_mention(topics=("pay",), sentiment_label="neutral"), settings) is None
    assert route(make_mention(topics=("pay",), is_competitor=True), settings) is None


def test_no_rule_and_no_default_is_unrouted() -> None:
    settings = make_monitor(rules=RULES[:1], default_channel=None).routing.alerts
    assert route(make_mention(topics=("interview",)), settings) is None


def test_competitor_mentions_need_a_rule_that_says_so() -> None:
    rival = make_mention(is_competitor=True, employer="Globex", topics=("layoffs",))
    assert not rule_matches(AlertRule(channel="#x", topics=("layoffs",)), rival)
    assert rule_matches(AlertRule(channel="#x", topics=("layoffs",), competitors=True), rival)


def test_every_condition_of_a_rule_must_hold() -> None:
    rule = AlertRule(channel="#x", sentiment=("negative",), topics=("interview",), source_kinds=("rss",),
                     sources=("tech-news",), min_severity=0.5)
    assert rule_matches(rule, make_mention())
    assert not rule_matches(rule, make_mention(sentiment_label="positive"))
    assert not rule_matches(rule, make_mention(source_kind="review"))
    assert not rule_matches(rule, make_mention(source="other", sources=("other",)))
    assert not rule_matches(rule, make_mention(severity=0.4))
    assert not rule_matches(rule, make_mention(severity=None))
