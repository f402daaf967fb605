"""The digest DAG runs for real after the example monitor's DAG and writes the digest of the
mentions it stored; the day it covers follows the recipients' time zone."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pendulum
import pytest

from tests.dags.conftest import MONITORS, Run, dag_bag, run_dag, task_states

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]


def test_digest_dag_writes_the_digest_of_the_example_run(example_run: Run, airflow_env: Path) -> None:
    assert example_run.state == "success"
    os.environ["HIREWATCH_HOME"] = str(example_run.home)  # the store the example run filled
    dag = dag_bag(MONITORS).dags["hirewatch_digest_example"]
    dag_run = run_dag(dag, conf={"day": "today"})
    assert task_states(dag_run) == {"digest": "success"}
    assert str(dag_run.state) == "success"

    today = pendulum.now("Europe/Amsterdam").date()
    files = sorted((example_run.home / "digests").glob(f"*{today:%Y-%m-%d}*.html"))
    assert len(files) == 1, sorted(p.name for p in (example_run.home / "digests").glob("*"))
    html = files[0].read_text(encoding="utf-8")
    assert "Brightwave Logistics" in html
    assert "Kestrel" in html, "the digest compares with the competitors"


def test_the_digest_day_is_the_local_day_before_the_run(airflow_env: Path) -> None:
    from hirewatch.dags.digest_dag import digest_day

    # The 07:00 Amsterdam run on 29 March (05:00 UTC, after the switch to summer time).
    run = pendulum.datetime(2026, 3, 29, 5, 0, tz="UTC")
    assert digest_day(run, "Europe/Amsterdam") == date(2026, 3, 28)
    assert digest_day(run, "Europe/Amsterdam", "today") == date(2026, 3, 29)
    # 23:30 UTC on 1 March is already 2 March in Tokyo.
    late = pendulum.datetime(2026, 3, 1, 23, 30, tz="UTC")
    assert digest_day(late, "Asia/Tokyo", "today") == date(2026, 3, 2)
    assert digest_day(late, "Asia/Tokyo", "2026-01-05") == date(2026, 1, 5)
    with pytest.raises(ValueError, match="expected today, yesterday or YYYY-MM-DD"):
        digest_day(late, "UTC", "last week")
