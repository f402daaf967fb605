"""Review pages -> one :class:`~hirewatch.records.RawItem` per review, plus the page's
aggregate rating.

Order of extraction: a site adapter when the site has one (Glassdoor's embedded Next.js/Apollo
JSON, Indeed's microdata, Kununu, Trustpilot's business-unit graph), then schema.org JSON-LD
(``Review`` nodes anywhere, ``@graph`` included), then microdata. A review found twice (JSON-LD
and microdata) is kept once, by its id.

Called by :mod:`hirewatch.sources.review_source` (``parse`` and pagination) and by
:mod:`hirewatch.submit`. Nothing here raises on a broken page: what cannot be read is skipped and
named in :attr:`ReviewPage.problems`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from bs4 import BeautifulSoup

from hirewatch.extract.jsonld import Extracted, extract, iter_nodes, microdata_to_jsonld, node_types, soup_of
from hirewatch.records import RawItem

REVIEW_TYPES = {"Review", "EmployerReview", "UserReview", "CriticReview"}
AGGREGATE_TYPES = {"AggregateRating", "EmployerAggregateRating"}
DEFAULT_BEST, DEFAULT_WORST = 5.0, 1.0

#: Known review sites by host suffix; anything else is named after its host.
SITE_HOSTS = {
    "glassdoor": ("glassdoor.com", "glassdoor.co.uk", "glassdoor.de", "glassdoor.nl", "glassdoor.fr",
                  "glassdoor.ca", "glassdoor.com.au", "glassdoor.co.in", "glassdoor.ie", "glassdoor.sg"),
    "indeed": ("indeed.com", "indeed.co.uk", "indeed.de", "indeed.nl", "indeed.fr", "indeed.ca"),
    "kununu": ("kununu.com", "kununu.de"),
    "trustpilot": ("trustpilot.com",),
}


# --------------------------------------------------------------------------- values


def parse_number(value: Any) -> float | None:
    """A number from JSON-LD: ``4``, ``"4.5"``, ``"4,5"``, ``" 4.5 stars"``, ``"4.5/5"``
    (the part before the slash). None when there is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return parse_number(value.get("@value", value.get("value")))
    if not isinstance(value, str):
        return None
    match = re.search(r"-?\d+(?:[.,]\d+)?", value)
    if not match:
        return None
    return float(match.group(0).replace(",", "."))


def parse_count(value: Any) -> int | None:
    """A count: ``280``, ``"1,234"``, ``"1.234"``, ``"89 reviews"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        match = re.search(r"\d[\d.,\s\u00a0\u202f]*", value)
        if match:
            digits = re.sub(r"\D", "", match.group(0))
            return int(digits) if digits else None
    return None


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating as the site gave it and normalised to 0..1 (``worst`` -> 0, ``best`` -> 1)."""

    value: float
    best: float
    worst: float
    normalised: float

    def to_dict(self) -> dict[str, float]:
        return {"value": self.value, "best": self.best, "worst": self.worst, "normalised": self.normalised}


def normalise_rating(value: Any, best: Any = None, worst: Any = None) -> Rating | None:
    """A :class:`Rating` from ``ratingValue``/``bestRating``/``worstRating`` (defaults 5 and 1,
    as schema.org says; ``"4/5"`` gives best 5; ``"80%"`` gives a 0..100 scale). Values outside the
    scale are clamped. None when the value is not a number or the scale is empty."""
    number = parse_number(value)
    if number is None:
        return None
    best_n, worst_n = parse_number(best), parse_number(worst)
    if best_n is None and isinstance(value, str):
        slash = re.search(r"/\s*(\d+(?:[.,]\d+)?)", value)
        if slash:
            best_n = float(slash.group(1).replace(",", "."))
        elif "%" in value:
            best_n, worst_n = 100.0, 0.0 if worst_n is None else worst_n
    if best_n is None:
        best_n = DEFAULT_BEST
    if worst_n is None:
        worst_n = DEFAULT_WORST if best_n > DEFAULT_WORST else 0.0
    if best_n <= worst_n:
        return None
    normalised = min(1.0, max(0.0, (number - worst_n) / (best_n - worst_n)))
    return Rating(number, best_n, worst_n, round(normalised, 4))


