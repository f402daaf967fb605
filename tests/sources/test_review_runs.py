"""Review sources end to end through the pipeline into the real SQLite store: a re-run against the
same pages adds no mention; one new review on page 1 adds exactly one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hirewatch.config import parse_monitor
from hirewatch.pipeline import run_monitor
from hirewatch.sources.review_source import rating_points
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.review_pages import SURVEY_MONITOR, FakeReview, review_page, reviews, unrecognised_page
from tests.support.web_server import WebServer


def _monitor(web: WebServer):
    return parse_monitor(f"""
name: acme
employer: {{name: Brightwave Logistics, aliases: [Brightwave]}}
fetch: {{allow_loopback: true, contact: ta-ops@brightwave.example, per_host_delay_s: 0}}
sources:
  - {{name: reviews, type: review, url: "{web.url('/reviews/acme')}", site: example, max_pages: 5}}
""")


@pytest.mark.parametrize("conditional", [True, False], ids=["etag", "no-validators"])
def test_rerun_adds_nothing_and_a_new_review_adds_one(web: WebServer, tmp_path: Path, conditional: bool) -> None:
    def pages(first: list[FakeReview]) -> None:
        web.set("/reviews/acme", review_page(first, next_href="/reviews/acme?page=2"),
                content_type="text/html", conditional=conditional)
        web.set("/reviews/acme?page=2", review_page(reviews("b", 4)), content_type="text/html",
                conditional=conditional)

    pages(reviews("a", 4))
    monitor = _monitor(web)
    with SqliteStore(tmp_path / "h.db") as store:
        first = run_monitor(monitor, store, alert=False)
        assert first.failed_sources == [] and first.new_mentions == 8 and store.count("acme") == 8
        web.reset_hits()
        again = run_monitor(monitor, store, alert=False)
        assert again.new_mentions == 0 and store.count("acme") == 8
        assert web.count("/reviews/acme?page=2") == 0  # stopped at page 1
        pages([FakeReview("new1", "Recruiter never called back", "Brightwave ghosted me after the offer.", 1),
               *reviews("a", 3)])
        newer = run_monitor(monitor, store, alert=False)
        assert newer.new_mentions == 1 and store.count("acme") == 9
        state = store.get_crawl_state("acme", "reviews")
        assert state is not None and "review:example:urn:review:new1" in state.seen_ids
        # The pipeline records each run's aggregate rating (ReviewSource.rating_points) for the
        # digest's trend: one point per run, an unchanged page carrying the last rating forward.
        (point,) = rating_points("acme", state)
        assert (point.site, point.rating, point.count) == ("example", pytest.approx(0.55), 120)
        recorded = store.ratings("acme", point.at - timedelta(days=1))
        assert len(recorded) == 3
        assert (recorded[-1].site, recorded[-1].rating, recorded[-1].count) == ("example", pytest.approx(0.55), 120)


def test_a_page_with_no_recognisable_review_fails_with_the_reason(web: WebServer, tmp_path: Path) -> None:
    web.set("/reviews/acme", unrecognised_page(), content_type="text/html")
    with SqliteStore(tmp_path / "h.db") as store:
        report = run_monitor(_monitor(web), store, alert=False)
    (source,) = report.sources
    assert source.status == "failed" and not report.ok  # never "not_modified"
    assert source.error is not None and source.error.startswith("page fetched, no reviews recognised: ")
    assert "no site adapter for example" in source.error and "no JSON-LD" in source.error
    assert "markup changed?" not in source.error  # it never read anything here


def test_markup_changed_after_a_good_run_is_flagged_in_the_run_and_the_digest(web: WebServer,
                                                                              tmp_path: Path) -> None:
    from hirewatch.digest.build import build_digest
    from hirewatch.digest.text_renderer import render_text
    from hirewatch.mention import utcnow

    web.set("/reviews/acme", review_page(reviews("a", 4)), content_type="text/html")
    monitor = _monitor(web)
    with SqliteStore(tmp_path / "h.db") as store:
        good = run_monitor(monitor, store, alert=False)
        (source,) = good.sources
        assert (source.status, source.items, source.via) == ("ok", 4, "JSON-LD")
        web.set("/reviews/acme", unrecognised_page(), content_type="text/html")
        changed = run_monitor(monitor, store, alert=False)
        (source,) = changed.sources
        assert source.status == "failed" and not changed.ok
        assert source.error is not None
        assert source.error.startswith("markup changed? the last good run read 4 items by JSON-LD on ")
        assert "page fetched, no reviews recognised" in source.error
        now = utcnow()
        digest = build_digest([monitor], store, now.astimezone(monitor.tz).date(), now=now)
    health = {s.source: s for s in digest.sources}
    assert health["reviews"].status == "failing"
    assert health["reviews"].error is not None and "markup changed?" in health["reviews"].error
    assert "markup changed?" in render_text(digest)


def test_an_hreview_page_gives_one_mention_per_review_with_its_fields(web: WebServer, tmp_path: Path) -> None:
    from hirewatch.stores.base import MentionQuery

    from tests.conftest import FIXTURES

    page = FIXTURES / "reviews" / "microformats" / "legacy_glassdoor_hreview.html"
    web.set("/reviews/acme", page, content_type="text/html")
    monitor = parse_monitor(f"""
