"""``hirewatch import FILE --monitor M``: bring a review export (Trustpilot, Glassdoor, a CSV with
the monitor's column mapping) into the store once, with the same summary as ``run``.

Registered by :mod:`hirewatch.cli`; calls :func:`hirewatch.review_import.import_file`. Exit codes:
0 imported (or nothing new), 1 the file held no recognisable review or a mention could not be
stored, 2 bad input (no such file, no such monitor or review source, a refused monitor file).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from hirewatch.cli.run import print_summary
from hirewatch.cli.support import (
    EXIT_BAD_INPUT,
    MONITORS_OPTION,
    error,
    json_option,
    opened_store,
    select_monitors,
)
from hirewatch.errors import ConfigError


def import_command(
    file: Path = typer.Argument(..., help="The export: JSON, NDJSON or CSV (encoding detected)."),
    monitor: str = typer.Option(..., "--monitor", "-m", help="The monitor the reviews belong to."),
    monitors: Path = MONITORS_OPTION,
    source: str | None = typer.Option(None, "--source", help="The monitor's review source whose columns: "
                                                             "mapping and site to read the file with."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read, match and count; store nothing."),
    alert: bool = typer.Option(False, "--alert", help="Alert imported mentions the decide step picks (default: "
                                                      "marked suppressed, as history)."),
    as_json: bool = json_option("the import report"),
) -> None:
    """Import one review export: one mention per review, keyed by the site's review ids (a second
    import of the same file adds nothing). Exit 1 when the file held no recognisable review or a
    mention could not be stored; 2 for bad input."""
    from hirewatch.review_import import import_file

    if not file.is_file():
        error(f"no such file: {file}")
        raise typer.Exit(EXIT_BAD_INPUT)
    selection = select_monitors(monitors, monitor)
    with opened_store() as store:
        try:
            report = import_file(selection.monitors[0], store, file, source=source, dry_run=dry_run, alert=alert)
        except ConfigError as exc:
            error(str(exc))
            raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print_summary(report)
    raise typer.Exit(selection.exit_code(failed=not report.ok))
