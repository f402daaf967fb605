"""The digest's headline: the one or two sentences a lead reads first (new mentions against the
day before, failing and quiet sources, monitors that did not run). Every renderer shows it as is.

Called by :func:`hirewatch.digest.build.build_digest` and the tests' sample digests.
"""

from __future__ import annotations

import re

from hirewatch.digest.model import Digest


def _plural(n: float, word: str, plural: str | None = None) -> str:
    n_int = round(n)
    return f"{n_int} {word if n_int == 1 else (plural or word + 's')}"


def _change(now: float, before: float, what: str) -> str:
    if before == 0 and now == 0:
        return ""
    if round(now) == round(before):
        return f"as many as {what}"
    return f"{'up' if now > before else 'down'} from {f'{before:g}' if before else 'none'} {what}"


def headline(digest: Digest) -> str:
    """One or two sentences a lead reads first; every renderer shows it as is."""
    parts: list[str] = []
    when = digest.day_phrase
    today = digest.today
    if today.total == 0:
        parts.append(f"No new mentions {when}")
    else:
        negatives = f" ({_plural(today.negative, 'negative', 'negative')})" if today.negative else " (none negative)"
        sentence = f"{_plural(today.total, 'new mention')} {when}{negatives}"
        change = _change(today.total, digest.previous_day.total, "the day before") if digest.has_history else ""
        if change:
            sentence += f", {change}"
        parts.append(sentence)
    failing = digest.failing
    if failing:
        listed = ", ".join(f"{s.source} ({_short_error(s.error)})" for s in failing)
        parts.append(f"{_plural(len(failing), 'source')} failed: {listed}")
    quiet = digest.quiet
    if quiet:
        listed = ", ".join(f"{s.source} (nothing new for {s.days_quiet} days)" for s in quiet)
        parts.append(f"{_plural(len(quiet), 'source')} gone quiet: {listed}")
    if digest.monitors_without_runs:
        parts.append("no run recorded for " + ", ".join(digest.monitors_without_runs))
    return "; ".join(parts) + "."


def _short_error(error: str | None, limit: int = 80) -> str:
    text = re.sub(r"\s+", " ", error or "failed").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
