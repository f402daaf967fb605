"""The Slack app manifest (docker/slack-app-manifest.yaml) asks for exactly the bot scopes the set-up
instructions name, covers every Slack Web API method hirewatch's code calls, and turns on Socket
Mode and Interactivity for the triage listener."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.conftest import ROOT

MANIFEST = ROOT / "docker" / "slack-app-manifest.yaml"
#: Scopes of an app-level token: created by hand (a manifest cannot), named in the instructions.
APP_LEVEL = {"connections:write"}
#: The bot scope each Web API method needs (Slack's method reference).
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "conversations_history": {"channels:history", "groups:history"},
    "conversations_replies": {"channels:history", "groups:history"},
    "conversations_list": {"channels:read", "groups:read"},
}


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def _instructions() -> str:
    """The "Setting up the Slack app" paragraph, wherever the docs keep it."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text()
        if "**Setting up the Slack app.**" in text:
            start = text.index("**Setting up the Slack app.**")
            return text[start:text.find("\n\n", start)]
    raise AssertionError("no 'Setting up the Slack app' paragraph in README.md or docs/")


def test_the_manifest_asks_for_exactly_the_documented_scopes() -> None:
    paragraph = _instructions()
    documented = set(re.findall(r"`([a-z]+:[a-z.]+)`", paragraph))
    assert APP_LEVEL <= documented, "the app-level token's scope is named"
    assert set(_manifest()["oauth_config"]["scopes"]["bot"]) == documented - APP_LEVEL
    assert "docker/slack-app-manifest.yaml" in paragraph


def test_socket_mode_and_interactivity_are_on() -> None:
    settings = _manifest()["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert "request_url" not in settings["interactivity"], "Socket Mode needs no public URL"


def test_every_method_the_code_calls_is_covered() -> None:
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    code = "\n".join(p.read_text() for p in (ROOT / "plugins" / "hirewatch").rglob("*.py"))
    called = set(re.findall(r"\.((?:chat|conversations|users|files|reactions|views)_[A-Za-z]+)\(", code))
    assert called, "the Slack calls are found"
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add the scope of {unknown} to METHOD_SCOPES and the manifest"
    for method in called:
        assert METHOD_SCOPES[method] <= scopes, method


def test_the_compose_listener_runs_slack_listen() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())
    listener = compose["services"]["slack-listener"]
    assert listener["entrypoint"] + listener["command"] == ["hirewatch", "slack", "listen"]
    env = listener["environment"]
    assert {"HIREWATCH_SLACK_TOKEN", "HIREWATCH_SLACK_APP_TOKEN"} <= set(env)
    assert not listener.get("ports"), "Socket Mode: nothing to publish"


def test_the_example_env_names_both_tokens() -> None:
    keys = {line.split("=", 1)[0] for line in (ROOT / "docker" / ".env.example").read_text().splitlines()
            if "=" in line and not line.startswith("#")}
    assert {"HIREWATCH_SLACK_TOKEN", "HIREWATCH_SLACK_APP_TOKEN"} <= keys
    assert Path(MANIFEST).is_file()
