"""``hirewatch serve``: checks the store, the address and the accounts, then runs
:func:`hirewatch.serve.app.run` (Datasette over the store, read-only) until Ctrl-C.

Registered by :mod:`hirewatch.cli`. Exits 2 (bad input) for an Elasticsearch store, a missing or
foreign store file, an address beyond this machine without accounts, a bad account variable or an
unknown time zone, with one line saying why and what to do.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from hirewatch.cli.support import EXIT_BAD_INPUT, MONITORS_OPTION, error
from hirewatch.config import load_monitors
from hirewatch.errors import ConfigError


def _timezone(explicit: str | None, monitors: Path) -> str:
    """``--timezone``, else the first valid monitor's ``routing.timezone`` (the digest's days),
    else UTC."""
    if explicit:
        try:
            ZoneInfo(explicit)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"unknown time zone {explicit!r} (an IANA name such as Europe/Amsterdam)",
                              field="--timezone") from None
        return explicit
    if monitors.is_dir():
        good, _ = load_monitors(monitors)
        if good:
            return good[0].routing.timezone
    return "UTC"


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but this machine "
                             "needs an account (HIREWATCH_SERVE_PASSWORD_HASH_<USER>)."),
    port: int = typer.Option(8001, "--port", min=1, max=65535, help="Port to listen on."),
    timezone: str | None = typer.Option(None, "--timezone", help="Days of the front page's charts in this "
                                        "zone (default: the first monitor's routing.timezone, else UTC)."),
    monitors: Path = MONITORS_OPTION,
) -> None:
    """Browse, search, chart and export the stored mentions in a browser (Datasette, read-only:
    a crawl running beside it is neither blocked nor changed). Ctrl-C stops it."""
    from hirewatch.serve.access import Access
    from hirewatch.serve.app import ServeOptions, check_store, run
    from hirewatch.settings import store_settings

    try:
        settings = store_settings()
        if settings.kind != "sqlite":
            raise ConfigError(f"`hirewatch serve` shows the embedded SQLite store; this setup uses {settings.kind!r}: "
                              f"browse it in Kibana (`hirewatch kibana import` loads the saved searches)",
                              field="HIREWATCH_STORE")
        assert settings.sqlite_path is not None
        access = Access.from_env()
        access.check_host(host)
        options = ServeOptions(store=settings.sqlite_path, host=host, port=port,
                               timezone=_timezone(timezone, monitors), access=access)
        check_store(options.store)
    except ConfigError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    shown = f"[{host}]" if ":" in host else host
    logins = f"; log in with {', '.join(a.user for a in access.accounts)}" if access.required else ""
    typer.echo(f"hirewatch serve: http://{shown}:{port}/ (store {options.store}, read-only; charts' days in "
               f"{options.timezone}{logins}). Ctrl-C stops it.")
    run(options)
