"""``hirewatch validate``: check every monitor file and name each problem with file and line.

Registered by :mod:`hirewatch.cli`; calls :func:`hirewatch.config.load_monitors`.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from hirewatch.cli.support import EXIT_BAD_INPUT, MONITORS_OPTION, error, json_option
from hirewatch.config import load_monitors


def validate(monitors: Path = MONITORS_OPTION,
             as_json: bool = json_option("the valid monitors and the problems")) -> None:
    """Check every monitor file; print one line per problem with file and line. Exit 2 when any
    file has a problem."""
    if not monitors.is_dir():
        error(f"no monitor directory {monitors} (--monitors DIR)")
        raise typer.Exit(EXIT_BAD_INPUT)
    good, errors = load_monitors(monitors, check_files=True)
    if not good and not errors:
        error(f"no monitor files (*.yaml, *.yml) in {monitors}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if as_json:
        typer.echo(json.dumps({"valid": [m.name for m in good],
                               "errors": [{"path": e.path, "line": e.line, "field": e.field, "message": str(e)}
                                          for e in errors]}, indent=2))
    else:
        for monitor in good:
            count = len(monitor.sources)
            # Plain echo: a path is never wrapped at the terminal's width (or at 80 when piped).
            typer.echo(f"ok {monitor.path}: monitor {monitor.name!r}, {count} source{'s' if count != 1 else ''}")
        for problem in errors:
            error(str(problem))
    raise typer.Exit(EXIT_BAD_INPUT if errors else 0)
