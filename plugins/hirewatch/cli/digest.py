"""``hirewatch digest``: write (and with ``--send`` deliver) the daily digest.

Registered by :mod:`hirewatch.cli`. Calls
:func:`hirewatch.digest.run_digest`, exactly as the pipeline and the Airflow digest DAG do.
Exit codes: 0 ok, 1 a delivery failed, 2 bad input (date, monitor, output path, a refused monitor
file: the other monitors' digests are still written).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape

from hirewatch.cli.support import (
    MONITORS_OPTION,
    error,
    json_option,
    monitor_option,
    opened_store,
    output_console,
    select_monitors,
)

console = output_console()


def digest_command(
    day: str | None = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                                   help="The local day (default: yesterday in each monitor's time zone)."),
    out: Path | None = typer.Option(None, "--out", help="A .html file (one digest) or a directory "
                                    "(default: $HIREWATCH_HOME/digests)."),
    monitor: str | None = monitor_option("Only this monitor's digest."),
    send: bool = typer.Option(False, "--send", help="Also mail it and post the Slack summary where configured."),
    monitors: Path = MONITORS_OPTION,
    as_json: bool = json_option("the result"),
) -> None:
    """Write the daily digest of every monitor (grouped by shared recipients) as HTML; --send mails it
    and posts the Slack summary where configured."""
    from hirewatch.digest import run_digest

    the_day = None
    if day is not None:
        try:
            the_day = date.fromisoformat(day)
        except ValueError:
            error(f"--date: expected YYYY-MM-DD, got {day!r}")
            raise typer.Exit(2) from None
    selection = select_monitors(monitors, monitor)
    out_file = out if out is not None and out.suffix.lower() in (".html", ".htm") else None
    out_dir = out if out is not None and out_file is None else None
    with opened_store() as store:
        try:
            result = run_digest(selection.monitors, store, the_day, out_dir=out_dir, out_file=out_file, send=send)
        except ValueError as exc:
            error(str(exc))
            raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        for group in result.groups:
            where = str(group.path) if group.path else "(not written)"
            console.print(f"[bold]{escape(group.group)}[/bold] {group.day}: {escape(where)}", highlight=False)
            console.print(f"  {escape(group.digest.headline)}", highlight=False)
            if group.mailed_to:
                console.print(f"  mailed to {escape(', '.join(group.mailed_to))}", highlight=False)
            if group.slack_ts:
                console.print(f"  posted to {escape(group.slack_channel or '')}", highlight=False)
            for note in group.skipped:
                console.print(f"  [yellow]skipped[/yellow] {escape(note)}", highlight=False)
            for problem in group.errors:
                error(problem, tag="  failed")
    raise typer.Exit(selection.exit_code(failed=not result.ok))
