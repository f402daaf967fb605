"""Reviews in microformats: classic hReview (``.hreview`` with ``.summary``, ``.rating`` /
``value-title``, ``.dtreviewed``, ``.reviewer``, ``.description``) and microformats2 ``h-review``
(``p-name``, ``p-rating``, ``dt-published``, ``p-author``, ``e-content``), plus
``hreview-aggregate`` / ``h-review-aggregate`` for the page's overall rating.

mf2py (the microformats community's parser, which also reads the classic vocabulary) reads each
review root; what the vocabularies leave out but review pages carry is read from the same element:
pros and cons (``.pros``/``.cons``, ``p-pros``/``p-cons``), advice, the reviewer's location, and
the date where mf2py gives none (a ``value-title`` inside ``.dtreviewed``). Older Glassdoor pages
put the reviewer's status and role in ``.reviewer`` ("Current Employee - Software Engineer"): such
a reviewer is read as employment and role, not as a name.

Called by :func:`hirewatch.extract.review_extract.extract_review_page` after JSON-LD and
microdata. Never raises: a root mf2py cannot read is skipped and counted.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from hirewatch.extract.review_records import (
    AggregateRating,
    ReviewRecord,
    employment_from_text,
    jsonld_text,
    normalise_rating,
    parse_count,
    parse_date,
)

REVIEW_ROOTS = ("hreview", "h-review")
AGGREGATE_ROOTS = ("hreview-aggregate", "h-review-aggregate")
_LABEL = re.compile(r"^\s*(?:pros|cons|advice(?: to (?:senior )?management)?|vorteile|nachteile|voordelen|"
                    r"nadelen|avantages|inconvénients)\s*[:\-–]?\s*", re.IGNORECASE)
_ROLE_SPLIT = re.compile(r"\s+[-–—|]\s+")
_QUOTES = "\"'“”„«»‘’ "


def _classes(tag: Tag) -> set[str]:
    value = tag.get("class") or []
    return set(value.split() if isinstance(value, str) else value)


def _roots(soup: BeautifulSoup, names: tuple[str, ...]) -> list[Tag]:
    """Elements with one of ``names`` among their classes that are not inside another such one."""
    found = [tag for tag in soup.find_all(class_=True) if _classes(tag) & set(names)]
    ids = {id(tag) for tag in found}
    return [tag for tag in found if not any(id(parent) in ids for parent in tag.parents)]


def _first(properties: dict[str, Any], *names: str) -> Any:
    for name in names:
        values = properties.get(name)
        if values:
            return values[0]
    return None


def _text(value: Any) -> str:
    """Plain text of an mf2 value: a string, an ``e-`` ``{"value", "html"}`` or an embedded item."""
    if isinstance(value, dict):
        if "html" in value:  # an e- property: mf2py's text of it (source line breaks are no breaks)
            return " ".join(str(value.get("value") or jsonld_text(value["html"])).split())
        if "properties" in value:  # an embedded h-card/h-item: its name, never its photo's address
            return _text(_first(value["properties"], "name"))
        return jsonld_text(value.get("value") or "")
    return jsonld_text(value).strip(_QUOTES) if value is not None else ""


def _parse_root(tag: Tag, url: str) -> dict[str, Any] | None:
    import mf2py

    try:
        items = mf2py.parse(doc=str(tag), url=url, metaformats=False).get("items") or []
    except Exception:  # noqa: BLE001 - one unreadable review never costs the page's others
        return None
    return items[0] if items else None


def _dom_text(tag: Tag, *classes: str) -> str:
    for name in classes:
        found = tag.find(class_=name)
        if found is not None:
            return _LABEL.sub("", jsonld_text(str(found)), count=1).strip()
    return ""


def _own_id(tag: Tag) -> str | None:
    """The review's id on the page: the root's ``id``, else that of a wrapper holding only this
    review (a list item ``empReview_5501`` around the ``.hreview``)."""
    if tag.get("id"):
        return str(tag["id"])
    for parent in list(tag.parents)[:2]:
        if parent.get("id") and len(_roots(parent, REVIEW_ROOTS)) == 1:
            return str(parent["id"])
    return None


def _permalink(tag: Tag, props: dict[str, Any], url: str) -> str | None:
    """The review's own address: its mf2 ``url``, else the link of its summary (classic hReview
    titles link to the review), when it is another address than the page's."""
    from urllib.parse import urljoin

    link = _first(props, "url")
    if not isinstance(link, str):
        summary = tag.find(class_=("summary", "p-name"))
        anchor = summary if summary is not None and summary.name == "a" else (
            summary.find("a", href=True) if summary is not None else None)
        link = urljoin(url, str(anchor["href"])) if anchor is not None and anchor.get("href") else None
    if link and link.startswith(("http://", "https://")) and link.split("#")[0] != url.split("#")[0]:
        return link
    return None


