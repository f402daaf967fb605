"""``hirewatch search``: stored mentions, newest first: whole titles and URLs (list), one line each
(wide), a table, JSON or formula-safe CSV; "2 of 10 mentions"; unknown names refused.

Registered by :mod:`hirewatch.cli`; calls the store's ``search``.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from hirewatch.cli.support import (
    MONITORS_OPTION,
    json_option,
    monitor_option,
    opened_store,
    output_console,
    refuse,
    unknown,
)
from hirewatch.escaping import terminal_text
from hirewatch.mention import SENTIMENT_LABELS

if TYPE_CHECKING:
    from hirewatch.config import Monitor
    from hirewatch.stores.base import StoredMention

FORMATS = ("list", "wide", "table", "json", "csv")
#: How many matches are counted for "2 of 10 mentions" (the search itself stops at ``--limit``).
COUNT_LIMIT = 10_000


def search(
    query: str = typer.Argument(None, help='Full-text query over title and text: every word must occur; '
                                           '"a phrase", word*, a OR b.'),
    employer: str | None = typer.Option(None, "--employer", metavar="NAME",
                                        help="Only mentions of this employer or competitor (its name as in the "
                                             "monitor file)."),
    monitor: str | None = monitor_option("Only this monitor's mentions."),
    monitors: Path = MONITORS_OPTION,
    since: datetime | None = typer.Option(None, "--since", metavar="WHEN",
                                          help="ISO date or datetime (UTC when no zone)."),
    sentiment: str | None = typer.Option(None, "--sentiment", metavar="LABEL",
                                         help="negative, neutral or positive."),
    source: str | None = typer.Option(None, "--source", metavar="NAME",
                                      help="Only mentions seen in this source (its name)."),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000, help="At most this many mentions."),
    output: str | None = typer.Option(None, "--format", metavar="FORMAT",
                                      help="list (whole title and URL, wrapped; the default), wide (one line "
                                           "each, never cut), table, json or csv."),
    as_json: bool = json_option("the mentions (with their alert status)"),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV for a spreadsheet (formula-safe cells)."),
) -> None:
    """Search stored mentions, newest first. Times are shown in each monitor's time zone, with
    the zone."""
    from dataclasses import replace

    from hirewatch.stores.base import MentionQuery

    flags = [f"--{name}" for name, on in (("json", as_json), ("csv", as_csv)) if on]
    given = flags + ([f"--format {output}"] if output else [])
    if len(given) > 1:
        raise refuse(f"choose one output format: {' and '.join(given)} were both given")
    fmt = output or (flags[0][2:] if flags else "list")
    if fmt not in FORMATS:
        from hirewatch.config import did_you_mean

        raise refuse(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}{did_you_mean(fmt, FORMATS)}")
    if sentiment is not None and sentiment not in SENTIMENT_LABELS:
        raise refuse(f"--sentiment: expected one of {', '.join(SENTIMENT_LABELS)}, got {sentiment!r}")
    known = _check_names(monitors, monitor, employer, source)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    wanted = MentionQuery(text=query or None, employer=employer, monitor=monitor, since=since,
                          sentiment=sentiment, source=source, limit=limit)
    with opened_store(read_only=True) as store:
        hits = store.search(wanted)
        # how many there are in all: only the list, wide and table formats say it
        total = (len(hits) if len(hits) < limit or fmt in ("json", "csv")
                 else len(store.search(replace(wanted, limit=COUNT_LIMIT))))
    if fmt == "json":
        typer.echo(json.dumps([{**h.mention.to_dict(), "alert_status": h.alert.status} for h in hits], indent=2))
        return
    if fmt == "csv":
        _write_csv(hits)
        return
    zones = {m.name: m.tz for m in known}
    if fmt == "table":
        _print_table(hits, zones)
    else:
        for hit in hits:
            typer.echo(_wide_line(hit, zones) if fmt == "wide" else _block(hit, zones))
    typer.echo(count_line(len(hits), total, capped=total >= COUNT_LIMIT), err=fmt == "wide")


def count_line(shown: int, total: int, *, capped: bool = False) -> str:
    """"1 mention", "10 mentions", "2 of 10 mentions" (``capped``: "2 of 10,000+ mentions")."""
    noun = "mention" if total == 1 else "mentions"
    if shown >= total:
        return f"{total} {noun}"
    return f"{shown} of {total:,}{'+' if capped else ''} {noun} (--limit {total} to see them all)" if not capped \
        else f"{shown} of {total:,}+ {noun} (narrow the search, or --limit up to 10000)"


def _check_names(directory: Path, monitor: str | None, employer: str | None, source: str | None) -> list[Monitor]:
    """The monitors of ``directory`` (for names and time zones). A ``--monitor``, ``--employer``
    or ``--source`` that neither a monitor file nor the store knows exits 2 with "did you mean"
    (the store is asked too: its mentions may come from monitor files kept elsewhere)."""
    from hirewatch.config import load_monitors

    good = load_monitors(directory)[0] if directory.is_dir() else []
    scope = [m for m in good if monitor is None or m.name == monitor]
    checks = [("monitor", monitor, [m.name for m in good], {"monitor": monitor}),
              ("employer or competitor", employer, [e.name for m in scope for e in m.entities],
               {"employer": employer}),
              ("source", source, [s.name for m in scope for s in m.sources], {"source": source})]
    for what, name, known, query in checks:
        if name is None or name in known or _stored(query):
            continue
        where = str(directory) if what == "monitor" else (f"monitor {monitor}" if monitor else "")
        raise unknown(what, name, list(dict.fromkeys(known)), where)
    return good


def _stored(query: dict[str, str | None]) -> bool:
    """Whether the store holds any mention with this monitor, employer or source."""
    from hirewatch.stores.base import MentionQuery

    with opened_store() as store:
        return bool(store.search(MentionQuery(limit=1, **query)))  # type: ignore[arg-type]


def _when(moment: datetime, zone: ZoneInfo | None) -> str:
    """``2026-12-05 15:07 CET``: the monitor's zone (UTC when the monitor is not known), named."""
    local = moment.astimezone(zone or UTC)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _times(hit: StoredMention, zones: dict[str, ZoneInfo]) -> str:
    m = hit.mention
    zone = zones.get(m.monitor)
    seen = f"seen {_when(m.fetched, zone)}"
    return f"published {_when(m.published, zone)}, {seen}" if m.published else seen


