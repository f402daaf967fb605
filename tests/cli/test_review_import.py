"""``hirewatch import`` through the real CLI: a Trustpilot export and a Glassdoor review JSON give
one mention per review with rating and date, a second import adds nothing, repaired bytes are
reported, --dry-run stores nothing, and the exit codes are run's (0 ok, 1 nothing recognised,
2 bad input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hirewatch.cli import app
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from tests.support.review_pages import SURVEY_MONITOR

EXPORTS = FIXTURES / "reviews" / "exports"
runner = CliRunner()


@pytest.fixture()
def monitors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(tmp_path / "cli.db"))
    directory = tmp_path / "monitors"
    directory.mkdir()
    (directory / "acme.yaml").write_text(SURVEY_MONITOR, encoding="utf-8")
    return directory


def _import(monitors: Path, *args: str):
    return runner.invoke(app, ["import", *args, "--monitor", "acme", "--monitors", str(monitors)])


@pytest.mark.parametrize(("name", "count"), [("trustpilot_page_data.json", 3), ("glassdoor_reviews.json", 2)])
def test_import_twice(monitors: Path, tmp_path: Path, name: str, count: int) -> None:
    first = _import(monitors, str(EXPORTS / name), "--json")
    assert first.exit_code == 0, first.output
    (line,) = json.loads(first.stdout)["sources"]
    assert (line["status"], line["items"], line["new_mentions"]) == ("ok", count, count)
    with SqliteStore(tmp_path / "cli.db") as store:
        mentions = [h.mention for h in store.search(MentionQuery(monitor="acme"))]
    assert len(mentions) == count
    assert all(m.extra["rating"] is not None and m.published is not None for m in mentions)
    second = _import(monitors, str(EXPORTS / name))
    assert second.exit_code == 0, second.output
    assert "0 new mentions" in second.stdout


def test_repaired_bytes_are_reported_and_dry_run_stores_nothing(monitors: Path, tmp_path: Path) -> None:
    dry = _import(monitors, str(EXPORTS / "reviews_mixed_encoding.csv"), "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.stdout)
    assert report["sources"][0]["bozo"] == "2 bytes that are not UTF-8 read as cp1252 (line 2, 3)"
    assert report["sources"][0]["new_mentions"] == 2 and report["notes"] == ["dry run: nothing was stored"]
    with SqliteStore(tmp_path / "cli.db") as store:
        assert store.count("acme") == 0


def test_exit_codes(monitors: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n1,2\n")
    assert _import(monitors, str(empty)).exit_code == 1
    assert _import(monitors, str(tmp_path / "missing.json")).exit_code == 2
    wrong = _import(monitors, str(EXPORTS / "glassdoor_reviews.json"), "--source", "nope")
    assert wrong.exit_code == 2 and "expected a review source" in wrong.stderr
