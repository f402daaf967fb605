"""Deployment settings and secrets, in one place: the stores, Slack, mail and Kibana read theirs
from here; never from monitor YAML, never logged.

Precedence, the same for every setting (highest first):

1. a value passed in code (the tests, ``hirewatch es sync --from``);
2. an Airflow Connection (``hirewatch_elasticsearch``, ``hirewatch_slack``, ``hirewatch_smtp``),
   read inside an Airflow task, or anywhere its ``AIRFLOW_CONN_HIREWATCH_*`` variable is set. A
   Connection that names a server (Elasticsearch, SMTP) replaces that whole group, so a key or
   password from the environment never goes to a server it was not meant for; the Slack
   Connection gives the token (its password) and the API address (extra ``base_url``);
3. the ``HIREWATCH_*`` environment;
4. the defaults.

pydantic-settings reads the environment; :class:`AirflowConnectionSource` is its source for the
Connections (the one place Airflow is asked, and imported only then). Secrets are
:class:`~pydantic.SecretStr`: ``repr``/``str`` show ``**********``; ``get_secret_value()`` is
called only by the one client that needs the value. Every settings object registers its secrets
with the masker (:mod:`hirewatch.redact`) when it is made, so they are masked in everything
hirewatch writes; the password inside a URL setting too. Called by the CLI, the stores, the
alerts, the digest and the DAG tasks.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from hirewatch import redact

log = logging.getLogger(__name__)

ES_CONNECTION_ID = "hirewatch_elasticsearch"
SLACK_CONNECTION_ID = "hirewatch_slack"
SMTP_CONNECTION_ID = "hirewatch_smtp"


def env(name: str, default: str | None = None) -> str | None:
    """One environment variable named by a monitor file (a review site's ``api_key_env``); empty
    counts as unset. Deployment settings are fields of the settings classes below instead."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def redact_url(url: str) -> str:
    """``url`` without ``user:password@`` (a URL may carry credentials), for messages and reprs."""
    return redact.strip_userinfo(url)


def in_airflow() -> bool:
    """True inside an Airflow task (and its callbacks): Airflow's task runner exports
    ``AIRFLOW_CTX_DAG_ID`` into the environment of the process that runs a task before
    ``execute``. ``HIREWATCH_IN_AIRFLOW=1`` forces it (a worker hook, a plugin). Imports nothing."""
    if env("HIREWATCH_IN_AIRFLOW") in ("1", "true", "yes"):
        return True
    return env("AIRFLOW_CTX_DAG_ID") is not None


def read_airflow_connection(conn_id: str) -> Any | None:
    """An Airflow Connection by id, or None (none defined, or Airflow cannot be asked). Never
    raises: a missing Connection is normal (the environment is the fallback), an unreadable one is
    logged by its error type only (the message could carry the URI)."""
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return None
    try:
        return BaseHook.get_connection(conn_id)
    except Exception as exc:  # noqa: BLE001  (not found, no API server, a bad URI: the environment is the fallback)
        level = logging.DEBUG if type(exc).__name__ == "AirflowNotFoundException" else logging.WARNING
        log.log(level, "Airflow Connection %s could not be read: %s", conn_id, type(exc).__name__)
        return None


@dataclass(frozen=True, slots=True)
class ConnectionFields:
    """The parts of an Airflow Connection hirewatch reads (``password`` a SecretStr)."""

    conn_id: str
    conn_type: str | None = None
    host: str | None = None
    port: int | None = None
    schema: str | None = None
    login: str | None = None
    password: SecretStr | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def airflow_connection(conn_id: str) -> ConnectionFields | None:
    """The Connection ``conn_id`` as plain fields, when precedence step 2 applies (inside an Airflow
    task, or ``AIRFLOW_CONN_<ID>`` is set) and it is defined; else None. Never raises."""
    if not in_airflow() and not os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}"):
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
        conn_id=conn_id, conn_type=getattr(conn, "conn_type", None) or None, host=getattr(conn, "host", None) or None,
        port=int(port) if port else None, schema=getattr(conn, "schema", None) or None,
        login=getattr(conn, "login", None) or None, password=SecretStr(password) if password else None, extra=extra,
    )


