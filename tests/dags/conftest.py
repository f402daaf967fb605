"""The Airflow test harness: a real Airflow on an embedded SQLite metadata database.

One AIRFLOW_HOME per test process (each pytest-xdist worker has its own), set when this conftest is
collected, that is before any test can import Airflow: Airflow reads its configuration once, at
import, and other test folders' tests may import it too. The metadata DB schema is created from the
ORM once per Airflow version into a template in the temp dir (shared by the workers and by later
runs) and copied per process. The DAGs folder is the repo's ``dags/``, so the
tests parse the same files Airflow runs.
"""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import ROOT

DAGS = ROOT / "dags"
MONITORS = ROOT / "monitors"
EXAMPLE_SOURCES = ["industry-news-en", "werkblog-nl", "jobbsnack-sv", "google-alert"]


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


def _prepare_process_home() -> Path | None:
    """This process's AIRFLOW_HOME, exported before Airflow is imported; None if it already was."""
    if "airflow" in sys.modules:
        return None
    home = Path(tempfile.mkdtemp(prefix="hirewatch-airflow-"))
    atexit.register(shutil.rmtree, home, True)
    os.environ.update(_airflow_environment(home))
    return home


PROCESS_HOME = _prepare_process_home()


def _copy_db(source: Path, target: Path) -> None:
    """Copy an SQLite DB with SQLite's backup API: a consistent copy even while pages are still
    in the source's write-ahead log (a plain file copy would miss them)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _has_schema(db: Path) -> bool:
    with sqlite3.connect(db) as conn:
        found = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'task_instance'").fetchone()[0]
    conn.close()
    return bool(found)


def _template_path() -> Path:
    shared = Path(tempfile.gettempdir()) / "hirewatch-airflow-schema"
    shared.mkdir(exist_ok=True)
    return shared / f"airflow-{metadata.version('apache-airflow')}.db"


@pytest.fixture(scope="session")
def airflow_home() -> Path:
    """This process's AIRFLOW_HOME with a ready metadata DB; Airflow imported and configured.
    The schema is copied from the template when one exists, else created here (``initdb``) and
    published as the template (an atomic rename: two workers racing both end with a full DB)."""
    if PROCESS_HOME is None or os.environ.get("AIRFLOW_HOME") != str(PROCESS_HOME):
        pytest.fail("Airflow was imported (or AIRFLOW_HOME changed) before the test harness set it up")
    db = PROCESS_HOME / "airflow.db"
    template = _template_path()
    copied = template.exists() and _has_schema(template)
    if copied:
        _copy_db(template, db)
    importlib.import_module("airflow")  # reads AIRFLOW_HOME and configures the ORM
    if not copied:
        from airflow.utils.db import initdb

        initdb()
        partial = template.with_suffix(f".{os.getpid()}.tmp")
        _copy_db(db, partial)
        os.replace(partial, template)
    if not _has_schema(db):
        pytest.fail(f"the Airflow metadata DB {db} has no schema")
    return PROCESS_HOME


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


def run_dag(dag, conf: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    """Run one DAG run in-process (``dag.test()``, retries 0) and return the finished DagRun."""
    no_retries(dag)
    return dag.test(run_conf=conf)


def task_states(dag_run) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """``task_id`` (``task_id[map_index]`` for mapped ones) -> final state of a finished run."""
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = dag_run.get_task_instances(session=session)
        return {(ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"): str(ti.state.value if
                hasattr(ti.state, "value") else ti.state) for ti in tis}


@dataclass
class Run:
    home: Path
    state: str
    states: dict[str, str]


def open_sqlite(home: Path):  # type: ignore[no-untyped-def]
    from hirewatch.settings import StoreSettings
    from hirewatch.stores.registry import open_store

    return open_store(StoreSettings(kind="sqlite", sqlite_path=home / "hirewatch.db"))


@pytest.fixture(scope="session")
def example_run(airflow_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One run of hirewatch_example on the repo's monitors, shared by the tests of this process
    (the monitor DAG's and the digest DAG's); its store is ``<home>/hirewatch.db``."""
    home = tmp_path_factory.mktemp("example-hirewatch-home")
    before = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("HIREWATCH_")]:
        del os.environ[key]
    os.environ["HIREWATCH_HOME"] = str(home)
    try:
        dag = dag_bag(MONITORS).dags["hirewatch_example"]
        dag_run = run_dag(dag)
        return Run(home, str(dag_run.state), task_states(dag_run))
    finally:
        os.environ.clear()
        os.environ.update(before)
