"""Review pages -> one :class:`~hirewatch.records.RawItem` per review, plus the page's
aggregate rating.

Order of extraction: a site adapter when the site has one (Glassdoor's embedded Next.js/Apollo
JSON, Indeed's microdata, Kununu, Trustpilot's business-unit graph), then schema.org JSON-LD
(``Review`` nodes anywhere, ``@graph`` included), then microdata, then microformats (hReview,
h-review: :mod:`hirewatch.extract.microformats`, only where schema.org gave no review: pages mark
the same reviews up both ways). A review found twice (JSON-LD and microdata) is kept once, by its
id. :attr:`ReviewPage.via` says which readers gave the reviews, and :attr:`ReviewPage.tried` what
each one saw when none did.

Called by :mod:`hirewatch.sources.review_source` (``parse`` and pagination) and by
:mod:`hirewatch.submit`. Nothing here raises on a broken page: what cannot be read is skipped and
named in :attr:`ReviewPage.problems`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from hirewatch.extract.jsonld import Extracted, extract, iter_nodes, microdata_to_jsonld, node_types, soup_of
from hirewatch.extract.review_records import (
    AggregateRating,
    Rating,
    ReviewRecord,
    _name,
    employment_from_text,
    jsonld_text,
    normalise_rating,
    parse_count,
    parse_date,
    parse_number,
)
from hirewatch.records import RawItem

#: The record and value parsers live in review_records; the adapters import them from here too.
__all__ = [
    "AggregateRating",
    "Rating",
    "ReviewPage",
    "ReviewRecord",
    "employment_from_text",
    "extract_review_page",
    "from_schema_nodes",
    "jsonld_text",
    "name_entity",
    "normalise_rating",
    "parse_count",
    "parse_date",
    "parse_number",
    "review_from_node",
    "site_for_url",
]

REVIEW_TYPES = {"Review", "EmployerReview", "UserReview", "CriticReview"}
AGGREGATE_TYPES = {"AggregateRating", "EmployerAggregateRating"}

#: Known review sites by host suffix; anything else is named after its host.
SITE_HOSTS = {
    "glassdoor": ("glassdoor.com", "glassdoor.co.uk", "glassdoor.de", "glassdoor.nl", "glassdoor.fr",
                  "glassdoor.ca", "glassdoor.com.au", "glassdoor.co.in", "glassdoor.ie", "glassdoor.sg"),
    "indeed": ("indeed.com", "indeed.co.uk", "indeed.de", "indeed.nl", "indeed.fr", "indeed.ca"),
    "kununu": ("kununu.com", "kununu.de"),
    "trustpilot": ("trustpilot.com",),
}


@dataclass(slots=True)
class ReviewPage:
    """What one review page holds."""

    site: str
    url: str
    reviews: list[ReviewRecord] = field(default_factory=list)
    aggregate: AggregateRating | None = None
    next_url: str | None = None
    problems: list[str] = field(default_factory=list)
    #: How the reviews were read: ``site adapter (glassdoor)``, ``JSON-LD``, ``microdata``,
    #: ``microformats`` (several joined by ", "); None when none were found.
    via: str | None = None
    #: What each reader found, for the reason of a page that gave no review.
    tried: list[str] = field(default_factory=list)

    def items(self) -> list[RawItem]:
        return [r.to_item(self.url) for r in self.reviews]

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.reviews]

    def nothing_recognised(self) -> str:
        """Why this page gave no review, for a failed source: what each reader saw, then the
        problems met ("page fetched, no reviews recognised: ...")."""
        said = "; ".join([*self.tried, *self.problems[:3]])
        return f"page fetched, no reviews recognised: {said}" if said else "page fetched, no reviews recognised"


# --------------------------------------------------------------------------- JSON-LD -> records


def site_for_url(url: str) -> str:
    """``glassdoor``/``indeed``/``kununu``/``trustpilot`` from the host, else the host itself
    (without ``www.``)."""
    host = (urlsplit(url).hostname or "").lower()
    for site, suffixes in SITE_HOSTS.items():
        if any(host == s or host.endswith("." + s) for s in suffixes):
            return site
    return host.removeprefix("www.") or "unknown"


def review_from_node(node: dict[str, Any], site: str, about: str | None = None) -> ReviewRecord:
    """A schema.org ``Review`` node (JSON-LD, or microdata in JSON-LD form) as a record. The
    older data-vocabulary.org ``Review`` microdata (``summary``, ``reviewer``, ``dtreviewed``,
    ``rating`` with ``value``/``best``) is read too: pages still carry it."""
    author = node.get("author") or node.get("reviewer")
    author_node = author[0] if isinstance(author, list) and author else author
    author_node = author_node if isinstance(author_node, dict) else {}
    role = _name(author_node.get("jobTitle")) or _name(node.get("jobTitle"))
    location = (_location(node.get("contentLocation")) or _location(node.get("locationCreated"))
                or _location(author_node.get("address")) or _location(author_node.get("homeLocation")))
    rating_node = node.get("reviewRating") or node.get("rating")
    if isinstance(rating_node, list):
        rating_node = rating_node[0] if rating_node else None
    if isinstance(rating_node, dict):
        rating = normalise_rating(rating_node.get("ratingValue", rating_node.get("value", rating_node.get("average"))),
                                  rating_node.get("bestRating", rating_node.get("best")),
                                  rating_node.get("worstRating", rating_node.get("worst")))
    else:
        rating = normalise_rating(rating_node)
    reviewed = node.get("itemReviewed")
    employment_hint = " ".join(filter(None, [jsonld_text(author_node.get("description")), jsonld_text(role),
                                             jsonld_text(node.get("employmentStatus"))]))
    return ReviewRecord(
        site=site,
        review_id=_review_id(node),
        title=jsonld_text(node.get("name") or node.get("headline") or node.get("summary")),
        body=jsonld_text(node.get("reviewBody") or node.get("description") or node.get("text")),
        pros=jsonld_text(node.get("positiveNotes")),
        cons=jsonld_text(node.get("negativeNotes")),
        advice=jsonld_text(node.get("advice")),
        rating=rating,
        role=role,
        location=location,
        employment=employment_from_text(employment_hint),
        published=parse_date(node.get("datePublished") or node.get("dateCreated") or node.get("dtreviewed")
                             or author_node.get("datePublished")),
        author=_name(author) if not isinstance(author, str) else (jsonld_text(author) or None),
        url=_review_url(node),
        language=node.get("inLanguage") if isinstance(node.get("inLanguage"), str) else None,
        about=_name(reviewed) or about,
    )


def _review_id(node: dict[str, Any]) -> str | None:
    for key in ("@id", "identifier", "url"):
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("value") or value.get("@id")
        if isinstance(value, int | str) and str(value).strip():
            return str(value).strip()
    return None


def _review_url(node: dict[str, Any]) -> str | None:
    """The review's own address: ``url``, or an ``@id`` that is a plain http(s) URL (not a
    ``#/schema/...`` node name)."""
    for key in ("url", "@id"):
        value = node.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")) and "#" not in value:
            return value
    return None


