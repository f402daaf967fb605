"""Conversions both stores share: timestamps as sortable UTC strings, run reports back from their
JSON form, alert-status rules.

Used by :mod:`hirewatch.stores.sqlite_store` and :mod:`hirewatch.stores.elasticsearch_store`;
nothing here does I/O. ``parse_time``/``run_report_from_dict`` raise ``ValueError`` on malformed
input (the stores turn that into a :class:`~hirewatch.errors.StoreError` with context).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from hirewatch.mention import Mention
from hirewatch.report import RunReport, SourceReport
from hirewatch.stores.base import UpsertResult

#: Alert statuses that mean "Slack has this message" (``find_alerted`` threads under these).
DELIVERED = ("sent", "threaded")


def format_time(value: datetime) -> str:
    """A fixed-width UTC ISO 8601 string (``2024-05-01T08:00:00.000000Z``): sorts as text, parses
    back with :func:`parse_time`, and is a valid Elasticsearch ``date``."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: every time in the store is timezone-aware UTC")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def format_time_opt(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


def parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def sort_time(mention: Mention) -> datetime:
    """The time a mention is ordered and filtered by: when it was published, else first fetched."""
    return mention.published or mention.fetched


def initial_alert_status(mention: Mention) -> str:
    """The outbox rule for a mention seen for the first time: the decide step chose to alert it
    (:attr:`~hirewatch.mention.Mention.wants_alert`) -> ``pending``; everything else -> ``none``."""
    return "pending" if mention.wants_alert else "none"


def merge_sources(old: tuple[str, ...] | list[str], new: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Union of two source lists, first-seen order kept."""
    return tuple(dict.fromkeys([*old, *new]))


def upsert_result(new: list[str], updated: list[str], failed: list[tuple[str, str]] | dict[str, str]) -> UpsertResult:
    """The result of one ``upsert_mentions`` call written in several batches: an id met again in a
    later batch of the same call is reported once, new if it was new."""
    first = tuple(dict.fromkeys(new))
    known = set(first)
    pairs = failed.items() if isinstance(failed, dict) else failed
    return UpsertResult(new=first, updated=tuple(mid for mid in dict.fromkeys(updated) if mid not in known),
                        failed=tuple(pairs))


def run_report_from_dict(data: dict[str, Any]) -> RunReport:
    """Inverse of :meth:`RunReport.to_dict` (derived keys such as ``new_mentions`` are dropped)."""
    sources = [SourceReport(**src) for src in data.get("sources") or []]
    started = parse_time(data["started"])
    assert started is not None
    return RunReport(
        monitor=data["monitor"],
        started=started,
        finished=parse_time(data.get("finished")),
        sources=sources,
        alerts_sent=int(data.get("alerts_sent") or 0),
        alerts_suppressed=int(data.get("alerts_suppressed") or 0),
        alerts_failed=int(data.get("alerts_failed") or 0),
        store_failures=[(str(a), str(b)) for a, b in data.get("store_failures") or []],
        notes=list(data.get("notes") or []),
        alert_error=data.get("alert_error"),
    )


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One piece of a user's search text: a word (``prefix``: ``word*``), a quoted phrase, or OR."""

    kind: Literal["word", "phrase", "or"]
    words: tuple[str, ...] = ()
    prefix: bool = False


def parse_text_query(text: str) -> list[QueryTerm]:
    """The search syntax both stores accept: every word must occur (any order), ``"a phrase"``
    must occur as written, ``OR`` between two terms means either, ``word*`` is a prefix. Only
    letters and digits survive inside terms, so no input is a syntax error in either backend."""
    terms: list[QueryTerm] = []
    for index, part in enumerate(text.split('"')):
        if index % 2 == 1:  # inside quotes
            words = tuple(_words(part))
            if words:
                terms.append(QueryTerm("phrase", words))
            continue
        for raw in part.split():
            if raw == "OR":
                if terms and terms[-1].kind != "or":
                    terms.append(QueryTerm("or"))
                continue
            for word in _words(raw):
                terms.append(QueryTerm("word", (word,), prefix=raw.endswith("*")))
    while terms and terms[-1].kind == "or":
        terms.pop()
    return terms


def _words(text: str) -> list[str]:
    """Runs of letters and digits (how FTS5's unicode61 and Elasticsearch's standard tokenizer split)."""
    out, current = [], []
    for char in text:
        if char.isalnum():
            current.append(char)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out