class AirflowConnectionSource(PydanticBaseSettingsSource):
    """The pydantic-settings source for precedence step 2: the settings class's Airflow Connection
    (``connection_id``) turned into field values by its ``from_connection``."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        settings_cls: Any = self.settings_cls
        conn_id = settings_cls.connection_id
        conn = airflow_connection(conn_id) if conn_id else None
        return settings_cls.from_connection(conn) if conn is not None else {}


class _Settings(BaseSettings):
    """Base of the settings classes: ``HIREWATCH_<FIELD>`` variables (empty counts as unset),
    below the class's Airflow Connection, below values passed in code."""

    model_config = SettingsConfigDict(env_prefix="HIREWATCH_", env_ignore_empty=True, extra="ignore", frozen=True)
    connection_id: ClassVar[str | None] = None

    @classmethod
    def from_connection(cls, conn: ConnectionFields) -> dict[str, Any]:
        return {}

    def model_post_init(self, context: Any) -> None:
        """Register every secret value with the masker: SecretStr fields (an ES password with its
        user, for the Basic auth header), the user:password of URL fields, a Connection's
        password."""
        user = getattr(self, "es_username", None)
        for name, value in self:
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
                redact.register(secret, user=user if name == "es_password" else None)
                if name.endswith("_url"):
                    redact.register_url(secret)
            elif isinstance(value, str) and name.endswith("_url"):
                redact.register_url(value)
            elif isinstance(value, ConnectionFields) and value.password is not None:
                redact.register(value.password.get_secret_value(), user=value.login)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, AirflowConnectionSource(settings_cls), env_settings


class Settings(_Settings):
    """The settings with no Airflow Connection: where files go, which store, public URLs."""

    home: Path = Path("var")
    store: str | None = None
    sqlite_path: Path | None = None
    kibana_url: str | None = None
    digest_url: str | None = None
    es_languages: str | None = None


class DeliverySettings(_Settings):
    """How a Slack delivery run holds its monitor's lease (:mod:`hirewatch.alerts.lease`): how long
    a lease lasts without renewal, how long a second delivery waits for it (seconds)."""

    delivery_lease_s: float = Field(default=120.0, ge=1.0, allow_inf_nan=False)
    delivery_wait_s: float = Field(default=10.0, ge=0.0, allow_inf_nan=False)


class RuntimeSettings(_Settings):
    """How runs and the DAG files behave: the run's worker processes, the monitor DAGs' schedule
    and retries, the folder of monitor files and the time its loading may take at DAG parse time.
    Read through :func:`runtime_settings`."""

    workers: int | None = Field(default=None, ge=0)
    monitor_schedule: str = Field(default="@hourly", min_length=1)
    task_retries: int = Field(default=2, ge=0)
    monitors: Path | None = None
    monitor_file_budget_s: float = Field(default=5.0, gt=0, allow_inf_nan=False)
    monitors_budget_s: float = Field(default=20.0, gt=0, allow_inf_nan=False)


class ElasticsearchSettings(_Settings):
    """``HIREWATCH_ES_URL``, ``_API_KEY``, ``_USERNAME``, ``_PASSWORD``, ``_INDEX``; or the Connection
    ``hirewatch_elasticsearch``: host (a full URL, or a host name with port, default 9200, and the
    scheme from extra ``scheme``, else ``schema`` or the connection type when either is http/https,
    else http), login/password, extra ``api_key`` and ``index``."""

    connection_id: ClassVar[str | None] = ES_CONNECTION_ID
    es_url: str | None = None
    es_api_key: SecretStr | None = None
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_index: str = "mentions"

    @classmethod
    def from_connection(cls, conn: ConnectionFields) -> dict[str, Any]:
        if not conn.host:
            return {}
        host = conn.host.rstrip("/")
        if "://" not in host:
            web = ("http", "https")
            scheme = conn.extra.get("scheme") or next((v for v in (conn.schema, conn.conn_type) if v in web), "http")
            host = f"{scheme}://{host}:{conn.port or 9200}"
        elif conn.port and host.count(":") == 1:
            host = f"{host}:{conn.port}"
        api_key = conn.extra.get("api_key")
        return {"es_url": host, "es_api_key": SecretStr(api_key) if api_key else None, "es_username": conn.login,
                "es_password": conn.password, "es_index": conn.extra.get("index") or "mentions"}


class SlackSettings(_Settings):
    """``HIREWATCH_SLACK_TOKEN`` (bot, ``xoxb-``), ``HIREWATCH_SLACK_APP_TOKEN`` (Socket Mode,
    ``xapp-``), ``HIREWATCH_SLACK_BASE_URL`` (another Web API address: the tests' local Slack, a
    proxy); the Connection ``hirewatch_slack`` gives the token (password) and the address (extra
    ``base_url``, or its host when that is a URL)."""

    connection_id: ClassVar[str | None] = SLACK_CONNECTION_ID
    slack_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_base_url: str | None = None

    @classmethod
    def from_connection(cls, conn: ConnectionFields) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if conn.password is not None:
            values["slack_token"] = conn.password
        url = conn.extra.get("base_url") or (conn.host if conn.host and "://" in conn.host else None)
        if url:
            values["slack_base_url"] = str(url)
        return values


