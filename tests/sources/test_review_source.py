"""The review source against the local web server: robots.txt, per-host delay, User-Agent,
pagination, stop at the first page of seen reviews, conditional GET, the Trustpilot API mode."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest
from hirewatch.config import parse_monitor
from hirewatch.errors import FetchError, SourceError
from hirewatch.records import CrawlState, FetchOutcome, RawItem
from hirewatch.sources.http_fetcher import HttpFetcher
from hirewatch.sources.registry import build_source
from hirewatch.sources.review_source import ReviewSource, next_page_by_param, rating_points

from tests.conftest import FIXTURES
from tests.support.review_pages import review_page, reviews
from tests.support.web_server import WebServer


def _monitor(web: WebServer, *, sources: str, fetch: str = "  per_host_delay_s: 0\n"):
    text = f"""
name: acme
employer: {{name: Brightwave Logistics}}
fetch:
  allow_loopback: true
  contact: ta-ops@brightwave.example
{fetch}
sources:
{sources}
"""
    return parse_monitor(text.replace("BASE", web.url("")))


def _source(web: WebServer, extra: str = "", fetch: str = "  per_host_delay_s: 0\n",
            url: str = "BASE/reviews/acme") -> ReviewSource:
    monitor = _monitor(web, sources=f"  - name: reviews\n    type: review\n    url: {url}\n    site: example\n{extra}",
                       fetch=fetch)
    source = build_source(monitor.sources[0], monitor)
    assert isinstance(source, ReviewSource)
    return source


def _fetch(source: ReviewSource, state: CrawlState | None = None) -> FetchOutcome:
    async def go() -> FetchOutcome:
        async with HttpFetcher(source.monitor.fetch) as fetcher:
            return await source.fetch(fetcher, state)

    return asyncio.run(go())


def _three_pages(web: WebServer) -> None:
    web.set("/reviews/acme", review_page(reviews("a", 3), next_href="/reviews/acme?page=2"), content_type="text/html")
    web.set("/reviews/acme?page=2", review_page(reviews("b", 3), next_href="/reviews/acme?page=3"),
            content_type="text/html")
    web.set("/reviews/acme?page=3", review_page(reviews("c", 3)), content_type="text/html")


def test_robots_disallow_means_the_page_is_not_fetched(web: WebServer) -> None:
    _three_pages(web)
    web.set("/robots.txt", "User-agent: *\nDisallow: /reviews/\n", content_type="text/plain")
    with pytest.raises(FetchError, match=r"robots\.txt"):
        _fetch(_source(web))
    assert web.count("/robots.txt") == 1
    assert web.count("/reviews/acme") == 0 and len(web.hits) == 1


def test_robots_rules_for_hirewatch_apply_and_others_do_not(web: WebServer) -> None:
    _three_pages(web)
    web.set("/robots.txt", "User-agent: hirewatch\nDisallow: /reviews/acme?page=3\n\nUser-agent: *\nDisallow: /\n",
            content_type="text/plain")
    outcome = _fetch(_source(web))
    assert len(outcome.documents) == 2 and outcome.state.extra["stopped"] == "robots.txt"
    assert web.count("/reviews/acme?page=3") == 0 and web.count("/reviews/acme?page=2") == 1


def test_robots_txt_is_fetched_once_per_host_per_run(web: WebServer) -> None:
    _three_pages(web)
    web.set("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    monitor = _monitor(web, sources="""  - {name: one, type: review, url: "BASE/reviews/acme", site: example}
  - {name: two, type: review, url: "BASE/reviews/acme?page=3", site: example}
