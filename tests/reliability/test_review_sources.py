"""Review pages that break or turn hostile: the review source (schema.org JSON-LD pages, crawled
with the same fetcher) fails alone, never loops on its own pagination, and what strangers put in a
review (a rating that is not a number, a 5 MB body, mentions, control characters) is stored within
the limits. Real HTTP on 127.0.0.1, the real pipeline and SQLite store."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hirewatch.extract.limits import TEXT_LIMIT, TITLE_LIMIT
from hirewatch.pipeline import run_monitor
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.reliability.conftest import rss, story
from tests.support.monitors import make_monitor
from tests.support.review_pages import FakeReview, review_page, reviews
from tests.support.web_server import WebServer

EMPLOYER = {"name": "Brightwave Logistics", "aliases": ["Brightwave"]}


def monitor_with(web: WebServer, review_path: str, **review: Any):
    web.set("/news.xml", rss([story(n, employer="Brightwave") for n in range(2)]))
    return make_monitor([
        {"type": "review", "name": "reviews", "url": web.url(review_path), "delay_s": 0, "max_pages": 5, **review},
        {"type": "rss", "name": "news", "url": web.url("/news.xml")},
    ], employer=EMPLOYER)


def by_source(report: Any) -> dict[str, Any]:
    return {s.source: s for s in report.sources}


def test_review_site_down(web: WebServer, store: SqliteStore) -> None:
    web.set("/company/reviews", "<html>maintenance</html>", status=503, content_type="text/html")
    report = run_monitor(monitor_with(web, "/company/reviews"), store, alert=False)
    sources = by_source(report)
    assert sources["reviews"].status == "failed" and "503" in (sources["reviews"].error or "")
    assert sources["news"].status == "ok" and sources["news"].new_mentions == 2


def test_pagination_that_loops_stops(web: WebServer, store: SqliteStore) -> None:
    web.set("/r/1", review_page(reviews("a", 3), next_href="/r/2"), content_type="text/html")
    web.set("/r/2", review_page(reviews("b", 3), next_href="/r/1"), content_type="text/html")
    report = run_monitor(monitor_with(web, "/r/1"), store, alert=False)
    assert by_source(report)["reviews"].status == "ok"
    assert web.count("/r/1") + web.count("/r/2") <= 5, "at most max_pages requests, never a loop"
    assert store.count("acme") == 6 + 2


def test_hostile_review_content(web: WebServer, store: SqliteStore) -> None:
    huge = "Brightwave ghosted me <!channel> \x1b[31m" + " and it was awful" * 300_000
    hostile = [FakeReview("h1", "Brightwave \x07<@U123> " + "x" * 5000, huge, rating="four stars"),  # type: ignore[arg-type]
               FakeReview("h2", "Brightwave interview", "Slow and rude.", rating=1)]
    page = review_page(hostile, aggregate=None).replace(
        "</head>", '<script type="application/ld+json">{"@type": "Review", broken</script></head>')
    web.set("/hostile", page, content_type="text/html")
    report = run_monitor(monitor_with(web, "/hostile"), store, alert=False)
    sources = by_source(report)
    assert sources["reviews"].status == "ok" and sources["reviews"].new_mentions == 2, sources["reviews"]
    for hit in store.search(MentionQuery(source="reviews")):
        m = hit.mention
        assert len(m.title) <= TITLE_LIMIT and len(m.text) <= TEXT_LIMIT
        assert "\x1b" not in m.text and "\x07" not in m.title
        rating = m.extra.get("rating")
        assert rating is None or isinstance(rating, int | float), rating  # a number or nothing
        json.dumps(m.extra)


def test_the_api_key_goes_only_to_its_own_origin(web: WebServer, store: SqliteStore,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A Trustpilot API answer whose next-page link leads to another host, or to plain http on a
    public host: refused with the reason, the key never sent there."""
    monkeypatch.setenv("HIREWATCH_TRUSTPILOT_API_KEY", "FAKE-origin-key-1234")
    review = {"id": "r1", "title": "Brightwave interview", "text": "Brightwave ghosted me.", "stars": 1,
              "createdAt": "2026-01-01T00:00:00Z"}
    elsewhere = web.url("/v1/stolen").replace("127.0.0.1", "localhost")
    for link, reason in ((elsewhere, "another origin"), ("http://api.example.com/v1/next", "another origin")):
        web.set("/v1/business-units/b/reviews", json.dumps({"reviews": [review], "links": [
            {"rel": "next-page", "href": link}]}), content_type="application/json")
        web.set("/v1/stolen", json.dumps({"reviews": []}), content_type="application/json")
        web.reset_hits()
        monitor = make_monitor([{"type": "review", "name": "reviews", "api": "trustpilot", "delay_s": 0,
                                 "max_pages": 3, "url": web.url("/v1/business-units/b/reviews")}],
                               employer=EMPLOYER)
        report = run_monitor(monitor, store, alert=False)
        (source,) = report.sources
        assert source.status == "failed" and reason in (source.error or ""), source
        assert "the API key was not sent" in (source.error or "")
        assert web.count("/v1/stolen") == 0
        assert all(h.headers.get("apikey") == "FAKE-origin-key-1234" for h in web.hits)
    # Plain http to a public host: refused before anything is sent.
    from hirewatch.errors import SourceError
    from hirewatch.sources.registry import build_source

    public = make_monitor([{"type": "review", "name": "reviews", "api": "trustpilot",
                            "url": "http://api.example.com/v1/business-units/b/reviews"}], employer=EMPLOYER)
    source_obj = build_source(public.sources[0], public)
    with pytest.raises(SourceError, match="only sent over https"):
        source_obj._check_key_origin(public.sources[0].url)


