"""Sources that break: every failure is recorded against its source, the other sources go on,
and nothing is fetched from an address the monitor did not allow. Real HTTP on 127.0.0.1 (the
local web server, a raw socket server), the real fetcher, pipeline and SQLite store."""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hirewatch.config import FetchSettings, Monitor
from hirewatch.errors import FetchError
from hirewatch.pipeline import run_monitor
from hirewatch.report import RunReport, SourceReport
from hirewatch.sources.http_fetcher import HttpFetcher, address_refusal
from hirewatch.sources.rss_source import MAX_FEED_ITEMS
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.reliability.conftest import NOW, RawServer, rss, story
from tests.support.monitors import make_monitor
from tests.support.web_server import WebServer


def monitor_of(urls: dict[str, str], **fetch: Any) -> Monitor:
    return make_monitor([{"type": "rss", "name": name, "url": url} for name, url in urls.items()],
                        fetch=fetch or None)


def run(monitor: Monitor, store: SqliteStore) -> tuple[RunReport, dict[str, SourceReport]]:
    report = run_monitor(monitor, store, alert=False)
    return report, {s.source: s for s in report.sources}


def good_feed(web: WebServer) -> str:
    return web.set("/good.xml", rss([story(1001), story(1002, negative=False)]))


def assert_only_failed(by_name: dict[str, SourceReport], name: str, *needles: str) -> str:
    """``name`` failed with every needle in its error; the good source next to it did its work."""
    failed = by_name[name]
    assert failed.status == "failed", failed
    for needle in needles:
        assert needle in (failed.error or ""), failed.error
    assert by_name["good"].status == "ok" and by_name["good"].new_mentions == 2
    return failed.error or ""


# --------------------------------------------------------------------------- transport faults


def test_source_timeout(web: WebServer, store: SqliteStore) -> None:
    # A first run loads the models: the language detector and the sentiment model hold the GIL for
    # seconds while they load once per process, which would delay every timer of that run.
    run(monitor_of({"good": good_feed(web)}), store)
    slow = web.set("/slow.xml", rss([story(9)]), delay_s=8)
    web.set("/good.xml", rss([story(1003), story(1004, negative=False)]))
    _, by_name = run(monitor_of({"slow": slow, "good": web.url("/good.xml")}, timeout_s=0.5), store)
    assert_only_failed(by_name, "slow", "timed out after 0.5 s")
    assert by_name["slow"].seconds < 4, "the time limit covers the whole answer, not each packet"


def test_the_time_limit_spans_redirects(web: WebServer, store: SqliteStore) -> None:
    """Five hops of 0.5 s each with ``timeout_s: 1.5``: each hop is within the limit, the whole
    answer is not, so the source fails at the limit (it succeeded after 2.5 s before)."""
    run(monitor_of({"good": good_feed(web)}), store)  # models loaded (see test_source_timeout)
    for hop in range(4):
        web.set(f"/hop{hop}", redirect_to=f"/hop{hop + 1}", delay_s=0.5)
    web.set("/hop4", rss([story(77)]), delay_s=0.5)
    web.set("/good.xml", rss([story(1005), story(1006, negative=False)]))
    _, by_name = run(monitor_of({"chain": web.url("/hop0"), "good": web.url("/good.xml")}, timeout_s=1.5), store)
    assert_only_failed(by_name, "chain", "timed out after 1.5 s (the whole answer, redirects included)")
    assert by_name["chain"].seconds < 2.4
    assert web.count("/hop4") == 0


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_connection_reset_mid_response(web: WebServer, store: SqliteStore, reset: bool) -> None:
    partial = rss([story(n) for n in range(20)])[:700]
    reply = (b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
             b"Content-Length: %d\r\n\r\n" % (len(partial) * 3)) + partial
    with RawServer(reply, reset=reset) as raw:
        _, by_name = run(monitor_of({"cut": raw.url(), "good": good_feed(web)}), store)
    assert raw.accepted >= 1
    assert_only_failed(by_name, "cut", "connection error", raw.url())
    assert store.get_crawl_state("acme", "cut") is None, "a failed fetch keeps no validators"


