"""Severity (0..1) of a mention: how much it deserves a human's attention now.

Called by :mod:`hirewatch.enrich.stage` after sentiment and topics; read by alert routing
(``AlertRule.min_severity``), storm control and the digest's ordering. Pure; never raises.

    severity = negativity × (0.45 + 0.25·relevance + 0.15·source weight + 0.15·reach) × recency

- negativity: 0 for positive text; for negative text 0.5 + 0.5·|score| (a review the decide
  step calls negative for its stars: 1 for 1 star, 0.75 for 2); a neutral text with a
  clearly negative candidate-experience topic ("great recruiter, awful interview") counts by
  that topic's score at 0.8 of its weight.
- relevance: 1 for a negative candidate-experience topic, 0.7 for any candidate-experience
  topic, 0.5 for an employee topic or a watch term, 0.2 for none.
- source weight: reviews and candidates' own posts weigh more than a news brief.
- reach: from ``extra`` (score/points, comments, reblogs, favourites, likes) on a log scale;
  0.3 when the source gives none.
- recency: 1 up to two days old, falling to 0.6 at 30 days and 0.3 at a year and beyond.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hirewatch.enrich.topic_lexicon import CANDIDATE_TOPICS
from hirewatch.mention import NEGATIVE, Mention

SOURCE_WEIGHT = {
    "review": 1.0,
    "submitted": 0.9,
    "reddit": 0.8,
    "hackernews": 0.7,
    "mastodon": 0.7,
    "google_alerts": 0.5,
    "talkwalker": 0.5,
    "rss": 0.4,
    "atom": 0.4,
}
_REACH_KEYS = {"score": 1.0, "points": 1.0, "upvotes": 1.0, "likes": 1.0, "favourites": 1.0, "favorites": 1.0,
               "favourites_count": 1.0, "comments": 2.0, "num_comments": 2.0, "replies": 2.0, "reblogs": 2.0,
               "reblogs_count": 2.0, "shares": 2.0, "retweets": 2.0}


def negativity(mention: Mention, threshold: float) -> float:
    score = mention.sentiment_score or 0.0
    value = 0.0
    if mention.sentiment_label == NEGATIVE:
        value = 0.5 + 0.5 * min(1.0, max(0.0, -score))
        rating = mention.extra.get("rating")  # normalised 0..1 (1 star -> 0, 5 stars -> 1)
        if isinstance(rating, int | float) and not isinstance(rating, bool) and rating < 0.5:
            value = max(value, 0.5 + 0.5 * (1.0 - 2.0 * float(rating)))
    worst_topic = min((s for t, s in mention.topic_sentiment.items() if t in CANDIDATE_TOPICS), default=0.0)
    if worst_topic <= -threshold:
        value = max(value, 0.8 * (0.5 + 0.5 * min(1.0, -worst_topic)))
    return value


def relevance(mention: Mention, threshold: float) -> float:
    candidate = [t for t in mention.topics if t in CANDIDATE_TOPICS]
    if any(mention.topic_sentiment.get(t, 0.0) <= -threshold for t in candidate):
        return 1.0
    if candidate:
        return 0.7
    return 0.5 if mention.topics else 0.2


def reach(extra: Mapping[str, Any]) -> float:
    total, known = 0.0, False
    for key, weight in _REACH_KEYS.items():
        value = extra.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            total += weight * float(value)
            known = True
    if not known:
        return 0.3
    return min(1.0, math.log10(1.0 + total) / 3.0)  # 1 000 weighted interactions -> 1


def recency(mention: Mention, now: datetime) -> float:
    when = mention.published or mention.fetched
    age_days = max(0.0, (now - when).total_seconds() / 86400.0)
    if age_days <= 2:
        return 1.0
    if age_days <= 30:
        return 1.0 - 0.4 * (age_days - 2) / 28
    if age_days <= 365:
        return 0.6 - 0.3 * (age_days - 30) / 335
    return 0.3


def severity(mention: Mention, now: datetime, threshold: float) -> float:
    """The severity of an enriched mention (``threshold``: its scorer's neutral band)."""
    neg = negativity(mention, threshold)
    if neg == 0.0:
        return 0.0
    kind = SOURCE_WEIGHT.get(mention.source_kind, 0.5)
    value = neg * (0.45 + 0.25 * relevance(mention, threshold) + 0.15 * kind + 0.15 * reach(mention.extra))
    return round(max(0.0, min(1.0, value * recency(mention, now))), 3)
