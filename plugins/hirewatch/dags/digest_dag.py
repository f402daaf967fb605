"""One daily digest DAG per monitor, at the digest hour in the recipients' time zone.

Called by ``dags/hirewatch_digest.py`` (:func:`digest_dags`). Per monitor rather than per time
zone: each monitor has its own recipients, and a digest shared by monitors would show one
employer's mentions to another employer's readers. The schedule is a cron trigger at
``routing.digest.hour`` o'clock in ``routing.timezone`` (pendulum time zone: daylight saving is
followed). The task calls :func:`hirewatch.pipeline.run_digest` for the local day of the run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any

import pendulum
from airflow.sdk import DAG, CronTriggerTimetable, get_current_context, get_parsing_context, task

from hirewatch.config import Monitor
from hirewatch.dags.defaults import MENTIONS, START, default_args, digest_asset
from hirewatch.dags.monitor_configs import load_monitor_configs

PREFIX = "hirewatch_digest_"


def digest_dag_id(monitor_name: str) -> str:
    return PREFIX + monitor_name


def digest_dags() -> dict[str, DAG]:
    """Every valid monitor's digest DAG by DAG id, in monitor file order (a broken monitor file has
    its stand-in among the monitor DAGs)."""
    wanted = get_parsing_context().dag_id
    return {digest_dag_id(m.name): build_digest_dag(m) for m in load_monitor_configs().monitors
            if wanted is None or wanted == digest_dag_id(m.name)}


def digest_day(when: Any, timezone: str) -> date:
    """The local calendar day (in the recipients' time zone) of a run's logical date."""
    return pendulum.instance(when).in_timezone(timezone).date()


def build_digest_dag(monitor: Monitor) -> DAG:
    tz = pendulum.timezone(monitor.routing.timezone)
    digest = monitor.routing.digest
    with DAG(
        dag_id=digest_dag_id(monitor.name),
        description=f"Daily digest of {monitor.employer.name} at {digest.hour:02d}:00 {tz.name}"[:200],
        schedule=CronTriggerTimetable(f"0 {digest.hour} * * *", timezone=tz),
        start_date=START.in_timezone(tz),
        catchup=False,
        max_active_runs=1,
        default_args=default_args(monitor.name, monitor.routing.alerts.operators_channel),
        tags=["hirewatch", "digest", f"employer:{monitor.employer.name}"[:100]],
        doc_md=f"""\
### hirewatch daily digest: `{monitor.name}` ({monitor.employer.name})

Every day at **{digest.hour:02d}:00 {tz.name}**: what changed since yesterday, the items worth
reading, trends and topics, vs competitors. Recipients: {len(digest.recipients)} by mail,
Slack `{digest.slack_channel or 'none'}`. Reads the mentions the monitor DAG `hirewatch_{monitor.name}`
stores (asset `{MENTIONS.uri}`).
""",
    ) as dag:

        @task(task_id="digest", inlets=[MENTIONS], outlets=[digest_asset(monitor.name)])
        def digest_task() -> dict[str, Any]:
            """Build, render and send the digest of the run's local day."""
            from hirewatch.pipeline import run_digest
            from hirewatch.stores.registry import open_store

            context = get_current_context()
            when = context.get("logical_date") or context["dag_run"].run_after
            day = digest_day(when, monitor.routing.timezone)
            store = open_store()
            try:
                result = run_digest([monitor], store, day)
            finally:
                store.close()
            return {"monitor": monitor.name, "day": day.isoformat(), "result": _jsonable(result)}

        digest_task()

    return dag


def _jsonable(value: Any) -> Any:
    """The digest result as JSON-ready data for XCom (dataclasses and paths become plain)."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    elif is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    return json.loads(json.dumps(value, default=str))