def _location(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return jsonld_text(value) or None
    if isinstance(value, dict):
        if value.get("name"):
            return jsonld_text(value["name"]) or None
        address = value.get("address") if isinstance(value.get("address"), dict) else value
        parts = [jsonld_text(address.get(k)) for k in ("addressLocality", "addressRegion", "addressCountry")
                 if isinstance(address.get(k), str)]
        return ", ".join(p for p in parts if p) or None
    return None


def aggregate_from_node(node: dict[str, Any], site: str, about: str | None = None) -> AggregateRating | None:
    rating = normalise_rating(node.get("ratingValue"), node.get("bestRating"), node.get("worstRating"))
    if rating is None:
        return None
    return AggregateRating(site, rating, parse_count(node.get("reviewCount")), parse_count(node.get("ratingCount")),
                           _name(node.get("itemReviewed")) or about)


def from_schema_nodes(nodes: list[Any], site: str) -> tuple[list[ReviewRecord], AggregateRating | None]:
    """Reviews and the first aggregate rating among schema.org values (JSON-LD or converted
    microdata); ``@graph`` members, nested ``review`` arrays and ``itemReviewed`` are walked."""
    reviews: list[ReviewRecord] = []
    aggregate: AggregateRating | None = None
    owners: dict[int, str | None] = {}
    for node in iter_nodes(nodes):
        name = _name(node.get("name")) if node_types(node) - REVIEW_TYPES - AGGREGATE_TYPES else None
        for key in ("aggregateRating", "review", "reviews"):
            child = node.get(key)
            for member in child if isinstance(child, list) else [child]:
                if isinstance(member, dict):
                    owners.setdefault(id(member), name)
        types = node_types(node)
        if types & REVIEW_TYPES:
            reviews.append(review_from_node(node, site, owners.get(id(node))))
        elif types & AGGREGATE_TYPES and aggregate is None:
            aggregate = aggregate_from_node(node, site, owners.get(id(node)))
    return reviews, aggregate


# --------------------------------------------------------------------------- pages


def next_page_url(soup: BeautifulSoup, url: str) -> str | None:
    """The ``rel=next`` link of a page (``<link>`` or ``<a>``), absolute."""
    for tag in soup.find_all(["link", "a"], rel=True):
        rels = tag.get("rel")
        rels = rels.split() if isinstance(rels, str) else rels
        if "next" in [r.lower() for r in rels] and tag.get("href"):
            return urljoin(url, str(tag["href"]).strip())
    return None


def canonical_url_of(soup: BeautifulSoup) -> str | None:
    """The page's own address as it states it (``rel=canonical``, else ``og:url``)."""
    for tag in soup.find_all("link", rel=True):
        rels = tag.get("rel")
        rels = rels.split() if isinstance(rels, str) else rels
        if "canonical" in [r.lower() for r in rels] and tag.get("href"):
            return str(tag["href"]).strip()
    og = soup.find("meta", attrs={"property": "og:url"})
    if og is not None and og.get("content"):
        return str(og["content"]).strip()
    return None


def extract_review_page(html: str | bytes, url: str, site: str | None = None) -> ReviewPage:
    """Every review and the aggregate rating of one page, and its next-page link. Never raises.

    ``site`` picks the adapter; without it the site is named from the URL's host, or, when that
    host is no known review site (a mirror, a saved copy), from the page's own canonical address
    (``<link rel="canonical">``, ``og:url``)."""
    from hirewatch.extract.review_sites import ADAPTERS

    page = ReviewPage(site=site or site_for_url(url), url=url)
    try:
        soup = soup_of(html)
        extracted: Extracted = extract(soup, base_url=url)
        page.problems.extend(extracted.problems)
        page.next_url = next_page_url(soup, url)
    except Exception as exc:  # noqa: BLE001 - a page lxml/bs4 cannot read gives no reviews, not a crash
        page.problems.append(f"unreadable page: {type(exc).__name__}: {exc}")
        return page
    if site is None and page.site not in ADAPTERS:
        canonical = canonical_url_of(soup)
        if canonical and site_for_url(canonical) in ADAPTERS:
            page.site = site_for_url(canonical)
    from hirewatch.extract.dates import current_languages, current_now, date_context

    lang = soup.html.get("lang") if soup.html is not None else None
    with date_context([str(lang) if lang else None, *current_languages()], current_now()):
        return _read_reviews(page, soup, extracted, url)


def _read_reviews(page: ReviewPage, soup: BeautifulSoup, extracted: Extracted, url: str) -> ReviewPage:
    """The readers in order (see the module docstring) into ``page``."""
    site = page.site
    _from_adapter(page, soup, extracted, url)
    if page.reviews:
        # The adapter read the site's own data; its schema.org copy would give the same reviews
        # under other ids. Its aggregate stands unless it had none.
        if page.aggregate is None:
            page.aggregate = _schema_aggregate(extracted, site)
        return page
    ld_reviews, ld_aggregate = from_schema_nodes(extracted.jsonld, site)
    md_nodes = [microdata_to_jsonld(item) for item in extracted.microdata]
    md_reviews, md_aggregate = from_schema_nodes(md_nodes, site)
    page.tried.append(_tried("JSON-LD", len(extracted.jsonld), "block", ld_reviews))
    page.tried.append(_tried("microdata", len(extracted.microdata), "item", md_reviews))
    page.aggregate = ld_aggregate or md_aggregate
    _keep(page, [("JSON-LD", ld_reviews), ("microdata", md_reviews)])
    if page.reviews:
        # Pages often mark the same reviews up twice (an .hreview element that is also a
        # schema.org microdata item): microformats are read only where schema.org gave nothing.
        return page
    mf_reviews, mf_aggregate, mf_roots = _microformats(soup, url, site, page)
    page.tried.append(f"microformats: {mf_roots} hReview/h-review, {len(mf_reviews)} read" if mf_roots
                      else "no hReview/h-review microformats")
    page.aggregate = page.aggregate or mf_aggregate
    _keep(page, [("microformats", mf_reviews)])
    return page


def _keep(page: ReviewPage, readers: list[tuple[str, list[ReviewRecord]]]) -> None:
    """The readers' reviews that have some text, each once (by key), into ``page``; ``page.via``
    names the readers that gave any."""
    seen = {r.key for r in page.reviews}
    used = [page.via] if page.via else []
    for how, records in readers:
        kept = 0
        for record in records:
            if record.key not in seen and (record.body or record.title or record.pros or record.cons):
                seen.add(record.key)
                page.reviews.append(record)
                kept += 1
        if kept:
            used.append(how)
    page.via = ", ".join(used) or None


def _microformats(soup: BeautifulSoup, url: str, site: str,
                  page: ReviewPage) -> tuple[list[ReviewRecord], AggregateRating | None, int]:
    from hirewatch.extract.microformats import reviews_from_microformats

    try:
        return reviews_from_microformats(soup, url, site)
    except Exception as exc:  # noqa: BLE001 - the other readers' reviews still count
        page.problems.append(f"microformats: {type(exc).__name__}: {exc}")
        return [], None, 0


def _from_adapter(page: ReviewPage, soup: BeautifulSoup, extracted: Extracted, url: str) -> None:
    """The site adapter's reviews and aggregate into ``page`` (none for a site without one)."""
    from hirewatch.extract.review_sites import adapter_for

    adapter = adapter_for(page.site)
    if adapter is None:
        page.tried.append(f"no site adapter for {page.site}")
        return
    try:
        found = adapter.extract(soup, extracted, url)
    except Exception as exc:  # noqa: BLE001 - a site that changed its markup falls back to schema.org
        page.problems.append(f"{page.site} adapter: {type(exc).__name__}: {exc}")
        page.tried.append(f"the {page.site} adapter failed")
        return
    page.reviews.extend(found.reviews)
    page.aggregate = found.aggregate
    page.next_url = page.next_url or found.next_url
    if found.reviews:
        page.via = f"site adapter ({page.site})"
    else:
        page.tried.append(f"the {page.site} adapter recognised no review data")


def _schema_aggregate(extracted: Extracted, site: str) -> AggregateRating | None:
    _, ld_aggregate = from_schema_nodes(extracted.jsonld, site)
    if ld_aggregate is not None:
        return ld_aggregate
    return from_schema_nodes([microdata_to_jsonld(item) for item in extracted.microdata], site)[1]


def _tried(how: str, found: int, unit: str, records: list[ReviewRecord]) -> str:
    """One reader's account: ``JSON-LD: 2 blocks, no schema.org Review`` and the like."""
    if not found:
        return f"no {how}"
    units = f"{found} {unit}{'' if found == 1 else 's'}"
    if not records:
        return f"{how}: {units}, no schema.org Review"
    empty = sum(1 for r in records if not (r.body or r.title or r.pros or r.cons))
    return f"{how}: {units}, {len(records)} Review ({empty} without text)"


def name_entity(item: RawItem, entity: str) -> RawItem:
    """Say which employer a review is about: a review on the employer's own page often never names
    it, so ``extra["entity"]`` says it and the matcher takes it from there; the reviewer's text is
    left as written (a line added to it would be scored as if the reviewer wrote it). Called by
    the review source and by submit."""
    return replace(item, extra={**item.extra, "entity": entity})
