"""Importing review exports into the real SQLite store: one mention per review with rating and
date, a second import adds nothing, repaired bytes are reported, a dry run stores nothing, imported
negatives do not page the on-call channel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hirewatch.config import load_monitor
from hirewatch.errors import ConfigError
from hirewatch.review_import import import_file
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.conftest import FIXTURES
from tests.support.review_pages import SURVEY_MONITOR

EXPORTS = FIXTURES / "reviews" / "exports"


@pytest.fixture()
def monitor(tmp_path: Path):
    path = tmp_path / "acme.yaml"
    path.write_text(SURVEY_MONITOR + '  - {name: feed, type: rss, url: "https://news.example/feed.xml"}\n')
    return load_monitor(path)


@pytest.mark.parametrize("name", ["trustpilot_page_data.json", "glassdoor_reviews.json", "glassdoor_reviews.ndjson"])
def test_import_gives_one_mention_per_review_with_rating_and_date_and_a_second_adds_nothing(
        monitor, tmp_path: Path, name: str) -> None:
    with SqliteStore(tmp_path / "h.db") as store:
        report = import_file(monitor, store, EXPORTS / name)
        (line,) = report.sources
        assert line.status == "ok" and report.ok, line
        stored = [h.mention for h in store.search(MentionQuery(monitor="acme", limit=100))]
        assert len(stored) == line.items == line.new_mentions > 0
        assert all(m.extra.get("rating") is not None and m.published is not None for m in stored)
        assert all(m.source_kind == "review" or m.sources for m in stored)
        again = import_file(monitor, store, EXPORTS / name)
        assert again.sources[0].new_mentions == 0 and store.count("acme") == len(stored)
        assert store.pending_alerts("acme") == []  # imported history does not page anyone


def test_import_through_the_monitors_column_mapping_reports_repaired_bytes(monitor, tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "h.db") as store:
        report = import_file(monitor, store, EXPORTS / "reviews_mixed_encoding.csv")
        (line,) = report.sources
        assert (line.source, line.items, line.new_mentions, line.via) == (
            "import:reviews_mixed_encoding.csv", 2, 2, "file (csv, columns)")
        assert line.bozo == "2 bytes that are not UTF-8 read as cp1252 (line 2, 3)"
        authors = sorted(h.mention.author for h in store.search(MentionQuery(monitor="acme")))
        assert authors == ["Loïc", "Zoë"]
        assert {h.mention.extra["site"] for h in store.search(MentionQuery(monitor="acme"))} == {"candidate-survey"}


def test_dry_run_counts_and_stores_nothing(monitor, tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "h.db") as store:
        report = import_file(monitor, store, EXPORTS / "glassdoor_reviews.json", dry_run=True)
        assert (report.sources[0].items, report.sources[0].new_mentions) == (2, 2)
        assert report.notes == ["dry run: nothing was stored"] and store.count("acme") == 0


def test_a_file_without_reviews_fails_and_a_wrong_source_is_bad_input(monitor, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text('[{"name": "x"}]')
    with SqliteStore(tmp_path / "h.db") as store:
        report = import_file(monitor, store, empty)
        assert report.sources[0].status == "failed" and not report.ok
        assert report.sources[0].error.startswith("file read (json), no reviews recognised")
        with pytest.raises(ConfigError, match="expected a review source"):
            import_file(monitor, store, EXPORTS / "glassdoor_reviews.json", source="feed")


def test_negatives_are_alerted_when_asked(monitor, tmp_path: Path) -> None:
    shutil.copy(EXPORTS / "glassdoor_reviews.json", tmp_path / "g.json")
    with SqliteStore(tmp_path / "h.db") as store:
        import_file(monitor, store, tmp_path / "g.json", alert=True)
        wanted = [h.mention for h in store.search(MentionQuery(monitor="acme")) if h.mention.wants_alert]
        assert wanted and {m.id for m in store.pending_alerts("acme")} == {m.id for m in wanted}
