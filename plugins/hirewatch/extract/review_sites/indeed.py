"""Indeed company reviews: schema.org microdata ``Review`` items in the review cards.

Indeed marks each card up as ``itemprop="review" itemscope itemtype="http://schema.org/Review"``
with ``reviewRating``/``ratingValue``, ``name`` (title), ``reviewBody`` and an ``author`` whose
visible line reads ``Role (Former Employee) - City, ST - March 3, 2020``; the card's container holds
the review id in ``data-tn-entityid`` (or the card an ``id``/``itemid``), and pros/cons sit in
elements whose class ends in ``prosText``/``consText``. Pages continue with ``?start=N``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from hirewatch.extract.jsonld import Extracted, microdata_item, microdata_to_jsonld
from hirewatch.extract.review_extract import (
    AggregateRating,
    employment_from_text,
    from_schema_nodes,
    jsonld_text,
    parse_date,
    review_from_node,
)
from hirewatch.extract.review_sites import AdapterResult

SITE = "indeed"
_AUTHOR_LINE = re.compile(
    r"^(?P<role>.*?)\s*\((?P<status>[^)]*)\)\s*(?:-\s*(?P<location>.*?)\s*)?(?:-\s*(?P<date>[^-]*?))?\s*$")


class IndeedAdapter:
    site = SITE

    def extract(self, soup: BeautifulSoup, extracted: Extracted, url: str) -> AdapterResult:
        result = AdapterResult()
        for tag in soup.find_all(attrs={"itemscope": True, "itemtype": re.compile(r"schema\.org/Review$")}):
            node = microdata_to_jsonld(microdata_item(tag, url))
            record = review_from_node(node, SITE)
            role, status, location, date = _author_line(tag)
            review_id = _review_id(tag) or record.review_id
            record = replace(record, review_id=review_id, role=role or record.role,
                              location=location or record.location,
                              employment=employment_from_text(status) or record.employment,
                              pros=_by_class(tag, "prosText") or record.pros,
                              cons=_by_class(tag, "consText") or record.cons,
                              published=record.published or parse_date(date),
                              # Indeed's reviews are anonymous: the Person's name is the role.
                              author=None if record.author in {role, record.role} else record.author)
            result.reviews.append(record)
        result.aggregate = _aggregate(extracted)
        about = result.aggregate.about if result.aggregate else None
        result.reviews = [replace(r, about=r.about or about) for r in result.reviews]
        if result.reviews:
            result.next_url = _next_start(url, len(result.reviews))
        return result


def _review_id(tag: Tag) -> str | None:
    for element in (tag, *tag.parents):
        if not isinstance(element, Tag):
            continue
        entity = element.get("data-tn-entityid")
        if entity:
            return str(entity).split(",")[-1].strip()
        if element.get("itemid"):
            return str(element["itemid"]).strip()
        element_id = element.get("id")
        if element_id and str(element_id).startswith("cmp-review-"):
            return str(element_id).removeprefix("cmp-review-")
    return None


def _author_line(tag: Tag) -> tuple[str | None, str | None, str | None, str | None]:
    """(role, employment status, location, date) from "Role (Former Employee) - City, ST - date"."""
    author = tag.find(attrs={"itemprop": "author"})
    if author is None:
        return None, None, None, None
    line = " ".join(author.get_text(" ").split())
    match = _AUTHOR_LINE.match(line)
    if not match:
        return None, line, None, None
    return (match.group("role") or None, match.group("status"), match.group("location") or None,
            match.group("date"))


def _by_class(tag: Tag, suffix: str) -> str:
    found = tag.find(class_=lambda c: bool(c) and any(part.endswith(suffix) for part in str(c).split()))
    return jsonld_text(found.get_text("\n")) if found is not None else ""


def _aggregate(extracted: Extracted) -> AggregateRating | None:
    nodes = [microdata_to_jsonld(item) for item in extracted.microdata]
    _, aggregate = from_schema_nodes([*extracted.jsonld, *nodes], SITE)
    return aggregate


def _next_start(url: str, per_page: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    start = int(query.get("start", "0") or 0) if str(query.get("start", "0")).isdigit() else 0
    query["start"] = str(start + per_page)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


ADAPTER = IndeedAdapter()
