"""Deployment settings and secrets: from Airflow Connections inside Airflow, from the environment
outside it; never from monitor YAML, never logged.

Called by the CLI, the pipeline and the DAG tasks. :class:`Secret` hides its value in ``repr`` and
``str`` so a setting that reaches a log line or a traceback shows ``'***'``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class Secret(str):
    """A string that does not show itself: ``repr``/``str``/format give ``***``; ``.reveal()``
    gives the value to the one client that needs it."""

    def __repr__(self) -> str:
        return "'***'"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def reveal(self) -> str:
        return str.__str__(self)


def home() -> Path:
    """Where the embedded store and outputs live: ``$HIREWATCH_HOME`` or ``./var``."""
    return Path(os.environ.get("HIREWATCH_HOME") or "var").resolve()


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def secret_env(name: str) -> Secret | None:
    value = env(name)
    return Secret(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class StoreSettings:
    kind: str = "sqlite"
    sqlite_path: Path | None = None
    es_url: str | None = None
    es_api_key: Secret | None = None
    es_username: str | None = None
    es_password: Secret | None = None
    es_index_prefix: str = "mentions"


def store_settings(kind: str | None = None) -> StoreSettings:
    """Store settings from the environment (``HIREWATCH_STORE``, ``HIREWATCH_SQLITE_PATH``,
    ``HIREWATCH_ES_URL``, ``HIREWATCH_ES_API_KEY``, ``HIREWATCH_ES_USERNAME``/``_PASSWORD``)."""
    chosen = kind or env("HIREWATCH_STORE") or ("elasticsearch" if env("HIREWATCH_ES_URL") else "sqlite")
    path = env("HIREWATCH_SQLITE_PATH")
    return StoreSettings(
        kind=chosen,
        sqlite_path=Path(path) if path else home() / "hirewatch.db",
        es_url=env("HIREWATCH_ES_URL"),
        es_api_key=secret_env("HIREWATCH_ES_API_KEY"),
        es_username=env("HIREWATCH_ES_USERNAME"),
        es_password=secret_env("HIREWATCH_ES_PASSWORD"),
        es_index_prefix=env("HIREWATCH_ES_INDEX", "mentions") or "mentions",
    )
