"""A monitor DAG whose store is SQLite under the CeleryExecutor fails its tasks with the message
that says to use Elasticsearch, before any store file is written (``dag.test()``, tasks
in-process; the executor setting is what every worker would read)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dags.conftest import MONITORS, dag_bag, run_dag, task_states

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]


def test_sqlite_store_under_celery_fails_the_run_with_the_advice(
        airflow_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    for key in [k for k in os.environ if k.startswith("HIREWATCH_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HIREWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("HIREWATCH_STORE", "sqlite")
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", "redis://broker.internal:6379/0")
    dag = dag_bag(MONITORS).dags["hirewatch_example"]
    dag_run = run_dag(dag)
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed"
    assert {state for task, state in states.items() if task.startswith("fetch[")} == {"failed"}
    assert not (tmp_path / "hirewatch.db").exists()
    out, err = capfd.readouterr()
    logged = out + err  # the task log, as dag.test() prints it
    assert "the SQLite store is a file on one machine, but Airflow runs these tasks with CeleryExecutor" in logged
    assert "use the Elasticsearch store" in logged
