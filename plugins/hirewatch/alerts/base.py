"""What every alerter provides, what a delivery run reports, and the alerting errors.

An alerter (one per file: ``slack_alerter.py``, ``dry_run_alerter.py``, registered by name in
:mod:`hirewatch.alerts`) posts ready-made Block Kit messages to a channel and says where they
landed. The outbox logic (what to send, what to mark) lives in :mod:`hirewatch.alerts.delivery`,
so every alerter behaves the same way towards the store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from hirewatch.errors import AlertError


class SlackUnavailable(AlertError):
    """Slack could not take any message now (down, 5xx, timeout, still rate limited after the
    retries, token refused). The delivery run stops; every unsent mention stays pending."""


class SlackRefused(AlertError):
    """Slack refused this one message (``ok: false`` with an error code such as
    ``invalid_blocks``). ``channel_wide``: every message to this channel will be refused too
    (``channel_not_found``, ``not_in_channel``, ``is_archived``)."""

    def __init__(self, message: str, *, code: str, channel: str, channel_wide: bool = False) -> None:
        super().__init__(message)
        self.code, self.channel, self.channel_wide = code, channel, channel_wide


@dataclass(frozen=True, slots=True)
class Posted:
    """Where Slack put a message: the channel id it answered with and the message's ``ts``."""

    channel: str
    ts: str


@dataclass(frozen=True, slots=True)
class Found:
    """A message an earlier run posted for a mention, found again in Slack (see
    :meth:`Alerter.find_posted`): where it is, and the thread it is in (None: top level)."""

    channel: str
    ts: str
    thread_ts: str | None = None


@dataclass(slots=True)
class Lookup:
    """What :meth:`Alerter.find_posted` found: mention id -> its message; mention id -> the storm
    message whose thread it was promised to (``storm_thread``); the ids a storm's burst marked
    suppressed (``storm_suppressed``); and the channels or threads it could not read (their
    unmarked alerts are posted again)."""

    found: dict[str, Found] = field(default_factory=dict)
    storm_thread: dict[str, Found] = field(default_factory=dict)
    storm_suppressed: set[str] = field(default_factory=set)
    unreadable: list[str] = field(default_factory=list)


class Alerter(ABC):
    """Posts messages. ``marks_sent`` False (the dry run): the delivery run changes nothing in the
    store, it only shows what it would send."""

    name: ClassVar[str]
    marks_sent: ClassVar[bool] = True

    @abstractmethod
    def post(self, channel: str, message: dict[str, Any], *, thread_ts: str | None = None) -> Posted:
        """Post ``message`` (``text``, ``blocks`` and options, no ``channel``) to ``channel``, in
        the thread of ``thread_ts`` when given. Raises :class:`SlackUnavailable` or
        :class:`SlackRefused`."""

    def find_posted(self, channels: Iterable[str], threads: Iterable[tuple[str, str]], since: datetime, *,
                    monitor: str | None = None) -> Lookup | None:
        """The messages this app posted since ``since`` for ``monitor``'s alerts, in ``channels``
        (top level, and in the threads of its own messages there) and in ``threads`` ((channel,
        thread ts) pairs: earlier alerts whose thread a reply may have gone to). Called by the
        delivery run after a run that did not finish, before anything is posted. None: this
        alerter cannot look at all (the default; the dry run; a token without the history scopes),
        and an alert that was accepted but not marked is posted again. Raises
        :class:`SlackUnavailable` when Slack cannot answer now."""
        return None

    def close(self) -> None:  # noqa: B027  (optional hook; most alerters hold nothing)
        """Release what the alerter holds."""


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message a delivery run posted (or, dry run, would have posted)."""

    kind: str  # "alert" | "thread" | "storm"
    channel: str
    ts: str
    mention_ids: tuple[str, ...]
    thread_ts: str | None = None


@dataclass(slots=True)
class AlertReport:
    """What :func:`hirewatch.alerts.deliver_alerts` did for one monitor.

    ``sent``: new alerts Slack accepted; ``threaded``: replies under an earlier alert (or under the
    storm message); ``suppressed``: how many were marked suppressed, ``suppressed_by``: reason ->
    count (``unrouted``, ``storm``, ``cap``, ``disabled``);
    ``failed``: attempts Slack refused or could not take (the mention stays pending);
    ``deferred``: pending mentions not attempted because Slack was unavailable (still pending);
    ``reconciled``: pending mentions whose message an unfinished earlier run had posted, found in
    Slack and marked instead of posted again (also counted in ``sent``/``threaded``).
    A dry run sends and marks nothing: ``sent``/``threaded`` stay 0, ``would_send`` counts the
    messages it printed, ``notes`` says why.
    """

    monitor: str
    alerter: str
    dry_run: bool = False
    pending: int = 0
    sent: int = 0
    threaded: int = 0
    suppressed_by: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    deferred: int = 0
    storm: str | None = None
    would_send: int = 0
    reconciled: int = 0
    messages: list[SentMessage] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def suppressed(self) -> int:
        return sum(self.suppressed_by.values())

    @property
    def delivered(self) -> int:
        """Messages for mentions that Slack accepted: new alerts and thread replies."""
        return self.sent + self.threaded

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing was left for the next run."""
        return self.failed == 0 and self.deferred == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "monitor": self.monitor, "alerter": self.alerter, "dry_run": self.dry_run, "pending": self.pending,
            "sent": self.sent, "threaded": self.threaded, "suppressed": self.suppressed,
            "suppressed_by": dict(self.suppressed_by),
            "failed": self.failed, "deferred": self.deferred, "storm": self.storm, "would_send": self.would_send,
            "reconciled": self.reconciled,
            "messages": [{"kind": m.kind, "channel": m.channel, "ts": m.ts, "mention_ids": list(m.mention_ids),
                          "thread_ts": m.thread_ts} for m in self.messages],
            "errors": list(self.errors), "notes": list(self.notes),
        }
