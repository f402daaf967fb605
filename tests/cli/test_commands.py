"""``hirewatch run | validate | search`` through the real CLI: exit codes as the README says (0 ok,
1 finished with failures, 2 bad input), JSON on stdout only, problems shown as written, and the
options named alike in every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from hirewatch.cli import app
from hirewatch.stores.sqlite_store import SqliteStore
from typer.testing import CliRunner

from tests.support.web_server import WebServer

FEEDS = Path(__file__).resolve().parents[2] / "monitors" / "example-feeds"
runner = CliRunner()


def _monitors(tmp_path: Path, web: WebServer, *, alerts_status: int = 200) -> Path:
    web.set("/en.xml", FEEDS / "careers-blog-en.xml")
    web.set("/alerts.xml", FEEDS / "google-alerts.xml", content_type="application/atom+xml", status=alerts_status)
    directory = tmp_path / "monitors"
    directory.mkdir()
    (directory / "acme.yaml").write_text(f"""
employer: {{name: Brightwave Logistics, aliases: [Brightwave], exclude: [Brightwave Audio]}}
sources:
  - {{name: en, type: rss, url: "{web.url('/en.xml')}"}}
  - {{name: alerts, type: google_alerts, url: "{web.url('/alerts.xml')}"}}
fetch: {{allow_loopback: true}}
routing: {{alerts: {{default_channel: "#ta-oncall"}}}}
""", encoding="utf-8")
    return directory


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(path))
    return path


def test_run_json_is_json_only_even_when_alerts_are_printed(tmp_path: Path, web: WebServer, db: Path) -> None:
    monitors = _monitors(tmp_path, web)
    result = runner.invoke(app, ["run", "--json", "--monitors", str(monitors)])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert report["monitor"] == "acme" and report["ok"] is True and report["negatives"] >= 2
    assert "would post to #ta-oncall" in result.stderr  # the dry run (no token) speaks on stderr
    with SqliteStore(db) as store:
        assert len(store.pending_alerts("acme")) == report["negatives"]


def test_run_exit_codes(tmp_path: Path, web: WebServer, db: Path) -> None:
    monitors = _monitors(tmp_path, web, alerts_status=500)
    failed = runner.invoke(app, ["run", "--no-alerts", "--monitors", str(monitors)])
    assert failed.exit_code == 1, failed.output
    assert "1 of 2 sources failed" in failed.stdout

    (monitors / "broken.yaml").write_text("employer: {name: Other}\nsources: []\ncolour: red\n", encoding="utf-8")
    web.set("/alerts.xml", FEEDS / "google-alerts.xml", content_type="application/atom+xml")
    refused = runner.invoke(app, ["run", "--no-alerts", "--monitors", str(monitors)])
    assert refused.exit_code == 2, refused.output
    assert "broken.yaml:3: colour: unknown key (monitor skipped)" in refused.stderr
    assert "0 of 2 sources failed" in refused.stdout, "the valid monitor still ran"

    chosen = runner.invoke(app, ["run", "--no-alerts", "-m", "acme", "--monitors", str(monitors)])
    assert chosen.exit_code == 0, "a refused file that was not asked for does not fail the run"


def test_run_exits_1_for_a_review_page_with_no_recognisable_review(tmp_path: Path, web: WebServer,
                                                                   db: Path) -> None:
    from tests.support.review_pages import unrecognised_page

    web.set("/reviews", unrecognised_page(), content_type="text/html")
    directory = tmp_path / "monitors"
    directory.mkdir()
    (directory / "acme.yaml").write_text(f"""
employer: {{name: Brightwave Logistics}}
sources:
  - {{name: reviews, type: review, url: "{web.url('/reviews')}", site: example}}
