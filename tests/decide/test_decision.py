"""The decide step on real enrich output (VADER and the bundled model, no stand-ins)."""

from __future__ import annotations

from typing import Any

import pytest
from hirewatch.config import DecisionSettings
from hirewatch.decide import decide, decide_mentions
from hirewatch.enrich import enrich_mentions
from hirewatch.mention import Mention
from hirewatch.stores.codec import initial_alert_status

from tests.enrich.helpers import NOW, mention, monitor


def review(text: str, stars: float | None, title: str = "", best: float = 5, worst: float = 1) -> Mention:
    extra: dict[str, Any] = {"site": "example-reviews"}
    if stars is not None:
        normalised = (stars - worst) / (best - worst)
        extra |= {"rating": normalised,
                  "rating_raw": {"value": stars, "best": best, "worst": worst, "normalised": normalised}}
    return mention(text, title, kind="review", extra=extra)


def decided(*mentions: Mention, **settings: Any) -> list[Mention]:
    mon = monitor(extra={"decision": settings}) if settings else monitor()
    return decide_mentions(enrich_mentions(list(mentions), mon, now=NOW), mon, now=NOW)


def test_a_one_star_review_with_mild_text_is_alerted_for_its_stars() -> None:
    [m] = decided(review("The people were friendly enough and the office is nice.", 1))
    assert m.extra["decision"]["text_label"] == "positive"  # the text alone reads mildly positive
    assert m.wants_alert and m.alert_reasons == ("1-star review",)
    assert m.sentiment_label == "negative" and m.severity > 0
    assert initial_alert_status(m) == "pending"


def test_a_five_star_no_hassles_is_not_alerted() -> None:
    [m] = decided(review("No hassles.", 5))
    assert not m.wants_alert and m.alert_reasons == ()
    assert m.sentiment_label == "positive"
    assert initial_alert_status(m) == "none"


def test_a_five_star_review_is_never_alerted_by_default_even_with_a_bad_interview() -> None:
    """The reviewer's stars stand: the clearly negative interview is named and held, not paged."""
    [m] = decided(review("Great place to work, but the interview was a chaotic disaster.", 5))
    assert m.sentiment_label == "positive"  # not negative overall
    assert not m.wants_alert and "negative about the interview" in m.alert_reasons
    assert m.extra["decision"]["held"] == ("a 5-star review: the reviewer's stars stand "
                                           "(decision.topic_alerts_in_good_reviews is off)")
    assert initial_alert_status(m) == "none"


def test_a_good_reviews_bad_interview_is_alerted_when_the_monitor_asks() -> None:
    [m] = decided(review("Great place to work, but the interview was a chaotic disaster.", 5),
                  topic_alerts_in_good_reviews=True)
    assert m.sentiment_label == "positive"
    assert m.wants_alert and "negative about the interview" in m.alert_reasons


def test_topic_alerts_can_be_switched_off_per_monitor() -> None:
    [m] = decided(review("Great place to work, but the interview was a chaotic disaster.", 5), topic_alerts=False,
                  topic_alerts_in_good_reviews=True)
    assert not m.wants_alert


def test_a_three_star_review_is_judged_by_its_text() -> None:
    [bad, fine] = decided(review("Awful management, terrible pay, I hated every day.", 3),
                          review("Nice colleagues and a good canteen.", 3))
    assert bad.wants_alert and bad.alert_reasons[0] == "3-star review with negative text"
    assert not fine.wants_alert


def test_other_rating_scales_are_converted_to_stars() -> None:
    [m] = decided(review("It was fine I guess.", 2, best=10, worst=1))
    assert m.wants_alert and m.alert_reasons == ("review rated 2 of 10",)


def test_the_star_limits_are_configurable() -> None:
    [m] = decided(review("The people were friendly enough and the office is nice.", 2), negative_stars=1)
    assert not m.wants_alert


def test_a_negative_headline_says_so_and_names_the_employer() -> None:
    [m] = decided(mention("Acme faces backlash over a terrible, chaotic hiring process", kind="rss"))
    assert m.wants_alert and m.alert_reasons[0] == "negative headline about Acme"


def test_a_negative_post_names_its_kind_and_topic() -> None:
    [m] = decided(mention("My interview at Acme was a rude, chaotic disaster.", kind="reddit"))
    assert m.alert_reasons == ("negative Reddit post about Acme", "negative about the interview")


def test_a_review_without_stars_is_judged_by_its_text() -> None:
    [m] = decided(review("Terrible employer, avoid. They ghosted me after four interviews.", None))
    assert m.wants_alert and m.alert_reasons[0] == "negative review"


def test_quiet_kinds_and_min_severity_hold_an_alert_back_and_say_why() -> None:
    [quiet] = decided(mention("Acme faces backlash over a terrible, chaotic hiring process"), quiet_kinds=["rss"])
    assert not quiet.wants_alert and quiet.sentiment_label == "negative"
    assert quiet.extra["decision"]["held"] == "rss sources are not alerted"
    [low] = decided(mention("Acme faces backlash over a terrible, chaotic hiring process"), min_severity=0.99)
    assert not low.wants_alert and low.extra["decision"]["held"].startswith("severity ")


def test_a_competitors_negative_mention_is_never_alerted() -> None:
    m = mention("Kestrel faces backlash over a terrible, chaotic hiring process").with_(
        is_competitor=True, sentiment_label="negative", sentiment_score=-0.8, scorer="vader+hr", language="en")
    decision = decide(m, DecisionSettings())
    assert decision.reasons and not decision.alert and decision.held == "a competitor's mention"


def test_deciding_again_keeps_the_texts_own_label_for_re_use() -> None:
    mon = monitor()
    [first] = decided(review("The people were friendly enough and the office is nice.", 1))
    [again] = decide_mentions(enrich_mentions([first.with_(extra={k: v for k, v in first.extra.items()
                                                                   if k != "decision"})], mon, {first.id: first},
                                              now=NOW), mon, now=NOW)
    assert again.extra["decision"] == first.extra["decision"]


def test_star_limits_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="negative_stars"):
        DecisionSettings(negative_stars=4, positive_stars=4)


def test_a_bad_decision_setting_names_file_and_line() -> None:
    from hirewatch.config import parse_monitor
    from hirewatch.errors import ConfigError

    text = ("employer:\n  name: Acme\nsources:\n  - type: rss\n    url: http://127.0.0.1/feed.xml\n"
            "decision:\n  negative_stars: 7\n")
    with pytest.raises(ConfigError) as info:
        parse_monitor(text, path="acme.yaml", default_name="acme")
    assert str(info.value).startswith("acme.yaml:7: decision.negative_stars: ")
    assert "5" in str(info.value)
