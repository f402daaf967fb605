"""Review exports (Trustpilot page data, Glassdoor review JSON, NDJSON, a generic CSV through a
column mapping) -> review records with every field mapped; files with no review say what they held."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hirewatch.errors import NothingRecognised
from hirewatch.extract.review_exports import read_export
from hirewatch.extract.review_sites.trustpilot import records_from_api

from tests.conftest import FIXTURES

EXPORTS = FIXTURES / "reviews" / "exports"
COLUMNS = {"id": "Review ID", "date": "Posted", "rating": "Stars", "title": "Headline", "text": "Comment",
           "author": "Reviewer"}


def _read(name: str, **kwargs):
    return read_export((EXPORTS / name).read_bytes(), name, **kwargs)


def test_trustpilot_page_data() -> None:
    read = _read("trustpilot_page_data.json")
    assert (read.format, read.shape, read.via, read.notes) == ("json", "trustpilot", "file (json, trustpilot)", [])
    first, second, third = read.records
    assert (first.site, first.review_id, first.title) == ("trustpilot", "66a1f0c2e4b0a1b2c3d4e5f6",
                                                          "Ghosted after the second interview")
    assert first.body.startswith("Applied for a planner role.")
    assert (first.rating.value, first.rating.normalised) == (1.0, 0.0)
    assert first.published == datetime(2024, 3, 5, 9, 41, 17, tzinfo=UTC)
    assert (first.author, first.location, first.language) == ("Marieke V.", "NL", "en")
    assert first.url == "https://www.trustpilot.com/reviews/66a1f0c2e4b0a1b2c3d4e5f6"
    assert first.extra == {"reply": "We are sorry to hear this. Our recruiting team will contact you.",
                           "reply_published": "2024-03-06T10:00:00+00:00",
                           "experienced": "2024-02-20T00:00:00+00:00"}
    assert (second.language, second.rating.value) == ("nl", 4.0)
    assert second.extra == {"experienced": "2024-01-10T00:00:00+00:00"}
    assert (third.title, third.body, third.rating.value) == ("Okay", "", 3.0)


def test_the_trustpilot_api_mapping_keeps_rating_and_date_of_the_page_data_shape() -> None:
    import json

    data = json.loads((EXPORTS / "trustpilot_page_data.json").read_text())["props"]["pageProps"]
    records, _ = records_from_api(data)
    assert [(r.rating.value, r.published.date().isoformat()) for r in records] == [
        (1.0, "2024-03-05"), (4.0, "2024-01-15"), (3.0, "2023-12-01")]


def test_glassdoor_review_json() -> None:
    read = _read("glassdoor_reviews.json")
    assert (read.format, read.shape) == ("json", "glassdoor")
    first, second = read.records
    assert (first.site, first.review_id, first.title) == ("glassdoor", "84210031", "Hiring process needs work")
    assert (first.pros, first.cons, first.advice) == (
        "Nice team once you are in", "Recruiters took a month to reply, the offer came without salary details",
        "Answer candidates faster")
    assert (first.rating.value, first.role, first.location, first.employment) == (2.0, "Warehouse Planner",
                                                                                  "Rotterdam", "current")
    assert first.published == datetime(2024, 4, 11, 17, 3, 22, 917000, tzinfo=UTC)
    assert first.extra == {"employment_status": "REGULAR", "years_employed": 1, "ratingRecommendToFriend": "NEGATIVE",
                           "ratingCeo": "NO_OPINION", "ratingBusinessOutlook": "NEUTRAL"}
    assert first.url == "https://www.glassdoor.com/Reviews/Employee-Review-RVW84210031.htm"
    assert (second.role, second.location, second.employment, second.extra) == (
        "Logistics Analyst", "Utrecht", "former", {"employment_status": "PART_TIME"})


def test_ndjson_one_review_a_line() -> None:
    read = _read("glassdoor_reviews.ndjson")
    assert (read.format, read.shape) == ("ndjson", "glassdoor")
    assert [(r.review_id, r.rating.value, r.employment) for r in read.records] == [
        ("900001", 1.0, "former"), ("900002", 4.0, "current")]


def test_a_csv_through_the_monitors_column_mapping_with_cp1252_bytes_repaired() -> None:
    read = _read("reviews_mixed_encoding.csv", columns=COLUMNS, site="candidate-survey")
    assert (read.format, read.shape, read.encoding) == ("csv", "columns", "utf-8")
    assert read.notes == ["2 bytes that are not UTF-8 read as cp1252 (line 2, 3)"]
    first, second = read.records
    assert (first.site, first.review_id, first.title, first.author) == ("candidate-survey", "r-101",
                                                                        "Slow recruiters", "Loïc")
    assert (first.rating.value, first.published) == (2.0, datetime(2024, 2, 1, tzinfo=UTC))
    assert second.body == "The hiring manager explained everything – top"
    assert (second.author, second.published) == ("Zoë", datetime(2024, 3, 12, tzinfo=UTC))


def test_columns_named_like_the_fields_need_no_mapping() -> None:
    body = b"id,title,text,rating,date\n7,Slow,No answer for weeks,1,2024-06-01\n8,,,,\n"
    read = read_export(body, "x.csv", site="survey")
    assert [(r.review_id, r.body, r.rating.value) for r in read.records] == [("7", "No answer for weeks", 1.0)]
    assert read.notes == ["1 row without any review text skipped"]


@pytest.mark.parametrize(("body", "said"), [
    (b'{"data": [{"name": "x", "value": 3}]}', "file read (json), no reviews recognised"),
    (b"a;b\n1;2\n", "file read (csv), no reviews recognised"),
    (b"", "file read (csv), no reviews recognised: expected Trustpilot reviews"),
])
def test_a_file_without_reviews_says_what_it_held(body: bytes, said: str) -> None:
    with pytest.raises(NothingRecognised) as caught:
        read_export(body, "x")
    assert said in str(caught.value)
