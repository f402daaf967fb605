"""``hirewatch es setup|sync|reindex|migrate|failures`` and ``hirewatch kibana import``: set up the Elasticsearch
index, copy the embedded store into it, show what could not be indexed, load the Kibana objects.

Registered by :mod:`hirewatch.cli`; calls the Elasticsearch store and :mod:`hirewatch.stores.kibana`.
The Elasticsearch client is imported only inside the commands. Exit codes: 0 ok, 1 the backend
refused or some items failed, 2 bad settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from hirewatch.cli.support import TYPER_OPTIONS, json_option, output_console
from hirewatch.errors import ConfigError, HirewatchError

if TYPE_CHECKING:
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore

es_app = typer.Typer(**TYPER_OPTIONS,
                     help="Elasticsearch: set up the index, copy the embedded store into it.")
kibana_app = typer.Typer(**TYPER_OPTIONS, help="Kibana: load the saved objects.")
console = output_console()
err_console = Console(stderr=True)


def _fail(exc: HirewatchError) -> typer.Exit:
    err_console.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
    return typer.Exit(2 if isinstance(exc, ConfigError) else 1)


def _open_es(ensure_setup: bool = True) -> ElasticsearchStore:
    from hirewatch.settings import store_settings

    settings = store_settings("elasticsearch")
    if not settings.es_url:
        raise ConfigError("set HIREWATCH_ES_URL to the Elasticsearch URL", field="HIREWATCH_ES_URL")
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore  # MissingExtra without the client

    return ElasticsearchStore.from_settings(settings, ensure_setup=ensure_setup)


@es_app.command(short_help="Index template, first index, alias, side indices (safe to rerun).")
def setup() -> None:
    """Create or update the index template, the first index and alias, the side indices (idempotent)."""
    try:
        store = _open_es(ensure_setup=False)
        with store:
            for step in store.setup():
                console.print(f"[green]{step.outcome}[/green] {escape(step.what)}", highlight=False)
    except HirewatchError as exc:
        raise _fail(exc) from None


@es_app.command(short_help="Copy the embedded SQLite store into Elasticsearch.")
def sync(
    sqlite_path: Path = typer.Option(None, "--from", help="The SQLite store to copy (default: HIREWATCH_SQLITE_PATH "
                                                         "or $HIREWATCH_HOME/hirewatch.db)."),
    as_json: bool = json_option("what was copied"),
) -> None:
    """Copy the embedded SQLite store into Elasticsearch (mentions with alert state, crawl state, runs, ratings).

    A mention already in Elasticsearch keeps its own alert state. Safe to run again.
    """
    from hirewatch.settings import store_settings
    from hirewatch.stores.sqlite_store import SqliteStore

    path = sqlite_path or store_settings("sqlite").sqlite_path
    try:
        if path is None or not Path(path).is_file():
            raise ConfigError(f"no SQLite store at {path}", field="--from")
        with SqliteStore(path) as source, _open_es() as target:
            result = target.import_stored(source.iter_stored())
            states = 0
            for monitor, name, state in source.iter_crawl_states():
                target.put_crawl_state(monitor, name, state)
                states += 1
            runs = 0
            for report in source.iter_runs():
                target.record_run(report)
                runs += 1
            ratings = 0
            for point in source.iter_ratings():
                target.record_rating(point)
                ratings += 1
    except HirewatchError as exc:
        raise _fail(exc) from None
    summary = {"from": str(path), "new": len(result.new), "updated": len(result.updated),
               "failed": [{"id": mid, "reason": reason} for mid, reason in result.failed],
               "crawl_states": states, "runs": runs, "ratings": ratings}
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        console.print(f"copied {path}: {summary['new']} new mentions, {summary['updated']} already there, "
                      f"{states} crawl states, {runs} run reports, {ratings} rating points", highlight=False)
        for mid, reason in result.failed:
            err_console.print(f"[red]failed[/red] {mid}: {escape(reason)}", highlight=False)
    raise typer.Exit(1 if result.failed else 0)


@es_app.command(short_help="Move the alias to a new index with the current mapping.")
def reindex() -> None:
    """Move the alias to a new index with the current mapping (the mapping change path)."""
    try:
        with _open_es() as store:
            old, new, copied = store.reindex()
    except HirewatchError as exc:
        raise _fail(exc) from None
    console.print(f"copied {copied} documents from {old} into {new}; alias {store.alias} now points at {new}. "
                  f"Check, then delete {old}.", highlight=False)


@es_app.command(short_help="Move an older hirewatch index to alert state per monitor.")
def migrate() -> None:
    """Move an index written by an older hirewatch to alert state per monitor (new mention ids,
    alerts already in Slack claimed so none is sent again, the delivery record in its own index).
    Pause the DAGs first. Safe to run twice."""
    try:
        with _open_es(ensure_setup=False) as store:
            counts = store.migrate()
    except HirewatchError as exc:
        raise _fail(exc) from None
    if not counts["mentions"]:
        console.print("nothing to migrate: the index already keeps alert state per monitor", highlight=False)
        return
    console.print(f"migrated {counts['mentions']} mentions to per-monitor ids ({counts['claims']} alerts claimed for "
                  f"other monitors, {counts['deliveries']} delivery records, {counts['kept_failures']} kept "
                  f"failures); alias {store.alias} moved to the new index. Check, then delete the old one.",
                  highlight=False)


@es_app.command(short_help="List the mentions Elasticsearch refused (kept for the next run).")
def failures(as_json: bool = json_option("the kept failures")) -> None:
    """List mentions Elasticsearch refused, kept for the next run of their source."""
    try:
        with _open_es() as store:
            kept = store.kept_failures()
    except HirewatchError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(kept, indent=2))
        return
    if not kept:
        console.print("no kept failures")
    for item in kept:
        console.print(f"{item['id']} {item['monitor']}/{item['source']} attempts={item['attempts']}: "
                      f"{escape(item['reason'])}", highlight=False)


@kibana_app.command("import", short_help="Load the data view, saved searches and dashboard into Kibana.")
def import_objects(
    url: str = typer.Option(None, "--url", help="Kibana's URL (default HIREWATCH_KIBANA_URL)."),
    space: str = typer.Option(None, "--space", help="A Kibana space id (default: the default space)."),
    directory: Path = typer.Option(None, "--dir", help="Where the *.ndjson files are (default docker/kibana)."),
) -> None:
    """Load the saved objects (data view, searches, visualisations, dashboard) into Kibana (overwrite)."""
    from hirewatch.settings import kibana_url as kibana_url_setting
    from hirewatch.settings import store_settings
    from hirewatch.stores.kibana import import_saved_objects, saved_object_files

    try:
        kibana_url = url or kibana_url_setting()
        if not kibana_url:
            raise ConfigError("set HIREWATCH_KIBANA_URL or pass --url", field="HIREWATCH_KIBANA_URL")
        settings = store_settings("elasticsearch")
        results = import_saved_objects(kibana_url, saved_object_files(directory), settings=settings, space=space)
    except HirewatchError as exc:
        raise _fail(exc) from None
    failed = False
    for result in results:
        console.print(f"[green]imported[/green] {result.path.name}: {result.success_count} objects", highlight=False)
        for error in result.errors:
            failed = True
            err_console.print(f"[red]error[/red] {result.path.name}: {escape(error)}", highlight=False)
    raise typer.Exit(1 if failed else 0)