class MailSettings(_Settings):
    """``HIREWATCH_SMTP_URL`` (``smtp[s]://user:password@host:port?from=...``), or the Connection
    ``hirewatch_smtp`` (host, port, login, password; extra ``from``, ``ssl``, ``starttls``,
    ``cafile``, ``timeout``). :mod:`hirewatch.digest.mailer` turns either into its SMTP settings."""

    connection_id: ClassVar[str | None] = SMTP_CONNECTION_ID
    smtp_url: SecretStr | None = None
    smtp_connection: ConnectionFields | None = None

    @classmethod
    def from_connection(cls, conn: ConnectionFields) -> dict[str, Any]:
        return {"smtp_connection": conn, "smtp_url": None} if conn.host else {}


@dataclass(frozen=True, slots=True, repr=False)
class StoreSettings:
    """What :func:`hirewatch.stores.registry.open_store` needs: the store kind and its settings."""

    kind: str = "sqlite"
    sqlite_path: Path | None = None
    es_url: str | None = None
    es_api_key: SecretStr | None = None
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_index_prefix: str = "mentions"

    def __repr__(self) -> str:
        # HIREWATCH_ES_URL may be https://user:password@host: the repr never shows the password.
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.es_url:
            shown["es_url"] = redact_url(self.es_url)
        return "StoreSettings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


def home() -> Path:
    """Where the embedded store and outputs live: ``$HIREWATCH_HOME`` or ``./var``."""
    return Settings().home.resolve()


def store_settings(kind: str | None = None) -> StoreSettings:
    """The store: ``kind`` if given, else ``HIREWATCH_STORE``, else Elasticsearch when it has a URL,
    else SQLite (``HIREWATCH_SQLITE_PATH``, default ``$HIREWATCH_HOME/hirewatch.db``)."""
    general, es = Settings(), ElasticsearchSettings()
    return StoreSettings(
        kind=kind or general.store or ("elasticsearch" if es.es_url else "sqlite"),
        sqlite_path=general.sqlite_path or general.home.resolve() / "hirewatch.db",
        es_url=es.es_url, es_api_key=es.es_api_key, es_username=es.es_username, es_password=es.es_password,
        es_index_prefix=es.es_index or "mentions",
    )


def slack_token() -> SecretStr | None:
    """The Slack bot token, or None: no token, alerts are printed (dry run)."""
    return SlackSettings().slack_token


def slack_app_token() -> SecretStr | None:
    """The Slack app-level token (``xapp-...``) that Socket Mode needs."""
    return SlackSettings().slack_app_token


def slack_base_url() -> str | None:
    """Another Slack Web API address, with the trailing slash slack_sdk needs; None: Slack's own."""
    url = SlackSettings().slack_base_url
    return url.rstrip("/") + "/" if url else None


def kibana_url() -> str | None:
    """``HIREWATCH_KIBANA_URL`` without a trailing slash and without credentials, or None."""
    value = Settings().kibana_url
    # The links made from it go to Slack and the digest: never with user:password@ in them.
    return redact.strip_userinfo(value).rstrip("/") if value else None


def digest_url() -> str | None:
    """``HIREWATCH_DIGEST_URL``: where the written digests are served, for links; or None."""
    return Settings().digest_url


def es_languages() -> str | None:
    """``HIREWATCH_ES_LANGUAGES``: the analysed languages of the index template, comma-separated."""
    return Settings().es_languages


_S = TypeVar("_S", bound=_Settings)


def _from_environment(cls: type[_S], expected: str = "") -> _S:
    """``cls`` read as usual; a value of the wrong kind is a :class:`~hirewatch.errors.ConfigError`
    naming its variable and repeating (the start of) the value: a typo never silently becomes the
    default."""
    from pydantic import ValidationError

    from hirewatch.errors import ConfigError

    try:
        return cls()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "HIREWATCH_" + str(error["loc"][0]).upper() if error.get("loc") else "HIREWATCH_*"
        raise ConfigError(f"{expected}{error['msg']} (got {str(error.get('input'))[:80]!r})", path="environment",
                          field=name) from None


def delivery_settings() -> DeliverySettings:
    """``HIREWATCH_DELIVERY_LEASE_S`` and ``HIREWATCH_DELIVERY_WAIT_S`` (a bad value: an error
    naming the variable)."""
    return _from_environment(DeliverySettings, "expected a number of seconds: ")


def runtime_settings() -> RuntimeSettings:
    """``HIREWATCH_WORKERS``, ``HIREWATCH_MONITOR_SCHEDULE``, ``HIREWATCH_TASK_RETRIES``,
    ``HIREWATCH_MONITORS``, ``HIREWATCH_MONITOR_FILE_BUDGET_S`` and ``HIREWATCH_MONITORS_BUDGET_S``
    (a bad value: an error naming the variable)."""
    return _from_environment(RuntimeSettings)


def mail_settings() -> MailSettings:
    """Where the digest mail goes out: an SMTP URL or an SMTP Connection (or neither)."""
    return MailSettings()