def test_connection_reset_before_headers(web: WebServer, store: SqliteStore) -> None:
    with RawServer(b"", reset=True) as raw:
        _, by_name = run(monitor_of({"cut": raw.url(), "good": good_feed(web)}), store)
    assert_only_failed(by_name, "cut", "connection error")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error(web: WebServer, store: SqliteStore, status: int) -> None:
    broken = web.set("/broken.xml", b"<html>oops</html>", status=status)
    _, by_name = run(monitor_of({"broken": broken, "good": good_feed(web)}), store)
    assert_only_failed(by_name, "broken", f"server error {status}")


def test_rate_limited_with_retry_after_is_not_asked_again_before_then(web: WebServer, store: SqliteStore) -> None:
    limited = web.set("/limited.xml", b"slow down", status=429, headers={"Retry-After": "120"})
    monitor = monitor_of({"limited": limited, "good": good_feed(web)})
    _, by_name = run(monitor, store)
    assert_only_failed(by_name, "limited", "429", "retry after 120 s")
    assert web.count("/limited.xml") == 1
    # The next run honours the wait: no request to the site before then, and it says why.
    web.set("/limited.xml", rss([story(5)]))
    _, by_name = run(monitor, store)
    assert by_name["limited"].status == "failed" and "asked to wait until" in (by_name["limited"].error or "")
    assert web.count("/limited.xml") == 1
    # Once the wait is over, the source is fetched again.
    state = store.get_crawl_state("acme", "limited")
    assert state is not None
    past = {**state.extra, "retry_after_until": (NOW - timedelta(seconds=1)).isoformat()}
    store.put_crawl_state("acme", "limited", state.__class__(state.etag, state.last_modified, state.seen_ids, past))
    _, by_name = run(monitor, store)
    assert by_name["limited"].status == "ok" and by_name["limited"].new_mentions == 1
    assert "retry_after_until" not in (store.get_crawl_state("acme", "limited") or state).extra


def test_retry_after_is_capped(web: WebServer, store: SqliteStore) -> None:
    limited = web.set("/limited.xml", b"", status=503, headers={"Retry-After": str(10 * 365 * 86400)})
    run(monitor_of({"limited": limited, "good": good_feed(web)}), store)
    state = store.get_crawl_state("acme", "limited")
    assert state is not None
    from datetime import datetime

    until = datetime.fromisoformat(state.extra["retry_after_until"])
    assert until - NOW < timedelta(days=1, hours=1), "a hostile Retry-After never parks a source for years"


# --------------------------------------------------------------------------- size


def test_body_over_the_cap(web: WebServer, store: SqliteStore) -> None:
    body = rss([story(n, description="x" * 2000) for n in range(200)])
    assert len(body) > 300_000
    big = web.set("/big.xml", body)
    chunked = web.set("/chunked.xml", body, chunked=True)
    _, by_name = run(monitor_of({"big": big, "chunked": chunked, "good": good_feed(web)}, max_bytes=100_000), store)
    assert_only_failed(by_name, "big", "larger than the limit of 100000 bytes", "Content-Length")
    assert_only_failed(by_name, "chunked", "larger than the limit of 100000 bytes")