def parse_date(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO 8601 (date or date-time, ``Z`` or offset) or an epoch
    number (seconds or milliseconds); naive times are taken as UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d.%m.%Y", "%Y/%m/%d"):
            try:
                parsed = datetime.strptime(value.strip(), fmt)
                break
            except ValueError:
                continue
        else:
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_CURRENT = re.compile(r"current (?:employee|employer|job)|huidige medewerker|employ[ée]\(?e?\)? actuel|"
                      r"derzeitige|aktuelle[rn]? (?:angestellte|mitarbeiter)|\bangestellte/r oder|"
                      r"currently (?:work|employed)", re.IGNORECASE)
_FORMER = re.compile(r"former (?:employee|employer|job)|ex-?employee|ex-angestellte|ehemalige|oud-medewerker|"
                     r"voormalig|ancien(?:ne)? employ|previously (?:worked|employed)", re.IGNORECASE)


#: Only a status that is nothing but this ("Bewerber/in", "(Job Applicant)"): a role such as
#: "Candidate Experience Manager" is an employee.
_APPLICANT = re.compile(r"\(?\s*(?:job |interview )?(?:applicant|candidate|bewerber(?:/in|in)?|sollicitant|"
                        r"candidat(?:e)?)\s*\)?", re.IGNORECASE)


def employment_from_text(text: str | None) -> str | None:
    """``"current"``, ``"former"``, ``"applicant"`` or None from a site's wording ("Former
    Employee", "Ex-Angestellte/r", "Huidige medewerker", "Bewerber/in", ...)."""
    if not text:
        return None
    if _APPLICANT.fullmatch(text.strip()):
        return "applicant"
    if _FORMER.search(text):
        return "former"
    if _CURRENT.search(text):
        return "current"
    return None


_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote)\s*>", re.IGNORECASE)


def jsonld_text(value: Any) -> str:
    """Plain text from a JSON-LD text value: strings joined, markup removed, whitespace collapsed
    per line."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(t for t in (jsonld_text(v) for v in value) if t)
    if isinstance(value, dict):
        # ItemList (positiveNotes / negativeNotes) or a ListItem.
        if "itemListElement" in value:
            return jsonld_text(value["itemListElement"])
        for key in ("name", "text", "description", "@value", "value"):
            if key in value:
                return jsonld_text(value[key])
        return ""
    text = str(value)
    if "<" in text and ">" in text:
        text = _BLOCK_END.sub(lambda m: m.group(0) + "\n", text)
        text = BeautifulSoup(text, "html.parser").get_text()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    text = jsonld_text(value) if value is not None else ""
    return text or None


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One review in the site-neutral shape every extractor produces."""

    site: str
    review_id: str | None
    title: str = ""
    body: str = ""
    pros: str = ""
    cons: str = ""
    advice: str = ""
    rating: Rating | None = None
    role: str | None = None
    location: str | None = None
    employment: str | None = None
    published: datetime | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    about: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> str:
        """The site's own id; without one, a hash of what the review says (stable across runs)."""
        if self.review_id:
            return self.review_id
        basis = "\x1f".join([self.author or "", self.published.isoformat() if self.published else "",
                             self.title, self.body, self.pros, self.cons])
        return "h" + hashlib.sha256(basis.encode()).hexdigest()[:20]

    @property
    def key(self) -> str:
        return f"review:{self.site}:{self.identity}"

    def text(self) -> str:
        """The review as one plain text: body, then pros / cons / advice with their labels."""
        parts = [self.body] if self.body else []
        for label, value in (("Pros", self.pros), ("Cons", self.cons), ("Advice to management", self.advice)):
            if value:
                parts.append(f"{label}: {value}")
        return "\n".join(parts)

    def to_item(self, page_url: str) -> RawItem:
        """The review as a :class:`RawItem` (``key`` = ``review:<site>:<id>``; review fields in
        ``extra``)."""
        url = self.url or f"{page_url.split('#', 1)[0]}#review-{quote(self.identity.rsplit('/', 1)[-1], safe='')}"
        extra: dict[str, Any] = {
            "site": self.site,
            "review_id": self.review_id,
            "rating": self.rating.normalised if self.rating else None,
            "rating_raw": self.rating.to_dict() if self.rating else None,
            "pros": self.pros or None,
            "cons": self.cons or None,
            "advice": self.advice or None,
            "role": self.role,
            "location": self.location,
            "employment": self.employment,
            "about": self.about,
            "language": self.language,
            "page_url": page_url,
            **self.extra,
        }
        return RawItem(
            title=self.title or (self.body.splitlines()[0][:120] if self.body else ""),
            url=url,
            text=self.text(),
            author=self.author,
            published=self.published,
            guid=self.review_id,
            key=self.key,
            extra={k: v for k, v in extra.items() if v is not None},
        )


