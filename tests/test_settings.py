"""Settings (hirewatch.settings): the environment outside Airflow, secrets that never show in a
repr, and the one precedence (code > Airflow Connection > environment > default). The Connection
side runs against real Airflow in tests/dags/test_connections.py."""

from __future__ import annotations

import pytest
from hirewatch import settings
from hirewatch.digest.mailer import MailError, smtp_settings
from hirewatch.errors import NotConfigured
from hirewatch.settings import redact_url, store_settings
from pydantic import SecretStr


def test_store_settings_repr_shows_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_ES_URL", "https://elastic:hunter22@es.example:9243")
    monkeypatch.setenv("HIREWATCH_ES_API_KEY", "key-s3cret")
    monkeypatch.setenv("HIREWATCH_ES_PASSWORD", "pw-s3cret")
    chosen = store_settings()
    assert chosen.kind == "elasticsearch" and chosen.es_url == "https://elastic:hunter22@es.example:9243"
    shown = repr(chosen)
    assert "es_url='https://es.example:9243'" in shown and "es_api_key=SecretStr('**********')" in shown
    for secret in ("hunter22", "key-s3cret", "pw-s3cret"):
        assert secret not in shown and secret not in f"{chosen}"


def test_redact_url() -> None:
    assert redact_url("https://u:p@es.example:9243/x?y=1") == "https://es.example:9243/x?y=1"
    assert redact_url("http://es.example") == "http://es.example"


def test_secrets_never_show_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("HIREWATCH_SMTP_URL", "smtp://u:pw-very-secret@mail.example")
    slack, mail = settings.SlackSettings(), settings.MailSettings()
    for shown in (repr(slack), str(slack), f"{slack.slack_token}", repr(mail), repr({"token": slack.slack_token})):
        assert "very-secret" not in shown
    assert slack.slack_token is not None and slack.slack_token.get_secret_value() == "xoxb-very-secret"


def test_outside_airflow_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID", raising=False)
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-env")
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", "http://127.0.0.1:9/api")
    assert not settings.in_airflow()
    assert settings.airflow_connection(settings.SLACK_CONNECTION_ID) is None
    token = settings.slack_token()
    assert isinstance(token, SecretStr) and token.get_secret_value() == "xoxb-env"
    assert settings.slack_base_url() == "http://127.0.0.1:9/api/"


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HIREWATCH_SLACK_TOKEN", "HIREWATCH_ES_URL", "HIREWATCH_STORE", "HIREWATCH_ES_INDEX"):
        monkeypatch.setenv(name, "")
    assert settings.slack_token() is None
    chosen = store_settings()
    assert (chosen.kind, chosen.es_url, chosen.es_index_prefix) == ("sqlite", None, "mentions")


def test_no_settings_means_slack_and_mail_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID", raising=False)
    assert settings.slack_token() is None
    assert settings.slack_base_url() is None
    with pytest.raises(NotConfigured):
        smtp_settings()


def test_in_airflow_is_the_task_runner_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "hirewatch_example")
    assert settings.in_airflow()
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID")
    assert not settings.in_airflow()
    monkeypatch.setenv("HIREWATCH_IN_AIRFLOW", "1")
    assert settings.in_airflow()


def test_smtp_url_parsed_with_hidden_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SMTP_URL", "smtp://digest%40acme.example:p%40ss@127.0.0.1:2525"
                                             "?from=hirewatch@acme.example&starttls=1")
    smtp = smtp_settings()
    assert (smtp.host, smtp.port, smtp.username, smtp.sender, smtp.starttls, smtp.ssl) == (
        "127.0.0.1", 2525, "digest@acme.example", "hirewatch@acme.example", "require", False)
    assert smtp.password is not None and smtp.password.get_secret_value() == "p@ss"
    assert "p@ss" not in repr(smtp)


def test_smtps_defaults_to_port_465(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SMTP_URL", "smtps://mail.example")
    smtp = smtp_settings()
    assert (smtp.port, smtp.ssl, smtp.username, smtp.password) == (465, True, None, None)


def test_a_wrong_smtp_url_is_a_clear_error_without_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_SMTP_URL", "http://user:hunter2@mail.example")
    with pytest.raises(MailError, match="HIREWATCH_SMTP_URL: expected the scheme smtp://") as info:
        smtp_settings()
    assert "hunter2" not in str(info.value)


def test_store_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    assert store_settings().kind == "sqlite"
    assert store_settings().sqlite_path == settings.home() / "hirewatch.db"
    monkeypatch.setenv("HIREWATCH_ES_URL", "http://127.0.0.1:9200")
    monkeypatch.setenv("HIREWATCH_ES_PASSWORD", "pw")
    chosen = store_settings()
    assert chosen.kind == "elasticsearch" and chosen.es_url == "http://127.0.0.1:9200"
    assert "pw" not in repr(chosen.es_password)
    monkeypatch.setenv("HIREWATCH_STORE", "sqlite")
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(tmp_path / "x.db"))
    chosen = store_settings()
    assert (chosen.kind, chosen.sqlite_path) == ("sqlite", tmp_path / "x.db")
    assert store_settings("elasticsearch").kind == "elasticsearch", "a value passed in code wins"


RUNTIME = ("HIREWATCH_WORKERS", "HIREWATCH_MONITOR_SCHEDULE", "HIREWATCH_TASK_RETRIES", "HIREWATCH_MONITORS",
           "HIREWATCH_MONITOR_FILE_BUDGET_S", "HIREWATCH_MONITORS_BUDGET_S")


def test_runtime_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from hirewatch.dags.defaults import monitor_schedule, task_retries
    from hirewatch.dags.monitor_configs import REPO_MONITORS, monitors_dir

    for name in RUNTIME:
        monkeypatch.delenv(name, raising=False)
    runtime = settings.runtime_settings()
    assert (runtime.workers, runtime.monitor_schedule, runtime.task_retries) == (None, "@hourly", 2)
    assert runtime.monitors is None
    assert (runtime.monitor_file_budget_s, runtime.monitors_budget_s) == (5.0, 20.0)
    assert (monitor_schedule(), task_retries(), monitors_dir()) == ("@hourly", 2, REPO_MONITORS)
    monkeypatch.setenv("HIREWATCH_MONITOR_SCHEDULE", "*/10 * * * *")
    monkeypatch.setenv("HIREWATCH_TASK_RETRIES", "0")
    monkeypatch.setenv("HIREWATCH_MONITORS", str(tmp_path))
    monkeypatch.setenv("HIREWATCH_WORKERS", "")  # empty counts as unset
    assert (monitor_schedule(), task_retries(), monitors_dir()) == ("*/10 * * * *", 0, tmp_path.resolve())
    assert settings.runtime_settings().workers is None


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("HIREWATCH_TASK_RETRIES", "two", "valid integer"), ("HIREWATCH_TASK_RETRIES", "-1", "greater than or equal to 0"),
    ("HIREWATCH_WORKERS", "2.5", "valid integer"), ("HIREWATCH_MONITORS_BUDGET_S", "0", "greater than 0"),
    ("HIREWATCH_MONITOR_FILE_BUDGET_S", "nan", "finite number"),
])
def test_a_bad_runtime_setting_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                                  expected: str) -> None:
    """A typo never silently becomes the default (HIREWATCH_TASK_RETRIES=two used to mean 2)."""
    from hirewatch.errors import ConfigError

    for other in RUNTIME:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        settings.runtime_settings()
    shown = str(caught.value)
    assert shown.startswith(f"environment: {name}: ") and expected in shown and repr(value) in shown
