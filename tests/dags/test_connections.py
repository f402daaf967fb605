"""Inside Airflow, hirewatch's secrets come from the hirewatch_* Connections (here defined the way
a deployment does it: ``AIRFLOW_CONN_*`` variables read by Airflow's own secrets backend), and
fall back to the environment when a Connection is not defined."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hirewatch import settings

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]


@pytest.fixture()
def in_task(airflow_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What Airflow's task runner exports into a running task's environment."""
    import airflow.sdk  # noqa: F401 - the Task SDK is loaded in every running task

    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "hirewatch_example")
    assert settings.in_airflow()


def test_slack_token_and_base_url_from_the_connection(in_task: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SLACK", json.dumps(
        {"conn_type": "generic", "password": "xoxb-from-connection",
         "extra": {"base_url": "http://127.0.0.1:9/api"}}))
    token = settings.slack_token()
    assert token is not None and token.get_secret_value() == "xoxb-from-connection"
    assert "xoxb-from-connection" not in repr(token) and "xoxb-from-connection" not in f"{token}"
    assert settings.slack_base_url() == "http://127.0.0.1:9/api/"


def test_without_a_connection_the_environment_still_works(in_task: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_HIREWATCH_SLACK", raising=False)
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-from-env")
    token = settings.slack_token()
    assert token is not None and token.get_secret_value() == "xoxb-from-env"


def test_elasticsearch_connection_makes_the_store_elasticsearch(in_task: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_ELASTICSEARCH", json.dumps(
        {"conn_type": "generic", "host": "https://es.internal:9243", "login": "hirewatch", "password": "s3cret"}))
    chosen = settings.store_settings()
    assert chosen.kind == "elasticsearch"
    assert (chosen.es_url, chosen.es_username) == ("https://es.internal:9243", "hirewatch")
    assert chosen.es_password is not None and chosen.es_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(chosen)


def test_elasticsearch_connection_by_uri_with_api_key(in_task: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_ELASTICSEARCH", "https://es.internal:9200/?api_key=abc123")
    chosen = settings.store_settings()
    assert chosen.es_url == "https://es.internal:9200"
    assert chosen.es_api_key is not None and chosen.es_api_key.get_secret_value() == "abc123"
    monkeypatch.setenv("HIREWATCH_STORE", "sqlite")
    assert settings.store_settings().kind == "sqlite", "an explicit HIREWATCH_STORE still wins"


def test_smtp_connection_wins_over_the_environment(in_task: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one precedence: inside a task a defined Connection wins over HIREWATCH_SMTP_URL (the
    mailer used to prefer the variable, the other settings the Connection)."""
    from hirewatch.digest.mailer import smtp_settings

    monkeypatch.setenv("HIREWATCH_SMTP_URL", "smtp://ignored.example")
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SMTP", json.dumps(
        {"conn_type": "smtp", "host": "127.0.0.1", "port": 2525, "login": "digest", "password": "pw",
         "extra": {"from": "hirewatch@acme.example", "starttls": "true"}}))
    smtp = smtp_settings()
    assert (smtp.host, smtp.port, smtp.username, smtp.sender, smtp.starttls) == (
        "127.0.0.1", 2525, "digest", "hirewatch@acme.example", "require")
    assert smtp.password is not None and smtp.password.get_secret_value() == "pw"



def test_the_providers_connection_types_are_there(airflow_env: Path) -> None:
    from airflow.providers_manager import ProvidersManager

    types = set(ProvidersManager().hooks)
    assert {"slack", "elasticsearch", "smtp"} <= types


def test_connections_of_the_provider_types(in_task: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fields the providers' connection forms write are the ones hirewatch reads."""
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SLACK", json.dumps(
        {"conn_type": "slack", "password": "xoxb-typed", "extra": {"base_url": "http://127.0.0.1:9/api/"}}))
    token = settings.slack_token()
    assert token is not None and token.get_secret_value() == "xoxb-typed"
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_ELASTICSEARCH", json.dumps(
        {"conn_type": "elasticsearch", "host": "es.internal", "port": 9243, "schema": "https",
         "login": "hirewatch", "password": "s3cret"}))
    assert settings.store_settings().es_url == "https://es.internal:9243"
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SMTP", json.dumps(
        {"conn_type": "smtp", "host": "mail.internal", "port": 587, "login": "digest", "password": "pw",
         "extra": {"from_email": "hirewatch@acme.example", "disable_ssl": True, "disable_tls": False}}))
    from hirewatch.digest.mailer import smtp_settings

    smtp = smtp_settings()
    assert (smtp.host, smtp.port, smtp.sender, smtp.starttls, smtp.ssl) == (
        "mail.internal", 587, "hirewatch@acme.example", "require", False)
