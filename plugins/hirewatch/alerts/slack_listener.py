"""The triage buttons: ``hirewatch slack listen`` runs a slack-bolt ``App`` in Socket Mode (an
outbound WebSocket, so no public URL is needed) whose handlers take the Acknowledge / False
positive / Assign to me clicks.

A click writes the status and who clicked to the store (``set_triage``) and updates the alert in
place (``chat.update``: one status line, the buttons adjusted). A false positive also gets an
ephemeral hint, to the clicking user only, with the command that teaches the monitor an exclusion
phrase (``hirewatch slack exclude MONITOR "PHRASE"``): changing what a monitor matches is a change
to its YAML, which people review, so the listener suggests it rather than editing files itself.

:func:`handle_triage` is a plain function of the ``block_actions`` payload, the ``WebClient`` and
the store (the tests call it through ``App.dispatch`` with recorded payloads); :func:`create_app`
wires it into Bolt; :func:`listen` starts Socket Mode (blocks until stopped).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from hirewatch.alerts.slack_message import (
    OPEN_KIBANA,
    OPEN_SOURCE,
    TRIAGE_ACTIONS,
    alert_blocks,
    escape,
    triaged_blocks,
)
from hirewatch.config import Monitor
from hirewatch.errors import HirewatchError
from hirewatch.mention import utcnow
from hirewatch.stores.base import MentionStore

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk import WebClient

log = logging.getLogger(__name__)
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class TriageOutcome:
    """What one click did: ``status`` written for ``mention_id`` by ``by``; ``updated``: the
    message was updated; ``error``: why not everything happened (None: all done)."""

    mention_id: str | None
    status: str | None
    by: str | None
    updated: bool = False
    error: str | None = None


def who(user: Mapping[str, Any]) -> str:
    """How the store records the clicking user: ``name (U123)``, or the id alone."""
    user_id = str(user.get("id") or "unknown")
    name = user.get("username") or user.get("name")
    return f"{name} ({user_id})" if name else user_id


def handle_triage(body: Mapping[str, Any], client: WebClient, store: MentionStore, *,
                  monitors: Mapping[str, Monitor] | None = None, now: datetime | None = None) -> TriageOutcome:
    """Handle one ``block_actions`` payload of a triage button. Never raises for a bad payload or
    a failing Slack/store; tells the clicking user ephemerally when something did not happen."""
    actions = body.get("actions") or [{}]
    action = actions[0]
    status = TRIAGE_ACTIONS.get(str(action.get("action_id")))
    mention_id = action.get("value")
    user = body.get("user") or {}
    user_id = user.get("id")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    message = body.get("message") or {}
    ts = message.get("ts") or (body.get("container") or {}).get("message_ts")
    if status is None or not mention_id:
        return TriageOutcome(mention_id, status, None, error="not a triage button")
    by = who(user)
    try:
        stored = store.get(mention_id)
        if stored is None:
            _tell(client, channel, user_id, ts, "hirewatch does not know this mention any more (was the store reset?).")
            return TriageOutcome(mention_id, status, by, error="unknown mention")
        store.set_triage(mention_id, status, by)  # type: ignore[arg-type]
    except HirewatchError as exc:
        log.warning("triage of %s not stored: %s", mention_id, exc)
        _tell(client, channel, user_id, ts, "Could not record that in hirewatch's store; please try again.")
        return TriageOutcome(mention_id, status, by, error=f"store: {exc}")
    monitor = (monitors or {}).get(stored.mention.monitor)
    tz = monitor.tz if monitor else UTC_ZONE
    blocks = message.get("blocks") or (alert_blocks(stored.mention, monitor) if monitor else [])
    new_blocks = triaged_blocks(blocks, status=status, user_id=user_id, at=now or utcnow(), tz=tz)
    error = None
    updated = False
    if channel and ts:
        try:
            client.chat_update(channel=channel, ts=ts, text=message.get("text") or escape(stored.mention.title),
                               blocks=new_blocks)
            updated = True
        except Exception as exc:  # noqa: BLE001  (SlackApiError or a network error: the status is stored anyway)
            log.warning("chat.update of %s failed: %s", mention_id, type(exc).__name__)
            error = f"chat.update: {exc}"
    if status == "false_positive":
        _tell(client, channel, user_id, ts, exclusion_hint(stored.mention.monitor))
    return TriageOutcome(mention_id, status, by, updated=updated, error=error)


def exclusion_hint(monitor: str) -> str:
    """The false-positive hint: how to teach the monitor a phrase that means something else."""
    return (f"Marked as a false positive. If items like this are about something else with the same name "
            f"(a product, a place, another company), teach the monitor to skip them:\n"
            f"`hirewatch slack exclude {escape(monitor)} \"PHRASE\"` adds the phrase to employer.exclude "
            f"in the monitor's YAML file.")


def _tell(client: WebClient, channel: str | None, user_id: str | None, thread_ts: str | None, text: str) -> None:
    if not (channel and user_id):
        return
    try:
        client.chat_postEphemeral(channel=channel, user=user_id, text=text, thread_ts=thread_ts)
    except Exception as exc:  # noqa: BLE001  (a hint that does not arrive must not fail the click)
        log.info("ephemeral message not delivered: %s", type(exc).__name__)


def create_app(store: MentionStore, *, token: str | SecretStr | None = None, client: WebClient | None = None,
               monitors: Mapping[str, Monitor] | None = None, **app_options: Any) -> App:
    """A Bolt ``App`` with the triage handlers. ``client``: a ready ``WebClient`` (the tests'
    points at the local Slack server); ``app_options`` go to ``App`` (the tests pass
    ``request_verification_enabled=False`` and ``process_before_response=True``)."""
    from slack_bolt import App

    value = token.get_secret_value() if isinstance(token, SecretStr) else token
    app = App(token=value, client=client, **app_options)

    def on_triage(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        handle_triage(body, client, store, monitors=monitors)

    def on_link(ack: Any) -> None:  # URL buttons also send block_actions; unanswered they show a warning
        ack()

    for action_id in TRIAGE_ACTIONS:
        app.action(action_id)(on_triage)
    app.action(re.compile(f"^({OPEN_SOURCE}|{OPEN_KIBANA})$"))(on_link)
    return app


def socket_mode_handler(store: MentionStore, *, token: SecretStr, app_token: SecretStr, base_url: str | None = None,
                        monitors: Mapping[str, Monitor] | None = None) -> SocketModeHandler:
    """The Socket Mode handler around :func:`create_app` (``connect()`` it, ``close()`` it).
    ``base_url``: another Web API address (the tests' local Slack)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk import WebClient

    client = WebClient(token=token.get_secret_value(), base_url=base_url) if base_url else None
    app = create_app(store, token=token, client=client, monitors=monitors)
    return SocketModeHandler(app, app_token.get_secret_value())


def listen(store: MentionStore, *, token: SecretStr, app_token: SecretStr, base_url: str | None = None,
           monitors: Mapping[str, Monitor] | None = None) -> None:
    """Run the listener in Socket Mode until interrupted (``hirewatch slack listen``)."""
    socket_mode_handler(store, token=token, app_token=app_token, base_url=base_url, monitors=monitors).start()
