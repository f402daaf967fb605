"""The RSS/Atom source over real HTTP: items, conditional re-fetch, charsets, broken feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hirewatch.errors import ConfigError, FetchError, SourceError
from hirewatch.sources.rss_source import RssSource

from tests.conftest import FIXTURES
from tests.support.monitors import feed_source, fetch_items, fetch_once, make_monitor
from tests.support.web_server import WebServer

FEEDS = FIXTURES / "sources"


def test_items_from_a_feedburner_feed(web: WebServer) -> None:
    url = web.set("/blog.xml", FEEDS / "feedburner_rss.xml")
    outcome, items = fetch_items(feed_source(url))
    assert outcome.requests == 1 and not outcome.not_modified
    assert outcome.state.etag and outcome.state.last_modified
    first, relative, bare = items
    assert first.title == "Interview loop at Acme took eleven weeks"
    assert first.url.startswith("https://careers-weekly.example/2024/05/acme-interview?")  # origLink, not feedproxy
    assert first.published == datetime(2024, 5, 14, 7, 30, tzinfo=UTC)
    assert first.author == "Jo Writer" and first.guid == "cw-1001" and first.key is None
    assert "<b>Acme</b>" in first.html and "Second paragraph" in first.html  # content over summary
    assert first.extra["feed_title"] == "Careers Weekly" and first.extra["tags"] == ["hiring"]
    assert first.bozo is None
    assert relative.url == web.url("/2024/05/relative")  # resolved against where we fetched it
    assert relative.published == datetime(2024, 5, 16, 4, 30, tzinfo=UTC)
    assert relative.html == "Plain words only."  # RSS descriptions are HTML by definition
    assert bare.url == "" and bare.key == "guid:cw-1003"


def test_second_run_is_one_conditional_request(web: WebServer) -> None:
    url = web.set("/blog.xml", FEEDS / "feedburner_rss.xml")
    source = feed_source(url)
    first, _ = fetch_items(source)
    again, items = fetch_items(source, first.state)
    assert again.not_modified and again.documents == () and items == []
    assert again.state.etag == first.state.etag and again.state.last_modified == first.state.last_modified
    assert web.count("/blog.xml") == 2 and web.count("/blog.xml", status=304) == 1
    assert web.hits[1].headers["If-None-Match"] == first.state.etag


def test_http_charset_decodes_the_body(web: WebServer) -> None:
    body = ("<rss version='2.0'><channel><title>Caf\u00e9</title><item><title>Nestl\u00e9 r\u00e9sum\u00e9</title>"
            "<link>https://x.example/a</link></item></channel></rss>").encode("iso-8859-1")
    url = web.set("/latin1.xml", body, content_type="application/rss+xml; charset=ISO-8859-1")
    _, items = fetch_items(feed_source(url))
    assert items[0].title == "Nestl\u00e9 r\u00e9sum\u00e9"


def test_bozo_feed_with_entries_keeps_them_and_says_why(web: WebServer) -> None:
    body = (b"<rss version='2.0'><channel><title>t</title><item><title>Acme &amp; co</title>"
            b"<link>https://x.example/a</link><description>one</description></item>"
            b"<item><title>Broken & unescaped</title><link>https://x.example/b</link></item></channel>")
    url = web.set("/broken.xml", body)
    _, items = fetch_items(feed_source(url))
    assert [i.url for i in items] == ["https://x.example/a", "https://x.example/b"]
    assert all(i.bozo and "SAXParseException" in i.bozo for i in items)
    source = feed_source(url)
    document = fetch_once(source).documents[0]
    parsed = source.parse_feed(document)
    assert parsed.bozo == items[0].bozo and parsed.version == "rss20"
    result = source.parse(document)  # what the pipeline iterates: the bozo rides along
    assert result.bozo == parsed.bozo and len(list(result)) == 2


def test_bozo_reason_without_entries_is_kept(web: WebServer) -> None:
    url = web.set("/cut.xml", b"<rss version='2.0'><channel><title>cut short</title><lastBui")
    source = feed_source(url)
    result = source.parse(fetch_once(source).documents[0])
    assert list(result) == [] and result.bozo and result.version == "rss20"


@pytest.mark.parametrize(("body", "content_type", "reason"), [
    (b"<!doctype html><html><body><h1>Careers</h1><p>No feed</p></body></html>", "text/html", "not an RSS/Atom feed"),
    (b"\x00\x01garbage\xff\xfe" * 50, "application/octet-stream", "not an RSS/Atom feed"),
    (b"   \n", "application/rss+xml", "is empty, not a feed"),
    (b'{"hello": "world"}', "application/json", "not a JSON Feed"),
    (b"{not json", "application/json", "neither XML nor valid JSON"),
])
def test_not_a_feed_is_a_source_error(web: WebServer, body: bytes, content_type: str, reason: str) -> None:
    url = web.set("/page", body, content_type=content_type)
    with pytest.raises(SourceError) as info:
        fetch_items(feed_source(url))
    assert reason in str(info.value)
    assert str(info.value).startswith("in source 'feed' of monitor 'acme': ")
    assert not isinstance(info.value, FetchError)


def test_json_feed(web: WebServer) -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
        {"id": "1", "url": "https://j.example/1", "title": "One", "content_html": "<p>Hi</p>",
         "date_published": "2024-05-01T10:00:00+02:00", "authors": [{"name": "Ann"}]},
        {"id": "2", "content_text": "no url", "date_modified": "2024-05-02T10:00:00Z"},
    ]}
    url = web.set("/feed.json", json.dumps(feed), content_type="application/feed+json")
    _, (one, two) = fetch_items(feed_source(url))
    assert one.url == "https://j.example/1" and one.html == "<p>Hi</p>" and one.author == "Ann"
    assert one.published == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert two.url == "" and two.key == "guid:2" and two.text == "no url"
    assert two.published == datetime(2024, 5, 2, 10, 0, tzinfo=UTC)


def test_fetch_failure_carries_the_source_context(web: WebServer) -> None:
    url = web.set("/down.xml", b"", status=503, headers={"Retry-After": "30"})
    with pytest.raises(FetchError) as info:
        fetch_items(feed_source(url))
    assert info.value.retry_after == 30.0 and info.value.source == "feed" and info.value.monitor == "acme"


def test_atom_alias_and_url_validation() -> None:
    monitor = make_monitor([{"type": "atom", "url": "https://x.example/feed"}])
    assert monitor.sources[0].name == "atom-1"
    from hirewatch.sources.registry import build_source

    assert isinstance(build_source(monitor.sources[0], monitor), RssSource)
    with pytest.raises(ConfigError) as info:
        make_monitor([{"type": "rss", "url": "file:///etc/passwd"}])
    assert "sources.0.url" in str(info.value) and "relative to the monitor's directory" in str(info.value)
    with pytest.raises(ConfigError) as info:
        make_monitor([{"type": "rss", "url": "file:../secrets/x.xml"}])
    assert "sources.0.url" in str(info.value)
    with pytest.raises(ConfigError) as info:
        make_monitor([{"type": "rss", "url": "gopher://x.example/feed"}])
    assert "expected an http(s) URL" in str(info.value)
    assert make_monitor([{"type": "rss", "url": "file:feeds/a.xml"}]).sources[0].url == "file:feeds/a.xml"
    with pytest.raises(ConfigError) as info:
        make_monitor([{"type": "rss"}])
    assert "sources.0.url: required key is missing" in str(info.value)


def test_plain_text_constructs_keep_their_brackets(web: WebServer) -> None:
    body = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id>'
            '<title type="text">Why &lt;blink&gt; died</title><link href="https://x.example/1"/>'
            '<content type="text">History of the &lt;blink&gt; tag</content></entry>'
            '<entry><id>urn:2</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; move</title>'
            '<link href="https://x.example/2"/><content type="html">&lt;p&gt;Para&lt;/p&gt;</content></entry></feed>')
    url = web.set("/atom.xml", body, content_type="application/atom+xml")
    _, (plain, markup) = fetch_items(feed_source(url, kind="atom"))
    assert plain.title == "Why <blink> died" and plain.text == "History of the <blink> tag" and plain.html == ""
    assert markup.title == "Bold move" and markup.html == "<p>Para</p>"


def test_a_feed_level_atom_author_is_given_to_entries_without_one(web: WebServer) -> None:
    url = web.set("/a.atom", b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Brightwave careers blog</title><author><name>Brightwave Talent Team</name></author>
<id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>
<entry><id>urn:1</id><title>One</title><link href="https://blog.example/1"/><updated>2024-01-01T00:00:00Z</updated></entry>
<entry><id>urn:2</id><title>Two</title><link href="https://blog.example/2"/><author><name>Ana</name></author>
<updated>2024-01-01T00:00:00Z</updated></entry></feed>""", content_type="application/atom+xml")
    _, items = fetch_items(feed_source(url))
    assert [i.author for i in items] == ["Brightwave Talent Team", "Ana"]


def test_an_atom_id_that_is_no_address_stays_an_id(web: WebServer) -> None:
    url = web.set("/r/jobs/new/.rss", b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>t</title><entry><id>t3_abc123</id><title>No link</title><content type="html">Hello</content></entry>
<entry><id>tag:blog.example,2024:1</id><title>Tag id</title><link href="https://blog.example/1"/></entry></feed>""",
                  content_type="application/atom+xml")
    _, items = fetch_items(feed_source(url))
    assert [(i.guid, i.url, i.key) for i in items] == [
        ("t3_abc123", "", "guid:t3_abc123"), ("tag:blog.example,2024:1", "https://blog.example/1", None)]
