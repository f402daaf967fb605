"""What every hirewatch DAG shares: the store asset, the start date, the retries by kind of error.

Called at DAG parse time by :mod:`.monitor_dag` and :mod:`.digest_dag`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset

from hirewatch.dags.callbacks import operators_notifier
from hirewatch.dags.retry import ByKindOfError
from hirewatch.settings import runtime_settings

#: Every fetch task writes here; the digest reads it (lineage in the Airflow UI's asset graph).
MENTIONS = Asset(name="hirewatch_mentions", uri="hirewatch://store/mentions", group="hirewatch")

#: A fixed past start date: with ``catchup=False`` the first run is the next scheduled time.
START = pendulum.datetime(2025, 1, 1, tz="UTC")

def monitor_schedule() -> str:
    """How often a monitor's sources are crawled (``HIREWATCH_MONITOR_SCHEDULE``, a cron expression
    or preset, in the monitor's time zone; default hourly); conditional GETs make an unchanged
    feed cheap."""
    return runtime_settings().monitor_schedule


def digest_asset(monitor_name: str) -> Asset:
    return Asset(name=f"hirewatch_digest_{monitor_name}", uri=f"hirewatch://digest/{monitor_name}", group="hirewatch")


def task_retries() -> int:
    """Retries of every task (``HIREWATCH_TASK_RETRIES``, default 2); ``make run`` sets 0 so a
    local run that fails says so at once instead of waiting out the back-off."""
    return runtime_settings().task_retries


def default_args(monitor_name: str, operators_channel: str | None) -> dict[str, Any]:
    """Retries by kind of error (:class:`~hirewatch.dags.retry.ByKindOfError`: none for a source
    that is gone, a site's ``Retry-After`` honoured, else exponential back-off of 2, 4, 8 ...
    minutes, at most 30) and, when the monitor names an operators' channel, a Slack message after
    the last failed try."""
    args: dict[str, Any] = {
        "owner": "hirewatch",
        "retries": task_retries(),
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
        "execution_timeout": timedelta(minutes=30),
        "retry_policy": ByKindOfError(),
    }
    callback = operators_notifier(monitor_name, operators_channel)
    if callback is not None:
        args["on_failure_callback"] = callback
    return args
