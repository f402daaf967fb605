"""Retries by kind of error: the real fetcher's errors from a local web server, judged by the
monitor DAG's retry policy (no retry for a page that is gone or robots.txt refuses, the site's
Retry-After as the delay, the usual back-off otherwise), and a real dag.test() run in which a
410 source fails at once although the task has retries left."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.dags.conftest import MONITORS, dag_bag, task_states
from tests.support.monitors import make_monitor
from tests.support.web_server import WebServer

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]

FEED = (MONITORS / "example-feeds" / "careers-blog-en.xml").read_bytes()


def _monitor(url: str, *, kind: str = "rss", timeout_s: float = 10):  # type: ignore[no-untyped-def]
    return make_monitor([{"type": kind, "name": "the-source", "url": url}], fetch={"timeout_s": timeout_s})


def _raised(monitor, tmp_path: Path) -> BaseException:  # type: ignore[no-untyped-def]
    from hirewatch.pipeline import ingest_source
    from hirewatch.settings import StoreSettings
    from hirewatch.stores.registry import open_store

    store = open_store(StoreSettings(kind="sqlite", sqlite_path=tmp_path / "hirewatch.db"))
    try:
        with pytest.raises(Exception) as caught:
            ingest_source(monitor, "the-source", store)
    finally:
        store.close()
    return caught.value


def _decide(exc: BaseException):  # type: ignore[no-untyped-def]
    from hirewatch.dags.retry import ByKindOfError

    return ByKindOfError().evaluate(exc, try_number=1, max_tries=3)


@pytest.mark.parametrize("status", [404, 410])
def test_a_page_that_is_gone_is_not_retried(airflow_env: Path, tmp_path: Path, web: WebServer,
                                            status: int) -> None:
    from airflow.sdk import RetryAction

    url = web.set("/feed.xml", b"gone", status=status, content_type="text/plain")
    decision = _decide(_raised(_monitor(url), tmp_path))
    assert decision.action is RetryAction.FAIL
    assert "404/410" in (decision.reason or "")


def test_a_robots_refusal_is_not_retried(airflow_env: Path, tmp_path: Path, web: WebServer) -> None:
    from airflow.sdk import RetryAction

    web.set("/robots.txt", b"User-agent: *\nDisallow: /\n", content_type="text/plain")
    url = web.set("/reviews", b"<html></html>", content_type="text/html")
    exc = _raised(_monitor(url, kind="review"), tmp_path)
    assert "robots.txt" in str(exc)
    assert _decide(exc).action is RetryAction.FAIL


def test_retry_after_is_the_next_delay(airflow_env: Path, tmp_path: Path, web: WebServer) -> None:
    from airflow.sdk import RetryAction

    url = web.set("/feed.xml", b"busy", status=503, content_type="text/plain", headers={"Retry-After": "120"})
    monitor = _monitor(url)
    decision = _decide(_raised(monitor, tmp_path))
    assert decision.action is RetryAction.RETRY
    assert decision.retry_delay == timedelta(seconds=120)
    # The retry that comes too early is not sent; it waits out what is left of the 120 s.
    again = _decide(_raised(monitor, tmp_path))
    assert again.action is RetryAction.RETRY
    assert again.retry_delay is not None and timedelta(seconds=100) < again.retry_delay <= timedelta(seconds=120)
    assert web.count("/feed.xml") == 1


@pytest.mark.parametrize("status", [500, 502])
def test_a_server_error_gets_the_usual_back_off(airflow_env: Path, tmp_path: Path, web: WebServer,
                                                status: int) -> None:
    from airflow.sdk import RetryAction

    url = web.set("/feed.xml", b"oops", status=status, content_type="text/plain")
    assert _decide(_raised(_monitor(url), tmp_path)).action is RetryAction.DEFAULT


def test_a_timeout_gets_the_usual_back_off(airflow_env: Path, tmp_path: Path, web: WebServer) -> None:
    from airflow.sdk import RetryAction

    url = web.set("/feed.xml", FEED, delay_s=3)
    monitor = _monitor(url, timeout_s=0.5)
    exc = _raised(monitor, tmp_path)
    assert _decide(exc).action is RetryAction.DEFAULT, exc


def test_every_task_carries_the_policy(airflow_env: Path) -> None:
    from hirewatch.dags.retry import ByKindOfError

    dag = dag_bag(MONITORS).dags["hirewatch_example"]
    assert {t.task_id for t in dag.tasks if isinstance(t.retry_policy, ByKindOfError)} == {"fetch", "alert", "report"}


def test_a_gone_source_fails_at_once_in_a_real_run(airflow_env: Path, tmp_path: Path, web: WebServer) -> None:
    url = web.set("/feed.xml", b"gone", status=410, content_type="text/plain")
    folder = tmp_path / "monitors"
    folder.mkdir()
    (folder / "retried.yaml").write_text(f"""name: retried
employer: {{name: Acme}}
sources:
  - {{name: the-source, type: rss, url: "{url}"}}
fetch: {{allow_loopback: true}}
""")
    dag = dag_bag(folder).dags["hirewatch_retried"]
    for task in dag.tasks:
        task.retries, task.retry_delay = 1, timedelta(seconds=1)  # without the policy: a second request
    states = task_states(dag.test())
    assert states["fetch[0]"] == "failed"
    assert web.count("/feed.xml") == 1
