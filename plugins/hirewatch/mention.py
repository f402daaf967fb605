"""The one record type that travels the whole pipeline: :class:`Mention`.

Built by ``extract`` from a source item, refined by ``match``/``enrich`` with
:func:`dataclasses.replace`, written by the stores, read back by alerts and the digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
SENTIMENT_LABELS = (NEGATIVE, NEUTRAL, POSITIVE)


def story_id(employer: str, key: str) -> str:
    """The id of one item about one employer, the same for every monitor that finds it: a hash of
    the employer and the item's identity (``key``: the canonical URL, or ``review:<site>:<review
    id>`` for a review whose site gives it an id). It was the mention id before the id named the
    monitor; a store migration derives the new id from it (:func:`monitor_mention_id`)."""
    digest = hashlib.sha256(f"{employer.strip().casefold()}\x1f{key}".encode()).hexdigest()
    return digest[:32]


def monitor_mention_id(monitor: str, story: str) -> str:
    """The mention id of ``monitor``'s copy of the story ``story`` (a :func:`story_id`)."""
    return hashlib.sha256(f"monitor\x1f{monitor}\x1f{story}".encode()).hexdigest()[:32]


def mention_id(employer: str, key: str, *, monitor: str) -> str:
    """Stable id of a mention: one monitor's copy of one item about one employer.

    The monitor is part of the id, so each monitor keeps its own row with its own alert state:
    a competitor mention of one monitor never takes the place of the employer mention of another,
    and two monitors of the same employer each alert by their own rules and channels. Called by
    extract and by the tests; never raises.
    """
    return monitor_mention_id(monitor, story_id(employer, key))


@dataclass(frozen=True, slots=True)
class Mention:
    """One piece of text about one employer (or competitor) of one monitor.

    ``id`` is stable across runs and names the monitor (see :func:`mention_id`); every datetime is timezone-aware UTC.
    ``extra`` carries what a source kind knows beyond the common fields (review rating, role,
    subreddit, who submitted it, ...); it must stay JSON-serialisable.
    """

    id: str
    monitor: str
    employer: str
    url: str
    title: str
    text: str
    source: str
    source_kind: str
    fetched: datetime
    is_competitor: bool = False
    sources: tuple[str, ...] = ()
    author: str | None = None
    published: datetime | None = None
    matched_terms: tuple[str, ...] = ()
    language: str | None = None
    sentiment_score: float | None = None
    sentiment_label: str | None = None
    scorer: str | None = None
    topics: tuple[str, ...] = ()
    topic_sentiment: dict[str, float] = field(default_factory=dict)
    severity: float | None = None
    fingerprint: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.sources:
            object.__setattr__(self, "sources", (self.source,))
        for name in ("fetched", "published"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Mention.{name} must be timezone-aware, got {value!r}")

    @property
    def is_negative(self) -> bool:
        return self.sentiment_label == NEGATIVE

    @property
    def wants_alert(self) -> bool:
        """Whether the on-call channel should see it: the decide step's verdict
        (``extra["decision"]``, see :mod:`hirewatch.decide`); for a mention it never saw (stored
        before it existed, or built by hand), negative and not a competitor's."""
        decision = self.extra.get("decision")
        if isinstance(decision, dict) and isinstance(decision.get("alert"), bool):
            return decision["alert"] and not self.is_competitor
        return self.is_negative and not self.is_competitor

    @property
    def alert_reasons(self) -> tuple[str, ...]:
        """Why it is negative or alerted, in words ("1-star review", "negative about the
        interview"), as the decide step wrote it; empty when it did not."""
        decision = self.extra.get("decision")
        reasons = decision.get("reasons") if isinstance(decision, dict) else None
        return tuple(str(r) for r in reasons) if isinstance(reasons, list) else ()

    def with_(self, **changes: Any) -> Mention:
        """Return a copy with ``changes`` applied (the stages' way to refine a mention)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 strings, tuples as lists)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, datetime):
                out[key] = value.astimezone(UTC).isoformat()
            elif isinstance(value, tuple):
                out[key] = list(value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        """Inverse of :meth:`to_dict`; unknown keys are ignored. Raises ``KeyError``/``ValueError``
        when a required field is missing or malformed."""
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        for key in ("fetched", "published"):
            value = kwargs.get(key)
            if isinstance(value, str):
                kwargs[key] = datetime.fromisoformat(value)
        for key in ("sources", "matched_terms", "topics"):
            if key in kwargs and kwargs[key] is not None:
                kwargs[key] = tuple(kwargs[key])
        kwargs["topic_sentiment"] = dict(kwargs.get("topic_sentiment") or {})
        kwargs["extra"] = dict(kwargs.get("extra") or {})
        return cls(**kwargs)


def utcnow() -> datetime:
    return datetime.now(UTC)
