"""``hirewatch submit URL``: add a page someone on staff saw, fetched and scored like a crawled one.

Registered by :mod:`hirewatch.cli`; calls :func:`hirewatch.submit.submit_url`.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from hirewatch.cli.support import MONITORS_OPTION, error, json_option, monitor_option, opened_store, select_monitors
from hirewatch.errors import DropItem, HirewatchError
from hirewatch.submit import submit_url


def submit_command(
    url: str = typer.Argument(..., help="The page to add (an article, a post, a review page)."),
    note: str | None = typer.Option(None, "--note", help="Why it matters, for whoever reads it next."),
    monitor: str | None = monitor_option("The monitor (employer) it belongs to; needed when there are several."),
    by: str | None = typer.Option(None, "--by", help="Who submits it (default: $USER)."),
    monitors: Path = MONITORS_OPTION,
    as_json: bool = json_option("the stored mentions"),
) -> None:
    """Add a mention someone on staff saw: fetched, extracted, scored and stored like the rest.
    Exit 1 when the page cannot be fetched or names no one the monitor watches (nothing stored)."""
    if not url.lower().startswith(("http://", "https://")):
        error(f"expected an http(s) URL, got {url!r}")
        raise typer.Exit(2)
    selection = select_monitors(monitors, monitor)
    if len(selection.monitors) != 1:
        names = ", ".join(m.name for m in selection.monitors)
        error(f"more than one monitor ({names}): choose one with --monitor")
        raise typer.Exit(2)
    out = Console(highlight=False)
    with opened_store() as store:
        try:
            result = submit_url(url, selection.monitors[0], store, note=note, by=by)
        except DropItem as exc:
            error(str(exc), tag="not stored")
            raise typer.Exit(1) from None
        except HirewatchError as exc:
            error(str(exc))
            raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps({"kind": result.kind, "url": result.url, "new": list(result.new),
                               "updated": list(result.updated),
                               "mentions": [m.to_dict() for m in result.mentions]}, indent=2))
        return
    out.print(f"{result.kind}: {len(result.mentions)} mention(s) from {escape(result.url)} "
              f"({len(result.new)} new, {len(result.updated)} already known)")
    for mention in result.mentions:
        label = mention.sentiment_label or "unscored"
        out.print(f"  {escape(f'[{label}]')} {escape(mention.employer)}: {escape(mention.title[:100])}")
