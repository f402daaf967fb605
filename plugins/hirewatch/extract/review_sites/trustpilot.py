"""Trustpilot: the ``<script data-business-unit-json-ld>`` graph on review pages, and the
official API's JSON (``/v1/business-units/{id}/reviews``), which the review source prefers when an
API key is configured.

The graph holds the business (``LocalBusiness``/``Organization`` with ``aggregateRating``) and one
``Review`` per review whose ``@id`` ends in the review's own id
(``https://www.trustpilot.com/#/schema/Review/<domain>/<id>``); ``reviewRating`` carries
``bestRating``/``worstRating`` as strings. Pages continue with ``?page=N`` (and ``rel=next``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bs4 import BeautifulSoup

from hirewatch.extract.jsonld import Extracted, parse_json_lenient
from hirewatch.extract.review_extract import (
    AggregateRating,
    ReviewRecord,
    from_schema_nodes,
    jsonld_text,
    normalise_rating,
    parse_count,
    parse_date,
)
from hirewatch.extract.review_sites import AdapterResult, text_of

SITE = "trustpilot"
REVIEW_URL = "https://www.trustpilot.com/reviews/{id}"


class TrustpilotAdapter:
    site = SITE

    def extract(self, soup: BeautifulSoup, extracted: Extracted, url: str) -> AdapterResult:
        values: list[Any] = []
        for script in soup.find_all("script", attrs={"data-business-unit-json-ld": True}):
            values.extend(parse_json_lenient(script.string or script.get_text() or "") or [])
        reviews, aggregate = from_schema_nodes(values or extracted.jsonld, SITE)
        result = AdapterResult(aggregate=aggregate)
        about = aggregate.about if aggregate else None
        for record in reviews:
            result.reviews.append(_with_id(record, _short_id(record.review_id), about))
        return result


def _short_id(value: str | None) -> str | None:
    if not value:
        return None
    tail = value.rstrip("/").rsplit("/", 1)[-1]
    return tail or value


def _with_id(record: ReviewRecord, review_id: str | None, about: str | None) -> ReviewRecord:
    url = record.url or (REVIEW_URL.format(id=review_id) if review_id else None)
    return replace(record, review_id=review_id, url=url, about=record.about or about)


# --------------------------------------------------------------------------- the official API


def records_from_api(data: Any) -> tuple[list[ReviewRecord], str | None]:
    """Reviews from one page of the Trustpilot API's business-unit reviews answer, and the
    ``next-page`` link if the answer has one. Unknown shapes give no reviews."""
    if not isinstance(data, dict):
        return [], None
    records = [record_from_review(review) for review in data.get("reviews") or []
               if isinstance(review, dict) and review.get("id")]
    next_url = None
    for link in data.get("links") or []:
        if isinstance(link, dict) and link.get("rel") in {"next-page", "next"} and link.get("href"):
            next_url = str(link["href"])
    return records, next_url


def _member(review: Any, key: str) -> dict[str, Any]:
    value = review.get(key) if isinstance(review, dict) else None
    return value if isinstance(value, dict) else {}


def record_from_review(review: Any) -> ReviewRecord:
    """One Trustpilot review in either of its shapes: the API's (``stars``, ``createdAt``,
    ``companyReply``) or the review pages' data and exports (``rating``, ``dates.publishedDate``,
    ``reply``). The company's reply is kept in ``extra`` (it is not the reviewer's text)."""
    consumer, dates = _member(review, "consumer"), _member(review, "dates")
    reply = _member(review, "reply") or _member(review, "companyReply") or _member(review, "businessReply")
    review_id = str(review.get("id") or "") or None
    extra: dict[str, Any] = {}
    if text_of(reply.get("message")) or text_of(reply.get("text")):
        extra["reply"] = jsonld_text(reply.get("message") or reply.get("text"))
        replied = parse_date(reply.get("publishedDate") or reply.get("createdAt"))
        if replied is not None:
            extra["reply_published"] = replied.isoformat()
    experienced = parse_date(dates.get("experiencedDate"))
    if experienced is not None:
        extra["experienced"] = experienced.isoformat()
    stars = review.get("stars", review.get("rating"))
    return ReviewRecord(
        site=SITE,
        review_id=review_id,
        title=jsonld_text(review.get("title")),
        body=jsonld_text(review.get("text")),
        rating=normalise_rating(stars.get("value") if isinstance(stars, dict) else stars, 5, 1),
        author=text_of(consumer.get("displayName")) or text_of(consumer.get("name")) or text_of(review.get("author")),
        location=text_of(review.get("location")) or text_of(consumer.get("countryCode")),
        published=parse_date(review.get("createdAt") or dates.get("publishedDate") or review.get("date")),
        language=text_of(review.get("language")),
        url=REVIEW_URL.format(id=review_id) if review_id else text_of(review.get("link")),
        extra=extra,
    )


def aggregate_from_api(data: Any) -> AggregateRating | None:
    """The aggregate of the API's business-unit answer (``score.trustScore``/``stars``,
    ``numberOfReviews.total``)."""
    if not isinstance(data, dict):
        return None
    score = data.get("score") if isinstance(data.get("score"), dict) else {}
    rating = normalise_rating(score.get("trustScore", score.get("stars")), 5, 1)
    if rating is None:
        return None
    reviews = data.get("numberOfReviews")
    count = parse_count(reviews.get("total")) if isinstance(reviews, dict) else parse_count(reviews)
    return AggregateRating(SITE, rating, count, None, text_of(data.get("displayName")) or text_of(data.get("name")))


ADAPTER = TrustpilotAdapter()
