"""End to end: a feed entry's own company box does not decide how the story is scored.

A critical story about the employer followed by a glowing CrunchBase-style company box, a
feedflare and feed links (tests/fixtures/boilerplate/crunchbase_box_en.html, written for the
project) is served in an RSS feed by a local web server and run through the real pipeline (fetch,
parse, match, extract, the real enrich stage in English fast mode, decide) into SQLite: it is
negative about the employer, scored exactly as the same entry without the box.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from hirewatch.config import parse_monitor
from hirewatch.pipeline import run_monitor
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.web_server import WebServer

ENTRY = Path(__file__).resolve().parent / "fixtures" / "boilerplate" / "crunchbase_box_en.html"
TITLE = "Brightwave Launches Driver App, Faces Instant Backlash"


def feed(body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Newsdesk</title><link>https://newsdesk.example/</link><description>news</description>
<item><title>{TITLE}</title><link>https://newsdesk.example/2026/12/brightwave-app</link>
<guid>https://newsdesk.example/?p=1234</guid><pubDate>Mon, 30 Nov 2026 09:00:00 +0000</pubDate>
<content:encoded>{escape(body, quote=False)}</content:encoded></item></channel></rss>"""


def scored(web: WebServer, tmp_path: Path, body: str, name: str):
    url = web.set(f"/{name}.rss", feed(body), content_type="application/rss+xml")
    monitor = parse_monitor(f"""
name: {name}
employer: {{name: Brightwave Logistics, aliases: [Brightwave]}}
sources: [{{name: news, type: rss, url: "{url}"}}]
fetch: {{allow_loopback: true}}
""", path=f"{name}.yaml")
    with SqliteStore(tmp_path / f"{name}.db") as store:
        report = run_monitor(monitor, store, alert=False)
        assert report.ok and report.new_mentions == 1
        [hit] = store.search(MentionQuery(monitor=name))
    return hit.mention


def test_a_glowing_company_box_does_not_turn_a_critical_story_positive(web: WebServer, tmp_path: Path) -> None:
    entry = ENTRY.read_text(encoding="utf-8")
    story_only = entry.split('<div class="cbw', 1)[0]
    assert "CrunchBase" in entry and "CrunchBase" not in story_only

    boxed = scored(web, tmp_path, entry, "boxed")
    plain = scored(web, tmp_path, story_only, "plain")

    assert boxed.employer == "Brightwave Logistics" and boxed.language == "en"
    assert "award-winning" not in boxed.text and "CrunchBase" not in boxed.text
    assert boxed.sentiment_label == "negative" and boxed.sentiment_score < 0
    assert boxed.wants_alert
    assert boxed.text == plain.text
    assert (boxed.sentiment_score, boxed.sentiment_label, boxed.scorer) == (
        plain.sentiment_score, plain.sentiment_label, plain.scorer)
