"""``type: review``: an employer's page on a review site (Glassdoor, Indeed, Kununu, Trustpilot or
any page with schema.org reviews), crawled politely; or a site's official API instead of pages.

Politeness: robots.txt is honoured (fetched once per host per run, see
:mod:`hirewatch.sources.robots`); requests to one host are at least ``delay_s`` apart (default
``fetch.per_host_delay_s`` when the monitor sets it, else 1 s; a longer robots.txt
``Crawl-delay`` wins); the User-Agent names hirewatch and ``fetch.contact``; at most ``max_pages``
pages per run; the crawl stops at the first page whose reviews were all seen before
(``CrawlState.seen_ids``), so a re-run with nothing new costs one (conditional) request.

The page's aggregate rating is kept in ``FetchOutcome.state.extra["aggregate_rating"]``;
:meth:`ReviewSource.rating_points` turns it into the :class:`~hirewatch.records.RatingPoint`
the pipeline records with ``store.record_rating``.

Called by the pipeline through the source registry. ``fetch`` raises
:class:`~hirewatch.errors.FetchError` (robots.txt forbids the first page, HTTP failures) and
:class:`~hirewatch.errors.SourceError` (API key missing); ``parse`` never raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, model_validator

from hirewatch.config import FetchSettings, Monitor, SourceSpec
from hirewatch.errors import FetchError, NothingRecognised, SourceError
from hirewatch.extract.review_extract import (
    AggregateRating,
    ReviewPage,
    extract_review_page,
    name_entity,
    site_for_url,
)
from hirewatch.mention import utcnow
from hirewatch.records import CrawlState, Document, FetchOutcome, RatingPoint, RawItem
from hirewatch.redact import register as register_secret
from hirewatch.settings import env
from hirewatch.sources import robots
from hirewatch.sources.base import Source
from hirewatch.sources.http_fetcher import budget_lifted
from hirewatch.sources.registry import register

if TYPE_CHECKING:
    from hirewatch.sources.http_fetcher import HttpFetcher

ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
DEFAULT_REVIEW_DELAY_S = 1.0
#: How many review keys a source remembers (newest first); far more than one run's pages hold.
SEEN_LIMIT = 5000
TRUSTPILOT_KEY_ENV = "HIREWATCH_TRUSTPILOT_API_KEY"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
#: Crawl-state key of the page a run's time budget stopped before (the next run goes on there).
RESUME_KEY = "resume_url"


class ReviewSpec(SourceSpec):
    """Options of ``type: review``.

    ``url``: the employer's review page (first page), or with ``api: trustpilot`` the API's
    reviews endpoint ``https://api.trustpilot.com/v1/business-units/<id>/reviews``.
    ``site``: adapter to use (``glassdoor``, ``indeed``, ``kununu``, ``trustpilot``; default from
    the host). ``entity``: which employer or competitor the page is about (default the monitor's
    employer). ``page_param``: a query parameter to count up when a page has no ``rel=next`` link.
    ``api_key_env``: the environment variable holding the API key (the key itself never goes in
    YAML). ``url: file:exports/reviews.csv``: a review export beside the monitor file (JSON, NDJSON
    or CSV, see :mod:`hirewatch.extract.review_exports`), read with ``columns`` (field -> column
    name) when its columns are not Trustpilot's or Glassdoor's own.
    """

    type: Literal["review"] = "review"
    url: str = Field(min_length=1)
    site: str | None = None
    entity: str | None = None
    max_pages: int | None = Field(default=None, ge=1, le=1000)
    delay_s: float | None = Field(default=None, ge=0, le=600)
    page_param: str | None = None
    api: Literal["trustpilot"] | None = None
    api_key_env: str = TRUSTPILOT_KEY_ENV
    columns: dict[str, str] | None = None

    @model_validator(mode="after")
    def _http_url(self) -> ReviewSpec:
        if self.is_file:
            rest = self.url[len("file:"):]
            if not rest or rest.startswith("/") or ".." in rest.replace("\\", "/").split("/"):
                raise ValueError(f"url: expected a file: URL relative to the monitor's directory "
                                 f"(file:exports/reviews.csv), got {self.url!r}")
        elif urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"url: expected an http(s) address of a review page or a file: export, got {self.url!r}")
        if self.columns is not None:
            from hirewatch.extract.review_exports import FIELDS

            unknown = sorted(set(self.columns) - set(FIELDS))
            if unknown:
                raise ValueError(f"columns: unknown field {unknown[0]!r}; expected some of {', '.join(FIELDS)}")
        return self

    @property
    def is_file(self) -> bool:
        return self.url.lower().startswith("file:")


@register
class ReviewSource(Source):
    """Review pages (or a review API) of one employer on one site."""

    kind: ClassVar[str] = "review"
    Spec: ClassVar[type[SourceSpec]] = ReviewSpec
    spec: ReviewSpec

    def __init__(self, spec: SourceSpec, monitor: Monitor) -> None:
        super().__init__(spec, monitor)
        self.requests = 0

    # -- settings
    @property
    def site(self) -> str:
        return self.spec.site or site_for_url(self.spec.url)

    @property
    def entity(self) -> str:
        return self.spec.entity or self.monitor.employer.name

    def delay(self) -> float:
        """Seconds between two requests to the review site's host."""
        if self.spec.delay_s is not None:
            return self.spec.delay_s
        if "per_host_delay_s" in self.monitor.fetch.model_fields_set:
            return self.monitor.fetch.per_host_delay_s
        return DEFAULT_REVIEW_DELAY_S

    def fetch_settings(self, delay: float | None = None) -> FetchSettings:
        return self.monitor.fetch.model_copy(update={"per_host_delay_s": self.delay() if delay is None else delay})

    @property
    def max_pages(self) -> int:
        return self.spec.max_pages or self.monitor.fetch.max_pages

    # -- fetch
    async def fetch(self, fetcher: HttpFetcher, state: CrawlState | None) -> FetchOutcome:
        """Fetch pages from the first until one holds only reviews seen before (or none, or no next
        page, or ``max_pages``). Raises :class:`FetchError` when robots.txt forbids the first page
        or the first page fails, and :class:`NothingRecognised` when the first page was fetched but
        no review on it was recognised (unless the page itself says it has none); a later page's
        failure ends the crawl with what was fetched."""
        self.requests = 0
        if self.spec.api == "trustpilot":
            return await self._fetch_trustpilot_api(fetcher, state)
        if self.spec.is_file:
            return await self._fetch_export(fetcher, state)
        seen = set(state.seen_ids) if state else set()
        settings = self.fetch_settings()
        documents: list[Document] = []
        keys: list[str] = []
        aggregate: AggregateRating | None = None
        etag = state.etag if state else None
        last_modified = state.last_modified if state else None
        not_modified = False
        stopped = "max_pages"
        url: str | None = self.spec.url
        visited: set[str] = set()
        linked = False
        # Pages an earlier run's time budget left for later: read once the new pages are in.
        resume = _resume_url(state)
        found, via = 0, None
        for number in range(1, self.max_pages + 1):
            assert url is not None
            # The budget stops the crawl once this run has read something new: a run always gets
            # at least one new page, so a budget shorter than the site's delays still progresses.
            if documents and self.out_of_time(settings.per_host_delay_s):
                stopped = "budget"
                break
            visited.add(url)
            settings = await self._polite_settings(url, fetcher, settings, first=number == 1)
            if settings is None:
                stopped = "robots.txt"
                break
            try:
                with budget_lifted(number > 1 and not documents):  # the one page past the budget, see above
                    document = await self._get(fetcher, url, settings, state if number == 1 else None)
            except FetchError:
                if number == 1:
                    raise
                stopped = "error"
                break
            if document.status == 304:
                not_modified, stopped = True, "not_modified"
                if resume and resume not in visited:
                    url, resume, not_modified = resume, None, False
                    continue
                break
            with self.dates(document):
                page = extract_review_page(document.body, document.final_url or url, self.site)
            if number == 1:
                etag = document.headers.get("etag")
                last_modified = document.headers.get("last-modified")
                aggregate = page.aggregate
            if not page.reviews:
                self._recognised_or_raise(page, number, aggregate)
                stopped = "no_reviews"
                break
            found += len(page.reviews)
            via = via or page.via
            if all(key in seen or key in keys for key in page.keys):
                # Seen in an earlier run, or earlier in this one (a pagination that loops).
                stopped = "seen"
                if resume and resume not in visited:
                    url, resume = resume, None
                    continue
                break
            documents.append(document)
            keys.extend(page.keys)
            linked = linked or page.next_url is not None
            url = self._next_url(page, url, number, linked)
            if url is None or url in visited:
                stopped = "last_page"
                break
        # The place to go on from: where this run's budget stopped it, else an earlier run's
        # place not reached this time.
        resume = url if stopped == "budget" else resume
        new_state = self._state(etag, last_modified, keys, state, aggregate, stopped, resume)
        return FetchOutcome(tuple(documents), new_state, not_modified=not_modified, requests=self.requests,
                            found=None if not_modified else found, via=via)

    def _recognised_or_raise(self, page: ReviewPage, number: int, aggregate: AggregateRating | None) -> None:
        """A first page without a recognised review fails the source (:class:`NothingRecognised`),
        unless the page's own aggregate says there are none; a later one ends the crawl."""
        if number == 1 and not _says_none(aggregate):
            raise NothingRecognised(page.nothing_recognised(), monitor=self.monitor.name, source=self.name)

    async def _get(self, fetcher: HttpFetcher, url: str, settings: FetchSettings, state: CrawlState | None,
                   accept: str = ACCEPT_HTML, headers: dict[str, str] | None = None) -> Document:
        self.requests += 1
        kwargs: dict[str, Any] = {"state": state, "settings": settings, "monitor": self.monitor.name,
                                  "source": self.name, "accept": accept, "conditional": state is not None}
        if headers:
            kwargs["headers"] = headers
        return await fetcher.get(url, **kwargs)

    async def _polite_settings(self, url: str, fetcher: HttpFetcher, settings: FetchSettings,
                               *, first: bool) -> FetchSettings | None:
        """The settings for fetching ``url`` (a robots.txt ``Crawl-delay`` lengthens the delay), or
        None when robots.txt forbids it after the first page. Raises :class:`FetchError` when it
        forbids the first page."""
        if not self.monitor.fetch.respect_robots_txt:
            return settings
        if not robots.is_cached(url, fetcher):
            self.requests += 1
        rules = await robots.rules_for(url, fetcher, settings, monitor=self.monitor.name, source=self.name)
        if not rules.allowed(url):
            if first:
                why = rules.reason or "its robots.txt disallows this path for hirewatch"
                raise FetchError(f"not fetching {url}: {why}", monitor=self.monitor.name, source=self.name,
                                 permanent=True)
            return None
        crawl_delay = rules.crawl_delay()
        if crawl_delay is not None and crawl_delay > settings.per_host_delay_s:
            return settings.model_copy(update={"per_host_delay_s": min(crawl_delay, 600.0)})
        return settings

    def _next_url(self, page: ReviewPage, url: str, number: int, linked: bool) -> str | None:
        """The page's ``rel=next`` link; else, when ``page_param`` is set or the site has not used
        next links in this crawl, the URL with its page number counted up."""
        if page.next_url:
            return page.next_url
        if linked and not self.spec.page_param:
            return None  # the site links its pages and this one links no further: the last page
        return next_page_by_param(url, number, self.spec.page_param)

    def _state(self, etag: str | None, last_modified: str | None, keys: list[str], old: CrawlState | None,
               aggregate: AggregateRating | None, stopped: str, resume: str | None = None) -> CrawlState:
        remembered = list(dict.fromkeys([*keys, *(old.seen_ids if old else ())]))[:SEEN_LIMIT]
        extra: dict[str, Any] = {"site": self.site, "stopped": stopped}
        if resume:
            extra[RESUME_KEY] = resume
        if aggregate is not None:
            extra["aggregate_rating"] = {**aggregate.to_dict(), "at": utcnow().isoformat()}
        elif stopped == "not_modified" and old is not None and isinstance(old.extra.get("aggregate_rating"), dict):
            # The page did not change, so neither did its rating: seen again in this run.
            extra["aggregate_rating"] = {**old.extra["aggregate_rating"], "at": utcnow().isoformat()}
        return CrawlState(etag=etag, last_modified=last_modified, seen_ids=tuple(remembered), extra=extra)

    # -- an export file instead of pages
    async def _fetch_export(self, fetcher: HttpFetcher, state: CrawlState | None) -> FetchOutcome:
        """The export beside the monitor file, read now so that a file with no review fails the
        source with the reason (``parse`` reads it again, in the worker that parses)."""
        from hirewatch.extract.review_exports import read_export

        document = await self._get(fetcher, self.spec.url, self.monitor.fetch, state)
        if document.status == 304:
            return FetchOutcome((), state or CrawlState(), not_modified=True, requests=self.requests)
        try:
            with self.dates(document):
                read = read_export(document.body, self.spec.url, columns=self.spec.columns, site=self.spec.site)
        except NothingRecognised as exc:
            raise NothingRecognised(exc.reason or str(exc), monitor=self.monitor.name, source=self.name) from None
        keys = [r.key for r in read.records]
        new_state = self._state(document.headers.get("etag"), document.headers.get("last-modified"), keys, state,
                                None, "file")
        return FetchOutcome((document,), new_state, requests=self.requests, found=len(keys), via=read.via,
                            notes=tuple(read.notes))

    # -- the Trustpilot API instead of pages
    async def _fetch_trustpilot_api(self, fetcher: HttpFetcher, state: CrawlState | None) -> FetchOutcome:
        from hirewatch.extract.review_sites.trustpilot import aggregate_from_api, records_from_api

        key = env(self.spec.api_key_env)
        register_secret(key)  # masked in everything written, also when the API echoes it back
        if not key:
            raise SourceError(f"the Trustpilot API needs a key in the environment variable {self.spec.api_key_env}",
                              monitor=self.monitor.name, source=self.name)
        self._check_key_origin(self.spec.url)
        headers = {"apikey": key}
        settings = self.fetch_settings()
        seen = set(state.seen_ids) if state else set()
        documents: list[Document] = []
        keys: list[str] = []
        url: str | None = _with_query(self.spec.url, {"perPage": "100", "orderBy": "createdat.desc"})
        stopped = "max_pages"
        resume = _resume_url(state)
        found = 0
        for number in range(self.max_pages):
            assert url is not None
            if documents and self.out_of_time(settings.per_host_delay_s):
                stopped = "budget"
                break
            with budget_lifted(number > 0 and not documents):
                document = await self._get(fetcher, url, settings, None, "application/json", headers)
            data = _json(document.body)
            records, next_url = records_from_api(data)
            page_keys = [r.key for r in records]
            found += len(page_keys)
            if number == 0 and not (isinstance(data, dict) and isinstance(data.get("reviews"), list)):
                raise NothingRecognised("API answer fetched, no reviews recognised: expected a JSON object with a "
                                        f"'reviews' list, got {_shape(data)}", monitor=self.monitor.name,
                                        source=self.name)
            if not page_keys:
                stopped = "no_reviews"
                break
            if all(k in seen or k in keys for k in page_keys):
                stopped = "seen"
                if resume:
                    url, resume = resume, None
                    self._check_key_origin(url)
                    continue
                break
            documents.append(document)
            keys.extend(page_keys)
            if not next_url:
                stopped = "last_page"
                break
            self._check_key_origin(next_url)
            url = next_url
        resume = url if stopped == "budget" else resume
        aggregate = None
        unit_url = self.spec.url.split("?", 1)[0].rstrip("/").removesuffix("/reviews")
        try:
            unit = await self._get(fetcher, unit_url, settings, None, "application/json", headers)
            aggregate = aggregate_from_api(_json(unit.body))
        except FetchError:
            aggregate = None  # reviews are what matters; the rating trend skips this run
        return FetchOutcome(tuple(documents), self._state(None, None, keys, state, aggregate, stopped, resume),
                            requests=self.requests, found=found, via="Trustpilot API")

    def _check_key_origin(self, url: str) -> None:
        """Refuse a URL the API key must not go to: another origin (scheme, host, port) than the
        configured API URL, or plain http (allowed only to a loopback host the monitor allows,
        the tests' local API). Raises :class:`SourceError` with the reason; the key is not sent."""
        try:
            target, home = urlsplit(url), urlsplit(self.spec.url)
            same = (target.scheme, target.hostname, target.port) == (home.scheme, home.hostname, home.port)
        except ValueError:
            same, target = False, urlsplit("")
        reason = None
        if not same:
            reason = f"it leads to another origin than {home.scheme}://{home.netloc}"
        elif target.scheme != "https" and not (self.fetch_settings().allow_loopback
                                                and (target.hostname or "") in _LOOPBACK_HOSTS):
            reason = "the key is only sent over https"
        if reason:
            from hirewatch.redact import strip_userinfo

            raise SourceError(f"refused the Trustpilot API link {strip_userinfo(url)[:300]!r}: {reason}; "
                              "the API key was not sent", monitor=self.monitor.name, source=self.name)

    # -- parse
    def parse(self, document: Document) -> Iterator[RawItem]:
        """One item per review on the page (or API answer). Never raises."""
        with self.dates(document):
            items = self._items(document)
        for item in items:
            yield self.annotate(item)

    def dates(self, document: Document) -> AbstractContextManager[None]:
        """Dates in words read in the monitor's languages, relative ones against the fetch time."""
        from hirewatch.extract.dates import date_context, http_date

        return date_context(self.monitor.sentiment.languages, http_date(document.headers) or utcnow())

    def _items(self, document: Document) -> list[RawItem]:
        url = document.final_url or document.url
        if self.spec.is_file:
            from hirewatch.extract.review_exports import read_export

            try:
                records = read_export(document.body, url, columns=self.spec.columns, site=self.spec.site).records
            except NothingRecognised:
                records = []
            items = [r.to_item(url) for r in records]
        elif self.spec.api == "trustpilot":
            from hirewatch.extract.review_sites.trustpilot import records_from_api

            records, _ = records_from_api(_json(document.body))
            items = [r.to_item(url) for r in records]
        else:
            items = extract_review_page(document.body, url, self.site).items()
        return items

    def annotate(self, item: RawItem) -> RawItem:
        """The item naming the entity this page is about (see :func:`name_entity`)."""
        return name_entity(item, self.entity)

    # -- the aggregate rating
    def rating_points(self, outcome: FetchOutcome) -> list[RatingPoint]:
        """The aggregate rating seen this run as a store :class:`RatingPoint` (rating normalised
        to 0..1, count = reviewCount else ratingCount); empty when the page showed none."""
        return rating_points(self.monitor.name, outcome.state)


