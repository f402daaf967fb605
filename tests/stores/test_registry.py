"""open_store: the settings key picks the store; bad settings are ConfigErrors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hirewatch.errors import ConfigError
from hirewatch.settings import StoreSettings, store_settings
from hirewatch.stores.registry import open_store
from hirewatch.stores.sqlite_store import SqliteStore


def test_default_is_sqlite_under_hirewatch_home(tmp_path: Path) -> None:
    store = open_store()
    try:
        assert isinstance(store, SqliteStore)
        assert store.path == tmp_path / "hirewatch-home" / "hirewatch.db"
        assert store.path.exists()
    finally:
        store.close()


def test_sqlite_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(tmp_path / "elsewhere.db"))
    store = open_store(store_settings())
    try:
        assert store.path == tmp_path / "elsewhere.db"
    finally:
        store.close()


def test_unknown_kind_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown store 'mongo'; expected one of elasticsearch, sqlite"):
        open_store(StoreSettings(kind="mongo"))


def test_elasticsearch_without_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="HIREWATCH_ES_URL"):
        open_store(StoreSettings(kind="elasticsearch"))


def test_elasticsearch_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_ES_URL", "https://es.example:9200")
    monkeypatch.setenv("HIREWATCH_ES_API_KEY", "k3y")
    monkeypatch.setenv("HIREWATCH_ES_INDEX", "brand")
    settings = store_settings()
    assert settings.kind == "elasticsearch", "a URL alone selects Elasticsearch"
    assert settings.es_url == "https://es.example:9200" and settings.es_index_prefix == "brand"
    assert settings.es_api_key.get_secret_value() == "k3y" and "k3y" not in repr(settings)
    assert store_settings("sqlite").kind == "sqlite"


@pytest.mark.airflow
def test_inside_airflow_the_elasticsearch_connection_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv("HIREWATCH_ES_URL", "http://from-env:9200")
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "hirewatch_acme")  # what Airflow exports to a running task
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_ELASTICSEARCH", json.dumps({
        "conn_type": "elasticsearch", "host": "es.internal", "port": 9243, "schema": "https",
        "login": "hirewatch", "password": "s3cret", "extra": {"index": "brand"}}))
    settings = store_settings()
    assert settings.kind == "elasticsearch"
    assert settings.es_url == "https://es.internal:9243"
    assert settings.es_username == "hirewatch" and settings.es_password.get_secret_value() == "s3cret"
    assert settings.es_index_prefix == "brand" and settings.es_api_key is None
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_ELASTICSEARCH", json.dumps({
        "conn_type": "generic", "host": "https://cloud.es.example", "extra": {"api_key": "QUJD"}}))
    settings = store_settings()
    assert settings.es_url == "https://cloud.es.example" and settings.es_api_key.get_secret_value() == "QUJD"
    monkeypatch.delenv("AIRFLOW_CONN_HIREWATCH_ELASTICSEARCH")
    assert store_settings().es_url == "http://from-env:9200", "no Connection: the environment is the fallback"
