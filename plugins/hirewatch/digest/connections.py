"""The Airflow Connection for the digest's mail (``hirewatch_smtp``), as a small record.

Called by :mod:`hirewatch.digest.mailer` when the environment has no SMTP setting (the Slack
summary takes the alerts' token from :func:`hirewatch.settings.slack_token`). Reads through
:func:`hirewatch.settings.read_airflow_connection`, the one Airflow reader. Airflow is asked only
where it is already loaded (inside a task) or where the operator set ``AIRFLOW_CONN_<ID>``;
importing Airflow just to find nothing would add seconds to every ``hirewatch digest``. Returns
None when there is no such connection; never raises for a missing one.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

from hirewatch.settings import Secret, read_airflow_connection


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
    conn = read_airflow_connection(conn_id)
    if conn is None:
        return None
    return Connection(conn_id=conn_id, conn_type=conn.conn_type, host=conn.host, port=conn.port, login=conn.login,
                      password=Secret(conn.password) if conn.password else None, extra=dict(conn.extra_dejson or {}))
