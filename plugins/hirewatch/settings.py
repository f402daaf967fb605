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
    ``HIREWATCH_ES_URL``, ``HIREWATCH_ES_API_KEY``, ``HIREWATCH_ES_USERNAME``/``_PASSWORD``,
    ``HIREWATCH_ES_INDEX``). Inside Airflow the Connection ``hirewatch_elasticsearch`` (see
    :func:`es_connection_settings`), when there is one, gives the Elasticsearch fields instead."""
    es = es_connection_settings() if inside_airflow() else None
    es_url = es.es_url if es else env("HIREWATCH_ES_URL")
    chosen = kind or env("HIREWATCH_STORE") or ("elasticsearch" if es_url else "sqlite")
    path = env("HIREWATCH_SQLITE_PATH")
    return StoreSettings(
        kind=chosen,
        sqlite_path=Path(path) if path else home() / "hirewatch.db",
        es_url=es_url,
        es_api_key=es.es_api_key if es else secret_env("HIREWATCH_ES_API_KEY"),
        es_username=es.es_username if es else env("HIREWATCH_ES_USERNAME"),
        es_password=es.es_password if es else secret_env("HIREWATCH_ES_PASSWORD"),
        es_index_prefix=(es.es_index_prefix if es else env("HIREWATCH_ES_INDEX", "mentions")) or "mentions",
    )


ES_CONNECTION_ID = "hirewatch_elasticsearch"


def es_connection_settings(conn_id: str = ES_CONNECTION_ID) -> StoreSettings | None:
    """The Elasticsearch fields of an Airflow Connection: host (a full URL, or a host name with
    ``schema``/extra ``scheme`` and port, default 9200), login/password, extra ``api_key`` and
    ``index``. None when Airflow has no such Connection (the environment is the fallback)."""
    connection = _airflow_connection(conn_id)
    if connection is None or not getattr(connection, "host", None):
        return None
    extra = getattr(connection, "extra_dejson", None) or {}
    host = str(connection.host).rstrip("/")
    if "://" not in host:
        scheme = extra.get("scheme") or getattr(connection, "schema", None) or "http"
        host = f"{scheme}://{host}:{getattr(connection, 'port', None) or 9200}"
    elif getattr(connection, "port", None) and host.count(":") == 1:
        host = f"{host}:{connection.port}"
    api_key = extra.get("api_key")
    password = getattr(connection, "password", None)
    return StoreSettings(
        kind="elasticsearch", es_url=host, es_api_key=Secret(api_key) if api_key else None,
        es_username=getattr(connection, "login", None) or None, es_password=Secret(password) if password else None,
        es_index_prefix=extra.get("index") or "mentions",
    )


def _airflow_connection(conn_id: str) -> object | None:
    """An Airflow Connection by id, or None (none defined, or Airflow cannot be asked)."""
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        try:
            from airflow.hooks.base import BaseHook  # type: ignore[no-redef]  # Airflow 2
        except ImportError:
            return None
    try:
        return BaseHook.get_connection(conn_id)
    except Exception as exc:  # noqa: BLE001  (not found, no API server, ...: the environment is the fallback)
        import logging

        logging.getLogger(__name__).debug("no Airflow connection %s: %s", conn_id, type(exc).__name__)
        return None


# --------------------------------------------------------------------------- Slack and Kibana

SLACK_CONNECTION_ID = "hirewatch_slack"


def inside_airflow() -> bool:
    """True while an Airflow task runs (Airflow exports ``AIRFLOW_CTX_DAG_ID`` to the task's
    environment before ``execute``)."""
    return env("AIRFLOW_CTX_DAG_ID") is not None


def _airflow_connection_password(conn_id: str) -> Secret | None:
    """The password field of an Airflow Connection, or None when there is none (or Airflow cannot
    be asked). Airflow is imported here only: outside Airflow this is never called."""
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        try:
            from airflow.hooks.base import BaseHook  # type: ignore[no-redef]  # Airflow 2
        except ImportError:
            return None
    try:
        connection = BaseHook.get_connection(conn_id)
    except Exception as exc:  # noqa: BLE001  (not found, no API server, ...: the environment is the fallback)
        import logging

        logging.getLogger(__name__).debug("no Airflow connection %s: %s", conn_id, type(exc).__name__)
        return None
    password = getattr(connection, "password", None)
    return Secret(password) if password else None


def slack_token() -> Secret | None:
    """The Slack bot token (``xoxb-...``): inside Airflow the password of the Connection
    ``hirewatch_slack``, else (or when that has none) ``$HIREWATCH_SLACK_TOKEN``. None: no token,
    alerts are printed (dry run). Called by :func:`hirewatch.alerts.deliver_alerts`."""
    if inside_airflow():
        token = _airflow_connection_password(SLACK_CONNECTION_ID)
        if token is not None:
            return token
    return secret_env("HIREWATCH_SLACK_TOKEN")


def slack_app_token() -> Secret | None:
    """The Slack app-level token (``xapp-...``) that Socket Mode needs: ``$HIREWATCH_SLACK_APP_TOKEN``."""
    return secret_env("HIREWATCH_SLACK_APP_TOKEN")


def slack_base_url() -> str | None:
    """``$HIREWATCH_SLACK_BASE_URL``: another Web API address (the tests' local Slack); None: Slack's."""
    return env("HIREWATCH_SLACK_BASE_URL")


def kibana_url() -> str | None:
    """``$HIREWATCH_KIBANA_URL`` without a trailing slash, or None."""
    value = env("HIREWATCH_KIBANA_URL")
    return value.rstrip("/") if value else None
