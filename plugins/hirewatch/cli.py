"""The ``hirewatch`` command line. Each area registers its own sub-commands from its own module
(``app.add_typer`` at the bottom of this file), so this file stays the curated entry point.

Exit codes (every command, see :mod:`hirewatch.cli_support`): 0 ok, 1 the command ran but
something failed (a source, a delivery, a store write), 2 bad input (a monitor file, a setting).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hirewatch.alerts.cli import slack_app
from hirewatch.cli_support import (
    EXIT_BAD_INPUT,
    MONITORS_OPTION,
    error,
    json_option,
    monitor_option,
    opened_store,
    select_monitors,
)
from hirewatch.config import Monitor, load_monitors
from hirewatch.digest.digest_cli import digest_command
from hirewatch.mention import SENTIMENT_LABELS
from hirewatch.report import RunReport
from hirewatch.stores.es_cli import es_app, kibana_app

if TYPE_CHECKING:
    from hirewatch.stores.base import MentionStore

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Employer-brand reputation monitoring.",
                  epilog="Exit codes: 0 ok; 1 the command ran but something failed (a source, a delivery, a "
                         "store write); 2 bad input (a monitor file, a setting, an argument).")
console = Console()


@app.command()
def validate(monitors: Path = MONITORS_OPTION,
             as_json: bool = json_option("the valid monitors and the problems")) -> None:
    """Check every monitor file; print one line per problem with file and line. Exit 2 when any
    file has a problem."""
    if not monitors.is_dir():
        error(f"no monitor directory {monitors} (--monitors DIR)")
        raise typer.Exit(EXIT_BAD_INPUT)
    good, errors = load_monitors(monitors)
    if not good and not errors:
        error(f"no monitor files (*.yaml, *.yml) in {monitors}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if as_json:
        typer.echo(json.dumps({"valid": [m.name for m in good],
                               "errors": [{"path": e.path, "line": e.line, "field": e.field, "message": str(e)}
                                          for e in errors]}, indent=2))
    else:
        for monitor in good:
            console.print(f"[green]ok[/green] {escape(str(monitor.path))}: monitor {monitor.name!r}, "
                          f"{len(monitor.sources)} sources", highlight=False)
        for problem in errors:
            error(str(problem))
    raise typer.Exit(EXIT_BAD_INPUT if errors else 0)


@app.command()
def run(
    monitor: str | None = monitor_option("Run only this monitor."),
    monitors: Path = MONITORS_OPTION,
    no_alerts: bool = typer.Option(False, "--no-alerts", help="Store mentions, leave alerts pending."),
    as_json: bool = json_option("the run reports"),
) -> None:
    """Crawl every source of the monitors, store new mentions, deliver pending alerts. Exit 1 when
    a source, a store write or a delivery failed; 2 when a monitor file was refused (the others
    still run)."""
    selection = select_monitors(monitors, monitor)
    reports = []
    with opened_store() as store:
        for mon in selection.monitors:
            reports.append(_run_with_progress(mon, store, alert=not no_alerts, quiet=as_json))
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in reports], indent=2, default=str))
    else:
        for report in reports:
            _print_summary(report)
    raise typer.Exit(selection.exit_code(failed=not all(r.ok for r in reports)))


def _run_with_progress(monitor: Monitor, store: MentionStore, *, alert: bool, quiet: bool) -> RunReport:
    from hirewatch.pipeline import run_monitor

    enabled = [s for s in monitor.sources if s.enabled]
    if quiet or not console.is_terminal:
        return run_monitor(monitor, store, alert=alert)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(f"monitor {monitor.name}", total=len(enabled))
        return run_monitor(monitor, store, alert=alert, progress=lambda _r: bar.advance(task))


def _print_summary(report: RunReport) -> None:
    table = Table(title=f"monitor {report.monitor}", title_justify="left")
    for column in ("source", "kind", "status", "items", "mentions", "new", "negative", "seconds", "detail"):
        table.add_column(column, justify="right" if column in {"items", "mentions", "new", "negative",
                                                                  "seconds"} else "left")
    colours = {"ok": "green", "not_modified": "cyan", "failed": "red"}
    for s in report.sources:
        detail = s.error or (f"feed problem: {s.bozo}" if s.bozo else "")
        table.add_row(escape(s.source), s.kind, f"[{colours[s.status]}]{s.status}[/]", str(s.items), str(s.mentions),
                      str(s.new_mentions), str(s.negatives), f"{s.seconds:.2f}", escape(detail))
    console.print(table)
    console.print(
        f"{report.new_mentions} new mentions, {report.negatives} new negative; "
        f"{len(report.failed_sources)} of {len(report.sources)} sources failed; "
        f"alerts: {report.alerts_sent} sent, {report.alerts_suppressed} suppressed, {report.alerts_failed} failed"
    )
    for failure in report.store_failures:
        console.print(f"[red]not stored[/red] {escape(failure[0])}: {escape(failure[1])}")
    if report.alert_error:
        console.print(f"[red]alerts not delivered[/red] {escape(report.alert_error)}")
    for note in report.notes:
        console.print(f"[yellow]note[/yellow] {escape(note)}")


@app.command()
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
) -> None:
    """Search stored mentions, newest first."""
    from hirewatch.stores.base import MentionQuery

    if sentiment is not None and sentiment not in SENTIMENT_LABELS:
        error(f"--sentiment: expected one of {', '.join(SENTIMENT_LABELS)}, got {sentiment!r}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    with opened_store() as store:
        hits = store.search(MentionQuery(text=query or None, employer=employer, monitor=monitor, since=since,
                                         sentiment=sentiment, source=source, limit=limit))
    if as_json:
        typer.echo(json.dumps([{**h.mention.to_dict(), "alert_status": h.alert.status} for h in hits], indent=2))
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


app.add_typer(slack_app, name="slack")
app.add_typer(es_app, name="es")
app.add_typer(kibana_app, name="kibana")
app.command("digest")(digest_command)

from hirewatch.submit import submit_command  # noqa: E402 - each area registers its command at the bottom

app.command("submit")(submit_command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
