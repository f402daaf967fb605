"""Kununu: reviews from the Next.js page data, the aggregate from its ``EmployerAggregateRating``.

A review object has a ``uuid``, ``title``, ``score`` (1..5), ``createdAt``, ``position`` (which
says "Ex-Angestellte/r ..." for a former employee), ``department``, ``city`` and ``texts``: a list
of ``{"id": "positive"|"negative"|"suggestions", "text": ...}`` (pros, cons, advice; the German
headings "Gut am Arbeitgeber finde ich", "Schlecht am Arbeitgeber finde ich",
"Verbesserungsvorschläge" are read too). Pages continue with ``?page=N``.
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

from hirewatch.extract.jsonld import Extracted, iter_nodes, microdata_to_jsonld
from hirewatch.extract.review_extract import (
    ReviewRecord,
    employment_from_text,
    from_schema_nodes,
    jsonld_text,
    normalise_rating,
    parse_date,
)
from hirewatch.extract.review_sites import AdapterResult, next_data, text_of

SITE = "kununu"
_PROS = {"positive", "pros", "gut am arbeitgeber finde ich", "gut am arbeitgeber"}
_CONS = {"negative", "cons", "schlecht am arbeitgeber finde ich", "schlecht am arbeitgeber"}
_ADVICE = {"suggestions", "improvements", "verbesserungsvorschläge", "verbesserungsvorschlaege"}


class KununuAdapter:
    site = SITE

    def extract(self, soup: BeautifulSoup, extracted: Extracted, url: str) -> AdapterResult:
        result = AdapterResult()
        nodes = [*extracted.jsonld, *(microdata_to_jsonld(i) for i in extracted.microdata)]
        _, result.aggregate = from_schema_nodes(nodes, SITE)
        data = next_data(soup)
        if data is None:
            return result
        seen: set[str] = set()
        for node in iter_nodes(data):
            if _is_review(node) and str(node["uuid"]) not in seen:
                seen.add(str(node["uuid"]))
                result.reviews.append(_record(node, result.aggregate.about if result.aggregate else None))
        return result


def _is_review(node: dict[str, Any]) -> bool:
    return "uuid" in node and "title" in node and ("score" in node or "texts" in node)


def _record(node: dict[str, Any], about: str | None) -> ReviewRecord:
    pros, cons, advice, other = [], [], [], []
    for entry in node.get("texts") or []:
        if not isinstance(entry, dict):
            continue
        label = (text_of(entry.get("id")) or text_of(entry.get("title")) or "").casefold()
        text = jsonld_text(entry.get("text"))
        if not text:
            continue
        (pros if label in _PROS else cons if label in _CONS else advice if label in _ADVICE else other).append(text)
    position = text_of(node.get("position"))
    extra: dict[str, Any] = {}
    if text_of(node.get("department")):
        extra["department"] = text_of(node.get("department"))
    if isinstance(node.get("recommended"), bool):
        extra["recommended"] = node["recommended"]
    return ReviewRecord(
        site=SITE,
        review_id=str(node["uuid"]),
        title=jsonld_text(node.get("title")),
        body="\n".join(other),
        pros="\n".join(pros),
        cons="\n".join(cons),
        advice="\n".join(advice),
        rating=normalise_rating(node.get("score")),
        role=position,
        location=text_of(node.get("city")),
        employment=employment_from_text(position) or _status(node),
        published=parse_date(node.get("createdAt") or node.get("date")),
        language=text_of(node.get("language")),
        about=about,
        extra=extra,
    )


def _status(node: dict[str, Any]) -> str | None:
    value = str(node.get("employmentStatus") or "").casefold()
    if value in {"current", "former"}:
        return value
    return None


ADAPTER = KununuAdapter()
