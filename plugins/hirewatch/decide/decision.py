"""The alert decision of one mention from every signal enrich left on it: the review's star
rating, the sentiment about the entity, the candidate-experience topics and their sentiment,
severity and the source kind; configured per monitor (``decision:``, :class:`DecisionSettings`).

Called by :func:`decide_mentions` (the pipeline, after enrich) and the tests; pure, never raises.

The rules, in order (docs/languages.md, "The alert decision", gives the defaults):

1. A review rated at or below ``negative_stars`` is negative whatever its wording: "1-star review".
2. A review rated at or above ``positive_stars`` is positive overall whatever its wording, and
   not alerted: a clearly negative candidate-experience topic in it (scored at or below
   ``topic_alert_score``) is named in the reasons and held, or alerted ("negative about the
   interview") when ``topic_alerts_in_good_reviews`` is on.
3. Otherwise the text's sentiment about the entity decides. A negative mention says what it is
   ("negative review", "negative headline about Acme", "negative Reddit post about Acme") and
   which topics it is negative about; a neutral or positive one is alerted only for a clearly
   negative candidate-experience topic.
4. A competitor's mention, a mention from a ``quiet_kinds`` source and one below
   ``min_severity`` are never alerted; the decision says so (``held``).

The mention's ``sentiment_label`` becomes the overall verdict; ``sentiment_score`` stays the
text's score, and the text's own label is kept in ``extra["decision"]["text_label"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hirewatch.config import DecisionSettings, Monitor
from hirewatch.enrich.focus import is_article
from hirewatch.enrich.scoring import SHORT_TEXT_CHARS
from hirewatch.enrich.severity import severity
from hirewatch.enrich.stage import scorer_threshold
from hirewatch.enrich.text import mention_text
from hirewatch.enrich.topic_lexicon import CANDIDATE_TOPICS
from hirewatch.mention import NEGATIVE, POSITIVE, Mention

DECISION_KEY = "decision"

#: How a reason names a topic ("negative about the interview").
TOPIC_PHRASES = {
    "job_ad": "the job ad",
    "application": "the application process",
    "recruiter": "the recruiter",
    "interview": "the interview",
    "assessment": "the assessment",
    "offer_pay": "the offer and pay",
    "rejection_ghosting": "rejection or ghosting",
    "onboarding": "onboarding",
    "management": "management",
    "culture": "the culture",
    "pay_benefits": "pay and benefits",
    "layoffs": "layoffs",
    "workload": "the workload",
}
_POSTS = {"reddit": "Reddit post", "mastodon": "Mastodon post", "hackernews": "Hacker News post",
          "submitted": "account submitted by staff"}


@dataclass(frozen=True, slots=True)
class Decision:
    """What the decide step concluded about one mention."""

    alert: bool
    label: str | None  # the overall verdict (negative / neutral / positive)
    reasons: tuple[str, ...]  # why it is negative or alerted, in words, most important first
    text_label: str | None  # what the text alone said
    stars: float | None = None  # the review's rating on a 1-5 scale
    held: str | None = None  # why a negative mention is not alerted

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"alert": self.alert, "label": self.label, "reasons": list(self.reasons),
                               "text_label": self.text_label}
        if self.stars is not None:
            out["stars"] = self.stars
        if self.held:
            out["held"] = self.held
        return out


def stars(extra: Mapping[str, Any]) -> float | None:
    """A review's rating on a 1-5 scale (``extra["rating_raw"]`` as the site gave it, else the
    normalised ``extra["rating"]``); None when the source gives none."""
    raw = extra.get("rating_raw")
    if isinstance(raw, Mapping):
        value, best, worst = raw.get("value"), raw.get("best"), raw.get("worst")
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (value, best, worst)):
            if (best, worst) == (5, 1):
                return float(min(5.0, max(1.0, value)))
            if best > worst:
                return 1.0 + 4.0 * min(1.0, max(0.0, (value - worst) / (best - worst)))
    normalised = extra.get("rating")
    if isinstance(normalised, int | float) and not isinstance(normalised, bool):
        return 1.0 + 4.0 * min(1.0, max(0.0, float(normalised)))
    return None


def _star_phrase(value: float, extra: Mapping[str, Any]) -> str:
    raw = extra.get("rating_raw")
    if isinstance(raw, Mapping) and (raw.get("best"), raw.get("worst")) not in ((5, 1), (None, None)):
        return f"review rated {raw.get('value'):g} of {raw.get('best'):g}"
    return f"{value:g}-star review"


def _negative_topics(mention: Mention, at_most: float, candidate_only: bool) -> list[str]:
    found = [(score, topic) for topic, score in mention.topic_sentiment.items()
             if score <= at_most and topic in TOPIC_PHRASES and (topic in CANDIDATE_TOPICS or not candidate_only)]
    return [topic for _, topic in sorted(found)]


def _what(mention: Mention) -> str:
    """The negative item in words: "negative review", "negative headline about Acme", ..."""
    kind = mention.source_kind
    if kind == "review":
        return "negative review"
    if is_article(kind):
        short = len(mention_text(mention.title, mention.text)) <= SHORT_TEXT_CHARS or not mention.text.strip()
        return f"negative {'headline' if short else 'news'} about {mention.employer}"
    if kind in _POSTS:
        return f"negative {_POSTS[kind]} about {mention.employer}"
    return f"negative mention of {mention.employer}"


def decide(mention: Mention, settings: DecisionSettings, threshold: float = 0.05) -> Decision:
    """The decision for one enriched mention (``threshold``: its scorer's neutral band)."""
    text_label = mention.sentiment_label
    rating = stars(mention.extra)
    clear = _negative_topics(mention, settings.topic_alert_score, candidate_only=True)
    topic_reasons = [f"negative about {TOPIC_PHRASES[t]}" for t in clear] if settings.topic_alerts else []
    if rating is not None and rating <= settings.negative_stars:
        label, reasons = NEGATIVE, [_star_phrase(rating, mention.extra), *topic_reasons]
    elif rating is not None and rating >= settings.positive_stars:
        label, reasons = POSITIVE, list(topic_reasons)
    elif text_label == NEGATIVE:
        label = NEGATIVE
        what = _what(mention)
        if rating is not None:
            what = f"{_star_phrase(rating, mention.extra)} with negative text"
        about = _negative_topics(mention, -threshold, candidate_only=False)
        reasons = [what, *(f"negative about {TOPIC_PHRASES[t]}" for t in about)]
    else:
        label, reasons = text_label, list(topic_reasons)
    alert = bool(reasons)
    held = None
    if alert and label == POSITIVE and rating is not None and rating >= settings.positive_stars \
            and not settings.topic_alerts_in_good_reviews:
        alert, held = False, (f"a {_star_phrase(rating, mention.extra)}: the reviewer's stars stand "
                              "(decision.topic_alerts_in_good_reviews is off)")
    elif alert and mention.is_competitor:
        alert, held = False, "a competitor's mention"
    elif alert and mention.source_kind in settings.quiet_kinds:
        alert, held = False, f"{mention.source_kind} sources are not alerted"
    return Decision(alert, label, tuple(dict.fromkeys(reasons)), text_label,
                    None if rating is None else round(rating, 2), held)


def decide_mentions(mentions: Iterable[Mention], monitor: Monitor, *, now: datetime | None = None) -> list[Mention]:
    """The enriched ``mentions`` with their decision applied: ``sentiment_label`` the overall
    verdict, ``severity`` recomputed from it, ``extra["decision"]`` the :class:`Decision`."""
    now = now or datetime.now(UTC)
    settings = monitor.decision
    out = []
    for mention in mentions:
        threshold = scorer_threshold(mention.scorer, mention.language)
        decision = decide(mention, settings, threshold)
        decided = mention.with_(sentiment_label=decision.label)
        level = severity(decided, now, threshold)
        if decision.alert and level < settings.min_severity:
            decision = Decision(False, decision.label, decision.reasons, decision.text_label, decision.stars,
                                f"severity {level:.2f} below {settings.min_severity:g}")
        out.append(decided.with_(severity=level, extra={**mention.extra, DECISION_KEY: decision.to_dict()}))
    return out
