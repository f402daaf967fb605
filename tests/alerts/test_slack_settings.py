"""Where the Slack tokens come from: the environment, or inside Airflow the Connection."""

from __future__ import annotations

import json

import pytest
from hirewatch import settings


def test_tokens_from_the_environment_hide_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.slack_token() is None and settings.slack_app_token() is None
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-1")
    monkeypatch.setenv("HIREWATCH_SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("HIREWATCH_KIBANA_URL", "https://kibana.example.com/")
    token = settings.slack_token()
    assert token is not None and token.get_secret_value() == "xoxb-1"
    assert "xoxb-1" not in repr(token) and "xoxb-1" not in f"{token}"
    app_token = settings.slack_app_token()
    assert app_token is not None and app_token.get_secret_value() == "xapp-1"
    assert settings.kibana_url() == "https://kibana.example.com"


@pytest.mark.airflow
def test_inside_airflow_the_connection_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "hirewatch_acme")  # what Airflow exports to a running task
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SLACK", json.dumps({"conn_type": "generic",
                                                                   "password": "xoxb-from-connection"}))
    token = settings.slack_token()
    assert token is not None and token.get_secret_value() == "xoxb-from-connection"
    monkeypatch.delenv("AIRFLOW_CONN_HIREWATCH_SLACK")
    token = settings.slack_token()  # no such Connection: the environment is the fallback
    assert token is not None and token.get_secret_value() == "xoxb-from-env"
