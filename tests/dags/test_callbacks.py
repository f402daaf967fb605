"""The operators' Slack message after a task failed for good: sent with the real slack_sdk client
to a local Slack API, escaped, and silent when no channel or no token is configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.support.fake_slack_api import FakeSlackApi

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]


@pytest.fixture()
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-test")
        monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", api.base_url)
        yield api


def _context(error: Exception, **ti: object) -> dict[str, object]:
    fields = {"dag_id": "hirewatch_acme", "task_id": "alert", "map_index": -1, "try_number": 3} | ti
    return {"ti": SimpleNamespace(**fields), "exception": error}


def test_failure_is_posted_to_the_operators_channel(airflow_env: Path, slack: FakeSlackApi) -> None:
    from airflow.sdk import BaseNotifier
    from hirewatch.dags.callbacks import operators_notifier

    notify = operators_notifier("acme", "#hirewatch-ops")
    assert isinstance(notify, BaseNotifier), "an Airflow notifier, not a hand-written callback"
    notify(_context(RuntimeError("Slack said <!channel> & no")))
    (call,) = slack.messages("#hirewatch-ops")
    assert call.authorization == "Bearer xoxb-test"
    text = str(call.fields["text"])
    assert text.startswith(":warning: hirewatch monitor *acme*: task `alert` of DAG `hirewatch_acme` failed "
                           "after 3 tries")
    assert "&lt;!channel&gt; &amp; no" in text and "<!channel>" not in text


def test_a_mapped_fetch_names_its_source(airflow_env: Path, slack: FakeSlackApi) -> None:
    from hirewatch.dags.callbacks import failure_text

    task = SimpleNamespace(op_kwargs_expand_input=SimpleNamespace(value={"source": ["blog", "reviews"]}))
    text = failure_text(_context(RuntimeError("HTTP 500"), task_id="fetch", map_index=1, task=task), "acme")
    assert "task `fetch` (source `reviews`)" in text and "> HTTP 500" in text


def test_no_channel_means_no_callback(airflow_env: Path) -> None:
    from hirewatch.dags.callbacks import operators_notifier

    assert operators_notifier("acme", None) is None


def test_no_token_is_a_quiet_no_op(airflow_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch.alerts.operators import post_to_operators

    monkeypatch.delenv("HIREWATCH_SLACK_TOKEN", raising=False)
    assert post_to_operators("#hirewatch-ops", "text") is False


def test_slack_refusing_never_raises(airflow_env: Path, slack: FakeSlackApi) -> None:
    from hirewatch.dags.callbacks import SourcesFailed, operators_notifier, post_to_operators

    slack.fail_with = "channel_not_found"
    assert post_to_operators("#nowhere", "text") is False
    slack.fail_with = None
    notify = operators_notifier("acme", "#hirewatch-ops")
    assert notify is not None
    notify(_context(SourcesFailed("1 of 3 sources failed"), task_id="report"))
    assert slack.messages("#hirewatch-ops") == [], "the sources told the operators already"
