"""Glassdoor: reviews from the Apollo client cache embedded in the Next.js page data.

Each review is an ``EmployerReview*`` object (``reviewId``, ``summary``, ``pros``, ``cons``,
``advice``, ``ratingOverall`` on 1..5, ``reviewDateTime``, ``isCurrentJob``, ``jobTitle`` and
``location`` as ``__ref`` references into the cache); the employer's overall rating is an
``overallRating``/``reviewCount`` object next to them. Pages are ``...-Reviews-E<id>_P<n>.htm``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bs4 import BeautifulSoup

from hirewatch.extract.jsonld import Extracted, iter_nodes
from hirewatch.extract.review_extract import (
    AggregateRating,
    ReviewRecord,
    jsonld_text,
    normalise_rating,
    parse_count,
    parse_date,
)
from hirewatch.extract.review_sites import AdapterResult, apollo_state, resolve, text_of

SITE = "glassdoor"
_PAGE = re.compile(r"(-Reviews-E\d+)(?:_P(\d+))?(\.htm)$")


class GlassdoorAdapter:
    site = SITE

    def extract(self, soup: BeautifulSoup, extracted: Extracted, url: str) -> AdapterResult:
        cache = apollo_state(soup)
        if not cache:
            return AdapterResult()
        result = AdapterResult()
        seen: set[str] = set()
        employer = _employer_name(cache)
        pages: int | None = None
        for node in iter_nodes(cache):
            typename = str(node.get("__typename", ""))
            if typename.startswith("EmployerReview") and "reviewId" in node:
                record = _record(node, cache, url, employer)
                if record.review_id not in seen:
                    seen.add(record.review_id or "")
                    result.reviews.append(record)
            elif "overallRating" in node and result.aggregate is None:
                rating = normalise_rating(node.get("overallRating"))
                if rating is not None:
                    result.aggregate = AggregateRating(SITE, rating, parse_count(node.get("reviewCount")),
                                                       parse_count(node.get("ratingCount")), employer)
            if isinstance(node.get("numberOfPages"), int):
                pages = node["numberOfPages"]
        result.next_url = _next_url(url, pages) if result.reviews else None
        return result


def _record(node: dict[str, Any], cache: dict[str, Any], url: str, employer: str | None) -> ReviewRecord:
    review_id = str(node["reviewId"]) if node.get("reviewId") is not None else ""
    current = node.get("isCurrentJob")
    status = text_of(node.get("employmentStatus"))
    extra: dict[str, Any] = {}
    if status:
        extra["employment_status"] = status
    if isinstance(node.get("lengthOfEmployment"), int):
        extra["years_employed"] = node["lengthOfEmployment"]
    for key in ("ratingRecommendToFriend", "ratingCeo", "ratingBusinessOutlook"):
        if isinstance(node.get(key), str):
            extra[key] = node[key]
    host = urlsplit(url)
    return ReviewRecord(
        site=SITE,
        review_id=review_id or None,
        title=jsonld_text(node.get("summary") or node.get("headline")),
        body=jsonld_text(node.get("reviewBody")),
        pros=jsonld_text(node.get("pros")),
        cons=jsonld_text(node.get("cons")),
        advice=jsonld_text(node.get("advice")),
        rating=normalise_rating(node.get("ratingOverall")),
        role=text_of(resolve(node.get("jobTitle"), cache)),
        location=text_of(resolve(node.get("location"), cache)),
        employment=None if current is None else ("current" if current else "former"),
        published=parse_date(node.get("reviewDateTime")),
        url=urlunsplit((host.scheme, host.netloc, f"/Reviews/Employee-Review-RVW{review_id}.htm", "", ""))
        if review_id else None,
        language=text_of(node.get("languageId")),
        about=employer,
        extra=extra,
    )


def record_from_export(node: dict[str, Any]) -> ReviewRecord:
    """One review of a Glassdoor review JSON export (the same fields as the page data, with
    ``jobTitle``/``location`` inline instead of cache references)."""
    employer = text_of(node.get("employer")) or text_of(node.get("employerName"))
    return _record({**node, "reviewId": node.get("reviewId") or node.get("id")}, {}, "https://www.glassdoor.com/",
                   employer)


def _employer_name(cache: dict[str, Any]) -> str | None:
    for key, value in cache.items():
        if key.startswith("Employer:") and isinstance(value, dict):
            name = text_of(value.get("shortName")) or text_of(value.get("name"))
            if name:
                return name
    return None


def _next_url(url: str, pages: int | None) -> str | None:
    parts = urlsplit(url)
    match = _PAGE.search(parts.path)
    if not match:
        return None
    current = int(match.group(2) or 1)
    if pages is not None and current >= pages:
        return None
    path = parts.path[: match.start()] + f"{match.group(1)}_P{current + 1}{match.group(3)}"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


ADAPTER = GlassdoorAdapter()