fetch: {{allow_loopback: true, per_host_delay_s: 0}}
""", encoding="utf-8")
    result = runner.invoke(app, ["run", "--no-alerts", "--monitors", str(directory)])
    assert result.exit_code == 1, result.output
    assert "1 of 1 sources failed" in result.stdout and "not_modified" not in result.stdout
    as_json = runner.invoke(app, ["run", "--no-alerts", "--json", "--monitors", str(directory)])
    assert as_json.exit_code == 1, as_json.output
    (report,) = json.loads(as_json.stdout)
    (source,) = report["sources"]
    assert source["status"] == "failed" and report["ok"] is False
    assert source["error"].startswith("page fetched, no reviews recognised: no site adapter for example")


@pytest.mark.parametrize("command", [["run"], ["validate"], ["slack", "deliver"], ["digest"]])
def test_no_monitor_directory_or_no_monitor_is_bad_input(tmp_path: Path, db: Path, command: list[str]) -> None:
    missing = runner.invoke(app, [*command, "--monitors", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no monitor directory" in missing.stderr
    empty = runner.invoke(app, [*command, "--monitors", str(tmp_path)])
    said = " ".join(empty.stderr.split())
    assert empty.exit_code == 2 and ("no valid monitor in" in said or "no monitor files" in said), said


def test_validate_shows_problems_as_written(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text("employer: {name: Acme}\nsources: [{type: rss, url: 'https://x.example/f'}]"
                                        "\nrouting: {timezone: '[bold]Mars'}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--monitors", str(tmp_path)])
    assert result.exit_code == 2
    assert "acme.yaml:3: routing.timezone:" in result.stderr
    assert "got '[bold]Mars'" in " ".join(result.stderr.split()), "Rich must not eat bracketed text"


@pytest.mark.parametrize("command", [["search", "x"], ["run"], ["slack", "deliver"]])
def test_bad_store_setting_is_bad_input_without_a_traceback(tmp_path: Path, web: WebServer,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            command: list[str]) -> None:
    monitors = _monitors(tmp_path, web)
    monkeypatch.setenv("HIREWATCH_STORE", "mongodb")
    result = runner.invoke(app, [*command, "--monitors", str(monitors)] if command[0] != "search" else command)
    assert result.exit_code == 2
    assert "unknown store 'mongodb'" in result.stderr and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_search_finds_and_refuses_a_bad_sentiment(tmp_path: Path, web: WebServer, db: Path) -> None:
    monitors = _monitors(tmp_path, web)
    assert runner.invoke(app, ["run", "--no-alerts", "--monitors", str(monitors)]).exit_code == 0
    found = runner.invoke(app, ["search", "Brightwave", "--sentiment", "negative", "--json"])
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)
    assert hits and all(h["sentiment_label"] == "negative" and h["alert_status"] == "pending" for h in hits)
    bad = runner.invoke(app, ["search", "--sentiment", "angry"])
    assert bad.exit_code == 2 and "expected one of negative, neutral, positive" in bad.stderr


def _commands(group, prefix: str = "hirewatch") -> list[tuple[str, object]]:
    """Every leaf command (typer carries its own click, so groups are told by their commands)."""
    out = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            out.extend(_commands(command, f"{prefix} {name}"))
        else:
            out.append((f"{prefix} {name}", command))
    return out


def test_every_command_names_its_options_alike() -> None:
    commands = _commands(typer.main.get_command(app))
    assert len(commands) >= 12
    for name, command in commands:
        assert command.help, f"{name} has no help"
        for param in command.params:
            if param.param_type_name != "option":
                continue
            assert param.help, f"{name} {param.opts[0]} has no help"
            if "--monitor" in param.opts:
                assert "-m" in param.opts, f"{name} --monitor has no -m"
            if "--monitors" in param.opts:
                assert param.default == Path("monitors"), f"{name} --monitors is not the path ./monitors"
            if "--json" in param.opts:
                assert param.help.startswith("Print ") and param.help.endswith(" as JSON."), name


def test_help_states_the_exit_codes() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "Exit codes: 0 ok; 1" in " ".join(result.stdout.split())


def test_run_tells_the_operators_channel_what_failed(tmp_path: Path, web: WebServer, db: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """As the Airflow notifier does for a task, ``hirewatch run`` posts a run with a failed source to
    the monitor's operators' channel (the real slack_sdk client against a local Slack API): once,
    naming the source and its reason, escaped; not with --no-alerts, not when nothing failed."""
    from tests.support.fake_slack_api import FakeSlackApi

    monitors = _monitors(tmp_path, web, alerts_status=500)
    path = monitors / "acme.yaml"
    channels = 'default_channel: "#ta-oncall", operators_channel: "#hw-ops"'
    path.write_text(path.read_text(encoding="utf-8").replace('default_channel: "#ta-oncall"', channels),
                    encoding="utf-8")
    with FakeSlackApi() as slack:
        monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-test")
        monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
        quiet = runner.invoke(app, ["run", "--no-alerts", "--monitors", str(monitors)])
        assert quiet.exit_code == 1 and slack.messages("#hw-ops") == []
        failed = runner.invoke(app, ["run", "--monitors", str(monitors)])
        assert failed.exit_code == 1, failed.output
        (call,) = slack.messages("#hw-ops")
        text = str(call.fields["text"])
        assert text.startswith(":warning: hirewatch monitor *acme* (`hirewatch run`): 1 of 2 sources failed"), text
        assert "• `alerts` (google_alerts): server error 500" in text, text
        assert "operators #hw-ops told" in " ".join(failed.stdout.split())
        web.set("/alerts.xml", FEEDS / "google-alerts.xml", content_type="application/atom+xml")
        fine = runner.invoke(app, ["run", "--monitors", str(monitors)])
        assert fine.exit_code == 0, fine.output
        assert len(slack.messages("#hw-ops")) == 1 and "operators" not in fine.stdout


def test_the_operators_message_escapes_what_a_source_said() -> None:
    from datetime import UTC, datetime

    from hirewatch.alerts.operators import run_problems_text
    from hirewatch.report import RunReport, SourceReport

    report = RunReport(monitor="acme", started=datetime.now(UTC), sources=[
        SourceReport(source="blog <!channel>", kind="rss", status="failed", error="HTTP 500 <@U123> & @here\x1b[31m"),
        SourceReport(source="ok", kind="rss", status="ok"),
    ])
    text = run_problems_text(report) or ""
    assert "`blog &lt;!channel&gt;` (rss): HTTP 500 &lt;@U123&gt; &amp; @\u200bhere" in text, text
    assert "<!channel>" not in text and "\x1b" not in text
    assert run_problems_text(RunReport(monitor="acme", started=datetime.now(UTC))) is None
