"""The SQLite store is refused inside Airflow under a distributed executor (with a message that
says to use Elasticsearch), warned about when every Celery worker must share this host, and left
alone under the LocalExecutor and outside Airflow."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hirewatch.errors import ConfigError
from hirewatch.settings import StoreSettings
from hirewatch.stores.executor_fit import check_sqlite_fits_executor, executor_names
from hirewatch.stores.registry import open_store


def _sqlite(tmp_path: Path) -> StoreSettings:
    return StoreSettings(kind="sqlite", sqlite_path=tmp_path / "hirewatch.db")


@pytest.fixture()
def in_a_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "hirewatch_acme")  # what Airflow exports to a running task


@pytest.mark.parametrize("executor", ["CeleryExecutor", "KubernetesExecutor",
                                      "airflow.providers.edge3.executors.EdgeExecutor",
                                      "LocalExecutor,CeleryExecutor"])
def test_sqlite_under_a_distributed_executor_is_refused(
        executor: str, tmp_path: Path, in_a_task: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", executor)
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", "redis://redis.internal:6379/0")
    with pytest.raises(ConfigError) as refused:
        open_store(_sqlite(tmp_path))
    message = str(refused.value)
    assert message.startswith("<config>: HIREWATCH_STORE: the SQLite store is a file on one machine")
    assert executor.rsplit(",", 1)[-1].rsplit(".", 1)[-1] in message
    assert "use the Elasticsearch store (HIREWATCH_STORE=elasticsearch" in message
    assert not (tmp_path / "hirewatch.db").exists(), "refused before the file is created"


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:6379/0", "redis://localhost/0", "redis://[::1]:6379/0",
                                    "redis+socket:///run/redis.sock"])
def test_celery_with_a_broker_only_this_host_reaches_is_a_warning(
        broker: str, tmp_path: Path, in_a_task: None, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", broker)
    with caplog.at_level(logging.WARNING, logger="hirewatch.stores.executor_fit"):
        store = open_store(_sqlite(tmp_path))
    store.close()
    (record,) = caplog.records
    assert "works only while every worker runs on this host" in record.getMessage()
    assert "use the Elasticsearch store" in record.getMessage()


def test_local_executor_and_the_cli_are_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID", raising=False)
    monkeypatch.delenv("HIREWATCH_IN_AIRFLOW", raising=False)
    open_store(_sqlite(tmp_path)).close()  # the CLI: the executor does not run it
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "hirewatch_acme")
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    with caplog.at_level(logging.WARNING):
        open_store(_sqlite(tmp_path)).close()
    assert not caplog.records


def test_executor_setting_forms() -> None:
    assert executor_names("CeleryExecutor") == ["CeleryExecutor"]
    assert executor_names(" LocalExecutor , CeleryExecutor ") == ["LocalExecutor", "CeleryExecutor"]
    assert executor_names("edge:airflow.providers.edge3.executors.EdgeExecutor") == ["EdgeExecutor"]
    assert executor_names("LocalExecutor;team1=KubernetesExecutor") == ["LocalExecutor", "KubernetesExecutor"]
    check_sqlite_fits_executor("LocalExecutor", None)
    with pytest.raises(ConfigError, match="KubernetesExecutor"):
        check_sqlite_fits_executor("LocalExecutor;team1=KubernetesExecutor", None)
    with pytest.raises(ConfigError, match="CeleryExecutor"):
        check_sqlite_fits_executor("CeleryExecutor", "redis://10.0.0.5:6379/0")