def test_a_crawl_delay_is_bounded_by_the_source_budget_and_the_place_is_kept(web: WebServer,
                                                                               store: SqliteStore) -> None:
    """A review site asking for ``Crawl-delay: 2`` over 4 pages, a source budget of 3 s: a run
    stops starting requests at the budget and the crawl state keeps the next page; the following
    runs read the new first page, then go on from that place, until every review is stored."""
    web.set("/robots.txt", "User-agent: *\nCrawl-delay: 2\n", content_type="text/plain")
    for n in range(1, 5):
        web.set(f"/p/{n}", review_page(reviews(f"p{n}-", 3), next_href=f"/p/{n + 1}" if n < 4 else None),
                content_type="text/html")
    monitor = make_monitor([{"type": "review", "name": "reviews", "url": web.url("/p/1"), "max_pages": 10}],
                           employer=EMPLOYER, fetch={"source_budget_s": 3, "respect_robots_txt": True})
    first = run_monitor(monitor, store, alert=False).sources[0]
    assert first.status == "ok", first
    state = store.get_crawl_state("acme", "reviews")
    fetched = [n for n in range(1, 5) if web.count(f"/p/{n}")]
    assert state is not None and state.extra["stopped"] == "budget", state
    assert fetched == list(range(1, len(fetched) + 1)) and len(fetched) < 4, fetched
    assert state.extra["resume_url"].endswith(f"/p/{len(fetched) + 1}")
    assert store.count("acme") == 3 * len(fetched)
    for _ in range(5):
        report = run_monitor(monitor, store, alert=False).sources[0]
        assert report.status == "ok", report
        if store.count("acme") == 12:
            break
    assert store.count("acme") == 12, "every page's reviews arrive over the next runs"
    assert all(web.count(f"/p/{n}") >= 1 for n in range(2, 5))
    assert "resume_url" not in store.get_crawl_state("acme", "reviews").extra


def test_a_run_has_a_time_budget(web: WebServer, store: SqliteStore) -> None:
    """Three sources on one slow host, one request at a time, a run budget of 1 s: the first
    request starts within the budget and completes; the others would start after it, so they are
    reported 'not fetched' without a request and left for the next run (no crawl state kept)."""
    web.set("/slow.xml", rss([story(1, employer="Brightwave")]), delay_s=2)
    sources = [{"type": "rss", "name": f"s{n}", "url": web.url("/slow.xml")} for n in range(3)]
    monitor = make_monitor(sources, employer=EMPLOYER,
                           fetch={"run_budget_s": 1, "per_host_concurrency": 1, "timeout_s": 10})
    report = run_monitor(monitor, store, alert=False)
    statuses = sorted((s.status, s.error or "") for s in report.sources)
    assert statuses[0] == ("failed", statuses[0][1]) and statuses[2][0] == "ok", statuses
    for status, error in statuses[:2]:
        assert status == "failed" and "not fetched: the run's time budget of 1 s" in error, statuses
    assert web.count("/slow.xml") == 1
    assert sum(store.get_crawl_state("acme", f"s{n}") is None for n in range(3)) == 2
