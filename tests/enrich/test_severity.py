from __future__ import annotations

from datetime import timedelta

from hirewatch.enrich.severity import reach, recency, severity

from tests.enrich.helpers import NOW, mention


def scored(label: str, score: float, **changes) -> object:
    return mention("x", sentiment_label=label, sentiment_score=score, **changes)


def test_positive_text_has_no_severity() -> None:
    assert severity(scored("positive", 0.8), NOW, 0.05) == 0.0


def test_a_review_about_a_bad_interview_outweighs_a_news_brief() -> None:
    review = scored("negative", -0.6, kind="review", topics=("interview",), topic_sentiment={"interview": -0.6})
    news = scored("negative", -0.6, kind="rss")
    assert severity(review, NOW, 0.05) > severity(news, NOW, 0.05) > 0


def test_mixed_text_with_a_negative_candidate_topic_counts() -> None:
    mixed = scored("neutral", 0.0, topics=("recruiter", "interview"),
                   topic_sentiment={"recruiter": 0.6, "interview": -0.7})
    assert severity(mixed, NOW, 0.05) > 0.3


def test_reach_and_recency() -> None:
    assert reach({}) == 0.3
    assert reach({"score": 5}) < reach({"score": 500, "comments": 80}) <= 1.0
    assert reach({"score": "many"}) == 0.3
    fresh = scored("negative", -0.5, published=NOW - timedelta(hours=5))
    old = scored("negative", -0.5, published=NOW - timedelta(days=400))
    assert recency(fresh, NOW) == 1.0 and recency(old, NOW) == 0.3
    assert severity(fresh, NOW, 0.05) > severity(old, NOW, 0.05)


def test_severity_stays_within_0_and_1() -> None:
    worst = scored("negative", -1.0, kind="review", topics=("interview",), topic_sentiment={"interview": -1.0},
                   extra={"score": 10**9, "comments": 10**9})
    assert 0.9 <= severity(worst, NOW, 0.05) <= 1.0
