"""``hirewatch run``: crawl the monitors' sources, store new mentions, deliver pending alerts,
with a progress bar on a terminal and a per-source summary table.

Registered by :mod:`hirewatch.cli`; calls :func:`hirewatch.pipeline.run_monitor`, as the DAG does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hirewatch.cli.support import (
    MONITORS_OPTION,
    json_option,
    monitor_option,
    opened_store,
    output_console,
    select_monitors,
)
from hirewatch.config import Monitor
from hirewatch.report import RunReport

if TYPE_CHECKING:
    from hirewatch.stores.base import MentionStore

console = output_console()


def run(
    monitor: str | None = monitor_option("Run only this monitor."),
    monitors: Path = MONITORS_OPTION,
    no_alerts: bool = typer.Option(False, "--no-alerts", help="Store mentions, leave alerts pending."),
    as_json: bool = json_option("the run reports"),
) -> None:
    """Crawl every source of the monitors, store new mentions, deliver pending alerts. Exit 1 when
    a source, a store write or a delivery failed (and the monitor's operators' channel is told,
    unless --no-alerts); 2 when a monitor file was refused (the others still run)."""
    selection = select_monitors(monitors, monitor)
    reports = []
    told: dict[str, str] = {}
    with opened_store() as store:
        for mon in selection.monitors:
            report = _run_with_progress(mon, store, alert=not no_alerts, quiet=as_json)
            reports.append(report)
            if not no_alerts:
                told.update(_tell_operators(mon, report))
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in reports], indent=2, default=str))
    else:
        for report in reports:
            print_summary(report)
            if report.monitor in told:
                console.print(f"[yellow]operators[/yellow] {escape(told[report.monitor])}")
    raise typer.Exit(selection.exit_code(failed=not all(r.ok for r in reports)))


def _tell_operators(monitor: Monitor, report: RunReport) -> dict[str, str]:
    """Post a run that could not do all its work to the monitor's operators' channel, as the
    Airflow notifier does for a task; returns what to print about it (nothing when there was no
    problem or no channel)."""
    from hirewatch.alerts.operators import post_to_operators, run_problems_text

    channel = monitor.routing.alerts.operators_channel
    text = run_problems_text(report) if channel else None
    if channel is None or text is None:
        return {}
    sent = post_to_operators(channel, text)
    return {report.monitor: f"{channel} told" if sent else
            f"{channel} not told (no Slack token, or Slack refused or could not be reached; see the log)"}


def _run_with_progress(monitor: Monitor, store: MentionStore, *, alert: bool, quiet: bool) -> RunReport:
    from hirewatch.pipeline import run_monitor

    enabled = [s for s in monitor.sources if s.enabled]
    if quiet or not console.is_terminal:
        return run_monitor(monitor, store, alert=alert)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(f"monitor {monitor.name}", total=len(enabled))
        return run_monitor(monitor, store, alert=alert, progress=lambda _r: bar.advance(task))


def print_summary(report: RunReport) -> None:
    table = Table(title=f"monitor {report.monitor}", title_justify="left")
    for column in ("source", "kind", "status", "items", "mentions", "new", "negative", "seconds", "detail"):
        table.add_column(column, justify="right" if column in {"items", "mentions", "new", "negative",
                                                                  "seconds"} else "left")
    colours = {"ok": "green", "not_modified": "cyan", "failed": "red"}
    for s in report.sources:
        detail = (s.error or (f"read with a problem: {s.bozo}" if s.bozo else "")
                  or (f"read by {s.via}" if s.via else ""))
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
