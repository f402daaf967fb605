"""``make run``'s task logs: ``airflow dags test`` (the real CLI, in a subprocess on the test's
metadata DB) runs a small monitor's DAG, ``hirewatch.dags.test_run_logs`` files its output, and
Airflow's own log reader (what the UI calls) finds each task instance's log, not "Log file not
found"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dags.conftest import DAGS, MONITORS

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]


def test_dags_test_output_becomes_the_task_logs_the_ui_reads(airflow_env: Path, tmp_path: Path) -> None:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.log.log_reader import TaskLogReader
    from airflow.utils.session import create_session
    from hirewatch.dags.test_run_logs import main

    folder = tmp_path / "monitors"
    folder.mkdir()
    (folder / "feed.xml").write_bytes((MONITORS / "example-feeds" / "careers-blog-en.xml").read_bytes())
    (folder / "logged.yaml").write_text("""name: logged
employer: {name: Nobody Here}
sources:
  - {name: blog, type: rss, url: "file:feed.xml"}
  - {name: blog-again, type: rss, url: "file:feed.xml"}
""")
    env = dict(os.environ, HIREWATCH_MONITORS=str(folder), HIREWATCH_HOME=str(tmp_path / "home"),
               HIREWATCH_TASK_RETRIES="0", AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
               AIRFLOW__LOGGING__LOGGING_LEVEL="INFO")  # as make run: the task markers are INFO lines
    output = tmp_path / "dags-test.log"
    airflow = Path(sys.executable).parent / "airflow"
    with output.open("w") as out:
        done = subprocess.run([str(airflow), "dags", "test", "hirewatch_logged"], env=env, stdout=out,
                              stderr=subprocess.STDOUT, timeout=300, check=False)
    assert done.returncode == 0, output.read_text()[-3000:]

    assert main(["hirewatch_logged", str(output)]) == 0

    reader = TaskLogReader()
    with create_session() as session:
        tis = session.query(TaskInstance).filter(TaskInstance.dag_id == "hirewatch_logged").all()
        assert {(ti.task_id, ti.map_index) for ti in tis} == {("fetch", 0), ("fetch", 1), ("alert", -1),
                                                               ("report", -1)}
        for ti in tis:
            messages, _ = reader.read_log_chunks(ti, ti.try_number, {})
            text = "\n".join(str(m.event) for m in messages)
            assert "not found" not in text.lower(), text
            assert f"starting task_id={ti.task_id} map_index={ti.map_index}" in text
        fetch_1 = next(ti for ti in tis if ti.task_id == "fetch" and ti.map_index == 1)
        messages, _ = reader.read_log_chunks(fetch_1, fetch_1.try_number, {})
        assert "rendered_map_index='blog-again'" in "\n".join(str(m.event) for m in messages)


def test_a_file_without_a_run_is_refused(airflow_env: Path, tmp_path: Path) -> None:
    from hirewatch.dags.test_run_logs import main

    empty = tmp_path / "out.log"
    empty.write_text("nothing ran\n")
    assert main(["hirewatch_example", str(empty)]) == 1
    assert main(["hirewatch_example"]) == 2