@dataclass(frozen=True, slots=True)
class AggregateRating:
    """The site's overall rating of the employer as shown on the page."""

    site: str
    rating: Rating
    review_count: int | None = None
    rating_count: int | None = None
    about: str | None = None

    @property
    def count(self) -> int | None:
        return self.review_count if self.review_count is not None else self.rating_count

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site, **self.rating.to_dict(), "review_count": self.review_count,
                "rating_count": self.rating_count, "about": self.about}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AggregateRating:
        rating = Rating(float(data["value"]), float(data["best"]), float(data["worst"]), float(data["normalised"]))
        return cls(str(data["site"]), rating, data.get("review_count"), data.get("rating_count"), data.get("about"))


@dataclass(slots=True)
class ReviewPage:
    """What one review page holds."""

    site: str
    url: str
    reviews: list[ReviewRecord] = field(default_factory=list)
    aggregate: AggregateRating | None = None
    next_url: str | None = None
    problems: list[str] = field(default_factory=list)

    def items(self) -> list[RawItem]:
        return [r.to_item(self.url) for r in self.reviews]

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.reviews]


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
    """A schema.org ``Review`` node (JSON-LD, or microdata in JSON-LD form) as a record."""
    author = node.get("author")
    author_node = author[0] if isinstance(author, list) and author else author
    author_node = author_node if isinstance(author_node, dict) else {}
    role = _name(author_node.get("jobTitle")) or _name(node.get("jobTitle"))
    location = (_location(node.get("contentLocation")) or _location(node.get("locationCreated"))
                or _location(author_node.get("address")) or _location(author_node.get("homeLocation")))
    rating_node = node.get("reviewRating")
    if isinstance(rating_node, list):
        rating_node = rating_node[0] if rating_node else None
    if isinstance(rating_node, dict):
        rating = normalise_rating(rating_node.get("ratingValue"), rating_node.get("bestRating"),
                                  rating_node.get("worstRating"))
    else:
        rating = normalise_rating(rating_node)
    reviewed = node.get("itemReviewed")
    employment_hint = " ".join(filter(None, [jsonld_text(author_node.get("description")), jsonld_text(role),
                                             jsonld_text(node.get("employmentStatus"))]))
    return ReviewRecord(
        site=site,
        review_id=_review_id(node),
        title=jsonld_text(node.get("name") or node.get("headline")),
        body=jsonld_text(node.get("reviewBody") or node.get("description") or node.get("text")),
        pros=jsonld_text(node.get("positiveNotes")),
        cons=jsonld_text(node.get("negativeNotes")),
        advice=jsonld_text(node.get("advice")),
        rating=rating,
        role=role,
        location=location,
        employment=employment_from_text(employment_hint),
        published=parse_date(node.get("datePublished") or node.get("dateCreated")
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
    from hirewatch.extract.review_sites import ADAPTERS, adapter_for

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
    site = page.site
    adapter = adapter_for(site)
    if adapter is not None:
        try:
            found = adapter.extract(soup, extracted, url)
        except Exception as exc:  # noqa: BLE001 - a site that changed its markup falls back to schema.org
            page.problems.append(f"{site} adapter: {type(exc).__name__}: {exc}")
        else:
            page.reviews.extend(found.reviews)
            page.aggregate = found.aggregate
            page.next_url = page.next_url or found.next_url
    ld_reviews, ld_aggregate = from_schema_nodes(extracted.jsonld, site)
    md_nodes = [microdata_to_jsonld(item) for item in extracted.microdata]
    md_reviews, md_aggregate = from_schema_nodes(md_nodes, site)
    page.aggregate = page.aggregate or ld_aggregate or md_aggregate
    if page.reviews:
        # The adapter read the site's own data; its schema.org copy would give the same reviews
        # under other ids.
        return page
    seen: set[str] = set()
    for record in (*ld_reviews, *md_reviews):
        if record.key not in seen and (record.body or record.title or record.pros or record.cons):
            seen.add(record.key)
            page.reviews.append(record)
    return page


def name_entity(item: RawItem, entity: str) -> RawItem:
    """Say which employer a review is about: a review on the employer's own page often never names
    it, so ``extra["entity"]`` says it and the matcher takes it from there; the reviewer's text is
    left as written (a line added to it would be scored as if the reviewer wrote it). Called by
    the review source and by submit."""
    return replace(item, extra={**item.extra, "entity": entity})
