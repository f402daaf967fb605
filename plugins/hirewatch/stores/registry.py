"""Stores by their settings key (``HIREWATCH_STORE`` / ``store:``): ``sqlite`` (the embedded
default) and ``elasticsearch``. The Elasticsearch store (and its client library) is imported only
when chosen, so the embedded default runs without it.

Called by the pipeline, the CLI and the DAG tasks. Raises :class:`~hirewatch.errors.ConfigError`
for an unknown kind, missing settings or the SQLite store under a distributed Airflow executor
(:mod:`.executor_fit`), :class:`~hirewatch.errors.StoreError` when the backend cannot be opened.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from hirewatch.errors import ConfigError, StoreError
from hirewatch.settings import StoreSettings, store_settings
from hirewatch.stores.base import MentionStore


def _open_sqlite(settings: StoreSettings, read_only: bool = False) -> MentionStore:
    from hirewatch.settings import home, in_airflow
    from hirewatch.stores.sqlite_store import SqliteStore

    if in_airflow():  # a file on one machine: refused under a distributed executor
        from hirewatch.stores.executor_fit import check_sqlite_fits_executor

        check_sqlite_fits_executor()

    path = settings.sqlite_path or home() / "hirewatch.db"
    if read_only and path.is_file():
        try:
            return SqliteStore(path, read_only=True)
        except StoreError:
            pass  # an older schema to migrate first: opened as every command opens it
    return SqliteStore(path)


def check_es_url(url: str) -> None:
    """Refuse an Elasticsearch URL the client would choke on, in one line that never repeats
    the URL (it may carry a password): a password with an unencoded ``#``, ``/``, ``?`` or ``@``,
    a port that is not a number from 1 to 65535, a scheme other than http(s), no host."""
    def refuse(why: str) -> ConfigError:
        return ConfigError(why, path="HIREWATCH_ES_URL")

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise refuse("not a URL (expected https://host:9200)") from None
    rest = "".join((parts.path, "?" + parts.query if parts.query else "", "#" + parts.fragment if parts.fragment
                    else ""))
    if parts.scheme not in ("http", "https"):
        raise refuse("expected an http:// or https:// URL such as https://host:9200")
    if "@" in rest and "@" not in parts.netloc:
        raise refuse("the user:password part has a character that must be percent-encoded ('#' as %23, '/' as "
                     "%2F, '?' as %3F, '@' as %40); or give the password in HIREWATCH_ES_PASSWORD")
    try:
        port = parts.port
    except ValueError:
        raise refuse("the port must be a number from 1 to 65535") from None
    if port == 0:
        raise refuse("the port must be a number from 1 to 65535")
    if not parts.hostname:
        raise refuse("the URL names no host (expected https://host:9200)")


def _open_elasticsearch(settings: StoreSettings, read_only: bool = False) -> MentionStore:
    if not settings.es_url:
        raise ConfigError("store 'elasticsearch' needs HIREWATCH_ES_URL (or the hirewatch_elasticsearch "
                          "Airflow Connection)", field="HIREWATCH_ES_URL")
    check_es_url(settings.es_url)
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore  # MissingExtra without the client

    return ElasticsearchStore.from_settings(settings)


OPENERS: dict[str, Callable[[StoreSettings, bool], MentionStore]] = {
    "sqlite": _open_sqlite,
    "elasticsearch": _open_elasticsearch,
}


def open_store(settings: StoreSettings | None = None, *, read_only: bool = False) -> MentionStore:
    """Open the store the settings name (default: :func:`hirewatch.settings.store_settings`).
    ``read_only``: for commands that only read (the SQLite store then writes nothing, so it
    works on a read-only file system)."""
    settings = settings or store_settings()
    opener = OPENERS.get(settings.kind)
    if opener is None:
        raise ConfigError(f"unknown store {settings.kind!r}; expected one of {', '.join(sorted(OPENERS))}",
                          field="HIREWATCH_STORE")
    return opener(settings, read_only)