def test_gzip_bomb_stops_at_the_cap(web: WebServer, store: SqliteStore) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    url = web.set("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        _, by_name = run(monitor_of({"bomb": url, "good": good_feed(web)}, max_bytes=1_000_000), store)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_only_failed(by_name, "bomb", "larger than the limit of 1000000 bytes once decompressed")
    assert peak < 20_000_000, f"decompression must stop at the cap, peak was {peak / 1e6:.0f} MB"


# --------------------------------------------------------------------------- redirects


def test_redirect_loop_and_endless_chain(web: WebServer, store: SqliteStore) -> None:
    web.set("/a", redirect_to="/b")
    web.set("/b", redirect_to="/a")
    for n in range(40):
        web.set(f"/r{n}", redirect_to=f"/r{n + 1}")
    _, by_name = run(monitor_of({"loop": web.url("/a"), "chain": web.url("/r0"), "good": good_feed(web)},
                                max_redirects=5), store)
    assert_only_failed(by_name, "loop", "redirect loop")
    assert_only_failed(by_name, "chain", "too many redirects (more than 5)")
    assert sum(web.count(f"/r{n}") for n in range(40)) == 6, "one request per allowed hop, then stop"


TARGETS = {
    "private": "http://10.0.0.1/feed.xml",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "metadata-decimal": "http://2852039166/latest/meta-data/",
    "metadata-hex": "http://0xA9FEA9FE/latest/meta-data/",
    "metadata-v6-mapped": "http://[::ffff:169.254.169.254]/latest/",
    "lan": "http://192.168.1.1/",
    "ula-v6": "http://[fd00::1]/",
}


def test_redirects_to_internal_addresses_are_refused_before_connecting(
        web: WebServer, store: SqliteStore, connections: Callable[[], list]) -> None:
    urls = {}
    for name, target in TARGETS.items():
        web.set(f"/to-{name}", redirect_to=target)
        urls[name] = web.url(f"/to-{name}")
    _, by_name = run(monitor_of({**urls, "good": good_feed(web)}), store)
    for name in TARGETS:
        error = by_name[name].error or ""
        assert by_name[name].status == "failed" and "refused: the address" in error, (name, error)
        assert "fetch.allow_private_addresses: true" in error, error
    assert by_name["good"].status == "ok"
    attempts = connections()
    assert any(address[0] == "127.0.0.1" for address in attempts), "the guard sees the connections made"
    outside = [address for address in attempts if address[0] not in ("127.0.0.1", "::1")]
    assert outside == [], f"no connection may be attempted to a refused address: {outside}"


def test_loopback_is_refused_unless_the_monitor_allows_it(web: WebServer, store: SqliteStore) -> None:
    feed = good_feed(web)
    monitor = make_monitor([{"type": "rss", "name": "local", "url": feed},
                            {"type": "rss", "name": "named", "url": feed.replace("127.0.0.1", "localhost")}],
                           fetch={"allow_loopback": False})
    _, by_name = run(monitor, store)
    for name in ("local", "named"):
        assert by_name[name].status == "failed" and "is loopback" in (by_name[name].error or "")
        assert "fetch.allow_loopback: true" in (by_name[name].error or "")
    assert web.count() == 0, "refused before any request"
    # The same policy judges a redirect's target (the first hop of a test is loopback itself, so
    # a redirect *to* loopback is shown on the policy every hop goes through).
    strict = FetchSettings()
    for address in ("127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "::ffff:127.0.0.1"):
        assert "loopback" in (address_refusal(address, strict) or ""), address
    assert address_refusal("127.0.0.1", FetchSettings(allow_loopback=True)) is None
    assert address_refusal("10.0.0.1", FetchSettings(allow_private_addresses=True)) is None
    assert address_refusal("169.254.169.254", FetchSettings(allow_private_addresses=True)) is None


def test_redirect_hop_is_checked_by_the_fetcher_itself(web: WebServer, connections: Callable[[], list]) -> None:
    import asyncio

    web.set("/hop", redirect_to=TARGETS["metadata"])

    async def go() -> None:
        async with HttpFetcher(FetchSettings(allow_loopback=True)) as fetcher:
            await fetcher.get(web.url("/hop"))

    with pytest.raises(FetchError) as caught:
        asyncio.run(go())
    assert caught.value.url == TARGETS["metadata"] and "link-local" in str(caught.value)
    attempts = connections()
    assert attempts and [c for c in attempts if c[0] != "127.0.0.1"] == []


# --------------------------------------------------------------------------- broken bodies


def test_wrong_and_missing_charset(web: WebServer, store: SqliteStore) -> None:
    items = [story(1, title="Acme café interview was a terrible, awful experience for Zoë"), story(2)]
    latin = rss(items, encoding="iso-8859-1", declare=False)
    wrong = web.set("/wrong.xml", rss(items, encoding="windows-1252").replace(b'encoding="windows-1252"', b""),
                    content_type="application/rss+xml; charset=utf-8")
    missing = web.set("/missing.xml", latin, content_type="application/rss+xml")
    _, by_name = run(monitor_of({"wrong": wrong, "missing": missing, "good": good_feed(web)}), store)
    for name in ("wrong", "missing"):
        assert by_name[name].status == "ok" and by_name[name].items == 2, by_name[name]
    titles = [h.mention.title for h in store.search(MentionQuery(source="missing", limit=10))]
    assert any("café" in t and "Zoë" in t for t in titles), titles
    assert by_name["wrong"].bozo, "a charset the bytes do not match is reported"


def test_truncated_xml_keeps_the_complete_items(web: WebServer, store: SqliteStore) -> None:
    body = rss([story(n) for n in range(10)])
    # Cut inside the 7th item's link: ".../acme/6" becomes ".../acme/": a wrong URL if it were kept.
    cut = body[: body.index(b"/acme/6</link>") + len(b"/acme/")]
    truncated = web.set("/truncated.xml", cut)
    _, by_name = run(monitor_of({"truncated": truncated, "good": good_feed(web)}), store)
    report = by_name["truncated"]
    assert report.status == "ok" and report.items == 6 and "ends inside an item" in (report.bozo or ""), report
    urls = sorted(h.mention.url for h in store.search(MentionQuery(source="truncated", limit=50)))
    assert urls == sorted(f"https://news.example.com/acme/{n}" for n in range(6)), "no item with a cut link"


def test_html_page_where_a_feed_was_expected(web: WebServer, store: SqliteStore) -> None:
    page = web.set("/page", "<!doctype html><html><head><title>Acme careers</title></head>"
                   "<body><h1>Acme</h1><p>Jobs at Acme</p></body></html>", content_type="text/html; charset=utf-8")
    _, by_name = run(monitor_of({"page": page, "good": good_feed(web)}), store)
    assert_only_failed(by_name, "page", "is not an RSS/Atom feed", "text/html")


def test_feed_of_100000_items_is_capped(web: WebServer, store: SqliteStore) -> None:
    items = "".join(f"<item><title>Acme hiring {n}</title><link>https://e.example/{n}</link></item>"
                    for n in range(100_000))
    body = f'<rss version="2.0"><channel><title>huge</title>{items}</channel></rss>'.encode()
    assert len(body) < 10_000_000
    huge = web.set("/huge.xml", body)
    _, by_name = run(monitor_of({"huge": huge, "good": good_feed(web)}), store)
    report = by_name["huge"]
    assert report.status == "ok" and report.items == MAX_FEED_ITEMS, report
    assert f"first {MAX_FEED_ITEMS} items" in (report.bozo or ""), report.bozo
    # Feeds list the newest first: the first items are the ones kept.
    assert store.get(store.search(MentionQuery(source="huge", text="hiring", limit=1))[0].mention.id)
    kept = {h.mention.url for h in store.search(MentionQuery(source="huge", limit=5000))}
    assert "https://e.example/0" in kept and f"https://e.example/{MAX_FEED_ITEMS}" not in kept


def test_json_feed_of_many_items_is_capped(web: WebServer, store: SqliteStore) -> None:
    import json

    items = [{"id": str(n), "url": f"https://e.example/j{n}", "title": f"Acme hiring {n}"} for n in range(5000)]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "j", "items": items})
    url = web.set("/feed.json", body, content_type="application/feed+json")
    _, by_name = run(monitor_of({"json": url, "good": good_feed(web)}), store)
    assert by_name["json"].items == MAX_FEED_ITEMS and f"first {MAX_FEED_ITEMS}" in (by_name["json"].bozo or "")


