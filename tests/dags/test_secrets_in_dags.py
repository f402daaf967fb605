"""Secrets never show inside Airflow either: the monitor DAG and the digest DAG run (``dag.test()``)
with known fake secrets in the Airflow Connections and the environment, against endpoints that
echo them back (a Slack API answering with the token in its error, a review API echoing its key
into the reviews, a feed answering 500 with the request quoted); then everything the runs wrote
(the captured output, Airflow's log folder, the store file, the digest) is searched for them, and
Airflow's own secrets masker is checked to know them."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.dags.conftest import dag_bag, run_dag, task_states
from tests.reliability.test_secrets import ES_API_KEY, ES_PASSWORD, SMTP_PASSWORD, assert_no_secret, echo_monitor
from tests.support.echo_server import EchoServer
from tests.support.web_server import WebServer

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]

TOKEN = "xoxb-FAKE-dag-token-0a1b2c3d4e"
TRUSTPILOT_KEY = "FAKE-dag-trustpilot-key-6f7e8d"
SECRETS = (TOKEN, TRUSTPILOT_KEY, ES_PASSWORD, ES_API_KEY, SMTP_PASSWORD)


def test_dag_runs_show_no_secret_that_servers_echo(airflow_env: Path, tmp_path: Path, web: WebServer,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capfd: pytest.CaptureFixture[str],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    home = tmp_path / "home"
    home.mkdir()
    folder = tmp_path / "monitors"
    folder.mkdir()
    with EchoServer() as echo:
        echo_monitor(folder, web, echo, alerts=', operators_channel: "#ops"')
        for key in [k for k in os.environ if k.startswith("HIREWATCH_")]:
            monkeypatch.delenv(key)
        monkeypatch.setenv("HIREWATCH_HOME", str(home))
        monkeypatch.setenv("HIREWATCH_TRUSTPILOT_API_KEY", TRUSTPILOT_KEY)
        monkeypatch.setenv("HIREWATCH_ES_PASSWORD", ES_PASSWORD)
        monkeypatch.setenv("HIREWATCH_ES_API_KEY", ES_API_KEY)
        monkeypatch.setenv("HIREWATCH_SMTP_URL", f"smtp://bot:{SMTP_PASSWORD}@127.0.0.1:9?from=d@example.com")
        monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SLACK", json.dumps(
            {"conn_type": "generic", "password": TOKEN, "extra": {"base_url": echo.url("/slack-json/api/")}}))
        caplog.set_level(logging.DEBUG)
        bag = dag_bag(folder)
        monitor_run = run_dag(bag.dags["hirewatch_acme"])
        digest_run = run_dag(bag.dags["hirewatch_digest_acme"], {"day": datetime.now(UTC).date().isoformat()})
        sent = [headers for _, headers in echo.requests]
    states = task_states(monitor_run)
    assert states["fetch[0]"] == "success" and states["fetch[1]"] == "failed", states
    assert set(task_states(digest_run)) == {"digest"}, "the digest ran (its Slack summary and mail fail)"
    assert any(TOKEN in h.get("Authorization", "") for h in sent), "the token was really sent"
    assert any(h.get("apikey") == TRUSTPILOT_KEY for h in sent), "the API key was really sent"
    out, err = capfd.readouterr()
    texts = {"stdout": out, "stderr": err, "log records": "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)}
    for root in (home, airflow_env / "logs"):
        texts.update({str(p): p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file()})
    assert any(p.endswith(".db") for p in texts) and any(p.endswith(".html") for p in texts), sorted(texts)
    assert any("invalid_auth" in text for text in texts.values()), "the echoing answers were seen"
    assert_no_secret(texts, SECRETS)
    # Airflow's own masker was given the values too (for the task logs Airflow writes itself).
    from airflow.sdk._shared.secrets_masker import redact as airflow_redact

    for secret in (TOKEN, TRUSTPILOT_KEY):
        assert secret not in str(airflow_redact(f"seen: {secret}")), secret
