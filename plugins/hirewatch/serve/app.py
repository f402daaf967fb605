"""Datasette over the embedded SQLite store, read-only: the app ``hirewatch serve`` runs.

:func:`build` opens the store file with ``mode=ro`` (Datasette's default for a file that may
change: SQLite's shared locks only, so a crawl writing beside it is neither blocked nor changed;
``immutable=1`` would read a file that a crawl is writing as if it never changed), loads the
shipped ``metadata.yaml``, registers :mod:`hirewatch.serve.plugin` and the templates, and adds the
password accounts of :mod:`hirewatch.serve.access`. :func:`run` serves it with uvicorn, as
``datasette serve`` does. Called by the ``serve`` command and the tests; raises
:class:`~hirewatch.errors.ConfigError` for a store that cannot be served.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hirewatch.errors import ConfigError
from hirewatch.serve.access import Access

HERE = Path(__file__).resolve().parent
METADATA = HERE / "metadata.yaml"
TEMPLATES = HERE / "templates"


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What one ``hirewatch serve`` serves: the store file, where, and the overview's days."""

    store: Path
    host: str = "127.0.0.1"
    port: int = 8001
    timezone: str = "UTC"
    access: Access = field(default_factory=Access)


def metadata(access: Access) -> dict[str, Any]:
    """The shipped metadata; with accounts, their plugin configuration and the instance's ``allow``."""
    data: dict[str, Any] = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    if access.required:
        data.setdefault("plugins", {})["datasette-auth-passwords"] = access.plugin_config()
        data["allow"] = access.instance_allow()
    return data


def check_store(path: Path) -> None:
    """Refuse, in words, a file that is missing, not SQLite, or not a hirewatch store of the
    schema this code knows (``hirewatch serve`` never creates or migrates a store: it only reads)."""
    from hirewatch.stores.sqlite_store import SCHEMA_VERSION

    if not path.is_file():
        raise ConfigError(f"no store at {path}: run `make run` (or `hirewatch run`) first, or point "
                          f"HIREWATCH_SQLITE_PATH at the store", field="HIREWATCH_SQLITE_PATH")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ConfigError(f"{path} cannot be read as an SQLite store: {exc}", field="HIREWATCH_SQLITE_PATH") from exc
    if "mentions" not in tables or version == 0:
        raise ConfigError(f"{path} is not a hirewatch store (no mentions table, no schema version)",
                          field="HIREWATCH_SQLITE_PATH")
    if version < SCHEMA_VERSION:
        raise ConfigError(f"the store {path} has schema version {version}, older than this hirewatch's "
                          f"{SCHEMA_VERSION}: run `hirewatch run` (or any command that writes) once to upgrade "
                          f"it; `hirewatch serve` only reads", field="HIREWATCH_SQLITE_PATH")
    if version > SCHEMA_VERSION:
        raise ConfigError(f"the store {path} has schema version {version}, newer than this hirewatch knows "
                          f"({SCHEMA_VERSION}): upgrade hirewatch", field="HIREWATCH_SQLITE_PATH")


def build(options: ServeOptions) -> Any:
    """The Datasette instance for ``options`` (startup hooks not yet run)."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from hirewatch.serve import plugin
    from hirewatch.serve.plugin import DATABASE

    check_store(options.store)
    if not pm.is_registered(plugin):
        pm.register(plugin, name="hirewatch-serve")
    ds = Datasette(
        [], metadata=metadata(options.access), template_dir=str(TEMPLATES),
        settings={"default_page_size": 50, "max_returned_rows": 1000, "sql_time_limit_ms": 3000,
                  "facet_time_limit_ms": 500, "allow_download": False, "suggest_facets": False},
    )
    ds.add_database(Database(ds, path=str(options.store.resolve()), is_mutable=True), name=DATABASE)
    ds.hirewatch_options = options  # read by the plugin (overview time zone, triage)
    return ds


def run(options: ServeOptions) -> None:
    """Serve until interrupted (Ctrl-C)."""
    import asyncio

    import uvicorn

    ds = build(options)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=options.host, port=options.port, log_level="warning", lifespan="on", workers=1)
