"""Submitting one URL: anyone on staff adds a mention they saw ("all eyes and ears").

The page is fetched like a crawled one (the monitor's fetch limits, robots.txt, the honest
User-Agent), then extracted: a review page gives one item per review (and its aggregate rating is
recorded); any other page gives one article item (title and main text). The items go through the
pipeline's own stages (match, enrich, merge) and into the store, marked ``source_kind="submitted"``
with ``extra["submitted_by"]`` and ``extra["note"]``.

Called by ``hirewatch submit`` (:mod:`hirewatch.cli.submit`) and the tests. Raises
:class:`~hirewatch.errors.FetchError` (the page could not be fetched, or robots.txt forbids it),
:class:`~hirewatch.errors.DropItem` (the page names neither the employer nor a competitor), and
:class:`~hirewatch.errors.StoreError` from the store.
"""

from __future__ import annotations

import asyncio
import getpass
import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from hirewatch.config import Monitor, SourceSpec
from hirewatch.errors import DropItem, FetchError
from hirewatch.extract.html_text import html_to_text
from hirewatch.extract.jsonld import extract_jsonld, iter_nodes, node_types, soup_of
from hirewatch.extract.limits import bound_markup
from hirewatch.extract.review_extract import extract_review_page, jsonld_text, name_entity, parse_date, site_for_url
from hirewatch.mention import Mention, utcnow
from hirewatch.pipeline import process_items, store_mentions
from hirewatch.records import Document, RatingPoint, RawItem
from hirewatch.sources import robots
from hirewatch.sources.http_fetcher import HttpFetcher

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

    from hirewatch.stores.base import MentionStore

SOURCE_KIND = "submitted"
ACCEPT_PAGES = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "Report", "DiscussionForumPosting", "SocialMediaPosting"}


@dataclass(slots=True)
class SubmitResult:
    """What one submission did."""

    url: str
    kind: Literal["reviews", "article"]
    items: int
    mentions: list[Mention] = field(default_factory=list)
    new: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    rating: RatingPoint | None = None


def default_submitter() -> str | None:
    """Who submits when ``--by`` is not given: ``$USER`` (else the login name)."""
    user = os.environ.get("USER") or os.environ.get("USERNAME")
    if user:
        return user
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def submit_url(url: str, monitor: Monitor, store: MentionStore, *, note: str | None = None,
               by: str | None = None) -> SubmitResult:
    """Fetch, extract, match, enrich and store one URL for ``monitor``. See the module doc for
    what is raised."""
    document = asyncio.run(fetch_page(url, monitor))
    return submit_document(document, monitor, store, note=note, by=by)


async def fetch_page(url: str, monitor: Monitor) -> Document:
    """One polite GET (robots.txt first when the monitor respects it)."""
    async with HttpFetcher(monitor.fetch) as fetcher:
        if monitor.fetch.respect_robots_txt:
            rules = await robots.rules_for(url, fetcher, monitor.fetch, monitor=monitor.name, source=SOURCE_KIND)
            if not rules.allowed(url):
                why = rules.reason or "its robots.txt disallows this path for hirewatch"
                raise FetchError(f"not fetching {url}: {why}", monitor=monitor.name, source=SOURCE_KIND)
        return await fetcher.get(url, settings=monitor.fetch, monitor=monitor.name, source=SOURCE_KIND,
                                 accept=ACCEPT_PAGES, conditional=False)


