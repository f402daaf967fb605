"""The real-data regression corpus: third-party files (../shared/realdata read in place, and the
third-party pages brought in under tests/fixtures with their licence and MANIFEST line), each with
the items a reader must find and the fields of a chosen item.

Expected values were read off the files themselves (titles, dates, authors as the file states them)
and are kept here, so that any change in what a reader finds in a real file is a failing test. A
file added to a corpus folder without an entry here fails ``test_every_corpus_file_has_expectations``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hirewatch.config import parse_monitor
from hirewatch.extract.review_extract import extract_review_page
from hirewatch.records import Document
from hirewatch.sources.registry import build_source

from tests.conftest import FIXTURES, REALDATA


@dataclass(frozen=True)
class Expected:
    """What one file must give: how many items (reviews), read how, and fields of item ``index``."""

    items: int
    via: str | None = None
    index: int = 0
    fields: dict[str, Any] = field(default_factory=dict)
    kind: str = "rss"


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


FEEDS: dict[str, Expected] = {
    "blogs_news/feed-rs__atom_mediarss_youtube_1.xml": Expected(1, "feed (atom10)", fields={
        "title": "Navigating with Quantum Entanglement", "author": "PBS Space Time",
        "published": _utc(2020, 12, 22, 19, 15, 1), "url": "https://www.youtube.com/watch?v=0A1ouV7iD8o"}),
    "blogs_news/feed-rs__rss_1.0_debian.xml": Expected(1, "feed (rss10)", fields={
        "title": "Updated Debian 11: 11.6 released", "published": _utc(2022, 12, 17),
        "url": "https://www.debian.org/News/2022/20221217"}),
    "blogs_news/feed-rs__rss_1.0_iso8859.xml": Expected(1, "feed (rss10)", fields={
        "title": "Digitalministerium: Neue Glasfaserförderung mit Schnellkasse", "author": "Achim Sawall",
        "published": _utc(2023, 1, 25, 18, 3, 2)}),
    "blogs_news/feed-rs__rss_2.0_bbc.xml": Expected(1, "feed (rss20)", fields={
        "title": "Marcus Aurelius", "published": _utc(2021, 2, 25, 10, 15)}),
    "blogs_news/feed-rs__rss_2.0_cloudflare.xml": Expected(1, "feed (rss20)", fields={
        "title": "Privacy-Preserving Compromised Credential Checking", "author": "Luke Valenta",
        "published": _utc(2021, 10, 14, 12, 59, 53)}),
    "blogs_news/feed-rs__rss_2.0_ghost_2.xml": Expected(1, "feed (rss20)", fields={
        "title": "Send emails without publishing", "author": "Team Ghost",
        "url": "https://ghost.org/changelog/email-without-publishing/"}),
    "blogs_news/feed-rs__rss_2.0_heated.xml": Expected(1, "feed (rss20)", fields={
        "title": "A conversation about Keystone XL", "author": "Emily Atkin",
        "published": _utc(2021, 2, 3, 12, 0, 47)}),
    "blogs_news/feed-rs__rss_2.0_invalid_1.xml": Expected(0),
    "blogs_news/feed-rs__rss_2.0_spiegel.xml": Expected(1, "feed (rss20)", fields={
        "author": "DER SPIEGEL", "published": _utc(2021, 2, 6, 23, 1)}),
    "blogs_news/feed-rs__rss_2.0_wirecutter.xml": Expected(1, "feed (rss20)", fields={
        "author": "James Austin", "published": _utc(2022, 9, 20, 11, 0, 17)}),
    "google_alerts/feedjira__google_alerts_atom.xml": Expected(20, "feed (atom10)", kind="google_alerts", fields={
        "title": "Report offers Prediction of Automotive Slack Market by Top key players like Haldex, Meritor, "
                 "Bendix ...",
        "published": _utc(2019, 7, 10, 11, 53, 37),
        "url": "https://www.aglobalmarketresearch.com/report-offers-prediction-of-automotive-slack-market-by-top-"
               "key-players-like-haldex-meritor-bendix-mei-wabco-accuride-stemco-tbk-febi-aydinsan/"}),
}

PAGES: dict[str, Expected] = {
    # (title, rating value, author, published) of each review with text; see MANIFEST.md.
    "microformats/microformats-tests__hreview.html": Expected(2, "microformats", index=1, fields={
        "title": "Crepes on Cole is awesome", "rating": 5.0, "author": "Tantek", "about": "Crepes on Cole",
        "review_id": "http://example.com/crepe"}),
    "microformats/microformats-tests__h-review.html": Expected(3, "microformats", index=2, fields={
        "title": "Crepes on Cole is awesome", "rating": 5.0, "author": "Tantek", "published": _utc(2005, 4, 18),
        "about": "Crepes on Cole", "review_id": "http://example.com/crepe"}),
}


def _feed_items(relative: str, kind: str) -> tuple[list[Any], str | None]:
    monitor = parse_monitor(f"name: x\nemployer: {{name: X}}\nsources:\n"
                            f"  - {{name: f, type: {kind}, url: 'https://feeds.example/feed'}}\n")
    source = build_source(monitor.sources[0], monitor)
    document = Document(url="https://feeds.example/feed", status=200, body=(REALDATA / relative).read_bytes(),
                        headers={"content-type": "application/xml"})
    parsed = source.parse(document)
    items = list(parsed)
    version = getattr(parsed, "version", None)
    return items, f"feed ({version})" if items and version else None


@pytest.mark.parametrize("relative", sorted(FEEDS))
def test_realdata_feed(relative: str) -> None:
    expected = FEEDS[relative]
    items, via = _feed_items(relative, expected.kind)
    assert (len(items), via) == (expected.items, expected.via)
    if expected.fields:
        item = items[expected.index]
        assert {name: getattr(item, name) for name in expected.fields} == expected.fields


@pytest.mark.parametrize("relative", sorted(PAGES))
def test_third_party_review_page(relative: str) -> None:
    expected = PAGES[relative]
    page = extract_review_page((FIXTURES / "reviews" / relative).read_bytes(), "https://reviews.example/page")
    assert (len(page.reviews), page.via) == (expected.items, expected.via)
    review = page.reviews[expected.index]
    got = {name: (review.rating.value if name == "rating" and review.rating else getattr(review, name))
           for name in expected.fields}
    assert got == expected.fields


def test_every_corpus_file_has_expectations() -> None:
    folders = (REALDATA / "blogs_news", REALDATA / "google_alerts")
    feeds = {str(p.relative_to(REALDATA)) for folder in folders for p in folder.glob("*.xml")}
    pages = {str(p.relative_to(FIXTURES / "reviews")) for p in (FIXTURES / "reviews" / "microformats").glob("*.html")
             if "__" in p.name}  # third-party files are named <upstream>__<name>
    assert feeds == set(FEEDS) and pages == set(PAGES)


