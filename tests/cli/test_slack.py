"""``hirewatch slack exclude`` and ``hirewatch slack listen`` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hirewatch.cli import app
from typer.testing import CliRunner

from tests.alerts.test_exclusions import MONITOR

runner = CliRunner()


def test_exclude_adds_the_phrase(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(MONITOR, encoding="utf-8")
    result = runner.invoke(app, ["slack", "exclude", "acme", "Acme Audio", "--monitors", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "added 'Acme Audio' to employer.exclude" in result.output
    assert "    - Acme Audio\n" in (tmp_path / "acme.yaml").read_text(encoding="utf-8")
    again = runner.invoke(app, ["slack", "exclude", "acme", "acme audio", "--monitors", str(tmp_path)])
    assert again.exit_code == 0 and "already in employer.exclude" in again.output


def test_exclude_unknown_monitor_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["slack", "exclude", "initech", "x", "--monitors", str(tmp_path)])
    assert result.exit_code == 2
    assert "no monitor named 'initech' in this directory" in " ".join(result.output.split())


def test_listen_without_tokens_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["slack", "listen"])
    assert result.exit_code == 2
    assert "HIREWATCH_SLACK_TOKEN and HIREWATCH_SLACK_APP_TOKEN" in " ".join(result.output.split())
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-secret-value")
    result = runner.invoke(app, ["slack", "listen"])
    assert result.exit_code == 2
    assert "HIREWATCH_SLACK_APP_TOKEN" in result.output and "xoxb-secret-value" not in result.output


def test_deliver_sends_the_pending_alerts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch.stores.sqlite_store import SqliteStore

    from tests.alerts.conftest import make_mention
    from tests.support.slack_server import BOT_TOKEN, SlackServer

    monitors = tmp_path / "monitors"
    monitors.mkdir()
    (monitors / "acme.yaml").write_text(MONITOR, encoding="utf-8")
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(tmp_path / "store.db"))
    with SqliteStore(tmp_path / "store.db") as store:
        store.upsert_mentions([make_mention(1), make_mention(2)])

    dry = runner.invoke(app, ["slack", "deliver", "--monitors", str(monitors)])
    assert dry.exit_code == 0, dry.output
    assert "would post to #ta-oncall" in dry.output and "monitor acme: dry run: no Slack token" in dry.output

    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    with SlackServer() as slack:
        monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
        result = runner.invoke(app, ["slack", "deliver", "--monitor", "acme", "--monitors", str(monitors)])
        assert result.exit_code == 0, result.output
        assert "monitor acme: 2 alerts, 0 in threads, 0 suppressed, 0 failed, 0 left pending" in result.output
        assert len(slack.posted()) == 2
        with slack.outage():
            with SqliteStore(tmp_path / "store.db") as store:
                store.upsert_mentions([make_mention(3)])
            down = runner.invoke(app, ["slack", "deliver", "--monitors", str(monitors)])
        assert down.exit_code == 1 and "1 failed, 0 left pending" in " ".join(down.output.split())
    assert BOT_TOKEN not in result.output + down.output
