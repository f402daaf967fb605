"""One Airflow DAG per monitor: ``fetch`` mapped over the monitor's sources, then ``alert``, then
``report``.

Called by ``dags/hirewatch_monitors.py`` (:func:`monitor_dags`). The tasks call the same pipeline
functions as the CLI (:func:`hirewatch.pipeline.ingest_source`, ``deliver_alerts``,
``record_ingest``): Airflow adds the schedule, the retries and the UI. One source is one mapped task
instance, so a broken source fails alone (after its retries) while the others land; ``alert`` runs
whatever happened to the sources (pending alerts are delivered even when a source failed);
``report`` records the run in the store and fails the run when a source failed, so the run shows
red in the UI.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from airflow.sdk import DAG, TriggerRule, get_current_context, get_parsing_context, task

from hirewatch.config import Monitor
from hirewatch.dags.callbacks import SourcesFailed
from hirewatch.dags.defaults import MENTIONS, START, default_args, monitor_schedule
from hirewatch.dags.monitor_configs import BrokenMonitor, load_monitor_configs

log = logging.getLogger(__name__)

PREFIX = "hirewatch_"

#: XCom key under which each ``fetch`` task instance leaves its SourceReport, failed or not.
REPORT_KEY = "source_report"


def monitor_dag_id(monitor_name: str) -> str:
    return PREFIX + monitor_name


def monitor_dags() -> dict[str, DAG]:
    """Every monitor's DAG (and a failing stand-in per broken monitor file), by DAG id, in monitor
    file order. While Airflow runs one task it parses for that DAG only."""
    configs = load_monitor_configs()
    wanted = get_parsing_context().dag_id
    dags: dict[str, DAG] = {}
    for monitor in configs.monitors:
        dag_id = monitor_dag_id(monitor.name)
        if wanted is None or wanted == dag_id:
            dags[dag_id] = build_monitor_dag(monitor)
    for broken in configs.broken:
        dag_id = monitor_dag_id(broken.dag_name)
        if wanted is None or wanted == dag_id:
            dags[dag_id] = build_broken_monitor_dag(broken)
    return dags


def _doc(monitor: Monitor) -> str:
    rows = "\n".join(f"| `{s.name}` | {s.type} | {'yes' if s.enabled else 'no'} | {s.url or ''} |"
                     for s in monitor.sources)
    alerts = monitor.routing.alerts
    return f"""\
### hirewatch monitor `{monitor.name}`: {monitor.employer.name}

Crawls the sources below, stores the mentions of **{monitor.employer.name}** (and its competitors),
sends new negative ones to Slack (`{alerts.default_channel or 'no channel: dry run'}`).

* `fetch`: one mapped task instance per source (`ingest_source`); a failing source fails alone.
* `alert`: delivers the pending alerts from the store's outbox, whatever happened to the sources.
* `report`: records the run (the digest shows source health) and fails the run if a source failed.

Monitor file: `{monitor.path}`. Operators' channel: `{alerts.operators_channel or 'none'}`.