def rating_points(monitor: str, state: CrawlState | None) -> list[RatingPoint]:
    """:class:`RatingPoint` s from a review source's crawl state (see :meth:`ReviewSource.rating_points`)."""

    data = (state.extra or {}).get("aggregate_rating") if state else None
    if not isinstance(data, dict):
        return []
    aggregate = AggregateRating.from_dict(data)
    at = datetime.fromisoformat(data["at"]) if data.get("at") else utcnow()
    return [RatingPoint(monitor=monitor, site=aggregate.site, at=at, rating=aggregate.rating.normalised,
                        count=aggregate.count)]


def _resume_url(state: CrawlState | None) -> str | None:
    value = state.extra.get(RESUME_KEY) if state is not None else None
    return value if isinstance(value, str) and value else None


def _says_none(aggregate: AggregateRating | None) -> bool:
    """True when the page's own aggregate says the employer has no reviews yet (a page with none
    to recognise is then no failure)."""
    return aggregate is not None and aggregate.count == 0


def next_page_by_param(url: str, number: int, param: str | None) -> str | None:
    """``url`` with ``param`` (or an existing ``page``/``p`` parameter) set to the next page
    number; None when neither applies."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [param] if param else [n for n, v in query if n in ("page", "p") and re.fullmatch(r"\d+", v)]
    if not names:
        return None
    name = names[0]
    current = next((int(v) for n, v in query if n == name and v.isdigit()), number)
    updated = [(n, v) for n, v in query if n != name] + [(name, str(current + 1))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(updated), ""))


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in params.items():
        query.setdefault(key, value)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _shape(data: Any) -> str:
    if data is None:
        return "no JSON"
    if isinstance(data, dict):
        return "an object with " + (", ".join(sorted(map(str, data))[:8]) or "no members")
    return f"a JSON {type(data).__name__}"


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None

