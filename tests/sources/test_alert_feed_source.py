"""Google Alerts and Talkwalker Alerts feeds over real HTTP: unwrapped links, plain titles."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from hirewatch.sources.alert_feed_source import GoogleAlertsSource, TalkwalkerSource, alert_query
from hirewatch.sources.registry import source_class

from tests.conftest import FIXTURES, REALDATA
from tests.support.monitors import feed_source, fetch_items
from tests.support.web_server import WebServer

GOOGLE_SAMPLE = REALDATA / "google_alerts" / "feedjira__google_alerts_atom.xml"
ATOM = "{http://www.w3.org/2005/Atom}"


def _expected_entries() -> list[tuple[str, str, str]]:
    """(target URL, plain title, plain content) of every entry, read straight from the XML: the
    target is what follows ``url=`` up to Google's ``&ct=`` (the MANIFEST: not percent-encoded)."""
    out = []
    for entry in ET.parse(GOOGLE_SAMPLE).getroot().iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link").get("href")
        target = link.split("url=", 1)[1].split("&ct=", 1)[0]

        def plain(text: str) -> str:
            return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())

        out.append((target, plain(entry.findtext(f"{ATOM}title")), plain(entry.findtext(f"{ATOM}content"))))
    return out


def test_google_alerts_sample_all_entries(web: WebServer, realdata) -> None:
    url = web.set("/alerts/feed", GOOGLE_SAMPLE, content_type="application/atom+xml; charset=utf-8")
    source = feed_source(url, kind="google_alerts")
    assert isinstance(source, GoogleAlertsSource)
    _, items = fetch_items(source)
    expected = _expected_entries()
    assert len(items) == len(expected) == 20
    for item, (target, title, content) in zip(items, expected, strict=True):
        assert item.url == target
        assert "google.com" not in item.url and item.url.startswith(("http://", "https://"))
        assert item.extra["alert_link"].startswith("https://www.google.com/url?")
        assert item.title == title
        assert "<b>" not in item.title and "</b>" not in item.title and "&lt;" not in item.title
        assert item.text == content and "<b>" not in item.text and "&nbsp;" not in item.text
        assert item.html == ""
        assert item.author is None  # <author><name></name></author> is empty in the sample
        assert item.published is not None and item.published.tzinfo is UTC
        assert item.guid.startswith("tag:google.com,2013:googlealerts/feed:")
        assert item.extra["alert_query"] == "Slack" and item.extra["alert_service"] == "google_alerts"
    assert items[0].published == datetime(2019, 7, 10, 11, 53, 37, tzinfo=UTC)
    assert sum("slack" in item.title.lower() for item in items) >= 15


def test_talkwalker_fixture(web: WebServer) -> None:
    url = web.set("/tw.rss", FIXTURES / "sources" / "talkwalker_alerts.xml")
    source = feed_source(url, kind="talkwalker")
    assert isinstance(source, TalkwalkerSource)
    _, items = fetch_items(source)
    assert [i.title for i in items] == [
        "Acme recruiters ghosted me after the final round",
        "Why Acme's graduate programme is worth it",
        "Road Runner cartoon marathon this weekend",
    ]
    assert items[0].text == "I did four rounds with Acme and never heard back \u2014 not even a rejection ..."
    assert items[1].text.endswith("with a mentor\u2026")
    assert items[0].url.startswith("https://jobs-forum.example/t/acme-recruiters-ghosted?")
    assert items[0].extra["alert_query"] == "Acme" and items[0].extra["site"] == "jobs-forum.example"
    assert items[2].published == datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("title", "query"), [
    ("Google Alert - Slack", "Slack"),
    ('Talkwalker Alerts - "Acme"', "Acme"),
    ("Google Alerts: acme careers", "acme careers"),
    ("My blog", None),
])
def test_alert_query_from_the_feed_title(title: str, query: str | None) -> None:
    assert alert_query(title) == query


def test_alert_kinds_are_registered_without_the_atom_alias() -> None:
    assert source_class("google_alerts") is GoogleAlertsSource
    assert source_class("talkwalker") is TalkwalkerSource
    assert source_class("atom").kind == "rss"
