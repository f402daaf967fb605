"""``hirewatch search``: stored mentions, newest first, as a table, JSON or formula-safe CSV.

Registered by :mod:`hirewatch.cli`; calls the store's ``search``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hirewatch.cli.support import EXIT_BAD_INPUT, error, json_option, monitor_option, opened_store
from hirewatch.mention import SENTIMENT_LABELS

console = Console()


def search(
    query: str = typer.Argument(None, help='Full-text query over title and text: every word must occur; '
                                           '"a phrase", word*, a OR b.'),
    employer: str | None = typer.Option(None, "--employer", help="Only mentions of this employer or competitor "
                                                                 "(its name as in the monitor file)."),
    monitor: str | None = monitor_option("Only this monitor's mentions."),
    since: datetime | None = typer.Option(None, "--since", help="ISO date or datetime (UTC when no zone)."),
    sentiment: str | None = typer.Option(None, "--sentiment", help="negative, neutral or positive."),
    source: str | None = typer.Option(None, "--source", help="Only mentions seen in this source (its name)."),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000, help="At most this many mentions."),
    as_json: bool = json_option("the mentions (with their alert status)"),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV for a spreadsheet (formula-safe cells)."),
) -> None:
    """Search stored mentions, newest first."""
    from hirewatch.stores.base import MentionQuery

    if sentiment is not None and sentiment not in SENTIMENT_LABELS:
        error(f"--sentiment: expected one of {', '.join(SENTIMENT_LABELS)}, got {sentiment!r}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    with opened_store(read_only=True) as store:
        hits = store.search(MentionQuery(text=query or None, employer=employer, monitor=monitor, since=since,
                                         sentiment=sentiment, source=source, limit=limit))
    if as_json:
        typer.echo(json.dumps([{**h.mention.to_dict(), "alert_status": h.alert.status} for h in hits], indent=2))
        return
    if as_csv:
        _write_csv(hits)
        return
    table = Table(show_lines=False)
    for column in ("published", "employer", "sentiment", "source", "title", "url"):
        table.add_column(column)
    for hit in hits:
        m = hit.mention
        when = (m.published or m.fetched).strftime("%Y-%m-%d %H:%M")
        label = f"{m.sentiment_label or '?'} {m.sentiment_score:+.2f}" if m.sentiment_score is not None else "?"
        table.add_row(when, escape(m.employer), label, escape(m.source), escape(m.title[:80]), escape(m.url))
    console.print(table)
    console.print(f"{len(hits)} mentions")


CSV_COLUMNS = ("id", "published", "fetched", "monitor", "employer", "sentiment", "score", "severity", "topics",
               "source", "source_kind", "alert_status", "title", "url")
#: A spreadsheet reads a cell that starts with one of these as a formula (``=HYPERLINK(...)``,
#: ``@SUM(...)``, ``-2+3``, DDE via ``+cmd|...``); such text cells get a leading ``'``.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """One CSV cell: crawled text that a spreadsheet would run as a formula is prefixed with
    ``'`` (OWASP's advice for CSV injection); numbers and empty cells pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_csv(hits: list) -> None:
    import csv
    import sys

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        m = hit.mention
        row = (m.id, m.published.isoformat() if m.published else "", m.fetched.isoformat(), m.monitor, m.employer,
               m.sentiment_label or "", m.sentiment_score, m.severity, ";".join(m.topics), m.source,
               m.source_kind, hit.alert.status, m.title, m.url)
        writer.writerow([csv_cell(value) for value in row])
