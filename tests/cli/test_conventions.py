"""The conventions people expect of a Python CLI, through the real ``hirewatch`` app: --version,
``python -m hirewatch``, shell completion, --log-level / HIREWATCH_LOG_LEVEL, HIREWATCH_MONITORS,
unknown names refused with exit 2 and "did you mean", conflicting flags refused, help that reads
on 80 columns; and ``search`` output that fits: whole titles and URLs, times with their zone,
"2 of 10 mentions", "1 mention"; ``slack deliver`` without contradicting counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from hirewatch.cli import app
from hirewatch.stores.sqlite_store import SqliteStore
from typer.testing import CliRunner

from tests.cli.test_commands import _commands
from tests.stores.conftest import make_mention

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
LONG_TITLE = ("Brightwave Logistics recruiter accused of asking rude questions in a second-round interview, "
              "candidates say the process dragged on for eleven weeks without any feedback at all")
LONG_URL = ("https://forum.example.com/t/brightwave-logistics-recruiter-accused-of-asking-rude-questions-in-a-"
            "second-round-interview/184467?utm_source=hirewatch&page=2#post-17")


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A monitor directory (acme, Europe/Amsterdam; sources blog and forum) and a store with 10
    mentions of it, one with a long title and URL."""
    monitors = tmp_path / "monitors"
    monitors.mkdir()
    (monitors / "acme.yaml").write_text("""\
employer: {name: Acme}
competitors: [{name: Rival}]
sources:
  - {name: blog, type: rss, url: "https://blog.example/feed"}
  - {name: forum, type: rss, url: "https://forum.example/feed"}
routing: {timezone: Europe/Amsterdam}
""", encoding="utf-8")
    db = tmp_path / "cli.db"
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(db))
    monkeypatch.delenv("HIREWATCH_MONITORS", raising=False)
    at = datetime(2026, 12, 1, 14, 7, tzinfo=UTC)
    with SqliteStore(db) as store:
        store.upsert_mentions([make_mention(f"m{i}", source="blog", fetched=at, published=at - timedelta(hours=i))
                               for i in range(9)]
                              + [make_mention("long", source="forum", title=LONG_TITLE, url=LONG_URL,
                                              fetched=at, published=at + timedelta(hours=1))])
    return monitors


# --------------------------------------------------------------------------- conventions


