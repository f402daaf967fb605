"""Whether the embedded SQLite store fits the Airflow executor that runs hirewatch's tasks.

The SQLite store is one file on one machine. Under a distributed executor (CeleryExecutor,
KubernetesExecutor, EdgeExecutor, ...) a monitor's tasks land on different workers, each of which
would open its own ``hirewatch.db``: mentions split between files, each worker's outbox alerting
what another already sent. So inside Airflow :func:`check_sqlite_fits_executor` refuses the SQLite
store under any executor that is not local, with a message that says to use Elasticsearch, and only
warns when every worker must share this host: the CeleryExecutor with its broker on a loopback
address (no other machine can reach it) or a Unix socket.

Called by :func:`hirewatch.stores.registry.open_store` before it opens the SQLite store inside an
Airflow task. Outside Airflow (the CLI) the executor does not run the pipeline and nothing is
checked. Airflow is imported here only, and only when it is installed.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from hirewatch.addresses import is_loopback_host
from hirewatch.errors import ConfigError

log = logging.getLogger(__name__)

#: Executors that run every task on the scheduler's own machine.
LOCAL_EXECUTORS = frozenset({"LocalExecutor", "SequentialExecutor", "DebugExecutor", "MockExecutor"})

ADVICE = ("use the Elasticsearch store (HIREWATCH_STORE=elasticsearch and the hirewatch_elasticsearch "
          "Connection, or HIREWATCH_ES_URL), which every worker reaches over the network; see "
          "docs/scale-out.md")


def _airflow_option(section: str, key: str) -> str | None:
    """An Airflow setting (``AIRFLOW__SECTION__KEY`` first, as Airflow itself reads it), or None."""
    value = os.environ.get(f"AIRFLOW__{section.upper()}__{key.upper()}")
    if value:
        return value
    try:
        from airflow.configuration import conf
    except ImportError:
        return None
    try:
        return conf.get(section, key, fallback=None) or None
    except Exception:  # noqa: BLE001  (a config Airflow itself cannot read: nothing to decide on)
        return None


def executor_names(setting: str) -> list[str]:
    """The executors' class names in Airflow's ``[core] executor`` setting: ``CeleryExecutor``,
    ``LocalExecutor,CeleryExecutor``, ``alias:my.module.MyExecutor``, team lists
    ``LocalExecutor;team1=KubernetesExecutor``."""
    names: list[str] = []
    for team in setting.split(";"):
        executors = team.split("=", 1)[-1]
        for entry in executors.split(","):
            entry = entry.strip()
            if entry:
                names.append(entry.rsplit(":", 1)[-1].rsplit(".", 1)[-1])
    return names


def _loopback_broker(url: str | None) -> bool:
    """True when a Celery broker URL can only be reached from this host (loopback or a socket)."""
    if not url:
        return False
    parts = urlsplit(url)
    if parts.scheme in ("redis+socket", "socket") or parts.scheme.startswith("sqla+sqlite"):
        return True
    return is_loopback_host(parts.hostname)


def check_sqlite_fits_executor(executor_setting: str | None = None, broker_url: str | None = None) -> None:
    """Raise :class:`ConfigError` when the SQLite store would run under a distributed executor;
    log a warning when all its workers must share this host. Either argument left out is read
    from Airflow's configuration."""
    setting = executor_setting if executor_setting is not None else _airflow_option("core", "executor")
    if not setting:
        return
    remote = [name for name in executor_names(setting) if name not in LOCAL_EXECUTORS]
    if not remote:
        return
    shown = ", ".join(dict.fromkeys(remote))
    if set(remote) == {"CeleryExecutor"}:
        broker = broker_url if broker_url is not None else _airflow_option("celery", "broker_url")
        if _loopback_broker(broker):
            log.warning("the SQLite store under %s works only while every worker runs on this host (the Celery "
                        "broker is on a loopback address); to add a machine, %s", shown, ADVICE)
            return
    raise ConfigError(
        f"the SQLite store is a file on one machine, but Airflow runs these tasks with {shown}: workers on "
        f"other machines would each write their own store (mentions split, alerts sent twice); {ADVICE}",
        field="HIREWATCH_STORE")
