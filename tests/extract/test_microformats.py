"""Microformats reviews (hReview, h-review) over real third-party pages (the microformats test
suite, public domain) and a legacy employer-reviews page written here: one review record per review
root with text, with rating, title, pros and cons, date and reviewer or role where marked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hirewatch.extract.review_extract import extract_review_page
from hirewatch.extract.review_sites import ADAPTERS

from tests.conftest import FIXTURES

PAGES = FIXTURES / "reviews" / "microformats"
URL = "https://reviews.example/acme"


def _page(name: str, url: str = URL):
    return extract_review_page((PAGES / name).read_bytes(), url)


def test_legacy_hreview_page_gives_every_review_with_its_fields() -> None:
    page = _page("legacy_glassdoor_hreview.html")
    assert page.site == "glassdoor" and "glassdoor" in ADAPTERS  # named from its canonical address
    assert page.via == "microformats"
    assert [r.review_id for r in page.reviews] == ["empReview_5501", "empReview_5502", "empReview_5503"]
    first, second, third = page.reviews
    assert first.title == "Recruiters ghosted me after four rounds"
    assert (first.rating.value, first.rating.best, first.rating.normalised) == (1.0, 5.0, 0.0)
    assert first.published == datetime(2013, 3, 11, tzinfo=UTC)
    assert (first.author, first.role, first.employment, first.location) == (
        None, "Warehouse Supervisor", "former", "Rotterdam")
    assert first.pros == "Friendly colleagues on the floor"
    assert first.cons == "Nobody from HR answered for six weeks"
    assert first.advice == "Tell candidates where they stand"
    assert first.url == "https://reviews.example/Reviews/Employee-Review-Brightwave-Logistics-RVW5501.htm"
    assert (second.employment, second.role, second.rating.value, second.advice) == ("current", "Planner", 4.0, "")
    assert (third.author, third.role, third.employment) == ("Anna de Vries", None, None)
    assert third.body == "The interview questions matched the job and I got an answer within a week."
    assert page.aggregate is not None
    assert (page.aggregate.rating.value, page.aggregate.review_count, page.aggregate.about) == (
        3.1, 212, "Brightwave Logistics")


def test_legacy_hreview_items_carry_the_review_fields() -> None:
    items = _page("legacy_glassdoor_hreview.html").items()
    assert len(items) == 3
    first = items[0]
    assert first.key == "review:glassdoor:empReview_5501"
    assert first.extra["rating"] == 0.0 and first.extra["employment"] == "former"
    assert "Cons: Nobody from HR answered for six weeks" in first.text


@pytest.mark.parametrize(("name", "expected"), [
    # (title, rating value, author, date) of each root with text; the roots that carry no text
    # (a bare photo or item) give no review, and a second identical name-only root is the same review.
    ("microformats-tests__hreview.html", [
        ("Crepes on Cole", 5.0, None, None),
        ("Crepes on Cole is awesome", 5.0, "Tantek", None),
    ]),
    ("microformats-tests__h-review.html", [
        ("Crepes on Cole", None, None, None),
        ("Crepes on Cole", None, None, None),
        ("Crepes on Cole is awesome", 5.0, "Tantek", datetime(2005, 4, 18, tzinfo=UTC)),
    ]),
])
def test_microformats_test_suite_pages(name: str, expected: list[tuple]) -> None:
    page = _page(name)
    assert page.via == "microformats"
    got = [(r.title, r.rating.value if r.rating else None, r.author, r.published) for r in page.reviews]
    assert got == expected
    awesome = page.reviews[-1]
    assert awesome.body.startswith("Crepes on Cole is one of the best little creperies in San Francisco.")
    assert (awesome.url, awesome.review_id, awesome.about) == ("http://example.com/crepe", "http://example.com/crepe",
                                                              "Crepes on Cole")


def test_a_page_without_any_reader_says_what_each_saw() -> None:
    page = extract_review_page(b"<html><body><div class='review'>Great</div></body></html>", URL)
    assert page.reviews == [] and page.via is None
    assert page.nothing_recognised() == ("page fetched, no reviews recognised: no site adapter for reviews.example; "
                                         "no JSON-LD; no microdata; no hReview/h-review microformats")


def test_classic_hreview_rating_and_date_forms() -> None:
    """The rating as an abbr title, as value/best parts or as an image's alt text; the date as an
    abbr title or in words; the reviewer's name inside a vcard."""
    html = b"""<html><body>
<div class="hreview" id="a"><span class="summary">One</span><abbr class="rating" title="4.0">****</abbr>
 <abbr class="dtreviewed" title="2011-05-02">May 2</abbr><div class="description">Good.</div></div>
<div class="hreview" id="b"><span class="summary">Two</span><span class="rating"><span class="value">2</span> out of
 <span class="best">10</span></span><span class="dtreviewed">12 maart 2011</span><p class="pros">Pay</p></div>
<div class="hreview" id="c"><span class="summary">Three</span><img class="rating" alt="3 stars" src="s.png">
 <span class="reviewer vcard"><span class="fn">Kim</span></span></div>
</body></html>"""
    got = [(r.review_id, r.rating.value, r.rating.best, r.published, r.author)
           for r in extract_review_page(html, URL).reviews]
    assert got == [("a", 4.0, 5.0, datetime(2011, 5, 2, tzinfo=UTC), None),
                   ("b", 2.0, 10.0, datetime(2011, 3, 12, tzinfo=UTC), None),
                   ("c", 3.0, 5.0, None, "Kim")]


def test_reviews_marked_up_as_hreview_and_schema_org_microdata_are_read_once() -> None:
    html = b"""<html><body>
<div class="hreview" itemscope itemtype="https://schema.org/Review" id="r1">
 <span class="summary" itemprop="name">Slow hiring</span>
 <span class="reviewer" itemprop="author">Jan</span>
 <span class="description" itemprop="reviewBody">Six weeks without an answer.</span>
</div></body></html>"""
    page = extract_review_page(html, URL)
    assert page.via == "microdata" and len(page.reviews) == 1
