"""The operators' Slack channel (``routing.alerts.operators_channel``): where a run that could not
do its work says so, apart from the on-call alerts.

Called by the Airflow notifier (:mod:`hirewatch.dags.callbacks`, after a task's last retry) and by
``hirewatch run`` (:mod:`hirewatch.cli.run`, once per monitor run that had a failed source, store
write or delivery), so a laptop or cron deployment tells the operators as Airflow does. Posts with
the real slack_sdk client and the bot token of the settings; never raises: a Slack outage must
not hide the run's own failure. Crawled text and server errors are escaped before they are sent.
"""

from __future__ import annotations

import logging
from typing import Any

from hirewatch.escaping import slack_data
from hirewatch.report import RunReport

log = logging.getLogger(__name__)

#: At most this many failed sources are listed in one message (the rest are counted).
MAX_LISTED = 10


def post_to_operators(channel: str, text: str) -> bool:
    """Post ``text`` to ``channel``. False (and a log line without any secret) when Slack is not
    configured or refused; never raises."""
    from hirewatch.settings import slack_base_url, slack_token

    token = slack_token()
    if token is None:
        log.info("hirewatch: no Slack token (Connection hirewatch_slack or HIREWATCH_SLACK_TOKEN); "
                 "operators' channel %s not told", channel)
        return False
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError, SlackClientError

    kwargs: dict[str, Any] = {"token": token.get_secret_value(), "timeout": 10}
    base_url = slack_base_url()
    if base_url:
        kwargs["base_url"] = base_url
    try:
        WebClient(**kwargs).chat_postMessage(channel=channel, text=text, mrkdwn=True, unfurl_links=False,
                                             unfurl_media=False)
    except SlackApiError as exc:
        log.warning("hirewatch: Slack refused the operators' message to %s: %s", channel,
                    exc.response.get("error") if exc.response is not None else "error")
        return False
    except Exception as exc:  # noqa: BLE001 - never raises: a Slack outage must not hide the run's failure
        kind = "not reachable" if isinstance(exc, SlackClientError | OSError) else "failed"
        log.warning("hirewatch: Slack %s for the operators' message to %s: %s", kind, channel, type(exc).__name__)
        return False
    return True


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def run_problems_text(report: RunReport) -> str | None:
    """The operators' message for one ``hirewatch run`` of a monitor (Slack mrkdwn, escaped), or
    None when the run did all its work."""
    failed = report.failed_sources
    if report.ok or not (failed or report.store_failures or report.alert_error or report.alerts_failed):
        return None
    monitor = slack_data(report.monitor)
    problems = []
    if failed:
        problems.append(f"{len(failed)} of {len(report.sources)} sources failed")
    if report.store_failures:
        problems.append(f"{len(report.store_failures)} mentions not stored")
    if report.alerts_failed:
        problems.append(f"{report.alerts_failed} alerts not delivered (they stay pending for the next run)")
    if report.alert_error:
        problems.append("alerts not delivered (they stay pending for the next run)")
    lines = [f":warning: hirewatch monitor *{monitor}* (`hirewatch run`): " + "; ".join(problems)]
    for source in failed[:MAX_LISTED]:
        lines.append(f"• `{slack_data(source.source)}` ({slack_data(source.kind)}): "
                     f"{slack_data(_one_line(source.error or 'failed'))}")
    if len(failed) > MAX_LISTED:
        lines.append(f"• and {len(failed) - MAX_LISTED} more")
    for mention_id, error in report.store_failures[:3]:
        lines.append(f"• not stored `{slack_data(mention_id)}`: {slack_data(_one_line(error))}")
    if report.alert_error:
        lines.append(f"• {slack_data(_one_line(report.alert_error))}")
    return "\n".join(lines)
