"""Store settings from the environment, and what their repr shows (secrets never)."""

from __future__ import annotations

import pytest
from hirewatch.settings import redact_url, store_settings


def test_store_settings_repr_shows_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_ES_URL", "https://elastic:hunter22@es.example:9243")
    monkeypatch.setenv("HIREWATCH_ES_API_KEY", "key-s3cret")
    monkeypatch.setenv("HIREWATCH_ES_PASSWORD", "pw-s3cret")
    settings = store_settings()
    assert settings.kind == "elasticsearch" and settings.es_url == "https://elastic:hunter22@es.example:9243"
    shown = repr(settings)
    assert "es_url='https://es.example:9243'" in shown and "es_api_key='***'" in shown
    for secret in ("hunter22", "key-s3cret", "pw-s3cret"):
        assert secret not in shown and secret not in f"{settings}"


def test_redact_url() -> None:
    assert redact_url("https://u:p@es.example:9243/x?y=1") == "https://es.example:9243/x?y=1"
    assert redact_url("http://es.example") == "http://es.example"