def test_version_and_python_dash_m() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("hirewatch ")
    done = subprocess.run([sys.executable, "-m", "hirewatch", "--version"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")})
    assert done.returncode == 0, done.stderr
    assert done.stdout == result.stdout


def test_shell_completion_is_offered() -> None:
    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_log_level_option_and_environment(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = runner.invoke(app, ["--log-level", "loud", "search", "--monitors", str(world)])
    assert bad.exit_code == 2 and "--log-level: expected one of debug, info, warning, error" in bad.stderr
    monkeypatch.setenv("HIREWATCH_LOG_LEVEL", "debug")
    result = runner.invoke(app, ["search", "--monitors", str(world)])
    assert result.exit_code == 0
    import logging

    root = logging.getLogger()
    (ours,) = [h for h in root.handlers if getattr(h, "_hirewatch", False)]
    assert ours.level == logging.DEBUG and root.level == logging.DEBUG, "from HIREWATCH_LOG_LEVEL"
    runner.invoke(app, ["--log-level", "error", "search", "--monitors", str(world)])
    (ours,) = [h for h in root.handlers if getattr(h, "_hirewatch", False)]
    assert ours.level == logging.ERROR, "the option wins over the environment; the handler is not added twice"


def test_library_warnings_stay_brief(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Elasticsearch client's own retries log warnings with tracebacks: at the default level
    they are not shown, and an error is one line, naming the exception."""
    import logging

    from hirewatch.cli import configure_logging

    configure_logging("warning")
    (ours,) = [h for h in logging.getLogger().handlers if getattr(h, "_hirewatch", False)]
    record = logging.LogRecord("elastic_transport.transport", logging.WARNING, __file__, 1, "Retrying", (), None)
    assert not ours.filter(record)
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except ConnectionRefusedError:
        import sys

        failed = logging.LogRecord("hirewatch.stores", logging.ERROR, __file__, 1, "store down", (), sys.exc_info())
    assert ours.filter(failed)
    text = ours.format(failed)
    assert "Traceback" not in text and text.endswith("store down (ConnectionRefusedError: [Errno 111] "
                                                     "Connection refused)")


def test_hirewatch_monitors_is_the_default_of_monitors(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_MONITORS", str(world))
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert f"ok {world / 'acme.yaml'}: monitor 'acme', 2 sources" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["search", "-m", "acmee"], "no monitor named 'acmee' in {world}; did you mean 'acme'?"),
    (["search", "--source", "blgo"], "no source named 'blgo'; did you mean 'blog'?"),
    (["search", "--employer", "Nobody"], "no employer or competitor named 'Nobody'; known: Acme, Rival"),
    (["search", "-m", "acme", "--source", "nosuch"], "no source named 'nosuch' in monitor acme; known: blog, forum"),
    (["run", "-m", "acmee"], "no valid monitor named 'acmee' in {world}; did you mean 'acme'?"),
    (["slack", "deliver", "-m", "acmee"], "no valid monitor named 'acmee' in {world}; did you mean 'acme'?"),
    (["digest", "-m", "acmee"], "no valid monitor named 'acmee' in {world}; did you mean 'acme'?"),
])
def test_unknown_names_are_refused_everywhere(world: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--monitors", str(world)])
    assert result.exit_code == 2, result.output
    assert message.format(world=world) in " ".join(result.stderr.split())


@pytest.mark.parametrize("args", [["--csv", "--json"], ["--json", "--format", "csv"], ["--format", "wide", "--csv"]])
def test_conflicting_output_flags_are_refused(world: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["search", "--monitors", str(world), *args])
    assert result.exit_code == 2
    assert "choose one output format" in result.stderr and result.stdout == ""


def test_help_reads_well_on_80_columns() -> None:
    env = {"COLUMNS": "80"}
    texts = [runner.invoke(app, ["--help"], env=env).stdout]
    for name, _command in _commands(typer.main.get_command(app)):
        texts.append(runner.invoke(app, [*name.split()[1:], "--help"], env=env).stdout)
    for text in texts:
        assert "<bool>" not in text and "╭" not in text
        assert max(len(line) for line in text.splitlines()) <= 80, text


# --------------------------------------------------------------------------- search output


def test_search_shows_whole_titles_and_urls_on_80_columns(world: Path) -> None:
    result = runner.invoke(app, ["search", "--monitors", str(world), "--limit", "1"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "  " + LONG_URL in lines, "the URL whole, on a line of its own (so it can be copied)"
    assert LONG_TITLE in " ".join(result.stdout.split()), "the whole title, wrapped"
    assert all(len(line) <= 80 for line in lines if line.strip() != LONG_URL), result.stdout
    assert "…" not in result.stdout and "..." not in result.stdout


def test_search_times_carry_their_zone(world: Path) -> None:
    result = runner.invoke(app, ["search", "--monitors", str(world), "--limit", "1"])
    assert "published 2026-12-01 16:07 CET, seen 2026-12-01 15:07 CET" in " ".join(result.stdout.split())


def test_search_counts_say_how_many_of_how_many(world: Path) -> None:
    two = runner.invoke(app, ["search", "--monitors", str(world), "--limit", "2"])
    assert two.stdout.rstrip().endswith("2 of 10 mentions (--limit 10 to see them all)")
    one = runner.invoke(app, ["search", "--monitors", str(world), "--source", "forum"])
    assert one.stdout.rstrip().endswith("\n1 mention")
    all_ten = runner.invoke(app, ["search", "--monitors", str(world)])
    assert all_ten.stdout.rstrip().endswith("\n10 mentions")


def test_wide_is_one_uncut_line_per_mention(world: Path) -> None:
    result = runner.invoke(app, ["search", "--monitors", str(world), "--format", "wide"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    assert lines[0].split("\t")[-2:] == [LONG_TITLE, LONG_URL]
    assert "10 mentions" in result.stderr, "the count on stderr keeps the lines clean for a pipe"


def test_table_folds_rather_than_cuts(world: Path) -> None:
    result = runner.invoke(app, ["search", "--monitors", str(world), "--format", "table", "--limit", "1"],
                           env={"COLUMNS": "200"})
    assert "…" not in result.stdout, "no cell is cut with an ellipsis"
    assert "post-17" in result.stdout and "feedback at all" in result.stdout, "the ends of URL and title"


def test_json_output_is_unchanged_json(world: Path) -> None:
    result = runner.invoke(app, ["search", "--monitors", str(world), "--format", "json", "--limit", "3"])
    assert len(json.loads(result.stdout)) == 3


# --------------------------------------------------------------------------- slack deliver


def test_a_dry_run_delivery_does_not_contradict_itself(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIREWATCH_SLACK_TOKEN", raising=False)
    with SqliteStore(Path(os.environ["HIREWATCH_SQLITE_PATH"])) as store:
        store.upsert_mentions([make_mention("neg", source="blog", sentiment_label="negative", sentiment_score=-0.8,
                                            fetched=datetime.now(UTC))])
        pending = len(store.pending_alerts("acme"))
    result = runner.invoke(app, ["slack", "deliver", "--monitors", str(world)])
    out = " ".join(result.stdout.split())
    assert "left pending" not in out and "0 alerts" not in out
    assert f"{pending} alerts stay pending (printed again by every run until a token is set)" in out


def test_a_piped_run_table_is_not_cut_at_80_columns(tmp_path: Path, web, monkeypatch: pytest.MonkeyPatch) -> None:
    path = "/feeds/" + "a-rather-long-feed-address-" * 4 + "that-fails.xml"
    url = web.set(path, b"down", status=503, content_type="text/plain")
    monitors = tmp_path / "monitors"
    monitors.mkdir()
    (monitors / "acme.yaml").write_text(f"""employer: {{name: Acme}}
sources:
  - {{name: the-feed-with-a-long-name, type: rss, url: "{url}"}}
fetch: {{allow_loopback: true}}
""", encoding="utf-8")
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(tmp_path / "run.db"))
    result = runner.invoke(app, ["run", "--no-alerts", "--monitors", str(monitors)])
    assert result.exit_code == 1
    assert any(url in line for line in result.stdout.splitlines()), result.stdout
