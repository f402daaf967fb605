"""The digest's time windows: a local day as a UTC interval, the default day, and how far back
the trend and the baseline reach.

Days are local days of the recipients' time zone: the window of a day is
``[local midnight, next local midnight)`` converted to UTC, so a day is 23 or 25 hours long on the
nights the clocks change. Called by :mod:`hirewatch.digest.build` and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: Days of the trend chart (the digest day included).
TREND_DAYS = 14
#: Days before the digest day that make its baseline (the "7-day average").
BASELINE_DAYS = 7


@dataclass(frozen=True, slots=True)
class DayWindow:
    """One local day as a UTC half-open interval ``[start, end)``."""

    day: date
    timezone: str
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def day_window(day: date, tz: ZoneInfo | str) -> DayWindow:
    """``[local midnight of day, local midnight of the next day)`` in UTC.

    Each end is converted on its own, so the window is 23 or 25 hours long on the nights the
    clocks change. Where midnight itself does not exist (a zone that springs forward at 00:00),
    ``fold=0`` maps it to the first instant that does, which is where that day starts.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return DayWindow(day=day, timezone=zone.key, start=start, end=end)


def previous_local_day(tz: ZoneInfo | str, now: datetime | None = None) -> date:
    """The day before today in ``tz`` (the digest's default day)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return (now or datetime.now(UTC)).astimezone(zone).date() - timedelta(days=1)
