"""``hirewatch slack ...``: deliver pending alerts, run the triage listener, teach a monitor an
exclusion phrase. Registered by :mod:`hirewatch.cli`; calls :mod:`hirewatch.alerts`.

Exit codes like the rest of the CLI: 0 ok, 1 alerts failed or were left pending, 2 bad input
(an unknown monitor, a refused monitor file, a missing token).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from hirewatch import settings
from hirewatch.cli.support import (
    MONITORS_OPTION,
    TYPER_OPTIONS,
    json_option,
    monitor_option,
    opened_store,
    output_console,
    select_monitors,
)
from hirewatch.config import load_monitors
from hirewatch.errors import ConfigError, HirewatchError

slack_app = typer.Typer(**TYPER_OPTIONS,
                        help="Slack alerts: deliver, listen for the triage buttons, exclusion phrases.")
console = output_console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@slack_app.command(short_help="Send the pending alerts without crawling (after Slack was down).")
def deliver(
    monitor: str | None = monitor_option("Only this monitor."),
    monitors: Path = MONITORS_OPTION,
    as_json: bool = json_option("the alert reports"),
) -> None:
    """Send the pending alerts (the store's outbox) without crawling: e.g. after Slack was down.
    With no token it prints what it would send (on stderr)."""
    from hirewatch.alerts import deliver_alerts

    selection = select_monitors(monitors, monitor)
    with opened_store() as store:
        reports = [deliver_alerts(m, store) for m in selection.monitors]
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        for report in reports:
            if report.dry_run:  # nothing was sent or marked: the counts would only contradict the note
                for note in report.notes:
                    console.print(f"monitor {escape(report.monitor)}: {escape(note)}")
                continue
            storm = f", storm ({report.storm})" if report.storm else ""
            found = (f" ({report.reconciled} of them found already posted by an unfinished run)"
                     if report.reconciled else "")
            console.print(f"monitor {escape(report.monitor)}: {report.sent} alerts, {report.threaded} in threads"
                          f"{found}, {report.suppressed} suppressed, {report.failed} failed, {report.deferred} left "
                          f"pending{storm}")
            for error in report.errors:
                console.print(f"  [yellow]{escape(error)}[/yellow]")
            for note in report.notes:
                console.print(f"  {escape(note)}")
    raise typer.Exit(selection.exit_code(failed=not all(r.ok for r in reports)))


@slack_app.command(short_help="Handle the alerts' triage buttons (Socket Mode).")
def listen(monitors: Path = MONITORS_OPTION) -> None:
    """Handle the Acknowledge / False positive / Assign to me buttons (Socket Mode: no public URL).
    Needs HIREWATCH_SLACK_TOKEN (xoxb-) and HIREWATCH_SLACK_APP_TOKEN (xapp-, connections:write)."""
    from hirewatch.alerts.slack_listener import listen as run_listener

    token, app_token = settings.slack_token(), settings.slack_app_token()
    missing = [name for name, value in (("HIREWATCH_SLACK_TOKEN", token), ("HIREWATCH_SLACK_APP_TOKEN", app_token))
               if value is None]
    if token is None or app_token is None:
        err_console.print(f"[red]error[/red] the listener needs {' and '.join(missing)} "
                          "(a bot token xoxb-... and an app-level token xapp-... with connections:write)")
        raise typer.Exit(2)
    good, errors = load_monitors(monitors)
    for error in errors:
        err_console.print(f"[yellow]warning[/yellow] {escape(str(error))}")
    with opened_store() as store:
        console.print("listening for triage clicks over Socket Mode; Ctrl-C stops")
        try:
            run_listener(store, token=token, app_token=app_token, base_url=settings.slack_base_url(),
                         monitors={m.name: m for m in good})
        except KeyboardInterrupt:
            pass
        except HirewatchError as exc:
            err_console.print(f"[red]error[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None


@slack_app.command(short_help="Add a phrase that means another company to a monitor.")
def exclude(
    monitor: str = typer.Argument(..., help="The monitor's name."),
    phrase: str = typer.Argument(..., help="A phrase that means something else (a product, a place)."),
    monitors: Path = MONITORS_OPTION,
) -> None:
    """Teach a monitor a phrase to skip: adds it to employer.exclude in the monitor's YAML file
    (comments and layout kept). Review and commit the change like any other edit."""
    from hirewatch.alerts.exclusions import add_exclusion, find_monitor_file

    try:
        path = find_monitor_file(monitors, monitor)
        added = add_exclusion(path, phrase)
    except ConfigError as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    cleaned = " ".join(phrase.split())
    if added:
        console.print(f"added {escape(cleaned)!r} to employer.exclude in {path}")
    else:
        console.print(f"{escape(cleaned)!r} is already in employer.exclude of {path}")
