"""Tell the operators' Slack channel when a hirewatch task has failed for good.

:class:`OperatorsNotifier` is an Airflow notifier, the ``on_failure_callback`` of a monitor's DAG
(:func:`operators_notifier` builds it; Airflow's task runner calls it after the last retry). It posts to the monitor's
``routing.alerts.operators_channel`` (:func:`hirewatch.alerts.operators.post_to_operators`, the
bot token of the ``hirewatch_slack`` Connection or ``HIREWATCH_SLACK_TOKEN``); with no channel or
no token it does nothing. It never raises: a Slack outage must not hide the task's own failure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseNotifier
from airflow.sdk.exceptions import AirflowFailException

from hirewatch.alerts.operators import post_to_operators
from hirewatch.escaping import slack_data

log = logging.getLogger(__name__)


class SourcesFailed(AirflowFailException):
    """Raised by a monitor DAG's ``report`` task so the run shows failed when a source failed
    (without retrying: the sources have had their retries). The failing sources have already told
    the operators; this one does not tell them again."""


def failure_text(context: Mapping[str, Any], monitor: str) -> str:
    """The operator message for a failed task instance (plain Slack mrkdwn, escaped)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or "?"
    task_id = getattr(ti, "task_id", None) or "?"
    map_index = getattr(ti, "map_index", -1)
    tries = getattr(ti, "try_number", None)
    source = None
    if map_index is not None and map_index >= 0:
        # The fetch task's rendered map index is its source name; the mapped operator's expand
        # input is the fallback.
        source = getattr(ti, "rendered_map_index", None) or _mapped_source(getattr(ti, "task", None), map_index)
    error = context.get("exception")
    what = f"task `{slack_data(task_id)}`"
    if source:
        what += f" (source `{slack_data(source)}`)"
    elif map_index is not None and map_index >= 0:
        what += f" [{map_index}]"
    lines = [f":warning: hirewatch monitor *{slack_data(monitor)}*: {what} of DAG "
             f"`{slack_data(dag_id)}` failed" + (f" after {tries} tries" if tries else "")]
    if error is not None:
        lines.append(f"> {slack_data(str(error))[:1500]}")
    url = getattr(ti, "log_url", None)
    if isinstance(url, str) and url:
        lines.append(f"<{slack_data(url)}|task log>")
    return "\n".join(lines)


def _mapped_source(task: Any, map_index: int) -> str | None:
    """The source name a mapped ``fetch`` task instance ran for (its expand input, by index)."""
    try:
        value = task.op_kwargs_expand_input.value["source"]
        return str(value[map_index])
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


class OperatorsNotifier(BaseNotifier):
    """Posts :func:`failure_text` to the monitor's operators' channel; silent for
    :class:`SourcesFailed` (each failing source has told them already). Never raises."""

    def __init__(self, monitor: str, channel: str) -> None:
        super().__init__()
        self.monitor, self.channel = monitor, channel

    def notify(self, context: Any) -> None:
        if isinstance(context.get("exception"), SourcesFailed):
            return
        post_to_operators(self.channel, failure_text(context, self.monitor))


def operators_notifier(monitor: str, channel: str | None) -> OperatorsNotifier | None:
    """The ``on_failure_callback`` for ``monitor``'s tasks, or None when no operators' channel is
    configured (then Airflow has no callback to run at all)."""
    return OperatorsNotifier(monitor, channel) if channel else None
