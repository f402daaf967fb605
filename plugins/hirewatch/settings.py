"""Deployment settings and secrets: from Airflow Connections inside Airflow, from the environment
outside it; never from monitor YAML, never logged.

Called by the CLI, the pipeline and the DAG tasks. :class:`Secret` hides its value in ``repr`` and
``str`` so a setting that reaches a log line or a traceback shows ``'***'``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit


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


def redact_url(url: str) -> str:
    """``url`` without ``user:password@`` (a URL may carry credentials), for messages and reprs."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return url


@dataclass(frozen=True, slots=True, repr=False)
class StoreSettings:
    kind: str = "sqlite"
    sqlite_path: Path | None = None
    es_url: str | None = None
    es_api_key: Secret | None = None
    es_username: str | None = None
    es_password: Secret | None = None
    es_index_prefix: str = "mentions"

    def __repr__(self) -> str:
        # HIREWATCH_ES_URL may be https://user:password@host: the repr never shows the password.
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.es_url:
            shown["es_url"] = redact_url(self.es_url)
        return "StoreSettings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


def store_settings(kind: str | None = None) -> StoreSettings:
    """Store settings from the environment (``HIREWATCH_STORE``, ``HIREWATCH_SQLITE_PATH``,
    ``HIREWATCH_ES_URL``, ``HIREWATCH_ES_API_KEY``, ``HIREWATCH_ES_USERNAME``/``_PASSWORD``,
    ``HIREWATCH_ES_INDEX``). Inside Airflow the Connection ``hirewatch_elasticsearch`` (see
    :func:`es_connection_settings`), when there is one, gives the Elasticsearch fields instead."""
    es = es_connection_settings() if in_airflow() else None
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
    port, default 9200, and the scheme from extra ``scheme``, else ``schema`` or the connection
    type when either is http/https, else http), login/password, extra ``api_key`` and ``index``.
    None when Airflow has no such Connection (the environment is the fallback)."""
    connection = read_airflow_connection(conn_id)
    if connection is None or not getattr(connection, "host", None):
        return None
    extra = getattr(connection, "extra_dejson", None) or {}
    host = str(connection.host).rstrip("/")
    if "://" not in host:
        web = ("http", "https")
        scheme = extra.get("scheme") or next(
            (v for v in (getattr(connection, "schema", None), getattr(connection, "conn_type", None)) if v in web),
            "http")
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


def read_airflow_connection(conn_id: str) -> Any | None:
    """An Airflow Connection by id, or None (none defined, or Airflow cannot be asked). The one
    place hirewatch asks Airflow for a Connection (Elasticsearch, Slack, SMTP); Airflow is imported
    here only. Never raises: a missing Connection is normal (the environment is the fallback), an
    unreadable one is logged by its error type only (the message could carry the URI)."""
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        try:
            from airflow.hooks.base import BaseHook  # type: ignore[no-redef]  # Airflow 2
        except ImportError:
            return None
    try:
        return BaseHook.get_connection(conn_id)
    except Exception as exc:  # noqa: BLE001  (not found, no API server, a bad URI: the environment is the fallback)
        import logging

        level = logging.DEBUG if type(exc).__name__ == "AirflowNotFoundException" else logging.WARNING
        logging.getLogger(__name__).log(level, "Airflow Connection %s could not be read: %s", conn_id,
                                        type(exc).__name__)
        return None


# --------------------------------------------------------------------------- Airflow, Slack and Kibana

#: Connection ids read inside Airflow.
SLACK_CONN_ID = SLACK_CONNECTION_ID = "hirewatch_slack"
ELASTICSEARCH_CONN_ID = ES_CONNECTION_ID
SMTP_CONN_ID = "hirewatch_smtp"


def in_airflow() -> bool:
    """True inside an Airflow task (and its callbacks): Airflow's task runner exports
    ``AIRFLOW_CTX_DAG_ID`` into the environment of the process that runs a task before
    ``execute``. ``HIREWATCH_IN_AIRFLOW=1`` forces it (a worker hook, a plugin). Imports nothing."""
    if env("HIREWATCH_IN_AIRFLOW") in ("1", "true", "yes"):
        return True
    return env("AIRFLOW_CTX_DAG_ID") is not None


#: The name the Slack alerts use; the same test as :func:`in_airflow`.
inside_airflow = in_airflow


@dataclass(frozen=True, slots=True)
class ConnectionFields:
    """The parts of an Airflow Connection hirewatch reads (``password`` hidden as a Secret)."""

    conn_type: str | None = None
    host: str | None = None
    port: int | None = None
    schema: str | None = None
    login: str | None = None
    password: Secret | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def airflow_connection(conn_id: str) -> ConnectionFields | None:
    """The Airflow Connection ``conn_id`` as plain fields when running inside Airflow and it is
    defined, else None (read by :func:`read_airflow_connection`; never raises)."""
    if not in_airflow():
        return None
    conn = read_airflow_connection(conn_id)
    if conn is None:
        return None
    try:
        extra = dict(conn.extra_dejson or {})
    except Exception:  # noqa: BLE001 - a malformed extra must not hide host/login/password
        extra = {}
    port = getattr(conn, "port", None)
    password = getattr(conn, "password", None)
    return ConnectionFields(
        conn_type=getattr(conn, "conn_type", None) or None, host=getattr(conn, "host", None) or None,
        port=int(port) if port else None, schema=getattr(conn, "schema", None) or None,
        login=getattr(conn, "login", None) or None, password=Secret(password) if password else None, extra=extra,
    )


def _airflow_connection_password(conn_id: str) -> Secret | None:
    """The password field of an Airflow Connection, or None when there is none."""
    password = getattr(read_airflow_connection(conn_id), "password", None)
    return Secret(password) if password else None


def slack_token() -> Secret | None:
    """The Slack bot token (``xoxb-...``): inside Airflow the password of the Connection
    ``hirewatch_slack``, else (or when that has none) ``$HIREWATCH_SLACK_TOKEN``. None: no token,
    alerts are printed (dry run). Called by :func:`hirewatch.alerts.deliver_alerts` and the DAGs'
    operators' callback."""
    if in_airflow():
        token = _airflow_connection_password(SLACK_CONNECTION_ID)
        if token is not None:
            return token
    return secret_env("HIREWATCH_SLACK_TOKEN")


