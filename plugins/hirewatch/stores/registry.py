"""Stores by their settings key (``HIREWATCH_STORE`` / ``store:``): ``sqlite`` (the embedded
default) and ``elasticsearch``. The Elasticsearch store (and its client library) is imported only
when chosen, so the embedded default runs without it.

Called by the pipeline, the CLI and the DAG tasks. Raises :class:`~hirewatch.errors.ConfigError`
for an unknown kind, missing settings or the SQLite store under a distributed Airflow executor
(:mod:`.executor_fit`), :class:`~hirewatch.errors.StoreError` when the backend cannot be opened.
"""

from __future__ import annotations

from collections.abc import Callable

from hirewatch.errors import ConfigError
from hirewatch.settings import StoreSettings, store_settings
from hirewatch.stores.base import MentionStore


def _open_sqlite(settings: StoreSettings) -> MentionStore:
    from hirewatch.settings import home, in_airflow
    from hirewatch.stores.sqlite_store import SqliteStore

    if in_airflow():  # a file on one machine: refused under a distributed executor
        from hirewatch.stores.executor_fit import check_sqlite_fits_executor

        check_sqlite_fits_executor()

    return SqliteStore(settings.sqlite_path or home() / "hirewatch.db")


def _open_elasticsearch(settings: StoreSettings) -> MentionStore:
    if not settings.es_url:
        raise ConfigError("store 'elasticsearch' needs HIREWATCH_ES_URL (or the hirewatch_elasticsearch "
                          "Airflow Connection)", field="HIREWATCH_ES_URL")
    from hirewatch.stores.elasticsearch_store import ElasticsearchStore  # MissingExtra without the client

    return ElasticsearchStore.from_settings(settings)


OPENERS: dict[str, Callable[[StoreSettings], MentionStore]] = {
    "sqlite": _open_sqlite,
    "elasticsearch": _open_elasticsearch,
}


def open_store(settings: StoreSettings | None = None) -> MentionStore:
    """Open the store the settings name (default: :func:`hirewatch.settings.store_settings`)."""
    settings = settings or store_settings()
    opener = OPENERS.get(settings.kind)
    if opener is None:
        raise ConfigError(f"unknown store {settings.kind!r}; expected one of {', '.join(sorted(OPENERS))}",
                          field="HIREWATCH_STORE")
    return opener(settings)
