"""The triage buttons: recorded ``block_actions`` payloads dispatched through a real Bolt App
(the path Socket Mode takes), with its WebClient pointed at the local Slack server and the real
SqliteStore."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hirewatch.alerts import deliver_alerts
from hirewatch.alerts.slack_alerter import SlackAlerter
from hirewatch.alerts.slack_listener import create_app, handle_triage, socket_mode_handler
from hirewatch.config import Monitor
from hirewatch.stores.sqlite_store import SqliteStore
from pydantic import SecretStr
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from tests.alerts.conftest import NOW, make_mention, make_monitor
from tests.support.slack_server import APP_TOKEN, BOT_TOKEN, SlackServer
from tests.support.slack_socket import SocketServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "alerts"


def _payload(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"block_actions_{name}.json").read_text(encoding="utf-8"))


@pytest.fixture()
def monitor() -> Monitor:
    return make_monitor()


@pytest.fixture()
def alerted(store: SqliteStore, slack: SlackServer, monitor: Monitor) -> str:
    """The alert of the recorded payloads, delivered to the local Slack: its mention id."""
    mention = make_mention(1)
    store.upsert_mentions([mention])
    report = deliver_alerts(monitor, store, alerter=SlackAlerter(BOT_TOKEN, base_url=slack.base_url), now=NOW)
    assert report.sent == 1
    recorded = _payload("ack")
    (message,) = slack.posted()
    assert (message.channel, message.ts) == (recorded["channel"]["id"], recorded["message"]["ts"])
    return mention.id


@pytest.fixture()
def app(store: SqliteStore, slack: SlackServer, monitor: Monitor) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack.base_url)
    # Signatures are a concern of Slack's HTTP delivery, not of Socket Mode; process_before_response
    # runs the handler before dispatch returns, so the test sees its effects.
    return create_app(store, client=client, monitors={"acme": monitor}, request_verification_enabled=False,
                      process_before_response=True)


def _dispatch(app: App, payload: dict[str, Any]) -> int:
    response = app.dispatch(BoltRequest(body=payload, mode="socket_mode"))
    return response.status


def _status_line(update: dict[str, Any]) -> str:
    return update["blocks"][-1]["elements"][0]["text"]


def _buttons(update: dict[str, Any]) -> list[str]:
    actions = next(b for b in update["blocks"] if b["type"] == "actions")
    return [e["action_id"] for e in actions["elements"]]


def test_acknowledge_writes_the_status_and_updates_the_message(app: App, alerted: str, store: SqliteStore,
                                                               slack: SlackServer) -> None:
    payload = _payload("ack")
    assert _dispatch(app, payload) == 200

    stored = store.get(alerted)
    assert stored is not None
    assert (stored.alert.triage, stored.alert.triage_by) == ("acknowledged", "dana.oncall (U0ONCALL1)")
    assert stored.alert.triage_at is not None
    (update,) = [c.args for c in slack.calls("chat.update", ok=True)]
    assert (update["channel"], update["ts"]) == (payload["channel"]["id"], payload["message"]["ts"])
    assert update["text"] == payload["message"]["text"]
    assert _status_line(update).startswith(":white_check_mark: Acknowledged by <@U0ONCALL1> · ")
    assert _buttons(update) == ["hw_open_source", "hw_false_positive", "hw_assign"]
    original = payload["message"]["blocks"]
    kept = [b for b in update["blocks"] if b["type"] != "actions"][:-1]
    assert kept == [b for b in original if b["type"] != "actions"]  # header, fields, excerpt, context unchanged
    assert slack.posted()[0].updates == [update]


def test_false_positive_is_recorded_and_the_user_gets_the_exclusion_hint(app: App, alerted: str,
                                                                         store: SqliteStore,
                                                                         slack: SlackServer) -> None:
    assert _dispatch(app, _payload("false_positive")) == 200
    stored = store.get(alerted)
    assert stored is not None and (stored.alert.triage, stored.alert.triage_by) == ("false_positive", "rik (U0ONCALL2)")
    (update,) = [c.args for c in slack.calls("chat.update", ok=True)]
    assert _status_line(update).startswith(":no_entry_sign: Marked false positive by <@U0ONCALL2>")
    assert _buttons(update) == ["hw_open_source"]
    (hint,) = [c.args for c in slack.calls("chat.postEphemeral", ok=True)]
    assert hint["user"] == "U0ONCALL2" and hint["channel"] == _payload("ack")["channel"]["id"]
    assert '`hirewatch slack exclude acme "PHRASE"`' in hint["text"]


def test_assign_then_acknowledge(app: App, alerted: str, store: SqliteStore, slack: SlackServer) -> None:
    assert _dispatch(app, _payload("assign")) == 200
    stored = store.get(alerted)
    assert stored is not None and (stored.alert.triage, stored.alert.triage_by) == ("assigned", "mei (U0ONCALL3)")
    first = slack.calls("chat.update", ok=True)[0].args
    assert _status_line(first).startswith(":bust_in_silhouette: Assigned to <@U0ONCALL3>")
    assert _buttons(first) == ["hw_open_source", "hw_ack", "hw_false_positive"]

    # The assignee acknowledges later, from the updated message Slack now shows.
    ack = _payload("ack")
    ack["message"]["blocks"] = copy.deepcopy(first["blocks"])
    ack["actions"][0]["block_id"] = next(b["block_id"] for b in first["blocks"] if b["type"] == "actions")
    assert _dispatch(app, ack) == 200
    second = slack.calls("chat.update", ok=True)[1].args
    assert [b.get("block_id", "")[:9] for b in second["blocks"]].count("hw_status") == 1
    assert _status_line(second).startswith(":white_check_mark: Acknowledged by <@U0ONCALL1>")
    stored = store.get(alerted)
    assert stored is not None and stored.alert.triage == "acknowledged"


def test_a_click_on_an_unknown_mention_tells_the_user(app: App, store: SqliteStore, slack: SlackServer) -> None:
    assert _dispatch(app, _payload("ack")) == 200  # nothing was delivered: the store has no such mention
    assert slack.calls("chat.update") == []
    (note,) = slack.calls("chat.postEphemeral")
    assert "does not know this mention" in note.args["text"]


def test_url_buttons_are_acknowledged(app: App, alerted: str, slack: SlackServer) -> None:
    payload = _payload("ack")
    payload["actions"] = [{"action_id": "hw_open_source", "block_id": "hw_actions", "type": "button",
                           "text": {"type": "plain_text", "text": "Open source", "emoji": False},
                           "url": "https://news.example.com/acme-1", "action_ts": "1700000100.1"}]
    assert _dispatch(app, payload) == 200
    assert slack.calls("chat.update") == [] and slack.calls("chat.postEphemeral") == []


def test_slack_down_during_a_click_still_records_the_status(alerted: str, store: SqliteStore, slack: SlackServer,
                                                             monitor: Monitor) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=slack.base_url, timeout=2)
    with slack.outage():
        outcome = handle_triage(_payload("ack"), client, store, monitors={"acme": monitor})
    assert outcome.status == "acknowledged" and not outcome.updated and outcome.error
    stored = store.get(alerted)
    assert stored is not None and stored.alert.triage == "acknowledged"


def test_socket_mode_end_to_end(alerted: str, store: SqliteStore, slack: SlackServer, monitor: Monitor) -> None:
    """The path of ``hirewatch slack listen``: apps.connections.open, the WebSocket, a click."""
    with SocketServer() as socket:
        slack.socket_url = socket.url
        handler = socket_mode_handler(store, token=SecretStr(BOT_TOKEN), app_token=SecretStr(APP_TOKEN),
                                      base_url=slack.base_url, monitors={"acme": monitor})
        handler.connect()
        try:
            assert socket.wait_connected()
            envelope = socket.send_interactive(_payload("ack"))
            assert socket.wait_ack(envelope) == {"envelope_id": envelope}
            deadline = time.monotonic() + 10
            while not slack.calls("chat.update") and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            handler.close()
    stored = store.get(alerted)
    assert stored is not None and stored.alert.triage == "acknowledged"
    (update,) = slack.calls("chat.update", ok=True)
    assert _status_line(update.args).startswith(":white_check_mark: Acknowledged by <@U0ONCALL1>")
    assert slack.calls("apps.connections.open", ok=True)
