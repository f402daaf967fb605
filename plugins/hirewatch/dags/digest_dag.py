"""One daily digest DAG per monitor, at the digest hour in the recipients' time zone.

Called by ``dags/hirewatch_digest.py`` (:func:`digest_dags`). Per monitor rather than per time
zone: each monitor has its own recipients, and a digest shared by monitors would show one
employer's mentions to another employer's readers. The schedule is a cron trigger at
``routing.digest.hour`` o'clock in ``routing.timezone`` (pendulum time zone: daylight saving is
followed). The task calls :func:`hirewatch.pipeline.run_digest` for the local day before the run
(the 07:00 digest of 12 March tells what happened on 11 March); a manual run can ask for another
day with the ``day`` param (``today``, ``yesterday`` or ``YYYY-MM-DD``). It writes the HTML file and
sends the mail and the Slack summary where they are configured.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date, timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, CronTriggerTimetable, Param, get_current_context, get_parsing_context, task

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


def digest_day(when: Any, timezone: str, requested: str | None = None) -> date:
    """The local day a digest run covers. ``when`` is the run's logical date; ``requested`` the
    ``day`` param: None or ``yesterday`` (the day before ``when`` in ``timezone``), ``today`` (the
    day of ``when``) or an ISO date. Raises ``ValueError`` for anything else."""
    today = pendulum.instance(when).in_timezone(timezone).date()
    if requested in (None, "", "yesterday"):
        return today - timedelta(days=1)
    if requested == "today":
        return today
    try:
        return date.fromisoformat(str(requested))
    except ValueError:
        raise ValueError(f"day: expected today, yesterday or YYYY-MM-DD, got {requested!r}") from None


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
        params={"day": Param(None, type=["null", "string"],
                             description="today, yesterday or YYYY-MM-DD (empty: the day before the run)")},
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
            """Build, write and send the digest of the run's local day."""
            from airflow.sdk.exceptions import AirflowFailException

            from hirewatch.pipeline import run_digest
            from hirewatch.stores.registry import open_store

            context = get_current_context()
            when = context.get("logical_date") or context["dag_run"].run_after
            try:
                day = digest_day(when, monitor.routing.timezone, context["params"].get("day"))
            except ValueError as exc:
                raise AirflowFailException(str(exc)) from exc
            store = open_store()
            try:
                result = run_digest([monitor], store, day, send=True)
            finally:
                store.close()
            summary = {"monitor": monitor.name, "day": day.isoformat(), "result": _jsonable(result)}
            if getattr(result, "ok", True) is False:
                # The file is written and the deliveries that worked are done; no retry, so
                # nobody gets the mail twice. The run shows red and the operators are told.
                raise AirflowFailException(f"digest of {day} for {monitor.name}: delivery failed: "
                                           f"{json.dumps(summary['result'])[:800]}")
            return summary

        digest_task()

    return dag


def _jsonable(value: Any) -> Any:
    """The digest result as JSON-ready data for XCom (dataclasses and paths become plain)."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    elif is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    return json.loads(json.dumps(value, default=str))