| source | type | enabled | url |
|---|---|---|---|
{rows}
"""


def build_monitor_dag(monitor: Monitor) -> DAG:
    """The DAG ``hirewatch_<monitor>``. Retries and back-off come from :func:`default_args`."""
    source_names = [s.name for s in monitor.sources if s.enabled]
    kinds = {s.name: s.type for s in monitor.sources}

    with DAG(
        dag_id=monitor_dag_id(monitor.name),
        description=f"Mentions of {monitor.employer.name}: crawl, store, alert"[:200],
        schedule=monitor_schedule(),
        start_date=START.in_timezone(monitor.routing.timezone),
        catchup=False,
        max_active_runs=1,
        default_args=default_args(monitor.name, monitor.routing.alerts.operators_channel),
        tags=["hirewatch", "monitor", f"employer:{monitor.employer.name}"[:100]],
        doc_md=_doc(monitor),
    ) as dag:

        @task(outlets=[MENTIONS], map_index_template="{{ task.op_kwargs['source'] }}")
        def fetch(source: str) -> dict[str, Any]:
            """Fetch, parse, match, enrich and store one source. Its report (also when it failed)
            goes to XCom ``source_report`` for ``report``."""
            from airflow.sdk.exceptions import AirflowFailException

            from hirewatch.errors import ConfigError, SourceError
            from hirewatch.pipeline import ingest_source
            from hirewatch.report import SourceReport
            from hirewatch.stores.registry import open_store

            context = get_current_context()
            ti = context["ti"]
            try:
                store = open_store()
            except ConfigError as exc:
                raise AirflowFailException(str(exc)) from exc
            try:
                report = ingest_source(monitor, source, store)
            except SourceError as exc:
                failed = SourceReport(source=source, kind=kinds.get(source, "?"), status="failed",
                                      error=exc.reason or str(exc))
                ti.xcom_push(key=REPORT_KEY, value=asdict(failed))
                raise
            finally:
                store.close()
            context["outlet_events"][MENTIONS].extra = {
                "monitor": monitor.name, "source": source, "new_mentions": report.new_mentions,
                "negatives": report.negatives,
            }
            ti.xcom_push(key=REPORT_KEY, value=asdict(report))
            return asdict(report)

        @task(trigger_rule=TriggerRule.ALL_DONE)
        def alert() -> dict[str, Any]:
            """Deliver the monitor's pending alerts from the outbox (also after a failed source)."""
            from hirewatch.errors import AlertError
            from hirewatch.pipeline import deliver_alerts
            from hirewatch.stores.registry import open_store

            if not monitor.routing.alerts.enabled:
                return {"enabled": False}
            store = open_store()
            try:
                result = deliver_alerts(monitor, store)
            finally:
                store.close()
            summary = _alert_summary(result)
            undelivered = (summary.get("failed") or 0) + (summary.get("deferred") or 0)
            if undelivered:
                # Still pending in the outbox: a retry (with back-off) delivers them.
                # (or another delivery of this monitor, e.g. `hirewatch slack deliver`, holds its lease)
                raise AlertError(f"{undelivered} alerts could not be delivered and stay pending: "
                                 + "; ".join(summary.get("errors", []) or summary.get("notes", []))[:500])
            return summary

        @task(trigger_rule=TriggerRule.ALL_DONE)
        def report() -> dict[str, Any]:
            """Record the run (per-source status) and fail the DAG run if a source failed."""
            from hirewatch.pipeline import record_ingest
            from hirewatch.report import SourceReport
            from hirewatch.stores.registry import open_store

            context = get_current_context()
            ti = context["ti"]
            pulled = ti.xcom_pull(task_ids="fetch", key=REPORT_KEY) or []
            by_source = {r["source"]: r for r in ([pulled] if isinstance(pulled, dict) else pulled) if r}
            reports = [SourceReport(**by_source.get(name) or {
                "source": name, "kind": kinds.get(name, "?"), "status": "failed",
                "error": "the task failed before it could report (see its log)"}) for name in source_names]
            started = context["dag_run"].start_date
            store = open_store()
            try:
                run = record_ingest(monitor, store, reports, started)
            finally:
                store.close()
            out = run.to_dict()
            out["alerts"] = ti.xcom_pull(task_ids="alert")
            failed = [r for r in reports if r.status == "failed"]
            if failed:
                raise SourcesFailed(f"{len(failed)} of {len(reports)} sources failed: "
                                    + "; ".join(f"{r.source}: {r.error}" for r in failed))
            return out

        fetch.expand(source=source_names) >> alert() >> report()

    return dag


def _alert_summary(result: Any) -> dict[str, Any]:
    """The alerts package's AlertReport as a small JSON-ready dict (XCom)."""
    keys = ("alerter", "dry_run", "pending", "sent", "threaded", "suppressed", "failed", "deferred", "storm",
            "reconciled")
    summary = {k: getattr(result, k) for k in keys
               if isinstance(getattr(result, k, None), int | bool | str | type(None)) and hasattr(result, k)}
    errors = getattr(result, "errors", None)
    if errors:
        summary["errors"] = [str(e)[:300] for e in errors][:10]
    notes = getattr(result, "notes", None)
    if notes:
        summary["notes"] = [str(n)[:300] for n in notes][:10]
    return summary or {"result": str(result)[:500]}


def build_broken_monitor_dag(broken: BrokenMonitor) -> DAG:
    """A stand-in for a monitor file that does not load: same schedule, its doc shows the error,
    its one task fails with it, so the operator sees it in the UI. The other monitors' DAGs are
    unaffected."""
    message = str(broken.error)
    with DAG(
        dag_id=monitor_dag_id(broken.dag_name),
        description="monitor file does not load: " + message.splitlines()[0][:150],
        schedule=monitor_schedule(),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=default_args(broken.dag_name, None),
        tags=["hirewatch", "monitor", "broken"],
        doc_md=f"### hirewatch monitor file `{broken.path}` does not load\n\nFix the file; until then "
               f"this DAG fails.\n\n```\n{message}\n```\n",
    ) as dag:

        @task
        def config_error() -> None:
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(message)

        config_error()

    return dag
