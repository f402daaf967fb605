"""The digest model: the frozen records the renderers (HTML, text, Slack) read, and the readers'
names for topics. Built by :func:`hirewatch.digest.build.build_digest`; nothing here reads the
store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hirewatch.digest.windows import DayWindow

# Topics in the order of the candidate journey, then the employee topics; unknown topics follow.
TOPIC_LABELS: dict[str, str] = {
    "job_ad": "Job ad & employer brand",
    "employer_brand": "Job ad & employer brand",
    "application": "Application & ATS",
    "recruiter": "Recruiter contact",
    "interview": "Interview",
    "assessment": "Assessment",
    "offer": "Offer & pay",
    "rejection": "Rejection & ghosting",
    "ghosting": "Rejection & ghosting",
    "onboarding": "Onboarding",
    "management": "Management",
    "culture": "Culture",
    "pay_benefits": "Pay & benefits",
    "benefits": "Pay & benefits",
    "layoffs": "Layoffs & reorganisation",
    "workload": "Workload",
}
_TOPIC_ORDER = {key: index for index, key in enumerate(TOPIC_LABELS)}


def topic_label(topic: str) -> str:
    """A reader's name for a topic key (``rejection`` -> "Rejection & ghosting")."""
    return TOPIC_LABELS.get(topic) or topic.replace("_", " ").replace("-", " ").strip().capitalize() or topic


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class Counts:
    """Mentions of one day (or the average day of a baseline): volume, split by sentiment, and
    the mean sentiment score of the scored ones (None when none was scored)."""

    total: float = 0
    negative: float = 0
    neutral: float = 0
    positive: float = 0
    avg_sentiment: float | None = None


@dataclass(frozen=True, slots=True)
class TrendDay:
    day: date
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    @property
    def total(self) -> int:
        return self.negative + self.neutral + self.positive


@dataclass(frozen=True, slots=True)
class TopicRow:
    """A topic of the candidate journey on the digest day. ``avg_sentiment`` is the mean of the
    per-topic scores (``Mention.topic_sentiment``), falling back to the mention's score."""

    topic: str
    label: str
    count: int
    negative: int
    neutral: int
    positive: int
    avg_sentiment: float | None
    baseline: float


@dataclass(frozen=True, slots=True)
class Item:
    """A mention worth reading, with where it stands in the alert outbox and triage.

    ``status_label``: "acknowledged", "assigned", "false positive", "open" (alerted, nobody has
    acted), "alert pending", "alert suppressed" or "no alert" (not negative, never alerted).
    """

    mention_id: str
    monitor: str
    employer: str
    title: str
    excerpt: str
    url: str
    source: str
    source_kind: str
    sentiment_label: str | None
    sentiment_score: float | None
    severity: float | None
    topics: tuple[str, ...]
    seen: datetime
    published: datetime | None
    alert_status: str = "none"
    triage: str = "open"
    status_label: str = "no alert"
    rating: float | None = None
    reasons: tuple[str, ...] = ()  # why it is negative or alerted ("1-star review"), from the decide step


@dataclass(frozen=True, slots=True)
class RatingChange:
    """A review site's aggregate rating at the end of the day and before it started, in stars
    (1-5; the store keeps 0..1)."""

    monitor: str
    site: str
    rating: float
    previous: float | None
    count: int | None
    previous_count: int | None
    at: datetime
    updated_today: bool

    @property
    def delta(self) -> float | None:
        return None if self.previous is None else round(self.rating - self.previous, 3)


@dataclass(frozen=True, slots=True)
class EntityRow:
    """The employer or a competitor, side by side: the day and the last 7 days (day included)."""

    name: str
    monitor: str
    is_competitor: bool
    volume: int
    share: float | None
    avg_sentiment: float | None
    negative: int
    week_volume: int
    week_share: float | None
    week_avg_sentiment: float | None


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One configured source: ``failing`` (its last run of the day failed), ``quiet`` (runs fine
    but no new mention for ``days_quiet`` days while it had some before), ``not_run`` (its monitor
    ran that day, this source did not), ``no_run`` (its monitor did not run that day: not checked)
    or ``ok``."""

    monitor: str
    source: str
    kind: str
    status: str
    runs: int = 0
    failures: int = 0
    error: str | None = None
    failing_since: datetime | None = None
    last_new: datetime | None = None
    days_quiet: int | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything the renderers show, for one group of monitors and one local day."""

    group: str
    monitors: tuple[str, ...]
    employers: tuple[str, ...]
    recipients: tuple[str, ...]
    slack_channel: str | None
    window: DayWindow
    generated_at: datetime
    today: Counts
    previous_day: Counts
    baseline: Counts
    baseline_days: int
    trend: tuple[TrendDay, ...]
    topics: tuple[TopicRow, ...]
    items: tuple[Item, ...]
    reviews: tuple[Item, ...]
    more_reviews: int
    ratings: tuple[RatingChange, ...]
    entities: tuple[EntityRow, ...]
    sources: tuple[SourceHealth, ...]
    monitors_without_runs: tuple[str, ...]
    headline: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Negative mentions of the day not among ``items``, and where to read them all: a Kibana
    #: Discover link when Kibana is configured, and always a ``hirewatch search`` command.
    more_negatives: int = 0
    negatives_link: str | None = None
    negatives_command: str | None = None

    @property
    def day(self) -> date:
        return self.window.day

    @property
    def title(self) -> str:
        return f"{', '.join(self.employers)}: {self.day_name}"

    @property
    def day_name(self) -> str:
        return f"{self.day:%A} {self.day.day} {self.day:%B %Y}"

    @property
    def day_phrase(self) -> str:
        """"yesterday" when the digest is about the day before it was made, else "on Mon 9 Mar"."""
        local_today = self.generated_at.astimezone(ZoneInfo(self.window.timezone)).date()
        if self.day == local_today - timedelta(days=1):
            return "yesterday"
        if self.day == local_today:
            return "today so far"
        return f"on {self.day:%a} {self.day.day} {self.day:%b}"

    @property
    def has_history(self) -> bool:
        """Whether hirewatch ran on any of the 7 days before (else there is nothing to compare with)."""
        return self.baseline_days > 0

    @property
    def failing(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if s.status == "failing")

    @property
    def quiet(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if s.status == "quiet")

    @property
    def not_run(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if s.status == "not_run")

    @property
    def checked(self) -> tuple[SourceHealth, ...]:
        """The sources of the monitors that ran that day (the others were not checked)."""
        return tuple(s for s in self.sources if s.status != "no_run")

    @property
    def healthy(self) -> int:
        """How many of :attr:`checked` ran without trouble."""
        return sum(1 for s in self.checked if s.status in ("ok", "quiet"))

    @property
    def competitors(self) -> bool:
        return any(row.is_competitor for row in self.entities)
