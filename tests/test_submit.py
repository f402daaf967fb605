"""``hirewatch submit``: a page someone on staff saw, fetched from the local web server, extracted
(reviews or article), matched, scored and stored in the real SQLite store, marked as submitted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hirewatch.config import Monitor, parse_monitor
from hirewatch.errors import DropItem, FetchError
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore
from hirewatch.submit import article_item, submit_url
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from tests.support.web_server import WebServer

ARTICLE = """<!DOCTYPE html><html><head><title>Tech news | Site</title>
<meta property="og:title" content="Brightwave Logistics freezes hiring">
<meta name="author" content="A. Reporter"></head>
<body><nav>Home | World | Jobs</nav><header>Site banner</header>
<article><h1>Brightwave Logistics freezes hiring</h1>
<p>Brightwave Logistics told candidates on Monday that every open role is on hold.</p>
<p>Applicants said they heard nothing for weeks.</p></article>
<aside>Related: other stories</aside><footer>(c) Site</footer></body></html>"""


def test_article_item_takes_title_and_main_text() -> None:
    item = article_item(ARTICLE, "https://news.example/a")
    assert item.title == "Brightwave Logistics freezes hiring"
    assert "every open role is on hold" in item.text and "Applicants said" in item.text
    assert "Home | World" not in item.text and "Related" not in item.text and "(c) Site" not in item.text
    assert item.author == "A. Reporter"


def test_article_item_prefers_schema_org_article() -> None:
    html = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H", '
            '"articleBody": "Body text.", "datePublished": "2024-05-01T10:00:00Z", "author": {"name": "N"}}'
            '</script><p>Other</p>')
    item = article_item(html, "https://news.example/b")
    assert (item.title, item.text, item.author) == ("H", "Body text.", "N")
    assert item.published is not None and item.published.year == 2024


def _monitor() -> Monitor:
    return parse_monitor("""
name: acme
employer: {name: Brightwave Logistics, aliases: [Brightwave]}
fetch: {allow_loopback: true, contact: ta-ops@brightwave.example}
sources:
  - {type: rss, url: "https://feeds.example/unused.xml"}
""")


def test_submit_an_article(web: WebServer, tmp_path: Path) -> None:
    url = web.set("/news/freeze", ARTICLE, content_type="text/html")
    with SqliteStore(tmp_path / "h.db") as store:
        result = submit_url(url, _monitor(), store, note="saw this on LinkedIn", by="sam")
        assert result.kind == "article" and len(result.new) == 1
        stored = store.get(result.new[0]).mention
    assert stored.source_kind == "submitted" and stored.extra["submitted_by"] == "sam"
    assert stored.extra["note"] == "saw this on LinkedIn"
    assert stored.title == "Brightwave Logistics freezes hiring" and stored.sentiment_label is not None


def test_submit_a_review_page_records_each_review_and_the_rating(web: WebServer, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "robin")
    url = web.set("/Reviews/Brightwave-Logistics-Reviews-E998877.htm",
                  (FIXTURES / "reviews" / "glassdoor_reviews.html").read_bytes(), content_type="text/html")
    with SqliteStore(tmp_path / "h.db") as store:
        result = submit_url(url, _monitor(), store)
        assert result.kind == "reviews" and len(result.new) == 3
        assert {store.get(i).mention.extra["submitted_by"] for i in result.new} == {"robin"}
        assert result.rating is not None and result.rating.count == 1342
        assert len(store.ratings("acme", result.rating.at.replace(year=2000))) == 1
        again = submit_url(url, _monitor(), store)
        assert again.new == () and len(again.updated) == 3


def test_submit_refuses_what_robots_txt_forbids_and_what_names_nobody(web: WebServer, tmp_path: Path) -> None:
    web.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    url = web.set("/private/page", ARTICLE, content_type="text/html")
    other = web.set("/news/other", "<title>Weather</title><p>Rain all week.</p>", content_type="text/html")
    with SqliteStore(tmp_path / "h.db") as store:
        with pytest.raises(FetchError, match="robots"):
            submit_url(url, _monitor(), store)
        with pytest.raises(DropItem, match="does not name"):
            submit_url(other, _monitor(), store)
        assert store.count() == 0
    assert web.count("/private/page") == 0


def test_submit_command(web: WebServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch.cli import app

    monitors = tmp_path / "monitors"
    monitors.mkdir()
    (monitors / "acme.yaml").write_text(_monitor_yaml())
    monkeypatch.setenv("HIREWATCH_SQLITE_PATH", str(tmp_path / "cli.db"))
    url = web.set("/news/freeze", ARTICLE, content_type="text/html")
    result = CliRunner().invoke(app, ["submit", url, "--note", "check this", "--monitors", str(monitors),
                                      "--by", "kim"])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    with SqliteStore(tmp_path / "cli.db") as store:
        assert store.count("acme") == 1
        (stored,) = store.search(MentionQuery(monitor="acme"))
    label = stored.mention.sentiment_label or "unscored"
    assert f"  [{label}] Brightwave Logistics: Brightwave Logistics freezes hiring" in result.stdout
    bad = CliRunner().invoke(app, ["submit", url, "--monitors", str(monitors), "--monitor", "nope"])
    assert bad.exit_code == 2


def _monitor_yaml() -> str:
    return """name: acme
employer: {name: Brightwave Logistics, aliases: [Brightwave]}
fetch: {allow_loopback: true, contact: ta-ops@brightwave.example}
sources:
  - {type: rss, url: "https://feeds.example/unused.xml"}
"""


def test_article_main_text_leaves_out_what_surrounds_the_story() -> None:
    page = (FIXTURES / "pages" / "news_article_with_clutter.html").read_bytes()
    item = article_item(page, "https://freight.example/2024/05/brightwave-freeze")
    assert item.extra["read_by"] == "trafilatura"
    assert item.title == "Brightwave Logistics freezes hiring at its Rotterdam hub"
    assert (item.author, item.published) == ("Maria Jansen", datetime(2024, 5, 14, 6, 30, tzinfo=UTC))
    assert item.text.startswith("Brightwave Logistics has put every open role at its Rotterdam hub on hold")
    assert "hear back individually" in item.text
    for clutter in ("cookies", "Share on", "newsletter", "Subscribe", "truckfan88", "Kestrel", "Related",
                    "Freight Daily ·", "Port strike"):
        assert clutter not in item.text, clutter


def test_a_related_story_naming_a_competitor_makes_no_mention_of_it(web: WebServer, tmp_path: Path) -> None:
    url = web.set("/story", FIXTURES / "pages" / "news_article_with_clutter.html", content_type="text/html")
    monitor = parse_monitor("""
name: acme
employer: {name: Brightwave Logistics}
competitors: [{name: Kestrel Freight}]
fetch: {allow_loopback: true, respect_robots_txt: false}
sources: [{name: news, type: rss, url: "https://freight.example/feed.xml"}]
""")
    with SqliteStore(tmp_path / "h.db") as store:
        result = submit_url(url, monitor, store, by="tester")
    assert [m.employer for m in result.mentions] == ["Brightwave Logistics"]
