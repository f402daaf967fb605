"""The HTML digest (file and mail modes): crawled text stays text, charts are where each reader's
client can show them, empty sections read as sentences, CSS is inlined."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from bs4 import BeautifulSoup
from hirewatch.digest.html_renderer import render_html
from hirewatch.digest.model import Counts, SourceHealth, TrendDay

from tests.digest.sample import DAY, HOSTILE, digest, item

ONERROR = '"><img src=x onerror=alert(1)>'


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def _hostile_digest():
    hostile_source = SourceHealth("example", "feed<script>", "rss", "failing", runs=1, failures=1,
                                  error='<img src=x onerror=alert("err")> 503')
    d = digest(items=(item(HOSTILE, excerpt=ONERROR + " excerpt <b>bold</b>", source="<i>src</i>"),),
               reviews=(item(ONERROR, mention_id="r", source_kind="review", rating=1.0),),
               sources=(hostile_source,))
    return replace(d, topics=(replace(d.topics[0], label="<svg onload=alert(1)>"),))


@pytest.mark.parametrize("mode", ["file", "mail"])
def test_crawled_markup_is_text(mode) -> None:
    rendered = render_html(_hostile_digest(), mode, png=True)
    soup = _soup(rendered.html)
    assert soup.find("script") is None
    assert not soup.find_all(attrs={"onerror": True}) and not soup.find_all(attrs={"onload": True})
    assert soup.find("b", string="bold") is None
    links = {a.get_text(): a["href"] for a in soup.find_all("a")}
    assert links[HOSTILE] == "https://news.example/a?b=1&c=2"
    assert links[ONERROR] == "https://news.example/a?b=1&c=2"
    text = soup.get_text()
    for visible in (ONERROR + " excerpt <b>bold</b>", "<i>src</i>", "feed<script>",
                    '<img src=x onerror=alert("err")> 503'):
        assert visible in text
    # Only the charts' own <svg> and <img> elements exist.
    assert len(soup.find_all("svg")) == (2 if mode == "file" else 0)
    assert all(img["src"].startswith("cid:") for img in soup.find_all("img"))


def test_topic_label_is_escaped_inside_the_svg() -> None:
    soup = _soup(render_html(_hostile_digest(), "file").html)
    texts = [t.get_text() for t in soup.find_all("text")]
    assert "<svg onload=alert(1)>" in texts


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example"])
def test_non_http_links_are_not_links(url) -> None:
    d = digest(items=(item("Look here", url=url),), reviews=())
    soup = _soup(render_html(d, "file").html)
    assert not [a for a in soup.find_all("a") if a.get_text() == "Look here"]
    assert "Look here" in soup.get_text()
    assert "javascript:" not in str(soup.find_all("a"))


def test_file_mode_has_inline_svg_charts_and_no_images() -> None:
    rendered = render_html(digest(), "file")
    assert rendered.images == ()
    soup = _soup(rendered.html)
    svgs = soup.find_all("svg")
    assert [s["aria-label"].split(":")[0] for s in svgs] == ["Mentions per day from 2026-02-24 to 2026-03-09",
                                                              "Topics"]
    assert "cid:" not in rendered.html


def test_mail_mode_has_png_charts_by_content_id() -> None:
    rendered = render_html(digest(), "mail", png=True)
    cids = re.findall(r'src="cid:([^"]+)"', rendered.html)
    assert cids == [image.cid for image in rendered.images]
    assert [image.filename for image in rendered.images] == ["trend-20260309.png", "topics-20260309.png"]
    import io

    from PIL import Image

    trend = Image.open(io.BytesIO(rendered.images[0].data))
    assert trend.format == "PNG" and trend.size == (1200, 380)
    soup = _soup(rendered.html)
    img = soup.find("img", src=f"cid:{cids[0]}")
    assert img["alt"].startswith("Mentions per day from 2026-02-24 to 2026-03-09")


def test_mail_without_png_draws_bars_with_table_cells() -> None:
    rendered = render_html(digest(), "mail", png=False)
    assert rendered.images == ()
    soup = _soup(rendered.html)
    assert soup.find("img") is None and soup.find("svg") is None
    # One column per day of the trend; the digest day's total (6) is printed above its column.
    trend_table = soup.find("table", summary=re.compile("^Mentions per day"))
    assert len(trend_table.find("tr").find_all("td", recursive=False)) == 14
    assert "Interview" in soup.get_text()


def test_css_is_inlined_for_mail_clients() -> None:
    html = render_html(digest(), "mail", png=False).html
    soup = _soup(html)
    assert soup.find("style") is None
    headline = soup.find(string=re.compile("new mentions yesterday")).parent
    assert "border-left" in headline["style"]


def test_empty_day_reads_as_sentences_not_empty_tables() -> None:
    empty_trend = tuple(TrendDay(t.day) for t in digest().trend)
    d = digest(today=Counts(), previous_day=Counts(), baseline=Counts(), trend=empty_trend, topics=(), items=(),
               reviews=(), ratings=(), entities=(), sources=(SourceHealth("example", "news", "rss", "ok", runs=1),))
    soup = _soup(render_html(d, "mail").html)
    text = " ".join(soup.get_text(" ").split())
    assert "No new mentions yesterday." in text
    assert "Nothing to read yesterday: no new mentions of Brightwave Logistics." in text
    assert "No mentions in the last 14 days." in text
    assert "No candidate-journey topics yesterday." in text
    assert "1 of 1 sources ran without trouble." in text
    assert soup.find("img") is None and soup.find("svg") is None
    assert "Competitors side by side" not in text and "Reviews" not in text
    # Every data table that is shown has rows beyond its header.
    for table in soup.find_all("table", class_="grid"):
        assert len(table.find_all("tr")) > 1


def test_failing_sources_are_listed_with_their_errors() -> None:
    d = digest(sources=(SourceHealth("example", "news", "rss", "ok", runs=2),
                        SourceHealth("example", "blog", "rss", "failing", runs=2, failures=2, error="HTTP 500"),
                        SourceHealth("example", "reviews", "review", "failing", runs=2, failures=1,
                                     error="timed out after 20 s")))
    soup = _soup(render_html(d, "file").html)
    text = " ".join(soup.get_text(" ").split())
    assert "2 sources failed: blog (HTTP 500), reviews (timed out after 20 s)." in text
    assert "blog rss failing HTTP 500" in text
    assert "1 of 3 sources ran without trouble." in text


def test_clock_change_day_says_so() -> None:
    from datetime import date

    from hirewatch.digest.windows import day_window

    d = digest(window=day_window(date(2026, 3, 29), "Europe/Amsterdam"))
    assert "a 23-hour day (clocks changed)" in _soup(render_html(d, "file").html).get_text()
    assert DAY != d.day


def test_first_day_on_record_shows_no_comparison() -> None:
    text = " ".join(_soup(render_html(digest(baseline_days=0), "file").html).get_text(" ").split())
    assert "no earlier days on record" in text
    assert "vs day before" not in text and "7-day avg" not in text


def test_an_item_says_why_it_was_raised() -> None:
    rendered = render_html(digest(items=(item(reasons=("1-star review", "<b>x</b>")),)), "file", png=False)
    assert "Why: 1-star review; <b>x</b>" in _soup(rendered.html).get_text()