def _label(hit: StoredMention) -> str:
    m = hit.mention
    return f"{m.sentiment_label or '?'} {m.sentiment_score:+.2f}" if m.sentiment_score is not None else "?"


def _block(hit: StoredMention, zones: dict[str, ZoneInfo]) -> str:
    """One mention: a line of facts, the whole title wrapped to the terminal, the whole URL on a
    line of its own (never cut, so it can be copied)."""
    m = hit.mention
    width = max(40, shutil.get_terminal_size((100, 24)).columns) - 2
    title = textwrap.fill(terminal_text(m.title) or "(no title)", width=width, initial_indent="  ",
                          subsequent_indent="  ", break_on_hyphens=False)
    facts = textwrap.fill(" · ".join([_label(hit), terminal_text(m.employer), terminal_text(", ".join(m.sources)),
                                      _times(hit, zones), f"alert {hit.alert.status}"]),
                          width=width + 2, subsequent_indent="    ", break_on_hyphens=False)
    return f"{facts}\n{title}\n  {terminal_text(m.url)}\n"


def _wide_line(hit: StoredMention, zones: dict[str, ZoneInfo]) -> str:
    """One line, tab-separated, nothing cut: for grep, cut and awk."""
    m = hit.mention
    when = _when(m.published or m.fetched, zones.get(m.monitor))
    return "\t".join(terminal_text(v).replace("\t", " ") for v in (
        when, m.employer, _label(hit), ",".join(m.sources), m.title, m.url))


def _print_table(hits: list[StoredMention], zones: dict[str, ZoneInfo]) -> None:
    """A Rich table whose title and URL columns wrap (fold), never cut with an ellipsis."""
    from rich.markup import escape
    from rich.table import Table

    console = output_console(highlight=False)
    table = Table(show_lines=True)
    for column in ("published", "employer", "sentiment", "source"):
        table.add_column(column)
    table.add_column("title", overflow="fold", ratio=3)
    table.add_column("url", overflow="fold", ratio=2)
    for hit in hits:
        m = hit.mention
        table.add_row(_when(m.published or m.fetched, zones.get(m.monitor)), escape(m.employer), _label(hit),
                      escape(", ".join(m.sources)), escape(m.title), escape(m.url))
    console.print(table)


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
