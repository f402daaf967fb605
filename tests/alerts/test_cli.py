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