name: acme
employer: {{name: Brightwave Logistics}}
fetch: {{allow_loopback: true, per_host_delay_s: 0}}
sources:
  - {{name: legacy, type: review, url: "{web.url('/reviews/acme')}"}}
""")
    with SqliteStore(tmp_path / "h.db") as store:
        report = run_monitor(monitor, store, alert=False)
        (source,) = report.sources
        assert (source.status, source.items, source.via, source.new_mentions) == ("ok", 3, "microformats", 3)
        mentions = {h.mention.extra["review_id"]: h.mention for h in store.search(MentionQuery(monitor="acme"))}
    first = mentions["empReview_5501"]
    assert first.title == "Recruiters ghosted me after four rounds"
    assert first.published is not None and first.published.date().isoformat() == "2013-03-11"
    assert (first.extra["rating"], first.extra["role"], first.extra["employment"]) == (0.0, "Warehouse Supervisor",
                                                                                       "former")
    assert (first.extra["pros"], first.extra["cons"]) == ("Friendly colleagues on the floor",
                                                          "Nobody from HR answered for six weeks")
    assert mentions["empReview_5503"].author == "Anna de Vries"


def test_a_review_source_reads_an_export_file_beside_the_monitor(tmp_path: Path) -> None:
    import shutil

    from hirewatch.config import load_monitor

    from tests.conftest import FIXTURES

    exports = tmp_path / "exports"
    exports.mkdir()
    shutil.copy(FIXTURES / "reviews" / "exports" / "reviews_mixed_encoding.csv", exports / "survey.csv")
    (exports / "empty.csv").write_text("a;b\n1;2\n")
    nothing = '  - {name: nothing, type: review, url: "file:exports/empty.csv"}\n'
    (tmp_path / "acme.yaml").write_text(SURVEY_MONITOR + nothing)
    monitor = load_monitor(tmp_path / "acme.yaml")
    with SqliteStore(tmp_path / "h.db") as store:
        first = run_monitor(monitor, store, alert=False)
        survey, nothing = first.sources
        assert (survey.status, survey.items, survey.new_mentions) == ("ok", 2, 2)
        assert survey.via == "file (csv, columns)"
        assert survey.bozo == "2 bytes that are not UTF-8 read as cp1252 (line 2, 3)"
        assert nothing.status == "failed" and nothing.error is not None
        assert nothing.error.startswith("file read (csv), no reviews recognised")
        again = run_monitor(monitor, store, alert=False)
        assert again.sources[0].new_mentions == 0 and store.count("acme") == 2
