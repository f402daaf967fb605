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
