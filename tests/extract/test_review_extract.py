"""Review pages -> review records and the aggregate rating: normalisation, ids, and the
Review/rating parts of extruct's cases in ../shared/realdata/jsonld_schemaorg/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hirewatch.extract.jsonld import microdata_to_jsonld
from hirewatch.extract.review_extract import (
    extract_review_page,
    from_schema_nodes,
    normalise_rating,
    parse_count,
    parse_date,
    site_for_url,
)
from hirewatch.mention import mention_id
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REALDATA

CASES = sorted((REALDATA / "jsonld_schemaorg").glob("*.html"))


def _expected_nodes(html: Path) -> list | None:
    if html.with_suffix(".jsonld").exists():
        return json.loads(html.with_suffix(".jsonld").read_text(encoding="utf-8"))
    if html.with_suffix(".json").exists():
        return [microdata_to_jsonld(i) for i in json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))]
    return None


@pytest.mark.parametrize("html", CASES, ids=lambda p: p.stem)
def test_review_and_rating_parts_match_the_expected_file(html: Path) -> None:
    page = extract_review_page(html.read_bytes(), "https://reviews.example/page", site="example")
    expected = _expected_nodes(html)
    if expected is None:
        assert page.aggregate is not None  # product_microdata: no expected file; it must not raise
        return
    reviews, aggregate = from_schema_nodes(expected, "example")
    assert page.aggregate == aggregate
    assert [(r.key, r.title, r.body, r.rating) for r in page.reviews] == [
        (r.key, r.title, r.body, r.rating) for r in reviews]


def test_the_ratings_in_the_realdata_cases() -> None:
    by_name = {p.stem.removeprefix("extruct__"): extract_review_page(p.read_bytes(), "https://x.example/", "x")
               for p in CASES}
    mock = by_name["null_ld_mock"]
    assert (mock.aggregate.rating.value, mock.aggregate.rating_count, mock.aggregate.rating.normalised) == (5, 280, 1.0)
    assert mock.aggregate.about == "Some Name Goes Here"
    (review,) = mock.reviews
    assert review.body.startswith("Sed ut perspiciatis") and review.rating is None
    assert review.key.startswith("review:x:h")  # no id on the page: a hash of its content
    assert by_name["LocalBusiness.002"].aggregate.rating.normalised == 0.75
    assert by_name["LocalBusiness.002"].aggregate.review_count == 250
    assert (by_name["product"].aggregate.rating.value, by_name["product"].aggregate.count) == (4.4, 89)
    assert by_name["product"].aggregate.rating.normalised == pytest.approx(0.85)
    for name in ("JSONLD_with_CDATA", "JSONLD_with_trailing_brace", "JSONLD_with_unescaped_quotes"):
        assert by_name[name].reviews == [] and by_name[name].aggregate is None


@pytest.mark.parametrize(
    ("value", "best", "worst", "expected"),
    [
        (5, None, None, 1.0),
        (1, None, None, 0.0),
        ("4,5", None, None, 0.875),
        ("4.5", "5", "1", 0.875),
        (" 3 stars", None, None, 0.5),
        ("8", "10", "0", 0.8),
        ("4/5", None, None, 0.75),
        ("80%", None, None, 0.8),
        (7, 5, 1, 1.0),          # out of scale: clamped
        ("0", None, None, 0.0),
    ],
)
def test_rating_normalisation(value, best, worst, expected) -> None:
    assert normalise_rating(value, best, worst).normalised == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "", "n/a", True, {"x": 1}, [4]])
def test_rating_without_a_number_is_none(value) -> None:
    assert normalise_rating(value) is None


def test_rating_with_an_empty_scale_is_none() -> None:
    assert normalise_rating(3, 1, 1) is None


def test_counts_and_dates() -> None:
    assert parse_count("2,418") == 2418 and parse_count("1.234 reviews") == 1234 and parse_count(None) is None
    assert parse_date("2024-02-11") == datetime(2024, 2, 11, tzinfo=UTC)
    assert parse_date("2024-02-11T10:00:00+02:00") == datetime(2024, 2, 11, 8, tzinfo=UTC)
    assert parse_date("2024-02-11T10:00:00Z") == datetime(2024, 2, 11, 10, tzinfo=UTC)
    assert parse_date("March 3, 2023") == datetime(2023, 3, 3, tzinfo=UTC)
    assert parse_date(1707645262000) == datetime(2024, 2, 11, 9, 54, 22, tzinfo=UTC)
    assert parse_date("no date here") is None
    from hirewatch.extract.dates import date_context

    with date_context(["en"], datetime(2024, 5, 10, 15, 0, tzinfo=UTC)):  # words: relative to the fetch
        assert parse_date("yesterday") == datetime(2024, 5, 9, tzinfo=UTC)


def test_site_from_host() -> None:
    assert site_for_url("https://www.glassdoor.co.uk/Reviews/x.htm") == "glassdoor"
    assert site_for_url("https://de.indeed.com/cmp/x") == "indeed"
    assert site_for_url("https://www.kununu.com/de/x") == "kununu"
    assert site_for_url("https://uk.trustpilot.com/review/x") == "trustpilot"
    assert site_for_url("https://www.comparably.com/companies/x") == "comparably.com"


GENERIC = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Organization", "name": "Acme",
 "aggregateRating": {"@type": "EmployerAggregateRating", "ratingValue": "3,8", "bestRating": "5",
                     "worstRating": "1", "ratingCount": "1,204", "reviewCount": 311},
 "review": [
  {"@type": "EmployerReview", "@id": "https://reviews.example/acme/r/17", "headline": "Rude interviewer",
   "reviewRating": {"@type": "Rating", "ratingValue": "2", "bestRating": "10", "worstRating": "0"},
   "positiveNotes": {"@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "Nice office"},
        {"@type": "ListItem", "position": 2, "name": "Good coffee"}]},
   "negativeNotes": ["Interviewer was late", "No feedback"],
   "reviewBody": "<p>The interviewer read emails <b>during</b> my answers.</p>",
   "author": {"@type": "Person", "name": "anon", "jobTitle": "Software Engineer (Job Applicant)",
              "address": {"@type": "PostalAddress", "addressLocality": "Leeds", "addressCountry": "UK"}},
   "datePublished": "2024-05-02"}
 ]}
</script></head><body></body></html>"""


