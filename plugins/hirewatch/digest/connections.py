"""Airflow Connections for the digest's deliveries (``hirewatch_smtp``, ``hirewatch_slack``).

Called by :mod:`hirewatch.digest.mailer` and :mod:`hirewatch.digest.slack_summary` when the
environment has no setting of its own. Airflow is asked only where it is already loaded (inside a
task) or where the operator set ``AIRFLOW_CONN_<ID>``; importing Airflow just to find nothing
would add seconds to every ``hirewatch digest``. Returns None when there is no such connection;
never raises for a missing one.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from hirewatch.settings import Secret

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Connection:
    conn_id: str
    conn_type: str | None = None
    host: str | None = None
    port: int | None = None
    login: str | None = None
    password: Secret | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def airflow_connection(conn_id: str) -> Connection | None:
    """The Airflow Connection ``conn_id`` (password wrapped in :class:`Secret`), or None."""
    if "airflow" not in sys.modules and not os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}"):
        return None
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return None
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as exc:  # noqa: BLE001 - Airflow raises its own NotFound (and others on a bad URI)
        if type(exc).__name__ != "AirflowNotFoundException":
            log.warning("Airflow Connection %s could not be read: %s", conn_id, type(exc).__name__)
        return None
    return Connection(conn_id=conn_id, conn_type=conn.conn_type, host=conn.host, port=conn.port, login=conn.login,
                      password=Secret(conn.password) if conn.password else None, extra=dict(conn.extra_dejson or {}))
