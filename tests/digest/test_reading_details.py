"""What a lead reading the digest trips over: the negatives it does not list (a count and where to
read them: Kibana, or a ``hirewatch search`` that really lists them), when an item was published
beside when it was seen, and source health on a day without any run (not "2 of 2 ran without
trouble" above an empty table). Built from a real SqliteStore, rendered by the real renderers."""

from __future__ import annotations

import json
import shlex
from datetime import date, timedelta
from pathlib import Path

import pytest
from hirewatch.digest.build import build_digest
from hirewatch.digest.html_renderer import render_html
from hirewatch.digest.slack_summary import summary_payload
from hirewatch.digest.text_renderer import render_text
from typer.testing import CliRunner

from tests.digest.factory import mention, monitor, run, utc

DAY = date(2026, 5, 12)
NOW = utc(2026, 5, 13, 5)


def _noon(day: date):  # type: ignore[no-untyped-def]
    return utc(day.year, day.month, day.day, 10)


def _six_negatives(store) -> None:  # type: ignore[no-untyped-def]
    store.upsert_mentions([mention(f"neg{i}", _noon(DAY), label="negative", score=-0.2 - i / 10) for i in range(6)]
                          + [mention("pos", _noon(DAY), label="positive", score=0.8)])
    store.record_run(run("acme", _noon(DAY), news="ok", blog="ok", reviews="ok"))


def test_the_negatives_not_listed_are_counted_with_a_search_that_lists_them(
        store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIREWATCH_KIBANA_URL", raising=False)
    _six_negatives(store)
    digest = build_digest([monitor(top_items=5)], store, DAY, now=NOW)
    assert len(digest.items) == 5 and digest.more_negatives == 1
    assert digest.negatives_link is None
    text = render_text(digest)
    assert "1 more negative yesterday:" in text
    assert f"   {digest.negatives_command}" in text
    html = render_html(digest).html
    assert "1 more negative yesterday" in html and digest.negatives_command in html

    # The command, run as printed, lists every negative of the day (the one left out included).
    from hirewatch.cli import app

    monkeypatch.setenv("HIREWATCH_HOME", str(tmp_path))
    (tmp_path / "monitors").mkdir()
    (tmp_path / "monitors" / "acme.yaml").write_text(
        'employer: {name: Acme}\nsources:\n  - {name: news, type: rss, url: "https://news.example/feed"}\n',
        encoding="utf-8")
    monkeypatch.setenv("HIREWATCH_MONITORS", str(tmp_path / "monitors"))
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(store.path))
    argv = shlex.split(digest.negatives_command or "")
    assert argv[0] == "hirewatch"
    result = CliRunner().invoke(app, [*argv[1:], "--json"])
    assert result.exit_code == 0, result.output
    listed = {m["title"] for m in json.loads(result.output)}
    assert listed == {f"Story neg{i}" for i in range(6)}


def test_with_kibana_the_rest_is_a_discover_link(store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_KIBANA_URL", "http://127.0.0.1:5601")
    _six_negatives(store)
    digest = build_digest([monitor(top_items=5)], store, DAY, now=NOW)
    link = digest.negatives_link or ""
    assert link.startswith("http://127.0.0.1:5601/app/discover#/?")
    assert "sentiment_label" in link and "acme" in link and "2026-05-11T22:00:00Z" in link
    assert f'href="{link.replace("&", "&amp;")}"' in render_html(digest).html
    assert f"Kibana: {link}" in render_text(digest)


def test_all_negatives_shown_means_no_more_line(store) -> None:
    _six_negatives(store)
    digest = build_digest([monitor(top_items=10)], store, DAY, now=NOW)
    assert digest.more_negatives == 0 and digest.negatives_command is None
    assert "more negative" not in render_text(digest)


def test_published_is_shown_beside_seen(store) -> None:
    old = utc(2026, 4, 30, 7, 15)
    store.upsert_mentions([mention("old-story", _noon(DAY), label="negative", score=-0.6, published=old)])
    digest = build_digest([monitor()], store, DAY, now=NOW)
    text = render_text(digest)
    assert "published Thu 30 Apr 09:15 · seen 12:00" in text
    assert "published Thu 30 Apr 09:15 · seen 12:00" in render_html(digest).html


def test_a_day_without_a_run_does_not_claim_healthy_sources(store) -> None:
    store.record_run(run("acme", _noon(DAY - timedelta(days=2)), news="ok", blog="ok", reviews="ok"))
    digest = build_digest([monitor()], store, DAY, now=NOW)
    assert digest.monitors_without_runs == ("acme",)
    assert {s.status for s in digest.sources} == {"no_run"} and digest.checked == ()
    text = render_text(digest)
    health = text[text.index("SOURCE HEALTH"):]
    assert "ran without trouble" not in health
    assert "No run recorded yesterday for acme: its sources were not checked" in health
    html = render_html(digest).html
    assert "ran without trouble" not in html
    assert "<th>Source</th>" not in html, "no empty table"
    assert "not checked" in html
    fields = [f["text"] for b in summary_payload(digest)["blocks"] for f in b.get("fields", [])]
    assert "*Sources*\nnot checked (no run)" in fields


def test_a_day_with_a_run_counts_the_checked_sources(store) -> None:
    store.record_run(run("acme", _noon(DAY), news="ok", blog=("failed", "HTTP 500"), reviews="ok"))
    digest = build_digest([monitor()], store, DAY, now=NOW)
    assert "2 of 3 sources ran without trouble." in render_text(digest)