def slack_app_token() -> Secret | None:
    """The Slack app-level token (``xapp-...``) that Socket Mode needs: ``$HIREWATCH_SLACK_APP_TOKEN``."""
    return secret_env("HIREWATCH_SLACK_APP_TOKEN")


def slack_base_url() -> str | None:
    """Another Slack Web API address (the tests' local Slack, a proxy), with a trailing slash as
    slack_sdk needs: inside Airflow the ``hirewatch_slack`` Connection's extra ``base_url`` (or its
    host when that is a URL), else ``$HIREWATCH_SLACK_BASE_URL``. None: Slack's own."""
    conn = airflow_connection(SLACK_CONN_ID)
    if conn is not None:
        url = conn.extra.get("base_url") or (conn.host if conn.host and "://" in conn.host else None)
        if url:
            return str(url).rstrip("/") + "/"
    url = env("HIREWATCH_SLACK_BASE_URL")
    return url.rstrip("/") + "/" if url else None


# --------------------------------------------------------------------------- SMTP


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where the digest mail goes out. ``starttls``: upgrade a plain connection; ``ssl``: SMTPS."""

    host: str
    port: int = 25
    username: str | None = None
    password: Secret | None = None
    sender: str = "hirewatch@localhost"
    starttls: bool = False
    ssl: bool = False


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def smtp_settings() -> SmtpSettings | None:
    """SMTP settings: the ``hirewatch_smtp`` Connection inside Airflow (host, port, login,
    password; extra ``from``, ``starttls``, ``ssl``), else ``HIREWATCH_SMTP_URL``
    (``smtp://user:password@host:port?from=a@b&starttls=1``, ``smtps://`` for SSL).
    None: mail is not configured. Raises :class:`~hirewatch.errors.ConfigError` for a URL that is
    not an smtp URL."""
    conn = airflow_connection(SMTP_CONN_ID)
    if conn is not None and conn.host:
        ssl = _truthy(conn.extra.get("ssl", False))
        return SmtpSettings(host=conn.host, port=conn.port or (465 if ssl else 25), username=conn.login,
                            password=conn.password, sender=str(conn.extra.get("from") or SmtpSettings.sender),
                            starttls=_truthy(conn.extra.get("starttls", False)), ssl=ssl)
    url = env("HIREWATCH_SMTP_URL")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        from hirewatch.errors import ConfigError

        raise ConfigError("expected smtp://[user:password@]host[:port][?from=...&starttls=1] or smtps://...",
                          path="HIREWATCH_SMTP_URL")
    query = dict(parse_qsl(parts.query))
    ssl = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname, port=parts.port or (465 if ssl else 25),
        username=unquote(parts.username) if parts.username else None,
        password=Secret(unquote(parts.password)) if parts.password else None,
        sender=query.get("from") or SmtpSettings.sender, starttls=_truthy(query.get("starttls", "0")), ssl=ssl,
    )


def kibana_url() -> str | None:
    """``$HIREWATCH_KIBANA_URL`` without a trailing slash, or None."""
    value = env("HIREWATCH_KIBANA_URL")
    return value.rstrip("/") if value else None
