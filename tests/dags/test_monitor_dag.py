"""The monitor DAG runs for real (``dag.test()`` on the embedded metadata DB, tasks in-process,
retries 0): the example monitor's mentions land in the store with the negative ones pending in the
outbox; a source that answers 500 fails only its own mapped task while the other sources' mentions
are stored, the run is marked failed, and the operators' channel is told through the
hirewatch_slack Connection."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.dags.conftest import EXAMPLE_SOURCES, MONITORS, Run, dag_bag, open_sqlite, run_dag, task_states
from tests.support.fake_slack_api import FakeSlackApi
from tests.support.web_server import WebServer

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]

FEEDS = MONITORS / "example-feeds"


def test_example_dag_run_succeeds_task_by_task(example_run: Run) -> None:
    expected = {f"fetch[{i}]": "success" for i in range(len(EXAMPLE_SOURCES))} | {
        "alert": "success", "report": "success"}
    assert example_run.states == expected
    assert example_run.state == "success"


def test_example_mentions_are_stored_and_negatives_wait_in_the_outbox(example_run: Run) -> None:
    from hirewatch.stores.base import MentionQuery

    store = open_sqlite(example_run.home)
    try:
        assert store.count("example") > 0
        stored = store.search(MentionQuery(monitor="example", limit=1000))
        sources = {source for hit in stored for source in hit.mention.sources}
        assert len(sources) >= 3, sources
        pending = store.pending_alerts("example")
        assert pending, "the example feeds carry negative candidate-experience items"
        assert all(m.is_negative and not m.is_competitor for m in pending)
        negatives = [h for h in stored if h.mention.is_negative and not h.mention.is_competitor]
        assert {m.id for m in pending} == {h.mention.id for h in negatives}
        runs = store.recent_runs("example", datetime.now(UTC) - timedelta(hours=1))
        assert [[s.source for s in r.sources] for r in runs] == [EXAMPLE_SOURCES]
        assert all(s.status == "ok" for s in runs[0].sources)
    finally:
        store.close()


def _served_example_monitor(web: WebServer, folder: Path, channel: str) -> None:
    good_en = web.set("/en.xml", FEEDS / "careers-blog-en.xml")
    broken = web.set("/broken.xml", b"upstream exploded", status=500, content_type="text/plain")
    good_alert = web.set("/alert.xml", FEEDS / "google-alerts.xml", content_type="application/atom+xml")
    example = (MONITORS / "example.yaml").read_text()
    head = example[: example.index("sources:")]
    tail = example[example.index("routing:"):]
    (folder / "served.yaml").write_text(
        head.replace("name: example", "name: served")
        + f"""sources:
  - {{name: industry-news-en, type: rss, url: "{good_en}"}}
  - {{name: broken-feed, type: rss, url: "{broken}"}}
  - {{name: google-alert, type: google_alerts, url: "{good_alert}"}}
fetch:
  allow_loopback: true
"""
        + tail.replace('    max_per_run: 10\n', f'    max_per_run: 10\n    operators_channel: "{channel}"\n'))


def test_a_failing_source_fails_only_its_own_mapped_task(
        airflow_env: Path, tmp_path: Path, web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch.stores.base import MentionQuery

    folder = tmp_path / "monitors"
    folder.mkdir()
    _served_example_monitor(web, folder, "#hirewatch-ops")
    with FakeSlackApi() as slack:
        monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SLACK", json.dumps(
            {"conn_type": "generic", "password": "xoxb-from-connection", "extra": {"base_url": slack.base_url}}))
        dag = dag_bag(folder).dags["hirewatch_served"]
        dag_run = run_dag(dag)
        states = task_states(dag_run)

    assert states == {"fetch[0]": "success", "fetch[1]": "failed", "fetch[2]": "success",
                      "alert": "success", "report": "failed"}
    assert str(dag_run.state) == "failed", "a failed source shows as a failed run"
    assert web.count("/broken.xml", status=500) >= 1

    store = open_sqlite(Path(os.environ["HIREWATCH_HOME"]))
    try:
        stored = store.search(MentionQuery(monitor="served", limit=1000))
        by_source = {s for hit in stored for s in hit.mention.sources}
        assert by_source == {"industry-news-en", "google-alert"}
        (run,) = store.recent_runs("served", datetime.now(UTC) - timedelta(hours=1))
        assert [(s.source, s.status) for s in run.sources] == [
            ("industry-news-en", "ok"), ("broken-feed", "failed"), ("google-alert", "ok")]
        assert "500" in (run.sources[1].error or "")
    finally:
        store.close()

    told = slack.messages("#hirewatch-ops")
    assert len(told) == 1, "one message for the failed source, none for the run summary"
    assert told[0].authorization == "Bearer xoxb-from-connection"
    text = str(told[0].fields["text"])
    assert "task `fetch` (source `broken-feed`) of DAG `hirewatch_served` failed" in text
    assert "500" in text


def test_a_review_page_whose_markup_changed_turns_the_report_task_red_and_tells_the_operators(
        airflow_env: Path, tmp_path: Path, web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch.config import load_monitor
    from hirewatch.pipeline import ingest_source

    from tests.support.review_pages import review_page, reviews, unrecognised_page

    folder = tmp_path / "monitors"
    folder.mkdir()
    (folder / "reviewed.yaml").write_text(f"""
employer: {{name: Brightwave Logistics}}
sources:
  - {{name: reviews, type: review, url: "{web.url('/reviews')}", site: example}}
fetch: {{allow_loopback: true, per_host_delay_s: 0}}
routing: {{alerts: {{enabled: false, operators_channel: "#hirewatch-ops"}}}}
""")
    # An earlier run read the page (the same function the fetch task calls); then the site changed.
    web.set("/reviews", review_page(reviews("a", 3)), content_type="text/html")
    store = open_sqlite(Path(os.environ["HIREWATCH_HOME"]))
    try:
        assert ingest_source(load_monitor(folder / "reviewed.yaml"), "reviews", store).items == 3
    finally:
        store.close()
    web.set("/reviews", unrecognised_page(), content_type="text/html")
    with FakeSlackApi() as slack:
        monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SLACK", json.dumps(
            {"conn_type": "generic", "password": "xoxb-from-connection", "extra": {"base_url": slack.base_url}}))
        dag_run = run_dag(dag_bag(folder).dags["hirewatch_reviewed"])
        states = task_states(dag_run)

    assert states == {"fetch[0]": "failed", "alert": "success", "report": "failed"}
    assert str(dag_run.state) == "failed"
    store = open_sqlite(Path(os.environ["HIREWATCH_HOME"]))
    try:
        (run,) = store.recent_runs("reviewed", datetime.now(UTC) - timedelta(hours=1))
    finally:
        store.close()
    (source,) = run.sources
    assert source.status == "failed" and source.error is not None
    assert source.error.startswith("markup changed? the last good run read 3 items by JSON-LD")
    (told,) = slack.messages("#hirewatch-ops")
    assert "markup changed?" in str(told.fields["text"])
    assert "page fetched, no reviews recognised" in str(told.fields["text"])
