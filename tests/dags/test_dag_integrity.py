"""Every file in dags/ parses in a real Airflow DagBag without import errors, every DAG follows
the house rules (tags, retries >= 2 with back-off, no catch-up, one active run), and there is one
monitor DAG and one digest DAG per monitor file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.dags.conftest import DAGS, dag_bag

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]

MONITORS = ROOT / "monitors"


def _monitor_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def test_every_dag_file_imports_and_follows_the_rules(airflow_env: Path) -> None:
    bag = dag_bag(MONITORS)
    assert bag.import_errors == {}
    parsed = {Path(d.fileloc).name for d in bag.dags.values()}
    assert parsed == {p.name for p in DAGS.glob("*.py")}, "a file in dags/ defines no DAG"
    for dag in bag.dags.values():
        assert dag.tags and "hirewatch" in dag.tags, dag.dag_id
        assert dag.doc_md, dag.dag_id
        assert dag.catchup is False and dag.max_active_runs == 1, dag.dag_id
        assert dag.default_args["retries"] >= 2, dag.dag_id
        assert dag.default_args["retry_exponential_backoff"] > 1, dag.dag_id
        for task in dag.tasks:
            assert task.retries >= 2, f"{dag.dag_id}.{task.task_id}"


def test_one_monitor_dag_and_one_digest_dag_per_monitor_file(airflow_env: Path) -> None:
    bag = dag_bag(MONITORS)
    files = _monitor_files(MONITORS)
    assert files, "the repo ships at least the example monitor"
    monitor_dags = sorted(d.dag_id for d in bag.dags.values() if "monitor" in d.tags)
    digest_dags = sorted(d.dag_id for d in bag.dags.values() if "digest" in d.tags)
    assert len(monitor_dags) == len(files)
    broken = [d.dag_id for d in bag.dags.values() if "broken" in d.tags]
    assert broken == [], f"a monitor file in the repo does not load: {broken}"
    assert digest_dags == sorted(d.replace("hirewatch_", "hirewatch_digest_", 1) for d in monitor_dags)
    assert "hirewatch_example" in monitor_dags


def test_example_dag_shape(airflow_env: Path) -> None:
    dag = dag_bag(MONITORS).dags["hirewatch_example"]
    assert sorted(dag.task_ids) == ["alert", "fetch", "report"]
    fetch = dag.get_task("fetch")
    assert fetch.op_kwargs_expand_input.value["source"] == [
        "industry-news-en", "werkblog-nl", "jobbsnack-sv", "google-alert"]
    assert dag.get_task("alert").trigger_rule == "all_done"
    assert dag.get_task("report").trigger_rule == "all_done"
    assert [o.uri for o in fetch.partial_kwargs["outlets"]] == ["hirewatch://store/mentions"]
    assert dag.get_task("report").upstream_task_ids == {"alert"}


def test_digest_dag_runs_at_the_digest_hour_in_the_recipients_time_zone(airflow_env: Path) -> None:
    import pendulum
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import DataInterval, TimeRestriction

    dag = dag_bag(MONITORS).dags["hirewatch_digest_example"]
    assert (dag.timetable.expression, dag.timetable.timezone.name) == ("0 7 * * *", "Europe/Amsterdam")
    timetable = coerce_to_core_timetable(dag.timetable)
    # 07:00 in Amsterdam is 06:00 UTC in winter and 05:00 UTC in summer.

    for after, expected_utc_hour in (("2026-01-15T12:00:00Z", 6), ("2026-07-15T12:00:00Z", 5)):
        start = pendulum.parse(after)
        info = timetable.next_dagrun_info(
            last_automated_data_interval=DataInterval(start, start),
            restriction=TimeRestriction(earliest=start, latest=None, catchup=True))
        assert info is not None
        assert info.run_after.in_timezone("UTC").hour == expected_utc_hour
    assert [i.uri for i in dag.get_task("digest").inlets] == ["hirewatch://store/mentions"]


GOOD = """\
employer: {{name: {employer}}}
sources:
  - {{type: rss, name: blog, url: "http://127.0.0.1:9/feed.xml"}}
routing: {{timezone: America/New_York, digest: {{hour: 8}}}}
"""


def test_a_broken_monitor_file_breaks_only_its_own_dag(airflow_env: Path, tmp_path: Path) -> None:
    folder = tmp_path / "monitors"
    folder.mkdir()
    (folder / "acme.yaml").write_text(GOOD.format(employer="Acme"))
    (folder / "zenith.yaml").write_text(GOOD.format(employer="Zenith"))
    (folder / "broken.yaml").write_text("name: broken\nemployer: {name: Broken Inc}\nsources: 42\n")
    bag = dag_bag(folder)
    assert bag.import_errors == {}
    assert sorted(bag.dags) == ["hirewatch_acme", "hirewatch_broken", "hirewatch_digest_acme",
                                "hirewatch_digest_zenith", "hirewatch_zenith"]
    stand_in = bag.dags["hirewatch_broken"]
    assert "broken" in stand_in.tags
    assert f"{folder / 'broken.yaml'}:3: sources:" in stand_in.doc_md
    assert stand_in.task_ids == ["config_error"]
    assert sorted(bag.dags["hirewatch_acme"].task_ids) == ["alert", "fetch", "report"]


def test_the_plugin_loader_leaves_the_hirewatch_package_alone(airflow_env: Path) -> None:
    """Airflow imports every .py under plugins/ by its bare name unless plugins/.airflowignore
    excludes it: a second copy of hirewatch's modules (``settings``, ``rss_source``, ...) would
    register duplicate source kinds and shadow libraries."""
    import sys

    from airflow import plugins_manager

    plugins_manager.ensure_plugins_loaded()
    package = ROOT / "plugins" / "hirewatch"
    strays = sorted(name for name, module in list(sys.modules.items())
                    if not name.startswith("hirewatch") and getattr(module, "__file__", None)
                    and Path(module.__file__).resolve().is_relative_to(package))
    assert strays == []
