"""Small formatters the three digest renderings share, so a number reads the same in the HTML
mail, the plain text and Slack. Pure functions; none raises on odd input (None reads as "–").
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hirewatch import escaping
from hirewatch.digest.model import Digest

DASH = "–"


def score(value: float | None) -> str:
    """A sentiment score as ``+0.42`` / ``−0.31`` (true minus sign) or a dash."""
    if value is None:
        return DASH
    if abs(value) < 0.005:
        return "0.00"
    return f"{'+' if value > 0 else '−'}{abs(value):.2f}"


def number(value: float) -> str:
    """A count or an average count: ``12``, ``3.4``."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def delta(now: float, before: float) -> str:
    """``▲ 3``, ``▼ 1.5`` or ``= 0`` (now minus before)."""
    diff = now - before
    if abs(diff) < 0.05:
        return "= 0"
    return f"{'▲' if diff > 0 else '▼'} {number(round(abs(diff), 1))}"


def score_delta(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    diff = now - before
    if abs(diff) < 0.005:
        return "= 0.00"
    return f"{'▲' if diff > 0 else '▼'} {abs(diff):.2f}"


def share(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.0f}%"


def rating(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


def rating_delta(value: float | None) -> str:
    if value is None:
        return "new"
    if abs(value) < 0.005:
        return "no change"
    return f"{'▲' if value > 0 else '▼'} {abs(value):.2f}"


def severity(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


def local_time(moment: datetime | None, timezone: str, with_day: bool = False) -> str:
    if moment is None:
        return DASH
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b %H:%M}" if with_day else f"{local:%H:%M}"


def window_text(digest: Digest) -> str:
    """"Mon 9 Mar 2026 00:00 – Tue 10 Mar 00:00 Europe/Amsterdam (23 h; 23:00 – 23:00 UTC)"."""
    w = digest.window
    return (f"{w.day:%a} {w.day.day} {w.day:%b %Y}, 00:00–24:00 {w.timezone} ({w.hours:g} h: "
            f"{w.start:%Y-%m-%d %H:%M} to {w.end:%Y-%m-%d %H:%M} UTC)")


#: ``url`` if it is an http(s) address (percent-encoded where it would break out of a link or an
#: attribute), else None: a crawled ``javascript:`` or ``data:`` link is never a link. The same
#: rule as the Slack alerts' links.
safe_url = escaping.safe_url


def source_line(source: str, kind: str) -> str:
    return source if not kind or kind == source else f"{source} ({kind.replace('_', ' ')})"