def submit_document(document: Document, monitor: Monitor, store: MentionStore, *, note: str | None = None,
                    by: str | None = None) -> SubmitResult:
    """Everything after the fetch (split out so a document from elsewhere can be submitted): the
    page's items through the pipeline's stages (:func:`~hirewatch.pipeline.process_items`), then
    its store step."""
    url = document.final_url or document.url
    fetched = utcnow()
    document = replace(document, body=bound_markup(document.body))  # size and nesting bounded before parsing
    page = extract_review_page(document.body, url)
    ratings: list[RatingPoint] = []
    if page.reviews:
        kind: Literal["reviews", "article"] = "reviews"
        entity = monitor.employer.name
        items = [name_entity(item, entity) for item in page.items()]
        if page.aggregate is not None:
            ratings.append(RatingPoint(monitor=monitor.name, site=page.aggregate.site, at=fetched,
                                       rating=page.aggregate.rating.normalised, count=page.aggregate.count))
    else:
        kind = "article"
        items = [article_item(document.body, url)]
    marks = {"submitted_by": by or default_submitter(), "submitted_at": fetched.isoformat(), "note": note}
    marks = {key: value for key, value in marks.items() if value}
    items = [replace(item, extra={**item.extra, **marks}) for item in items]
    # The source kind "submitted" (source name too) is what enrich and the digest see.
    spec = SourceSpec(type=SOURCE_KIND, name=SOURCE_KIND)
    mentions, count = process_items(monitor, spec, items, fetched)
    if not mentions:
        names = ", ".join(e.name for e in monitor.entities)
        raise DropItem(f"{url} does not name {names} (or their aliases); nothing was stored")
    mentions, result = store_mentions(store, mentions, ratings)
    return SubmitResult(url=url, kind=kind, items=count, mentions=mentions, new=result.new,
                        updated=result.updated, rating=ratings[0] if ratings else None)


def article_item(html: bytes | str, url: str) -> RawItem:
    """One item for an ordinary page: title, main text, author and date. schema.org's article
    (``headline``, ``articleBody``) wins where the page has one; otherwise trafilatura reads the
    main text (no navigation, cookie banner, share bar, comments or related stories: a related
    story naming a competitor is no mention of it) with the title, author and date it finds; the
    page's own tags (og:title, ``<title>``, ``<h1>``, the text of ``<article>``/``<main>``) are the
    fallback when trafilatura finds nothing. ``extra["read_by"]`` says which gave the text."""
    soup = soup_of(html)
    article = next((n for n in iter_nodes(extract_jsonld(soup)) if node_types(n) & _ARTICLE_TYPES), {})
    read = _trafilatura(html, url)
    title = (jsonld_text(article.get("headline") or article.get("name")) or read.get("title") or _meta(soup, "og:title")
             or (jsonld_text(soup.title.get_text()) if soup.title else ""))
    if not title and soup.find("h1"):
        title = jsonld_text(soup.find("h1").get_text(" "))
    body, read_by = jsonld_text(article.get("articleBody")) if article.get("articleBody") else "", "schema.org"
    if not body and read.get("text"):
        lines = read["text"].splitlines()
        body, read_by = "\n".join(lines[1:] if lines and lines[0].strip() == title else lines), "trafilatura"
    if not body:
        body, read_by = _page_text(soup), "page text"
    author = article.get("author")
    author_name = jsonld_text(author.get("name") if isinstance(author, dict) else author) if author else None
    published = (parse_date(article.get("datePublished")) or parse_date(_meta(soup, "article:published_time"))
                 or parse_date(read.get("date")))
    return RawItem(title=title, url=url, text=body,
                   author=author_name or _meta(soup, "author") or read.get("author") or None,
                   published=published, extra={"site": site_for_url(url), "read_by": read_by})


def _trafilatura(html: bytes | str, url: str) -> dict[str, str]:
    """trafilatura's title, author, date and main text of the page (plain text, paragraphs on
    their own lines); empty when it finds no main text or fails."""
    import trafilatura

    try:
        found = trafilatura.bare_extraction(html, url=url, include_comments=False, include_tables=True,
                                            favor_precision=True, with_metadata=True, deduplicate=False)
        found = found.as_dict() if found is not None and hasattr(found, "as_dict") else found
    except Exception:  # noqa: BLE001 - a page trafilatura cannot read falls back to the page's own tags
        return {}
    if not isinstance(found, dict):
        return {}
    return {key: str(found[key]).strip() for key in ("title", "author", "date", "text")
            if isinstance(found.get(key), str) and str(found[key]).strip()}


def _page_text(soup: BeautifulSoup) -> str:
    """The text of ``<article>``, ``<main>`` or the body without navigation, header, footer,
    asides, scripts and forms: the fallback when trafilatura finds no main text."""
    main = soup.find("article") or soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup
    for noise in main.find_all(["nav", "header", "footer", "aside", "script", "style", "form"]):
        noise.decompose()
    return html_to_text(str(main))


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    return jsonld_text(tag.get("content")) if tag is not None and tag.get("content") else ""