def test_generic_jsonld_review_to_item() -> None:
    page = extract_review_page(GENERIC, "https://reviews.example/acme", site="reviews")
    assert page.aggregate.rating.value == 3.8 and page.aggregate.rating.normalised == 0.7
    assert (page.aggregate.review_count, page.aggregate.rating_count, page.aggregate.count) == (311, 1204, 311)
    assert page.aggregate.about == "Acme"
    (item,) = page.items()
    assert item.key == "review:reviews:https://reviews.example/acme/r/17"
    assert item.title == "Rude interviewer"
    assert item.extra["rating"] == 0.2 and item.extra["rating_raw"]["best"] == 10
    assert item.extra["pros"] == "Nice office\nGood coffee"
    assert item.extra["cons"] == "Interviewer was late\nNo feedback"
    assert item.extra["role"] == "Software Engineer (Job Applicant)"
    assert item.extra["location"] == "Leeds, UK" and item.extra["about"] == "Acme"
    assert item.published == datetime(2024, 5, 2, tzinfo=UTC) and item.author == "anon"
    assert item.text.startswith("The interviewer read emails during my answers.")
    assert "Cons: Interviewer was late" in item.text
    assert mention_id("Acme", item.key, monitor="m") == mention_id("acme", "review:reviews:https://reviews.example/acme/r/17",
                                                          monitor="m")


def test_reviews_in_both_jsonld_and_microdata_are_kept_once() -> None:
    html = GENERIC.replace("</body>", """<div itemscope itemtype="https://schema.org/Review"
        itemid="https://reviews.example/acme/r/17"><span itemprop="name">Rude interviewer</span>
        <span itemprop="reviewBody">dup</span></div></body>""")
    assert len(extract_review_page(html, "https://reviews.example/acme", site="reviews").reviews) == 1


@pytest.mark.parametrize("body", [b"", b"\x00\xff garbage", b"<html><script type='application/ld+json'>{{{",
                                  b"<div itemscope itemprop='review'>" * 50])
def test_broken_pages_give_no_reviews_and_no_exception(body: bytes) -> None:
    page = extract_review_page(body, "https://www.glassdoor.com/Reviews/x-Reviews-E1.htm")
    assert page.reviews == []



_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                           st.sampled_from(["@type", "@id", "name", "reviewRating", "ratingValue", "bestRating",
                                            "worstRating", "author", "jobTitle", "datePublished", "itemReviewed",
                                            "positiveNotes", "reviewCount", "@graph", "review", "url"]),
                           inner, max_size=6), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_schema_nodes_of_any_shape_never_raise(value) -> None:
    reviews, aggregate = from_schema_nodes([{"@type": "Review", "reviewRating": value, "author": value,
                                             "name": value, "@graph": value}, value], "x")
    for review in reviews:
        review.to_item("https://x.example/")
    if aggregate is not None:
        assert 0.0 <= aggregate.rating.normalised <= 1.0


def test_data_vocabulary_review_microdata_is_read() -> None:
    """The older data-vocabulary.org Review microdata (Google's rich snippets before schema.org)."""
    html = b"""<html><body><div itemscope itemtype="http://data-vocabulary.org/Review">
 <span itemprop="itemreviewed">Brightwave Logistics</span> <span itemprop="summary">Slow hiring</span>
 by <span itemprop="reviewer">Jan de Boer</span>, <time itemprop="dtreviewed" datetime="2012-03-14">14 March</time>
 <span itemprop="rating" itemscope itemtype="http://data-vocabulary.org/Rating"><span itemprop="value">2</span>/
 <span itemprop="best">5</span></span> <span itemprop="description">Six weeks without an answer.</span>
</div></body></html>"""
    page = extract_review_page(html, "https://reviews.example/r")
    (review,) = page.reviews
    assert page.via == "microdata"
    assert (review.title, review.body, review.author) == ("Slow hiring", "Six weeks without an answer.", "Jan de Boer")
    assert review.published == datetime(2012, 3, 14, tzinfo=UTC)
    assert (review.rating.value, review.rating.best) == (2.0, 5.0)
