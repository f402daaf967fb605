"""Skipping items that cannot match before feedparser runs changes no mention: the pipeline's
mentions from ``parse_filtered`` equal those from ``parse`` on every real feed and on traps where
the employer's name only appears after feedparser's or the HTML step's decoding. The trap feeds
below were written for this project."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hirewatch.match.prefilter import candidate_filter
from hirewatch.pipeline import items_to_mentions
from hirewatch.records import Document
from hirewatch.sources.feed_prefilter import candidate_document
from hirewatch.sources.registry import build_source

from tests.conftest import REALDATA
from tests.support.monitors import make_monitor

FETCHED = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

# Employers named by words that occur in the real feeds, so both paths find mentions there.
EMPLOYERS = [
    {"name": "Cloudflare"},
    {"name": "Debian", "aliases": ["Golem"]},
    {"name": "Melvyn Bragg", "aliases": ["SPIEGEL"]},
    {"name": "Example", "aliases": ["Atom"]},
    {"name": "Google", "aliases": ["market"]},
    {"name": "Ghost", "aliases": ["PBS"]},
]


def real_feeds() -> list[Path]:
    return sorted(p for p in REALDATA.rglob("*") if p.suffix in (".xml", ".rss", ".atom"))


def mentions(employer: dict, body: bytes, content_type: str = "application/rss+xml", *, filtered: bool,
             kind: str = "rss") -> tuple[list[dict], object]:
    monitor = make_monitor([{"type": kind, "name": "feed", "url": "https://feeds.example/feed.xml"}],
                           employer=employer, competitors=[{"name": "Kestrel Freight", "aliases": ["Kestrel"]}])
    source = build_source(monitor.sources[0], monitor)
    document = Document(url="https://feeds.example/feed.xml", status=200, body=body,
                        headers={"content-type": content_type} if content_type else {})
    keep = candidate_filter(monitor) if filtered else None
    try:
        items = source.parse_filtered(document, keep)
    except Exception as exc:  # the same error either way is checked by the caller
        return [{"error": type(exc).__name__}], None
    found, _ = items_to_mentions(monitor, monitor.sources[0], items, FETCHED)
    return sorted((m.to_dict() for m in found), key=lambda d: (d["id"], d["employer"])), items


@pytest.mark.parametrize("path", real_feeds(), ids=lambda p: str(p.relative_to(REALDATA)))
def test_same_mentions_on_every_real_feed(realdata: Path, path: Path) -> None:
    body = path.read_bytes()
    for employer in EMPLOYERS:
        full, _ = mentions(employer, body, filtered=False)
        fast, _ = mentions(employer, body, filtered=True)
        assert fast == full, (employer, path.name)


def test_real_feeds_do_mention_the_test_employers(realdata: Path) -> None:
    """The differential test above is only worth something if mentions exist to be lost."""
    total = 0
    for path in real_feeds():
        for employer in EMPLOYERS:
            total += len(mentions(employer, path.read_bytes(), filtered=False)[0])
    assert total >= 20


def rss(*items: str, encoding: str = "utf-8", head: str = "") -> bytes:
    body = "".join(f"<item>{item}</item>" for item in items)
    text = (f'<?xml version="1.0" encoding="{encoding}"?>{head}<rss version="2.0"><channel><title>Trap feed</title>'
            f"<link>https://feeds.example/</link>{body}</channel></rss>")
    return text.encode(encoding, "xmlcharrefreplace")


FILLER = [f"<title>Filler {n}</title><link>https://news.example/{n}</link><description>Nothing here, "
          f"item {n}.</description>" for n in range(6)]


def item(n: int, title: str = "A story", description: str = "") -> str:
    return f"<title>{title}</title><link>https://news.example/trap/{n}</link><description>{description}</description>"


TRAPS = {
    "plain": item(1, "Brightwave is hiring"),
    "accented": item(2, description="Ex-staff of Brïghtwave speak out"),
    "upper case": item(3, "BRIGHTWAVE LOGISTICS LAYOFFS"),
    "split by a tag": item(4, description="&lt;p&gt;Bright&lt;b&gt;wave&lt;/b&gt; ghosted me&lt;/p&gt;"),
    "character references": item(5, description="&lt;p&gt;Bright&amp;#119;ave&amp;#32;news&lt;/p&gt;"),
    "zero-width space": item(6, description="Bright\u200bwave office"),
    "cdata": item(7, description="<![CDATA[<p>We love <i>Brightwave</i>!</p>]]>"),
    "windows-1252 control character": item(8, description="\x8akoda works with Kestrel"),
    "mojibake": item(9, description="Ex-staff of BrÃ¯ghtwave speak out"),
    "only in the title": item(10, "Kestrel Freight opens hub", "Read more."),
    "in a competitor's name": item(11, description="Kestrel and others"),
}


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_traps_are_kept(name: str) -> None:
    body = rss(*FILLER[:3], TRAPS[name], *FILLER[3:])
    full, _ = mentions({"name": "Brightwave Logistics", "aliases": ["Brightwave", "Škoda"]}, body, filtered=False)
    fast, items = mentions({"name": "Brightwave Logistics", "aliases": ["Brightwave", "Škoda"]}, body, filtered=True)
    assert full, "the trap must be a mention for the matcher, or it tests nothing"
    assert fast == full
    assert items.total == 7 and items.count < 7  # the filler was skipped, and still counted


def test_latin1_document_with_an_accented_name() -> None:
    body = rss(*FILLER, item(1, description="Großmann und Brïghtwave"), encoding="iso-8859-1")
    employer = {"name": "Grossmann", "aliases": ["Brightwave"]}
    full, _ = mentions(employer, body, "application/rss+xml", filtered=False)
    fast, items = mentions(employer, body, "application/rss+xml", filtered=True)
    assert full and fast == full
    assert items.count == 1 and items.total == 7


def test_base64_atom_content_is_always_parsed() -> None:
    hidden = base64.b64encode(b"Brightwave ghosted me").decode()
    entries = "".join(
        f"<entry><id>urn:n:{n}</id><title>Entry {n}</title><link href='https://news.example/{n}'/>"
        f"<content type='application/octet-stream'>{hidden if n == 2 else 'bm90aGluZw=='}</content></entry>"
        for n in range(4))
    body = (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
            f"<id>urn:f</id>{entries}</feed>").encode()
    full, _ = mentions({"name": "Brightwave"}, body, "application/atom+xml", filtered=False, kind="atom")
    fast, _ = mentions({"name": "Brightwave"}, body, "application/atom+xml", filtered=True, kind="atom")
    assert fast == full


@pytest.mark.parametrize("head", ['<!DOCTYPE rss [<!ENTITY x "Brightwave">]>',
                                  '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                                  '"http://my.netscape.com/publish/formats/rss-0.91.dtd">'])
def test_a_doctype_is_filtered_like_any_other_feed(head: str) -> None:
    """The shortcut is taken with a DOCTYPE (it is no way around the filter); an item whose text
    holds an entity reference is kept, and what the pipeline makes of the feed does not change."""
    body = rss(*FILLER, item(7, "The &x; interview"), item(8, "Brightwave was slow"), head=head)
    candidates = candidate_document(body, "application/rss+xml", lambda text, parts: "Brightwave" in text)
    assert candidates is not None and candidates.total == 8
    assert candidates.kept == 2, "the filler goes, the item with an entity reference stays"
    full, _ = mentions({"name": "Brightwave"}, body, filtered=False)
    fast, _ = mentions({"name": "Brightwave"}, body, filtered=True)
    assert fast == full and len(full) >= 1


def test_no_candidate_at_all_parses_nothing_and_counts_everything() -> None:
    found, items = mentions({"name": "Brightwave"}, rss(*FILLER), filtered=True)
    assert found == [] and items.count == 0 and items.total == 6


@pytest.mark.parametrize(("body", "content_type"), [
    (rss(*FILLER), "application/rss+xml; charset=iso-8859-1"),  # HTTP and the declaration disagree
    (rss(*FILLER), "text/xml"),  # US-ASCII to feedparser
    (rss(*FILLER), "text/html"),  # not XML: feedparser flags it
    (rss(*FILLER).replace(b"</channel>", b""), "application/rss+xml"),  # not well-formed
    (rss(*FILLER, encoding="utf-16"), "application/rss+xml"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/feed+json"),
])
def test_shortcut_not_taken_where_feedparser_could_differ(body: bytes, content_type: str) -> None:
    assert candidate_document(body, content_type, lambda text, parts: False) is None


def test_shortcut_not_taken_when_every_item_is_a_candidate() -> None:
    assert candidate_document(rss(*FILLER), "application/rss+xml", lambda text, parts: True) is None


def test_text_after_a_removed_item_is_kept() -> None:
    body = rss(FILLER[0], item(1, "Brightwave")).replace(b"</item><item>", b"</item>stray<item>", 1)
    result = candidate_document(body, "", lambda text, parts: "Brightwave" in text)
    assert result is not None and result.kept == 1 and b"stray" in result.body