# --------------------------------------------------------------------------- identity and dates


def test_duplicate_guids(web: WebServer, store: SqliteStore) -> None:
    same_guid_other_links = [story(1, guid="dup"), story(2, guid="dup")]
    same_item_twice = [story(3, guid="again"), story(3, guid="again")]
    url = web.set("/dups.xml", rss(same_guid_other_links + same_item_twice))
    _, by_name = run(monitor_of({"dups": url, "good": good_feed(web)}), store)
    assert by_name["dups"].items == 4
    urls = sorted(h.mention.url for h in store.search(MentionQuery(source="dups", limit=10)))
    assert urls == [f"https://news.example.com/acme/{n}" for n in (1, 2, 3)], "the id comes from the URL"


def test_guids_that_change_on_every_fetch_make_no_duplicates(web: WebServer, store: SqliteStore,
                                                                tmp_path: Path) -> None:
    monitor = monitor_of({"churn": web.url("/churn.xml"), "good": good_feed(web)})
    web.set("/churn.xml", rss([story(n, guid=f"run1-{n}") for n in range(5)]))
    first, _ = run(monitor, store)
    web.set("/churn.xml", rss([story(n, guid=f"run2-{n}") for n in range(5)]))
    second, by_name = run(monitor, store)
    assert by_name["churn"].status == "ok" and by_name["churn"].items == 5
    assert second.new_mentions == 0 and store.count("acme") == first.new_mentions == 7


