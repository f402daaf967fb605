"""Run reports: what one run of one monitor did, per source. Built by the pipeline, printed by
the CLI, returned (as dicts) by the Airflow tasks, kept by the store for the digest's source health.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from hirewatch.redact import clean_data

SourceStatus = Literal["ok", "not_modified", "failed"]


@dataclass(slots=True)
class SourceReport:
    source: str
    kind: str
    status: SourceStatus = "ok"
    error: str | None = None
    items: int = 0
    mentions: int = 0
    new_mentions: int = 0
    negatives: int = 0
    requests: int = 0
    seconds: float = 0.0
    #: What was wrong but read anyway: a broken-but-usable feed, an export's repaired bytes.
    bozo: str | None = None
    #: How the items were read: ``feed (atom10)``, ``JSON-LD``, ``microformats``, ``site adapter
    #: (glassdoor)``, ``file (csv)``; None when nothing was read (not modified, failed).
    via: str | None = None


@dataclass(slots=True)
class RunReport:
    monitor: str
    started: datetime
    finished: datetime | None = None
    sources: list[SourceReport] = field(default_factory=list)
    alerts_sent: int = 0
    alerts_suppressed: int = 0
    alerts_failed: int = 0
    store_failures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Why the delivery step could not run at all (the outbox could not be read), else None.
    alert_error: str | None = None

    @property
    def new_mentions(self) -> int:
        return sum(s.new_mentions for s in self.sources)

    @property
    def negatives(self) -> int:
        return sum(s.negatives for s in self.sources)

    @property
    def failed_sources(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no source failed, every mention was stored and no alert delivery failed
        (the CLI exits 1 otherwise)."""
        return not (self.failed_sources or self.store_failures or self.alerts_failed or self.alert_error)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["started"] = self.started.isoformat()
        out["finished"] = self.finished.isoformat() if self.finished else None
        out["new_mentions"], out["negatives"], out["ok"] = self.new_mentions, self.negatives, self.ok
        # Errors and notes can quote what a server sent back: no configured secret and no control
        # character leaves here.
        return clean_data(out)
