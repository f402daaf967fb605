"""The ``hirewatch`` command line. Each area registers its own sub-commands from its own module
(``app.add_typer`` at the bottom of this file), so this file stays the curated entry point.

Exit codes: 0 ok, 1 the run finished with failed sources or deliveries, 2 bad input (config).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from hirewatch.config import load_monitors

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Employer-brand reputation monitoring.")
console = Console()
err_console = Console(stderr=True)

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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
