"""The Airflow test harness: a real Airflow on an embedded SQLite metadata database.

One AIRFLOW_HOME per pytest-xdist worker (each worker's session temp dir), set up once per session
before Airflow is first imported. The metadata database is created once per test run from the ORM
(``initdb``) into a template file shared by the workers (under an ``flock``) and copied per worker,
so N workers pay for one schema creation. The DAGs folder is the repo's ``dags/``, so the tests
parse the same files Airflow runs.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

DAGS = ROOT / "dags"


def _airflow_environment(home: Path) -> dict[str, str]:
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__CORE__DAG_DISCOVERY_SAFE_MODE": "True",
    }


def _template_db(shared: Path) -> Path:
    """The metadata DB schema, created once per test run for every worker."""
    template = shared / "airflow-template.db"
    with open(shared / "airflow-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            from airflow.utils.db import initdb

            initdb()
            built = Path(os.environ["AIRFLOW_HOME"]) / "airflow.db"
            shutil.copyfile(built, template.with_suffix(".tmp"))
            os.replace(template.with_suffix(".tmp"), template)
    return template


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This worker's AIRFLOW_HOME with a ready metadata DB; Airflow imported and configured."""
    import sys

    home = tmp_path_factory.mktemp("airflow-home")
    if "airflow" in sys.modules:
        pytest.fail("Airflow was imported before the test harness set AIRFLOW_HOME; import it inside tests")
    saved = {k: os.environ.get(k) for k in _airflow_environment(home)}
    os.environ.update(_airflow_environment(home))
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else home
    template = shared / "airflow-template.db"
    db = home / "airflow.db"
    if template.exists():
        shutil.copyfile(template, db)
    importlib.import_module("airflow")  # reads AIRFLOW_HOME and configures the ORM
    if not db.exists():
        shutil.copyfile(_template_db(shared), db)
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture()
def airflow_env(airflow_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Per test: the harness, and an environment restored afterwards (Airflow's task runner exports
    ``AIRFLOW_CTX_*`` into os.environ of the process that runs a task, here the test process)."""
    before = dict(os.environ)
    yield airflow_home
    for key in set(os.environ) - set(before):
        del os.environ[key]
    for key, value in before.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def dag_bag(monitors: Path | None = None):  # type: ignore[no-untyped-def]
    """Parse the repo's dags/ folder like the DAG processor does (monitors from ``monitors``)."""
    from airflow.dag_processing.dagbag import DagBag

    if monitors is not None:
        os.environ["HIREWATCH_MONITORS"] = str(monitors)
    return DagBag(dag_folder=DAGS)


def no_retries(dag) -> None:  # type: ignore[no-untyped-def]
    """dag.test() waits out retry delays; a test wants the first failure to be final."""
    for task in dag.tasks:
        task.retries = 0


def run_dag(dag):  # type: ignore[no-untyped-def]
    """Run one DAG run in-process (``dag.test()``) and return it with its task instances."""
    no_retries(dag)
    return dag.test()


def task_states(dag_run) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """``task_id`` (``task_id[map_index]`` for mapped ones) -> final state of a finished run."""
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = dag_run.get_task_instances(session=session)
        return {(ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"): str(ti.state.value if
                hasattr(ti.state, "value") else ti.state) for ti in tis}
