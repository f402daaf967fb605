"""Slack alerts: routing, the Block Kit message, delivery through the store's outbox, storm
control, and the Socket Mode listener for the triage buttons.

The pipeline calls :func:`deliver_alerts`. Alerters are looked up by name in :data:`ALERTERS`
(one alerter per module, imported when first used): ``slack`` when a bot token is configured,
``dry_run`` (prints what it would send, changes nothing) when not.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

from hirewatch.alerts.base import Alerter, AlertReport, Posted, SlackRefused, SlackUnavailable
from hirewatch.alerts.lease import DeliveryLease
from hirewatch.config import Monitor
from hirewatch.stores.base import MentionStore

__all__ = ["ALERTERS", "AlertReport", "Alerter", "Posted", "SlackRefused", "SlackUnavailable",
           "alerter_class", "default_alerter", "deliver_alerts"]

ALERTERS: dict[str, str] = {
    "slack": "hirewatch.alerts.slack_alerter:SlackAlerter",
    "dry_run": "hirewatch.alerts.dry_run_alerter:DryRunAlerter",
}


def alerter_class(name: str) -> type[Alerter]:
    """The alerter registered as ``name``. Raises ``KeyError`` with the known names."""
    try:
        target = ALERTERS[name]
    except KeyError:
        raise KeyError(f"unknown alerter {name!r}; known: {', '.join(sorted(ALERTERS))}") from None
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def default_alerter(monitor: Monitor, **options: Any) -> Alerter:
    """``slack`` when a bot token is configured (``HIREWATCH_SLACK_TOKEN`` or the Airflow
    Connection ``hirewatch_slack``), paced by the monitor's ``min_interval_s``; else ``dry_run``."""
    from hirewatch import settings

    token = settings.slack_token()
    if token is None:
        return alerter_class("dry_run")(**options)
    return alerter_class("slack")(token, base_url=settings.slack_base_url(),
                                  min_interval_s=monitor.routing.alerts.min_interval_s, **options)


def deliver_alerts(monitor: Monitor, store: MentionStore, *, alerter: Alerter | None = None,
                   now: datetime | None = None, lease: DeliveryLease | None = None) -> AlertReport:
    """Send ``monitor``'s pending alerts (the store's outbox) and mark each sent after Slack's ok.

    ``alerter``: None picks :func:`default_alerter` (and closes it after); with no token that is
    the dry run, which prints and marks nothing. ``lease``: how to hold the monitor's delivery
    lease (default: :func:`~hirewatch.alerts.lease.lease_from_settings`); a second delivery of the
    same monitor waits for it, then stops with a note saying who holds it. Raises
    :class:`~hirewatch.errors.StoreError` only when the pending alerts cannot be read; Slack
    failures are in the report (``failed``, ``deferred``, ``errors``), and those mentions stay
    pending for the next run.
    """
    from hirewatch import settings
    from hirewatch.alerts.delivery import deliver

    own = alerter is None
    chosen = alerter or default_alerter(monitor)
    try:
        return deliver(monitor, store, chosen, now=now, kibana=monitor.kibana_url or settings.kibana_url(), lease=lease)
    finally:
        if own:
            chosen.close()
