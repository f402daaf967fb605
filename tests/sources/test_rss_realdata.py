"""Every third-party feed under realdata/feedparser and realdata/blogs_news goes through the RSS
source, served over HTTP by the local server with a fitting content type (and the HTTP headers the
feedparser test files ask for in their ``Header:`` lines)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import feedparser
import pytest
from hirewatch.errors import SourceError

from tests.conftest import REALDATA
from tests.support.monitors import feed_source, fetch_once
from tests.support.web_server import WebServer

FEED_DIRS = (REALDATA / "feedparser", REALDATA / "blogs_news")
FEED_FILES = sorted(p for d in FEED_DIRS if d.is_dir() for p in d.rglob("*") if p.suffix in (".xml", ".json"))
HEADER_LINE = re.compile(rb"^Header:\s*([A-Za-z-]+):\s*(.+?)\s*$", re.MULTILINE)


def served_headers(path: Path, body: bytes) -> dict[str, str]:
    """The headers a fitting server would send: the test file's own ``Header:`` lines, else a
    content type by the document's root element."""
    declared = {name.decode().lower(): value.decode() for name, value in HEADER_LINE.findall(body[:2000])}
    if "content-type" not in declared:
        head = body[:4000].lower()
        if path.suffix == ".json":
            declared["content-type"] = "application/feed+json"
        elif b"<feed" in head:
            declared["content-type"] = "application/atom+xml"
        elif b"<rss" in head or b"<rdf" in head:
            declared["content-type"] = "application/rss+xml"
        else:
            declared["content-type"] = "application/xml"
    return declared


@pytest.fixture(scope="module")
def server() -> Iterator[WebServer]:
    """One server for the module: a hundred files do not need a hundred servers."""
    with WebServer() as web:
        yield web


def test_the_realdata_is_there() -> None:
    assert len(FEED_FILES) >= 100, f"expected the realdata feeds beside the project, found {len(FEED_FILES)}"


@pytest.mark.parametrize("path", FEED_FILES, ids=lambda p: str(p.relative_to(REALDATA)))
def test_realdata_feed_goes_through_the_rss_source(server: WebServer, path: Path) -> None:
    body = path.read_bytes()
    headers = served_headers(path, body)
    content_type = headers.pop("content-type")
    headers.pop("content-location", None)  # upstream's test-server address; ours is the real one
    url = server.set("/" + str(path.relative_to(REALDATA)), body, content_type=content_type, headers=headers,
                     conditional=False)
    source = feed_source(url)
    document = fetch_once(source).documents[0]
    # What feedparser alone makes of the same bytes and headers: the reference for the count.
    reference = feedparser.parse(io.BytesIO(body), response_headers=dict(document.headers),
                                 sanitize_html=False, resolve_relative_uris=False)
    try:
        parsed = source.parse_feed(document)
    except SourceError as exc:
        # Only a document feedparser cannot read as a feed at all may be refused, and it says why.
        assert not reference.entries and not reference.get("version"), str(exc)
        assert "not an RSS/Atom feed" in str(exc) or "not a JSON Feed" in str(exc)
        return
    if path.suffix == ".json":
        assert len(parsed.items) == len(json.loads(body)["items"])
    else:
        assert len(parsed.items) == len(reference.entries)
        if reference.bozo and reference.entries:
            assert all(item.bozo for item in parsed.items)
    for item in parsed.items:
        assert item.url or item.key
        assert item.published is None or item.published.tzinfo is UTC
        assert isinstance(item.title, str) and "<" not in item.title.replace("<>", "")


def test_bozo_feeds_with_entries_give_items(server: WebServer) -> None:
    seen = 0
    for path in FEED_FILES:
        body = path.read_bytes()
        reference = feedparser.parse(io.BytesIO(body), response_headers=served_headers(path, body))
        if not (reference.bozo and reference.entries):
            continue
        url = server.set("/bozo/" + str(path.relative_to(REALDATA)), body,
                         content_type=served_headers(path, body)["content-type"])
        parsed = feed_source(url).parse_feed(fetch_once(feed_source(url)).documents[0])
        assert parsed.items and parsed.bozo, path
        seen += 1
    assert seen >= 5  # the realdata has several broken-but-usable feeds