def test_dates_in_the_future_are_clamped_and_missing_dates_sort_by_fetch(web: WebServer,
                                                                          store: SqliteStore) -> None:
    future = NOW + timedelta(days=365 * 70)
    items = [story(1, date=future), story(2, date=None), story(3)]
    url = web.set("/dates.xml", rss(items))
    _, by_name = run(monitor_of({"dates": url, "good": good_feed(web)}), store)
    assert by_name["dates"].status == "ok"
    hits = {h.mention.url.rsplit("/", 1)[-1]: h.mention for h in store.search(MentionQuery(source="dates"))}
    clamped = hits["1"]
    assert clamped.published is not None and clamped.published <= clamped.fetched
    assert clamped.extra["published_claimed"].startswith(str(future.year))
    assert hits["2"].published is None
    assert hits["3"].published is not None and abs(hits["3"].published - NOW) < timedelta(seconds=2)
    # Newest first means by the clamped date: the future item does not sit on top forever.
    newest = store.search(MentionQuery(monitor="acme", limit=10))
    assert all((m.mention.published or m.mention.fetched) <= m.mention.fetched + timedelta(seconds=1)
               for m in newest)


#: IPv6 forms that carry an internal IPv4 address: compatible, translated, NAT64, 6to4.
EMBEDDED_V4_TARGETS = {
    "compatible-metadata": "http://[::169.254.169.254]/latest/",
    "translated-metadata": "http://[::ffff:0:a9fe:a9fe]/latest/",
    "nat64-private": "http://[64:ff9b::a00:1]/",
    "nat64-local-use": "http://[64:ff9b:1::c0a8:101]/",
    "6to4-private": "http://[2002:c0a8:101::1]/",
}


def test_ipv6_forms_of_ipv4_addresses_are_judged_by_the_ipv4_inside(
        web: WebServer, store: SqliteStore, connections: Callable[[], list]) -> None:
    port = web.url("/").split(":")[2].split("/")[0]
    web.set("/feed.xml", rss([story(1)]))
    loopbacks = {"compatible": f"http://[::127.0.0.1]:{port}/feed.xml",
                 "translated": f"http://[::ffff:0:7f00:1]:{port}/feed.xml"}
    _, by_name = run(make_monitor([{"type": "rss", "name": name, "url": url} for name, url in loopbacks.items()],
                                  fetch={"allow_loopback": False}), store)
    for name in loopbacks:
        error = by_name[name].error or ""
        assert by_name[name].status == "failed" and "is loopback" in error, (name, error)
    urls = {}
    for name, target in EMBEDDED_V4_TARGETS.items():
        web.set(f"/to-{name}", redirect_to=target)
        urls[name] = web.url(f"/to-{name}")
    _, by_name = run(monitor_of(urls), store)
    for name in EMBEDDED_V4_TARGETS:
        error = by_name[name].error or ""
        assert by_name[name].status == "failed" and "refused: the address" in error, (name, error)
    outside = [address for address in connections() if address[0] not in ("127.0.0.1", "::1")]
    assert outside == [], f"no connection may be attempted to a refused address: {outside}"
    strict = FetchSettings()
    assert address_refusal("::8.8.8.8", strict) is None and address_refusal("2606:4700::1111", strict) is None
