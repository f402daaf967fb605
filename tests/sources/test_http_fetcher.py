"""HttpFetcher over real HTTP against the local test server: limits, conditional GET, errors."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
import zlib

import pytest
from hirewatch.addresses import address_kind
from hirewatch.config import FetchSettings
from hirewatch.errors import FetchError
from hirewatch.records import CrawlState
from hirewatch.sources.http_fetcher import (
    HttpFetcher,
    address_refusal,
    retry_after_seconds,
    user_agent,
)

from tests.support.web_server import WebServer

LOCAL = FetchSettings(allow_loopback=True, timeout_s=5)
FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


def fetch(url: str, settings: FetchSettings = LOCAL, **kwargs):
    async def go():
        async with HttpFetcher(settings) as fetcher:
            return await fetcher.get(url, settings=settings, **kwargs)

    return asyncio.run(go())


def fetch_error(url: str, settings: FetchSettings = LOCAL, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, settings, **kwargs)
    return info.value


def test_plain_get_sends_an_honest_user_agent(web: WebServer) -> None:
    url = web.set("/feed", FEED)
    doc = fetch(url, FetchSettings(allow_loopback=True, contact="ops@example.org"))
    assert doc.status == 200 and doc.body == FEED
    assert doc.headers["content-type"].startswith("application/rss+xml")
    assert doc.final_url == url
    agent = web.hits[0].headers["User-Agent"]
    assert agent.startswith("hirewatch/") and agent.endswith("(+ops@example.org)")
    assert agent == user_agent("ops@example.org")


def test_conditional_get_gives_304_with_both_validators(web: WebServer) -> None:
    url = web.set("/feed", FEED)
    first = fetch(url)
    state = CrawlState(etag=first.headers["etag"], last_modified=first.headers["last-modified"])
    second = fetch(url, state=state)
    assert second.status == 304 and second.body == b""
    assert web.count("/feed") == 2 and web.count("/feed", status=304) == 1
    sent = web.hits[1].headers
    assert sent["If-None-Match"] == state.etag and sent["If-Modified-Since"] == state.last_modified
    # A changed body is fetched again in full.
    web.set("/feed", FEED.replace(b"<title>t", b"<title>u"))
    third = fetch(url, state=state)
    assert third.status == 200 and b"<title>u" in third.body


def test_last_modified_alone_is_enough(web: WebServer) -> None:
    url = web.set("/feed", FEED)
    first = fetch(url)
    doc = fetch(url, state=CrawlState(last_modified=first.headers["last-modified"]))
    assert doc.status == 304
    assert "If-None-Match" not in web.hits[1].headers


def test_gzip_body_is_decoded(web: WebServer) -> None:
    url = web.set("/feed", FEED * 100, gzip=True)
    doc = fetch(url)
    assert doc.body == FEED * 100
    assert "content-encoding" not in doc.headers


def test_server_error_is_a_fetch_error_with_the_status(web: WebServer) -> None:
    url = web.set("/feed", b"oops", status=500)
    error = fetch_error(url, monitor="acme", source="blog")
    assert error.status == 500
    assert str(error).startswith("in source 'blog' of monitor 'acme': server error 500 from http://127.0.0.1:")


def test_429_keeps_retry_after(web: WebServer) -> None:
    url = web.set("/feed", b"slow down", status=429, headers={"Retry-After": "120"})
    error = fetch_error(url)
    assert error.status == 429 and error.retry_after == 120.0
    assert "rate limited" in str(error) and "retry after 120 s" in str(error)


def test_404_is_a_fetch_error(web: WebServer) -> None:
    error = fetch_error(web.url("/missing"))
    assert error.status == 404 and "HTTP 404" in str(error)


def test_slow_answer_times_out(web: WebServer) -> None:
    url = web.set("/slow", FEED, delay_s=3)
    started = time.monotonic()
    error = fetch_error(url, FetchSettings(allow_loopback=True, timeout_s=0.3))
    assert time.monotonic() - started < 2.5
    assert "timed out after 0.3 s" in str(error)


def test_connection_refused_is_a_fetch_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        error = fetch_error(f"http://127.0.0.1:{port}/feed")
    assert "could not connect to 127.0.0.1" in str(error)


def test_oversized_body_with_content_length_is_refused(web: WebServer) -> None:
    url = web.set("/big", b"x" * 300_000)
    error = fetch_error(url, FetchSettings(allow_loopback=True, max_bytes=100_000))
    assert "larger than the limit of 100000 bytes" in str(error) and "Content-Length 300000" in str(error)


def test_oversized_chunked_body_is_stopped_while_streaming(web: WebServer) -> None:
    url = web.set("/big", b"x" * 3_000_000, chunked=True)
    error = fetch_error(url, FetchSettings(allow_loopback=True, max_bytes=100_000))
    assert "larger than the limit of 100000 bytes" in str(error)
    assert "Content-Length" not in str(error)
    # just under the cap passes
    web.set("/ok", b"y" * 99_000, chunked=True)
    assert len(fetch(web.url("/ok"), FetchSettings(allow_loopback=True, max_bytes=100_000)).body) == 99_000


def test_gzip_bomb_is_stopped_after_decompression(web: WebServer) -> None:
    bomb = b"\0" * 30_000_000
    url = web.set("/bomb", bomb, gzip=True)
    wire = len(gzip.compress(bomb))
    assert wire < 100_000  # small on the wire: only the decoded size can catch it
    error = fetch_error(url, FetchSettings(allow_loopback=True, max_bytes=1_000_000))
    assert "larger than the limit of 1000000 bytes once decompressed" in str(error)


def test_raw_deflate_and_zlib_bodies_are_decoded(web: WebServer) -> None:
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_body = raw.compress(FEED) + raw.flush()
    web.set("/raw", raw_body, headers={"Content-Encoding": "deflate"})
    web.set("/zlib", zlib.compress(FEED), headers={"Content-Encoding": "deflate"})
    assert fetch(web.url("/raw")).body == FEED
    assert fetch(web.url("/zlib")).body == FEED


def test_unknown_content_encoding_is_refused(web: WebServer) -> None:
    url = web.set("/br", b"\x0b\x02\x80hello\x03", headers={"Content-Encoding": "br"})
    assert "unsupported Content-Encoding 'br'" in str(fetch_error(url))


def test_redirects_are_followed_and_reported(web: WebServer) -> None:
    web.set("/feed", FEED)
    web.set("/old", redirect_to="/feed", status=301)
    doc = fetch(web.url("/old"))
    assert doc.body == FEED and doc.final_url == web.url("/feed") and doc.url == web.url("/old")


def test_redirect_loop_is_refused(web: WebServer) -> None:
    web.set("/a", redirect_to="/b")
    web.set("/b", redirect_to="/a")
    error = fetch_error(web.url("/a"))
    assert "redirect loop" in str(error)
    assert web.count() == 2


def test_redirect_limit(web: WebServer) -> None:
    for i in range(4):
        web.set(f"/r{i}", redirect_to=f"/r{i + 1}")
    web.set("/r4", FEED)
    assert fetch(web.url("/r0"), FetchSettings(allow_loopback=True, max_redirects=4)).body == FEED
    web.reset_hits()
    error = fetch_error(web.url("/r0"), FetchSettings(allow_loopback=True, max_redirects=3))
    assert "too many redirects (more than 3)" in str(error)
    assert web.count("/r4") == 0


def test_loopback_is_refused_unless_allowed(web: WebServer) -> None:
    url = web.set("/feed", FEED)
    error = fetch_error(url, FetchSettings())
    assert "127.0.0.1 is loopback" in str(error) and "fetch.allow_loopback" in str(error)
    assert web.count() == 0  # refused before connecting


def test_redirect_to_link_local_metadata_address_is_refused(web: WebServer) -> None:
    web.set("/feed", redirect_to="http://169.254.169.254/latest/meta-data/")
    error = fetch_error(web.url("/feed"))
    assert "169.254.169.254 is link-local" in str(error)
    assert error.url == "http://169.254.169.254/latest/meta-data/"


def test_localhost_name_resolves_to_loopback_and_is_refused(web: WebServer) -> None:
    web.set("/feed", FEED)
    url = web.url("/feed").replace("127.0.0.1", "localhost")
    assert "is loopback" in str(fetch_error(url, FetchSettings()))


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (to serve a first hop from), if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_redirect_to_a_loopback_target_is_refused_when_not_allowed(web: WebServer) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to serve the first hop from")
    inner = web.set("/admin", b"secret")
    with WebServer(host=address) as outer:
        outer.set("/feed", redirect_to=inner)
        settings = FetchSettings(allow_private_addresses=True, allow_loopback=False)
        error = fetch_error(outer.url("/feed"), settings)
        assert outer.count("/feed") == 1
    assert "127.0.0.1 is loopback" in str(error)
    assert web.count() == 0


def test_address_policy() -> None:
    assert address_kind("8.8.8.8") == "public"
    assert address_kind("::ffff:127.0.0.1") == "loopback"
    assert address_kind("0.0.0.0") == "loopback"
    assert address_kind("10.0.0.1") == "private"
    assert address_kind("100.64.0.1") == "private"  # carrier-grade NAT is not global
    assert address_kind("fe80::1") == "link-local"
    assert address_kind("224.0.0.1") == "multicast"
    assert address_refusal("10.0.0.1", FetchSettings(allow_loopback=True))
    assert address_refusal("10.0.0.1", FetchSettings(allow_private_addresses=True)) is None
    assert address_refusal("127.0.0.1", FetchSettings(allow_private_addresses=True))
    assert address_refusal("224.0.0.1", FetchSettings(allow_private_addresses=True, allow_loopback=True))


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


def test_per_host_concurrency_is_respected(web: WebServer) -> None:
    for i in range(12):
        web.set(f"/f{i}", FEED, delay_s=0.2)
    settings = FetchSettings(allow_loopback=True, per_host_concurrency=3, concurrency=32)

    async def go():
        async with HttpFetcher(settings) as fetcher:
            started = time.monotonic()
            await asyncio.gather(*(fetcher.get(web.url(f"/f{i}"), settings=settings) for i in range(12)))
            return time.monotonic() - started

    elapsed = asyncio.run(go())
    # 12 requests of 0.2 s, 3 at a time: 4 waves (0.8 s); all at once would be ~0.2 s.
    assert elapsed >= 0.75


def test_concurrent_fetches_overlap(web: WebServer) -> None:
    for i in range(16):
        web.set(f"/f{i}", FEED, delay_s=0.25)
    settings = FetchSettings(allow_loopback=True, per_host_concurrency=16, concurrency=16)

    async def go():
        async with HttpFetcher(settings) as fetcher:
            started = time.monotonic()
            await asyncio.gather(*(fetcher.get(web.url(f"/f{i}"), settings=settings) for i in range(16)))
            return time.monotonic() - started

    assert asyncio.run(go()) < 16 * 0.25 / 2  # well under sequential (4 s)


def test_per_host_delay_spaces_requests(web: WebServer) -> None:
    for i in range(4):
        web.set(f"/f{i}", FEED)
    settings = FetchSettings(allow_loopback=True, per_host_delay_s=0.15)

    async def go():
        async with HttpFetcher(settings) as fetcher:
            started = time.monotonic()
            await asyncio.gather(*(fetcher.get(web.url(f"/f{i}"), settings=settings) for i in range(4)))
            return time.monotonic() - started

    # Four starts 0.15 s apart: the last cannot begin before 0.45 s (the server's own clock is
    # too jittery on a loaded machine to check each gap).
    assert asyncio.run(go()) >= 0.44
    assert web.count() == 4


def test_not_a_url_is_a_fetch_error() -> None:
    assert "not an http(s) URL" in str(fetch_error("ftp://example.org/feed"))
    assert "not an http(s) URL" in str(fetch_error("feed.xml"))


def _fetch_file(url: str, base_dir, state=None, settings: FetchSettings = LOCAL):
    async def go():
        async with HttpFetcher(settings, base_dir=base_dir) as fetcher:
            return await fetcher.get(url, state=state, settings=settings, monitor="acme", source="local")

    return asyncio.run(go())


def test_file_urls_read_beside_the_monitor_with_validators(tmp_path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "a.xml").write_bytes(FEED)
    doc = _fetch_file("file:feeds/a.xml", tmp_path)
    assert doc.status == 200 and doc.body == FEED and doc.headers["content-type"] == "application/xml"
    again = _fetch_file("file:feeds/a.xml", tmp_path, CrawlState(etag=doc.headers["etag"]))
    assert again.status == 304 and again.body == b""
    (tmp_path / "feeds" / "a.xml").write_bytes(FEED + b"\n")
    assert _fetch_file("file:feeds/a.xml", tmp_path, CrawlState(etag=doc.headers["etag"])).status == 200


def test_file_urls_stay_inside_the_monitor_directory(tmp_path) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    with pytest.raises(FetchError, match="outside"):
        _fetch_file("file:../secret.txt", tmp_path / "inside")
    with pytest.raises(FetchError, match="only relative file: URLs"):
        _fetch_file("file:///etc/passwd", tmp_path)
    with pytest.raises(FetchError, match="this run has none"):
        _fetch_file("file:secret.txt", None)
    with pytest.raises(FetchError, match="cannot read"):
        _fetch_file("file:missing.xml", tmp_path)
    (tmp_path / "big.xml").write_bytes(b"x" * 2000)
    with pytest.raises(FetchError, match="larger than the limit of 1000 bytes"):
        _fetch_file("file:big.xml", tmp_path, settings=FetchSettings(max_bytes=1000))


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999/x", "http://exa mple.invalid/x", "http:///nohost"])
def test_malformed_urls_are_fetch_errors(url: str) -> None:
    error = fetch_error(url)
    assert url[:10] in str(error) or "resolve" in str(error)


def test_malformed_redirect_target_is_a_fetch_error(web: WebServer) -> None:
    web.set("/feed", redirect_to="http://[::1/broken")
    assert "location" in str(fetch_error(web.url("/feed"))).lower()


def test_redirect_without_location(web: WebServer) -> None:
    web.set("/feed", b"", status=302)
    # The server always adds Location for redirect_to routes; a bare 302 status route has none.
    assert "without a Location header" in str(fetch_error(web.url("/feed")))


def test_one_connection_serves_conditional_reruns_and_errors(web: WebServer) -> None:
    url = web.set("/feed", FEED)
    web.set("/down", b"x" * 1000, status=503)

    async def go():
        async with HttpFetcher(LOCAL) as fetcher:
            first = await fetcher.get(url, settings=LOCAL)
            state = CrawlState(etag=first.headers["etag"])
            for _ in range(5):
                assert (await fetcher.get(url, settings=LOCAL, state=state)).status == 304
            for _ in range(3):
                with pytest.raises(FetchError):
                    await fetcher.get(web.url("/down"), settings=LOCAL)

    asyncio.run(go())
    assert web.statuses() == {200: 1, 304: 5, 503: 3}
    assert web.connections == 1  # the small bodies are drained, so keep-alive holds