def _dom_date(tag: Tag) -> Any:
    """The date of a classic ``.dtreviewed`` (or ``dt-reviewed``/``dt-published``) element: a
    ``value-title``'s title, an ``abbr``'s title, a ``time``'s datetime, else its text."""
    for name in ("dtreviewed", "dt-reviewed", "dt-published"):
        found = tag.find(class_=name)
        if found is None:
            continue
        titled = found.find(class_="value-title")
        for candidate in (titled.get("title") if titled else None, found.get("datetime"), found.get("title"),
                          found.get_text(" ", strip=True)):
            parsed = parse_date(str(candidate)) if candidate else None
            if parsed is not None:
                return parsed
    return None


def _reviewer(value: Any) -> tuple[str | None, str | None, str | None]:
    """(author, role, employment) from an hReview reviewer / h-review author."""
    name = _text(value) or None
    if name is None:
        return None, None, None
    employment = employment_from_text(name)
    if employment is None:
        return name, None, None
    parts = _ROLE_SPLIT.split(name, maxsplit=1)
    role = parts[1].strip() if len(parts) == 2 else None
    return None, role or None, employment


def _review(tag: Tag, item: dict[str, Any], site: str, url: str) -> ReviewRecord:
    props = item.get("properties") or {}
    reviewer = tag.find(class_="reviewer")
    named = reviewer.find(class_="fn") if reviewer is not None else None  # mf2py keeps "Reviewer: x -"
    author, role, employment = _reviewer(named.get_text(" ", strip=True) if named is not None
                                         else _first(props, "author", "reviewer"))
    rating_value = _first(props, "rating")
    if isinstance(rating_value, dict):  # a nested rating with its own value/best/worst
        nested = rating_value.get("properties") or {}
        rating = normalise_rating(_first(nested, "value", "rating", "average") or rating_value.get("value"),
                                  _first(nested, "best"), _first(nested, "worst"))
    else:
        rating = normalise_rating(rating_value, _first(props, "best"), _first(props, "worst"))
    own = _permalink(tag, props, url)
    about = next((name for name in map(_text, props.get("item") or ()) if name), None)
    return ReviewRecord(
        site=site,
        review_id=_own_id(tag) or own,
        title=_text(_first(props, "name", "summary")),
        body=_text(_first(props, "content", "description")),
        pros=_text(_first(props, "pros")) or _dom_text(tag, "pros", "p-pros"),
        cons=_text(_first(props, "cons")) or _dom_text(tag, "cons", "p-cons"),
        advice=_text(_first(props, "advice")) or _dom_text(tag, "adviceMgmt", "advice", "p-advice"),
        rating=rating,
        role=role,
        location=_dom_text(tag, "authorLocation", "location", "p-location") or None,
        employment=employment,
        published=parse_date(_first(props, "published", "reviewed", "dtreviewed")) or _dom_date(tag),
        author=author,
        url=own,
        about=about,
    )


def _aggregate(item: dict[str, Any], site: str) -> AggregateRating | None:
    props = item.get("properties") or {}
    rating = normalise_rating(_first(props, "average", "rating"), _first(props, "best"), _first(props, "worst"))
    if rating is None:
        return None
    return AggregateRating(site, rating, parse_count(_first(props, "count")), parse_count(_first(props, "votes")),
                           _text(_first(props, "item")) or None)


def reviews_from_microformats(soup: BeautifulSoup, url: str,
                              site: str) -> tuple[list[ReviewRecord], AggregateRating | None, int]:
    """The page's microformats reviews, its first aggregate rating, and how many review roots it
    has (roots mf2py could not read included)."""
    roots = _roots(soup, REVIEW_ROOTS)
    reviews = []
    for tag in roots:
        item = _parse_root(tag, url)
        if item is not None and set(item.get("type") or ()) & {"h-review"}:
            reviews.append(_review(tag, item, site, url))
    aggregate = None
    for tag in _roots(soup, AGGREGATE_ROOTS):
        item = _parse_root(tag, url)
        if item is not None and (aggregate := _aggregate(item, site)) is not None:
            break
    return reviews, aggregate, len(roots)
