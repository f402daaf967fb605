"""Site adapters on hand-written fixtures (tests/fixtures/reviews/, see its README): each gives the
right reviews, ratings and ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hirewatch.extract.review_extract import extract_review_page
from hirewatch.extract.review_sites.trustpilot import aggregate_from_api, records_from_api

from tests.conftest import FIXTURES

REVIEWS = FIXTURES / "reviews"


def _page(name: str, url: str):
    return extract_review_page((REVIEWS / f"{name}_reviews.html").read_bytes(), url)


def test_glassdoor_apollo_cache() -> None:
    page = _page("glassdoor", "https://www.glassdoor.com/Reviews/Brightwave-Logistics-Reviews-E998877.htm")
    assert page.site == "glassdoor" and page.problems == []
    assert [r.key for r in page.reviews] == ["review:glassdoor:84512345", "review:glassdoor:84500001",
                                            "review:glassdoor:84499990"]
    ghosted, grow, average = page.reviews
    assert ghosted.title == "Ghosted after the final interview"
    assert ghosted.rating.value == 1 and ghosted.rating.normalised == 0.0
    assert ghosted.cons == "Nobody told me I was rejected.\nThree weeks of silence after the final round."
    assert (ghosted.pros, ghosted.advice) == ("Friendly warehouse team", "Answer your candidates")
    assert (ghosted.role, ghosted.location, ghosted.employment) == ("Warehouse Associate", "Rotterdam", "former")
    assert ghosted.published == datetime(2024, 2, 11, 8, 14, 22, 447000, tzinfo=UTC)
    assert ghosted.url == "https://www.glassdoor.com/Reviews/Employee-Review-RVW84512345.htm"
    assert ghosted.extra["ratingRecommendToFriend"] == "NEGATIVE"
    assert (grow.employment, grow.rating.normalised, grow.role) == ("current", 0.75, "Senior Recruiter")
    assert (average.role, average.location, average.advice) == (None, None, "")
    assert (page.aggregate.rating.value, page.aggregate.count, page.aggregate.rating.normalised) == (3.4, 1342, 0.6)
    assert page.aggregate.about == "Brightwave Logistics"
    assert page.next_url == "https://www.glassdoor.com/Reviews/Brightwave-Logistics-Reviews-E998877_P2.htm"
    # The last page (numberOfPages 2) has no next page.
    last = _page("glassdoor", "https://www.glassdoor.com/Reviews/Brightwave-Logistics-Reviews-E998877_P2.htm")
    assert last.next_url is None


def test_indeed_microdata_cards() -> None:
    page = _page("indeed", "https://www.indeed.com/cmp/Brightwave-Logistics/reviews")
    assert [r.key for r in page.reviews] == ["review:indeed:1f3a9c2b7d", "review:indeed:88e0d41a02"]
    bad, good = page.reviews
    assert (bad.title, bad.rating.normalised) == ("Stressful and understaffed", 0.25)
    assert (bad.role, bad.employment, bad.location) == ("Warehouse Associate", "former", "Austin, TX")
    assert (bad.pros, bad.cons) == ("Weekly pay", "No breaks, no training")
    assert bad.body == "Mandatory overtime every week. Managers changed every month."
    assert bad.published == datetime(2023, 3, 3, tzinfo=UTC) and bad.author is None
    assert (good.employment, good.rating.normalised, good.location) == ("current", 1.0, "Denver, CO")
    assert (page.aggregate.rating.value, page.aggregate.review_count) == (3.6, 2418)
    assert page.aggregate.rating.normalised == 0.65
    assert page.next_url == "https://www.indeed.com/cmp/Brightwave-Logistics/reviews?start=20"
    assert {r.about for r in page.reviews} == {"Brightwave Logistics"}


def test_kununu_next_data() -> None:
    page = _page("kununu", "https://www.kununu.com/de/brightwave-logistics/kommentare")
    assert [r.review_id for r in page.reviews] == ["6c1e2f7a-0b44-4c1d-9a55-0d6b3e1a7f01",
                                                  "0d9b8e77-3f21-4a10-8c3e-5b2d1c0e9a42",
                                                  "a3f0c5d1-77e2-4b9e-b1c4-2e8f6d9a1b03"]
    applicant, current, former = page.reviews
    assert applicant.key == "review:kununu:6c1e2f7a-0b44-4c1d-9a55-0d6b3e1a7f01"
    assert (applicant.pros, applicant.cons, applicant.advice) == (
        "Die Kollegen im Lager", "Keine Rückmeldung nach dem Gespräch", "Absagen schicken")
    assert applicant.employment == "applicant" and applicant.rating.normalised == pytest.approx(0.15)
    assert applicant.published == datetime(2024, 1, 15, 9, 22, 31, tzinfo=UTC)
    assert (current.employment, former.employment) == ("current", "former")
    assert former.cons == "Überstunden ohne Ausgleich" and former.location == "München"
    assert (page.aggregate.rating.value, page.aggregate.rating_count) == (3.1, 142)
    assert page.aggregate.about == "Brightwave Logistics GmbH"
    assert page.next_url == "https://www.kununu.com/de/brightwave-logistics/kommentare?page=2"


def test_trustpilot_business_unit_graph() -> None:
    page = _page("trustpilot", "https://www.trustpilot.com/review/brightwave.example")
    assert [r.key for r in page.reviews] == ["review:trustpilot:65f0c0ffee0a1b2c3d4e5f60",
                                            "review:trustpilot:65efab12cd34ef5678901234"]
    noshow, quick = page.reviews
    assert (noshow.title, noshow.author, noshow.rating.normalised) == (
        "Interview no-show by the recruiter", "Jordan P.", 0.0)
    assert noshow.url == "https://www.trustpilot.com/reviews/65f0c0ffee0a1b2c3d4e5f60"
    assert quick.rating.normalised == 0.75 and quick.about == "Brightwave Logistics"
    assert (page.aggregate.rating.value, page.aggregate.review_count) == (2.3, 517)
    assert page.next_url == "https://www.trustpilot.com/review/brightwave.example?page=2"


def test_trustpilot_api_gives_the_same_ids_as_the_page() -> None:
    data = json.loads((REVIEWS / "trustpilot_api_reviews.json").read_text())
    records, next_url = records_from_api(data)
    page = _page("trustpilot", "https://www.trustpilot.com/review/brightwave.example")
    assert [r.key for r in records] == [r.key for r in page.reviews]
    assert [r.rating.normalised for r in records] == [0.0, 0.75]
    assert records[0].location == "NL" and next_url == "NEXT_PAGE_URL"
    unit = aggregate_from_api(json.loads((REVIEWS / "trustpilot_api_business_unit.json").read_text()))
    assert (unit.rating.value, unit.count, unit.about) == (2.3, 517, "Brightwave Logistics")


def test_an_adapter_that_finds_nothing_falls_back_to_schema_org() -> None:
    html = """<script type="application/ld+json">{"@type": "Review", "@id": "r-1", "name": "plain",
              "reviewRating": {"ratingValue": 2}}</script>"""
    page = extract_review_page(html, "https://www.glassdoor.com/Reviews/x-Reviews-E1.htm")
    assert [r.key for r in page.reviews] == ["review:glassdoor:r-1"]
