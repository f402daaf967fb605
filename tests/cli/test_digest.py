"""``hirewatch digest --date --out [--monitor] [--send]`` through the real CLI, monitor files and
SqliteStore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hirewatch.cli import app
from hirewatch.config import SourceSpec
from hirewatch.sources import registry
from hirewatch.sources.base import Source
from hirewatch.stores.sqlite_store import SqliteStore
from typer.testing import CliRunner

from tests.digest.factory import mention, run, utc


class _DigestTestSource(Source):
    """A source kind for these monitor files only: the digest never fetches, it reads the store,
    so the test does not depend on which real source kinds exist."""

    kind = "digest-test"
    Spec = SourceSpec

    async def fetch(self, fetcher, state):  # pragma: no cover - never called by the digest
        raise AssertionError("the digest must not fetch")

    def parse(self, document):  # pragma: no cover
        raise AssertionError("the digest must not parse")


MONITOR = """\
name: {name}
employer:
  name: {employer}
sources:
  - name: news
    type: digest-test
    url: https://feeds.example/news.xml
routing:
  timezone: Europe/Amsterdam
  digest:
    recipients: [{recipient}]
"""


@pytest.fixture()
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The registry's table, extended for this test only (monkeypatch undoes it).
    monkeypatch.setitem(registry._REGISTRY, "digest-test", _DigestTestSource)
    monitors = tmp_path / "monitors"
    monitors.mkdir()
    (monitors / "acme.yaml").write_text(MONITOR.format(name="acme", employer="Acme", recipient="ta@example.com"))
    (monitors / "beta.yaml").write_text(MONITOR.format(name="beta", employer="Beta", recipient="beta@example.com"))
    db = tmp_path / "cli.db"
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(db))
    with SqliteStore(db) as store:
        store.upsert_mentions([mention("bad", utc(2026, 5, 12, 9), label="negative", score=-0.7),
                               mention("ok", utc(2026, 5, 12, 10))])
        store.record_run(run("acme", utc(2026, 5, 12, 5), news=("ok", "", 2)))
    return monitors


def test_digest_to_a_file(setup: Path, tmp_path: Path) -> None:
    out = tmp_path / "sample.html"
    result = CliRunner().invoke(app, ["digest", "--date", "2026-05-12", "--out", str(out), "--monitor", "acme",
                                      "--monitors", str(setup)])
    assert result.exit_code == 0, result.output
    assert "2 new mentions on Tue 12 May (1 negative)" in result.output
    assert out.is_file() and "Acme" in out.read_text(encoding="utf-8")


def test_digest_json_and_default_directory(setup: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["digest", "--date", "2026-05-12", "--json", "--monitors", str(setup)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] is True
    assert {g["group"]: g["mentions"] for g in data["groups"]} == {"acme": 2, "beta": 0}
    home = tmp_path / "hirewatch-home" / "digests"
    assert sorted(p.name for p in home.iterdir()) == ["acme-2026-05-12.html", "beta-2026-05-12.html"]


def test_digest_send_mails_it(setup: Path, smtp_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HIREWATCH_SMTP_URL", smtp_server.url())
    result = CliRunner().invoke(app, ["digest", "--date", "2026-05-12", "--monitor", "acme", "--send",
                                      "--out", str(tmp_path / "d"), "--monitors", str(setup)])
    assert result.exit_code == 0, result.output
    assert "mailed to ta@example.com" in result.output
    assert "skipped slack: no digest slack_channel in the monitor" in result.output
    assert [r.rcpt_tos for r in smtp_server.received] == [["ta@example.com"]]


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "12-05-2026"], "--date: expected YYYY-MM-DD"),
    (["--monitor", "nope"], "no valid monitor named 'nope'"),
    (["--out", "one.html"], "one output file was given for 2 digests"),
])
def test_bad_input_exits_2(setup: Path, args, message) -> None:
    result = CliRunner().invoke(app, ["digest", "--monitors", str(setup), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_failed_delivery_exits_1(setup: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.digest.conftest import _free_port

    monkeypatch.setenv("HIREWATCH_SMTP_URL", f"smtp://127.0.0.1:{_free_port()}?timeout=5")
    result = CliRunner().invoke(app, ["digest", "--date", "2026-05-12", "--monitor", "acme", "--send",
                                      "--out", str(tmp_path / "d"), "--monitors", str(setup)])
    assert result.exit_code == 1
    assert "failed mail: SMTP 127.0.0.1:" in result.output
