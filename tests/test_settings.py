"""Settings from the environment outside Airflow: store settings, Slack and SMTP; secrets never
show in a repr, and nothing Airflow is consulted (or imported) there."""

from __future__ import annotations

import pytest
from hirewatch import settings
from hirewatch.errors import ConfigError
from hirewatch.settings import Secret, redact_url, store_settings


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


def test_secret_never_shows_itself() -> None:
    secret = Secret("xoxb-very-secret")
    assert repr(secret) == "'***'" and str(secret) == "***" and f"{secret}" == "***"
    assert "xoxb" not in repr({"token": secret})
    assert secret.reveal() == "xoxb-very-secret"


def test_outside_airflow_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID", raising=False)
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-env")
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", "http://127.0.0.1:9/api")
    assert not settings.in_airflow()
    assert settings.airflow_connection(settings.SLACK_CONN_ID) is None
    token = settings.slack_token()
    assert isinstance(token, Secret) and token.reveal() == "xoxb-env"
    assert settings.slack_base_url() == "http://127.0.0.1:9/api/"


def test_no_token_means_slack_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID", raising=False)
    assert settings.slack_token() is None
    assert settings.slack_base_url() is None
    assert settings.smtp_settings() is None


def test_in_airflow_is_the_task_runner_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "hirewatch_example")
    assert settings.in_airflow() and settings.inside_airflow()
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID")
    assert not settings.in_airflow()
    monkeypatch.setenv("HIREWATCH_IN_AIRFLOW", "1")
    assert settings.in_airflow()


def test_smtp_url_parsed_with_hidden_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SMTP_URL", "smtp://digest%40acme.example:p%40ss@127.0.0.1:2525"
                                             "?from=hirewatch@acme.example&starttls=1")
    smtp = settings.smtp_settings()
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.username, smtp.sender, smtp.starttls, smtp.ssl) == (
        "127.0.0.1", 2525, "digest@acme.example", "hirewatch@acme.example", True, False)
    assert smtp.password is not None and smtp.password.reveal() == "p@ss"
    assert "p@ss" not in repr(smtp)


def test_smtps_defaults_to_port_465(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SMTP_URL", "smtps://mail.example")
    smtp = settings.smtp_settings()
    assert smtp is not None and (smtp.port, smtp.ssl, smtp.username, smtp.password) == (465, True, None, None)


def test_a_wrong_smtp_url_is_a_clear_error_without_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SMTP_URL", "http://user:hunter2@mail.example")
    with pytest.raises(ConfigError, match="HIREWATCH_SMTP_URL: expected smtp://") as info:
        settings.smtp_settings()
    assert "hunter2" not in str(info.value)


def test_store_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    assert settings.store_settings().kind == "sqlite"
    monkeypatch.setenv("HIREWATCH_ES_URL", "http://127.0.0.1:9200")
    monkeypatch.setenv("HIREWATCH_ES_PASSWORD", "pw")
    chosen = settings.store_settings()
    assert chosen.kind == "elasticsearch" and chosen.es_url == "http://127.0.0.1:9200"
    assert repr(chosen.es_password) == "'***'"
