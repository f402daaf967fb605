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

from tests.support.review_pages import FakeReview, review_page, reviews
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