""")

    async def go() -> None:
        async with HttpFetcher(monitor.fetch) as fetcher:
            await asyncio.gather(*(build_source(s, monitor).fetch(fetcher, None) for s in monitor.sources))

    asyncio.run(go())
    assert web.count("/robots.txt") == 1
    asyncio.run(go())  # a new run (a new fetcher) reads it again
    assert web.count("/robots.txt") == 2


def test_robots_txt_server_error_disallows_and_missing_allows(web: WebServer) -> None:
    _three_pages(web)
    web.set("/robots.txt", "down", status=503, content_type="text/plain")
    with pytest.raises(FetchError, match="unreachable"):
        _fetch(_source(web, "    max_pages: 1\n"))
    assert web.count("/reviews/acme") == 0
    del web.routes["/robots.txt"]  # 404: no rules
    assert len(_fetch(_source(web, "    max_pages: 1\n")).documents) == 1


def test_per_host_delay_holds_between_requests(web: WebServer) -> None:
    _three_pages(web)
    _fetch(_source(web, "    delay_s: 0.4\n"))
    starts = [hit.at for hit in web.hits]
    assert [h.path for h in web.hits] == ["/robots.txt", "/reviews/acme", "/reviews/acme?page=2",
                                          "/reviews/acme?page=3"]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Pacing spaces request starts; the server sees arrivals, which a loaded machine can shift by
    # the connection set-up of the first request, so the span is the firm check.
    assert starts[-1] - starts[0] >= 3 * 0.4 * 0.95, gaps
    assert min(gaps) >= 0.4 - 0.15, gaps


def test_robots_crawl_delay_lengthens_the_delay(web: WebServer) -> None:
    _three_pages(web)
    web.set("/robots.txt", "User-agent: hirewatch\nCrawl-delay: 0.5\nAllow: /\n", content_type="text/plain")
    _fetch(_source(web, "    delay_s: 0.05\n    max_pages: 2\n"))
    page_hits = [h.at for h in web.hits if h.path.startswith("/reviews")]
    assert page_hits[1] - page_hits[0] >= 0.5 - 0.1  # 0.05 without the Crawl-delay


def test_default_delay_is_one_second_for_reviews_unless_the_monitor_sets_one(web: WebServer) -> None:
    assert _source(web, fetch="").delay() == 1.0
    assert _source(web, fetch="  per_host_delay_s: 0.2\n").delay() == 0.2
    assert _source(web, "    delay_s: 3\n").delay() == 3


def test_user_agent_names_hirewatch_and_the_contact(web: WebServer) -> None:
    _three_pages(web)
    _fetch(_source(web, "    max_pages: 1\n"))
    agents = {h.headers.get("User-Agent") for h in web.hits}
    assert len(agents) == 1
    (agent,) = agents
    assert agent.startswith("hirewatch/") and "ta-ops@brightwave.example" in agent


def test_pagination_follows_next_links_up_to_max_pages(web: WebServer) -> None:
    _three_pages(web)
    outcome = _fetch(_source(web, "    max_pages: 2\n"))
    assert [d.url for d in outcome.documents] == [web.url("/reviews/acme"), web.url("/reviews/acme?page=2")]
    assert web.count("/reviews/acme?page=3") == 0
    assert outcome.state.extra["stopped"] == "max_pages" and len(outcome.state.seen_ids) == 6
    assert outcome.requests == 3  # robots.txt + two pages


def test_pagination_by_page_parameter_when_there_is_no_next_link(web: WebServer) -> None:
    web.set("/r", review_page(reviews("a", 2)), content_type="text/html")
    web.set("/r?pg=2", review_page(reviews("b", 2)), content_type="text/html")
    web.set("/r?pg=3", "gone", status=404, content_type="text/html")
    outcome = _fetch(_source(web, "    page_param: pg\n    max_pages: 5\n", url="BASE/r"))
    # Page 3 is a 404: the crawl ends with what it has.
    assert len(outcome.documents) == 2 and outcome.state.extra["stopped"] == "error"
    # A page that repeats this run's reviews (the server ignores an unknown page) ends it too.
    del web.routes["/r?pg=3"]
    assert _fetch(_source(web, "    page_param: pg\n    max_pages: 5\n", url="BASE/r")).state.extra["stopped"] == "seen"
    assert next_page_by_param("https://x.example/r?page=4&sort=new", 1, None) == "https://x.example/r?sort=new&page=5"
    assert next_page_by_param("https://x.example/r", 1, None) is None


def test_stops_at_the_first_page_of_seen_reviews(web: WebServer) -> None:
    _three_pages(web)
    first = _fetch(_source(web))
    assert len(first.documents) == 3
    web.reset_hits()
    # Nothing new: page 1 is fetched (its validators changed: no 304 here) and the crawl stops.
    state = CrawlState(seen_ids=first.state.seen_ids)
    again = _fetch(_source(web), state)
    # Read, not "not modified": the page was fetched and its reviews recognised (all seen before).
    assert again.documents == () and not again.not_modified and again.state.extra["stopped"] == "seen"
    assert (again.found, again.via) == (3, "JSON-LD")
    assert web.count("/reviews/acme") == 1 and web.count("/reviews/acme?page=2") == 0
    # One new review on page 1: only page 1 comes back, page 2 (all seen) stops the crawl.
    web.set("/reviews/acme", review_page([*reviews("n", 1), *reviews("a", 2)], next_href="/reviews/acme?page=2"),
            content_type="text/html")
    newer = _fetch(_source(web), again.state)
    assert [d.url for d in newer.documents] == [web.url("/reviews/acme")]
    assert newer.state.seen_ids[0] == "review:example:urn:review:n0"
    assert set(first.state.seen_ids) < set(newer.state.seen_ids)


def test_conditional_get_on_the_first_page(web: WebServer) -> None:
    _three_pages(web)
    first = _fetch(_source(web, "    max_pages: 1\n"))
    assert first.state.etag
    web.reset_hits()
    second = _fetch(_source(web, "    max_pages: 1\n"), first.state)
    assert second.not_modified and second.documents == ()
    assert web.count("/reviews/acme", status=304) == 1
    assert second.state.seen_ids == first.state.seen_ids
    # An unchanged page keeps its rating for this run's point of the trend.
    (before,), (after,) = rating_points("acme", first.state), rating_points("acme", second.state)
    assert (after.rating, after.count) == (before.rating, before.count) and after.at > before.at


def test_first_page_failure_is_a_fetch_error(web: WebServer) -> None:
    web.set("/reviews/acme", "oops", status=500, content_type="text/html")
    with pytest.raises(FetchError, match="500"):
        _fetch(_source(web))


def test_parse_gives_one_item_per_review_naming_the_entity(web: WebServer) -> None:
    web.set("/reviews/acme", (FIXTURES / "reviews" / "glassdoor_reviews.html").read_bytes(), content_type="text/html")
    monitor = _monitor(web, sources="  - {name: gd, type: review, url: 'BASE/reviews/acme', site: glassdoor}\n")
    source = build_source(monitor.sources[0], monitor)
    outcome = _fetch(source)
    items = [item for doc in outcome.documents for item in source.parse(doc)]
    assert [i.key for i in items] == ["review:glassdoor:84512345", "review:glassdoor:84500001",
                                      "review:glassdoor:84499990"]
    assert all(i.extra["entity"] == "Brightwave Logistics" for i in items)
    assert items[0].extra["rating"] == 0.0 and items[0].extra["employment"] == "former"
    (point,) = source.rating_points(outcome)
    assert (point.monitor, point.site, point.rating, point.count) == ("acme", "glassdoor", 0.6, 1342)


def test_rating_points_without_an_aggregate_are_empty() -> None:
    assert rating_points("acme", CrawlState()) == [] and rating_points("acme", None) == []


def test_review_spec_is_validated() -> None:
    from hirewatch.errors import ConfigError

    with pytest.raises(ConfigError, match="http"):
        parse_monitor("name: x\nemployer: {name: X}\nsources:\n  - {type: review, url: 'ftp://x.example/r'}\n")
    with pytest.raises(ConfigError, match="relative to the monitor's directory"):
        parse_monitor("name: x\nemployer: {name: X}\nsources:\n  - {type: review, url: 'file:../secret.csv'}\n")
    with pytest.raises(ConfigError, match="unknown field 'stars'"):
        parse_monitor("name: x\nemployer: {name: X}\nsources:\n  - {type: review, url: 'file:r.csv', "
                      "columns: {stars: Rating}}\n")
    with pytest.raises(ConfigError, match="secrets are never read"):
        parse_monitor("name: x\nemployer: {name: X}\nsources:\n"
                      "  - {type: review, url: 'https://x.example', api: trustpilot, api_key: abc}\n")


def test_trustpilot_api_mode(web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.loads((FIXTURES / "reviews" / "trustpilot_api_reviews.json").read_text())
    body["links"] = []
    web.set("/v1/business-units/5f1234abcd/reviews", json.dumps(body), content_type="application/json")
    web.set("/v1/business-units/5f1234abcd", (FIXTURES / "reviews" / "trustpilot_api_business_unit.json").read_bytes(),
            content_type="application/json")
    source = _source(web, "    api: trustpilot\n", url="BASE/v1/business-units/5f1234abcd/reviews")
    with pytest.raises(SourceError, match="HIREWATCH_TRUSTPILOT_API_KEY"):
        _fetch(source)
    monkeypatch.setenv("HIREWATCH_TRUSTPILOT_API_KEY", "tp-secret-key")
    outcome = _fetch(source)
    items = [i for d in outcome.documents for i in source.parse(d)]
    assert [i.key for i in items] == ["review:trustpilot:65f0c0ffee0a1b2c3d4e5f60",
                                      "review:trustpilot:65efab12cd34ef5678901234"]
    assert all(h.headers.get("apikey") == "tp-secret-key" for h in web.hits)
    assert all("tp-secret-key" not in h.path for h in web.hits)
    assert source.rating_points(outcome)[0].rating == 0.325
    assert web.count("/robots.txt") == 0  # an API is not crawled


def test_the_api_key_does_not_follow_a_redirect_to_another_host(web: WebServer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_TRUSTPILOT_API_KEY", "tp-secret-key")
    other_host = web.url("/elsewhere").replace("127.0.0.1", "localhost")
    web.set("/v1/business-units/5f1234abcd/reviews", status=302, redirect_to=other_host)
    web.set("/elsewhere", json.dumps({"reviews": []}), content_type="application/json")
    web.set("/v1/business-units/5f1234abcd", "{}", content_type="application/json")
    _fetch(_source(web, "    api: trustpilot\n", url="BASE/v1/business-units/5f1234abcd/reviews"))
    by_path = {h.path.split("?")[0]: h.headers for h in web.hits}
    assert by_path["/v1/business-units/5f1234abcd/reviews"].get("apikey") == "tp-secret-key"
    assert "apikey" not in {k.lower() for k in by_path["/elsewhere"]}


def test_a_review_that_does_not_name_the_employer_keeps_the_reviewers_text() -> None:
    from hirewatch.extract.review_extract import name_entity

    item = RawItem(title="Langweilig.", url="https://reviews.example/a#r1", text="Langweilig.",
                   extra={"site": "example"})
    named = name_entity(item, "Brightwave Logistics")
    assert named.text == "Langweilig." and named.extra["entity"] == "Brightwave Logistics"
