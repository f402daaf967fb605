"""The ``hirewatch`` command line. Each area registers its own sub-commands from its own module
(``app.add_typer`` at the bottom of this file), so this file stays the curated entry point.

Exit codes: 0 ok, 1 the run finished with failed sources or deliveries, 2 bad input (config).
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
from hirewatch.config import Monitor, load_monitors
from hirewatch.digest.digest_cli import digest_command
from hirewatch.mention import SENTIMENT_LABELS
from hirewatch.report import RunReport
from hirewatch.stores.es_cli import es_app, kibana_app

if TYPE_CHECKING:
    from hirewatch.stores.base import MentionStore

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Employer-brand reputation monitoring.")
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

MonitorsDir = typer.Option(Path("monitors"), "--monitors", help="Directory of monitor YAML files.")


@app.command()
def validate(monitors: Path = MonitorsDir, as_json: bool = typer.Option(False, "--json")) -> None:
    """Check every monitor file; print one line per problem with file and line."""
    good, errors = load_monitors(monitors)
    if as_json:
        typer.echo(json.dumps({"valid": [m.name for m in good],
                               "errors": [{"path": e.path, "line": e.line, "field": e.field, "message": str(e)}
                                          for e in errors]}, indent=2))
    else:
        for monitor in good:
            console.print(f"[green]ok[/green] {monitor.path}: monitor {monitor.name!r}, {len(monitor.sources)} sources")
        for error in errors:
            err_console.print(f"[red]error[/red] {error}", markup=True, highlight=False)
    raise typer.Exit(2 if errors else 0)


def _select(monitors_dir: Path, name: str | None) -> list[Monitor]:
    good, errors = load_monitors(monitors_dir)
    for error in errors:
        err_console.print(f"[red]error[/red] {error} (monitor skipped)", highlight=False)
    if name is not None:
        good = [m for m in good if m.name == name]
        if not good:
            err_console.print(f"[red]error[/red] no valid monitor named {name!r} in {monitors_dir}", highlight=False)
            raise typer.Exit(2)
    return good


@app.command()
def run(
    monitor: str | None = typer.Option(None, "--monitor", "-m", help="Run only this monitor."),
    monitors: Path = MonitorsDir,
    no_alerts: bool = typer.Option(False, "--no-alerts", help="Store mentions, leave alerts pending."),
    as_json: bool = typer.Option(False, "--json", help="Print the run reports as JSON."),
) -> None:
    """Crawl every source of the monitors, store new mentions, deliver pending alerts."""
    from hirewatch.stores.registry import open_store

    selected = _select(monitors, monitor)
    store = open_store()
    reports = []
    try:
        for mon in selected:
            reports.append(_run_with_progress(mon, store, alert=not no_alerts, quiet=as_json))
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in reports], indent=2, default=str))
    else:
        for report in reports:
            _print_summary(report)
    failed = any(r.failed_sources or r.alerts_failed for r in reports)
    raise typer.Exit(1 if failed else 0)


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
    for note in report.notes:
        console.print(f"[yellow]note[/yellow] {escape(note)}")


@app.command()
def search(
    query: str = typer.Argument(None, help="Full-text query (title and text)."),
    employer: str | None = typer.Option(None, "--employer"),
    monitor: str | None = typer.Option(None, "--monitor", "-m"),
    since: datetime | None = typer.Option(None, "--since", help="ISO date or datetime (UTC when no zone)."),
    sentiment: str | None = typer.Option(None, "--sentiment", help="negative, neutral or positive"),
    source: str | None = typer.Option(None, "--source"),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search stored mentions, newest first."""
    from hirewatch.stores.base import MentionQuery
    from hirewatch.stores.registry import open_store

    if sentiment is not None and sentiment not in SENTIMENT_LABELS:
        err_console.print(f"[red]error[/red] --sentiment: expected one of {', '.join(SENTIMENT_LABELS)}")
        raise typer.Exit(2)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    store = open_store()
    try:
        hits = store.search(MentionQuery(text=query or None, employer=employer, monitor=monitor, since=since,
                                         sentiment=sentiment, source=source, limit=limit))
    finally:
        store.close()
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
