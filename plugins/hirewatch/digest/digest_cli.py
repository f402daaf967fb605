"""``hirewatch digest``: write (and with ``--send`` deliver) the daily digest.

Registered in :mod:`hirewatch.cli` with one line (``app.command("digest")(digest_command)``). Calls
:func:`hirewatch.digest.run_digest`, exactly as the pipeline and the Airflow digest DAG do.
Exit codes: 0 ok, 1 a delivery failed, 2 bad input (date, monitor, output path, monitor files).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from hirewatch.config import load_monitors

console = Console()
err_console = Console(stderr=True)


def digest_command(
    day: str | None = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                                   help="The local day (default: yesterday in each monitor's time zone)."),
    out: Path | None = typer.Option(None, "--out", help="A .html file (one digest) or a directory "
                                    "(default: $HIREWATCH_HOME/digests)."),
    monitor: str | None = typer.Option(None, "--monitor", "-m", help="Only this monitor's digest."),
    send: bool = typer.Option(False, "--send", help="Also mail it and post the Slack summary where configured."),
    monitors: Path = typer.Option(Path("monitors"), "--monitors", help="Directory of monitor YAML files."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Write the daily digest of every monitor (grouped by shared recipients) as HTML; --send mails it
    and posts the Slack summary where configured."""
    from hirewatch.digest import run_digest
    from hirewatch.stores.registry import open_store

    the_day = None
    if day is not None:
        try:
            the_day = date.fromisoformat(day)
        except ValueError:
            err_console.print(f"[red]error[/red] --date: expected YYYY-MM-DD, got {escape(day)!r}", highlight=False)
            raise typer.Exit(2) from None
    good, errors = load_monitors(monitors)
    for error in errors:
        err_console.print(f"[red]error[/red] {escape(str(error))} (monitor skipped)", highlight=False)
    if monitor is not None:
        good = [m for m in good if m.name == monitor]
    if not good:
        what = f"no valid monitor named {monitor!r}" if monitor else "no valid monitor"
        err_console.print(f"[red]error[/red] {escape(what)} in {escape(str(monitors))}", highlight=False)
        raise typer.Exit(2)
    out_file = out if out is not None and out.suffix.lower() in (".html", ".htm") else None
    out_dir = out if out is not None and out_file is None else None
    store = open_store()
    try:
        result = run_digest(good, store, the_day, out_dir=out_dir, out_file=out_file, send=send)
    except ValueError as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    finally:
        store.close()
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
            for error in group.errors:
                err_console.print(f"  [red]failed[/red] {escape(error)}", highlight=False)
    raise typer.Exit(0 if result.ok else 1)
