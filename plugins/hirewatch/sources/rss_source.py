"""RSS and Atom feeds (``type: rss``, alias ``atom``), and JSON Feed at the same kind of URL.

The pipeline builds one :class:`RssSource` per ``sources:`` entry, calls :meth:`RssSource.fetch`
with the run's :class:`~hirewatch.sources.http_fetcher.HttpFetcher` (one conditional GET) and
:meth:`RssSource.parse` on the document. feedparser parses the bytes we fetched ourselves (never a
URL), with the response headers so the HTTP charset and Content-Location count, and with
``sanitize_html=False, resolve_relative_uris=False``: nothing from a feed is ever rendered as HTML
here (extract turns it into text), so feedparser's sanitiser would be time spent for nothing
(bench/feed_parse.py measures it).

Like feedparser, parsing never raises on a broken feed that still carries entries: such items
keep the parser's complaint in :attr:`RawItem.bozo`. A body that is not a feed at all (an HTML
page, garbage, an empty answer) raises :class:`~hirewatch.errors.SourceError`.

The alert-feed kinds (:mod:`hirewatch.sources.alert_feed_source`) subclass :class:`RssSource`
and refine each item in :meth:`RssSource.refine`.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar

import feedparser
from pydantic import field_validator

from hirewatch.config import SourceSpec
from hirewatch.errors import NothingRecognised, SourceError
from hirewatch.extract.dates import http_date, parse_natural
from hirewatch.extract.html_text import inline_text, looks_like_html
from hirewatch.records import CrawlState, Document, FetchOutcome, RawItem
from hirewatch.sources.base import Source
from hirewatch.sources.feed_prefilter import candidate_document
from hirewatch.sources.http_fetcher import HttpFetcher
from hirewatch.sources.registry import register

log = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
JSON_FEED_PREFIX = "https://jsonfeed.org/version/"

#: At most this many items are read from one feed document (the first ones: feeds list the newest
#: first). feedparser's cost grows with every item, so a hostile feed of many small items within
#: the byte cap could hold a run for minutes; the rest of such a feed is dropped and reported.
MAX_FEED_ITEMS = 1000
#: The end of an item: ``</item>``, ``</entry>`` (any prefix, any case) or a self-closing
#: ``<item/>``, which is an item too.
_ITEM_END_TEXT = r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>|<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?:\s[^<>]*)?/>"
_ITEM_END = re.compile(_ITEM_END_TEXT.encode(), re.IGNORECASE)
_ITEM_END_STR = re.compile(_ITEM_END_TEXT, re.IGNORECASE)
#: Encodings that are not ASCII-compatible, by their byte order mark or by how ``<?`` starts the
#: document without one: the byte scan cannot see their tags, so they are decoded to be cut.
_WIDE = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"), (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))


def cap_items(body: bytes, limit: int = MAX_FEED_ITEMS) -> tuple[bytes, bool]:
    """``body`` cut after its ``limit``-th item end (``</item>``, ``</entry>`` or a self-closing
    ``<item/>``) when more items follow, and whether it was cut. A scan (no parse), so its cost
    does not depend on how the items are written; the cut document is parsed like a truncated one
    (the items before the cut are complete). UTF-16 and UTF-32 documents are decoded for the scan
    and the cut part encoded back as it was (byte order mark included)."""
    for bom, codec in _WIDE:
        if body.startswith(bom):
            keep = bom if bom.startswith((b"\xff", b"\xfe", b"\x00\x00\xfe")) else b""
            text = body[len(keep):].decode(codec, errors="surrogatepass")
            cut, capped = _cut(text, _ITEM_END_STR, limit)
            return (keep + cut.encode(codec, errors="surrogatepass"), True) if capped else (body, False)
    return _cut(body, _ITEM_END, limit)


def _cut(body: Any, pattern: re.Pattern[Any], limit: int) -> tuple[Any, bool]:
    count = 0
    for match in pattern.finditer(body):
        count += 1
        if count == limit:
            end = match.end()
            return (body[:end], True) if pattern.search(body, end) else (body, False)
    return body, False


_ITEM_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]", re.IGNORECASE)


def drop_cut_entry(body: bytes, entries: list[Any]) -> tuple[list[Any], bool]:
    """Without its cut-off last entry, when a broken document ends inside an item (a truncated
    answer): feedparser's loose parser keeps that partial entry, whose link may be cut short (a
    wrong URL, so a phantom mention or a merge into another story). Whether it was dropped too."""
    starts = list(_ITEM_START.finditer(body))
    ends = [m.start() for m in _ITEM_END.finditer(body)]
    if starts and len(entries) == len(starts) and (not ends or ends[-1] < starts[-1].start()):
        return entries[:-1], True
    return entries, False


def capped_reason(limit: int = MAX_FEED_ITEMS) -> str:
    return f"the feed has more than {limit} items; only the first {limit} items were read"


class FeedSpec(SourceSpec):
    """Options of a feed source: its ``url`` (required): http(s), or ``file:relative/path`` for a
    feed shipped beside the monitor file (read from that directory only)."""

    url: str

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        lowered = value.lower()
        if lowered.startswith("file:"):
            rest = value[len("file:"):]
            if not rest or rest.startswith("/") or ".." in rest.replace("\\", "/").split("/"):
                raise ValueError(f"expected a file: URL relative to the monitor's directory "
                                 f"(file:feeds/x.xml), got {value!r}")
            return value
        if not lowered.startswith(("http://", "https://")) or len(value) < 10:
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What :meth:`RssSource.parse_feed` found: the items, the parser's complaint (``bozo``, also
    when there are no items), the format (feedparser's ``version``, or ``json1``) and the title."""

    items: tuple[RawItem, ...]
    bozo: str | None
    version: str
    title: str


class FeedItems(Iterator[RawItem]):
    """What :meth:`RssSource.parse` returns: an iterator over the items that also carries the
    feed's ``bozo`` reason (the pipeline puts it in the run report), ``version`` and ``title``."""

    def __init__(self, parsed: ParsedFeed, total: int | None = None) -> None:
        self._items = iter(parsed.items)
        self.bozo, self.version, self.title = parsed.bozo, parsed.version, parsed.title
        self.count = len(parsed.items)
        #: items in the document, those :meth:`RssSource.parse_filtered` skipped included
        self.total = self.count if total is None else total

    def __next__(self) -> RawItem:
        return next(self._items)


def describe_bozo(exc: object) -> str:
    """A one-line reason for feedparser's ``bozo_exception``."""
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    return (f"{name}: {text}" if text else name)[:300]


def struct_to_utc(value: Any) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC ``time.struct_time``) as an aware datetime; None if absent
    or impossible (feedparser passes through odd dates such as a 60th second)."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def iso_to_utc(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 date (JSON Feed) as aware UTC; a date without zone is taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _is_html(value: str, kind: str | None) -> bool:
    """A declared type wins (``text/plain`` with "<blink>" in it is text about a tag); without
    one, markup decides."""
    if kind:
        return kind in HTML_TYPES
    return looks_like_html(value)


def _text_of(value: str, kind: str | None) -> str:
    """Plain text of a feed text construct (title, author) whatever its declared type."""
    if _is_html(value, kind):
        return inline_text(value)
    return " ".join(value.split())


def unresolved_id(guid: str, base: Any) -> str:
    """An entry id as the feed wrote it. feedparser resolves an Atom ``<id>`` against the document's
    address even when it is no address at all: Reddit's ``t3_abc123`` comes back as
    ``https://www.reddit.com/r/x/new/t3_abc123``, a page that does not exist. An id that is the
    document's directory plus one bare token (letters, digits, ``_``, ``-``: no file name) is given
    back as that token."""
    if not guid or not isinstance(base, str) or not base:
        return guid
    from urllib.parse import urljoin

    directory = urljoin(base, ".")
    tail = guid[len(directory):] if guid.startswith(directory) else ""
    return tail if re.fullmatch(r"[A-Za-z0-9_-]+", tail) else guid


def _content_key(*parts: str) -> str:
    return "entry:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


@register
class RssSource(Source):
    """An RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.x feed at ``url``."""

    kind: ClassVar[str] = "rss"
    aliases: ClassVar[tuple[str, ...]] = ("atom",)
    Spec: ClassVar[type[SourceSpec]] = FeedSpec

    @property
    def url(self) -> str:
        return str(self.spec.url)

    def error(self, message: str) -> SourceError:
        return SourceError(message, monitor=self.monitor.name, source=self.name)

    # -- fetch (I/O)
    async def fetch(self, fetcher: HttpFetcher, state: CrawlState | None) -> FetchOutcome:
        """One GET, conditional on ``state``. Raises :class:`~hirewatch.errors.FetchError`."""
        document = await fetcher.get(self.url, state=state, settings=self.monitor.fetch,
                                     monitor=self.monitor.name, source=self.name)
        old = state or CrawlState()
        new_state = CrawlState(
            etag=document.headers.get("etag") or (old.etag if document.status == 304 else None),
            last_modified=document.headers.get("last-modified") or (
                old.last_modified if document.status == 304 else None),
            seen_ids=old.seen_ids,
            extra=dict(old.extra),
        )
        if document.status == 304:
            return FetchOutcome(documents=(), state=new_state, not_modified=True, requests=1)
        return FetchOutcome(documents=(document,), state=new_state, requests=1)

    # -- parse (CPU)
    def parse(self, document: Document) -> FeedItems:
        """The items of one fetched feed (with ``.bozo``). Raises :class:`SourceError` when the
        document is not a feed."""
        return FeedItems(self.parse_feed(document))

    #: May :meth:`parse_filtered` drop items before parsing? True when :meth:`refine` builds an
    #: item's title and text from the item's own text only (a subclass that takes them from
    #: elsewhere sets False).
    filter_safe: ClassVar[bool] = True

    def parse_filtered(self, document: Document,
                       keep: Callable[[str, Iterable[str]], bool] | None) -> FeedItems:
        """:meth:`parse` of only the items ``keep`` does not rule out (see
        :mod:`hirewatch.sources.feed_prefilter`); ``total`` counts every item of the document."""
        if keep is None or not self.filter_safe or cap_items(document.body)[1]:
            # A feed over MAX_FEED_ITEMS is cut before parsing instead (filtering it first would
            # cost what all its items cost).
            return self.parse(document)
        candidates = candidate_document(document.body, document.headers.get("content-type", ""), keep)
        if candidates is None:
            return self.parse(document)
        if candidates.body is None:
            return FeedItems(ParsedFeed((), None, "", ""), total=candidates.total)
        items = self.parse(replace(document, body=candidates.body))
        items.total = candidates.total - candidates.kept + items.count
        return items

    def parse_feed(self, document: Document) -> ParsedFeed:
        """Parse one document, keeping the bozo reason even when there are no items."""
        body = document.body
        if not body.strip():
            raise self.error(f"the answer from {document.final_url or document.url} is empty, not a feed")
        content_type = document.headers.get("content-type", "").lower()
        if "json" in content_type or body.lstrip()[:1] == b"{":
            parsed = self._parse_json_feed(document)
        else:
            parsed = self._parse_xml_feed(document)
        refined = []
        for item in parsed.items:
            kept = self.refine(item)
            if kept is not None:
                refined.append(kept)
        if parsed.bozo and not parsed.items:
            log.warning("in source %r of monitor %r: broken feed with no entries: %s", self.name,
                        self.monitor.name, parsed.bozo)
        return ParsedFeed(tuple(refined), parsed.bozo, parsed.version, parsed.title)

    def refine(self, item: RawItem) -> RawItem | None:
        """Hook for feed kinds with their own conventions (alert feeds); None drops the item."""
        return item

    def _parse_xml_feed(self, document: Document) -> ParsedFeed:
        headers: dict[str, str] = dict(document.headers)
        headers.setdefault("content-location", document.final_url or document.url)
        body, capped = cap_items(document.body)
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers,
                                  sanitize_html=False, resolve_relative_uris=False)
        bozo = describe_bozo(parsed.get("bozo_exception")) if parsed.get("bozo") else None
        if capped:  # the parser's complaint is about our cut, not the feed
            bozo = capped_reason()
        version = parsed.get("version") or ""
        entries = parsed.get("entries") or []
        if bozo and not capped:
            entries, cut = drop_cut_entry(body, entries)
            if cut:
                bozo += "; the document ends inside an item, which was left out"
        if len(entries) > MAX_FEED_ITEMS:  # a document the byte scan could not cut (UTF-16)
            entries, bozo = entries[:MAX_FEED_ITEMS], capped_reason()
        if not entries and not version:
            where = document.final_url or document.url
            kind = document.headers.get("content-type") or "no content type"
            said = f"; the parser said {bozo}" if bozo else ""
            raise NothingRecognised(f"{where} is not an RSS/Atom feed ({kind}){said}", monitor=self.monitor.name,
                                    source=self.name)
        feed = parsed.get("feed") or {}
        title = _text_of(feed.get("title", ""), (feed.get("title_detail") or {}).get("type"))
        context = {"feed_title": title, "feed_language": feed.get("language"),
                   # Atom: a feed-level <author> is every entry's author that names none (RFC 4287 4.2.1)
                   "feed_author": _text_of(feed.get("author") or "", None) if version.startswith("atom") else None,
                   "base": headers["content-location"], "fetched": http_date(document.headers)}
        items = tuple(self.item_from_entry(entry, context, bozo) for entry in entries)
        return ParsedFeed(items, bozo, version, title)

    def item_from_entry(self, entry: Mapping[str, Any], context: Mapping[str, Any], bozo: str | None) -> RawItem:
        """One feedparser entry -> :class:`RawItem` (plain title, HTML or text body, UTC date)."""
        title = _text_of(entry.get("title", ""), (entry.get("title_detail") or {}).get("type"))
        resolved = (entry.get("id") or "").strip()
        guid = unresolved_id(resolved, context.get("base")) or None
        if guid != (resolved or None):  # feedparser made the id a link too: there is none
            entry = {**entry, "id": guid, "guidislink": False,
                     "link": "" if entry.get("link") == resolved else entry.get("link")}
        url = self._entry_url(entry)
        html, text = self._entry_body(entry)
        author = _text_of(entry.get("author") or "", None) or context.get("feed_author") or None
        published = (struct_to_utc(entry.get("published_parsed")) or struct_to_utc(entry.get("updated_parsed"))
                     or struct_to_utc(entry.get("created_parsed")) or self.date_in_words(entry, context))
        key = None
        if not url:
            key = f"guid:{guid}" if guid else _content_key(title, html or text)
        extra: dict[str, Any] = {k: v for k, v in context.items() if v and k in ("feed_title", "feed_language")}
        tags = [t.get("term") for t in entry.get("tags") or () if t.get("term")]
        if tags:
            extra["tags"] = tags
        return RawItem(title=title, url=url, html=html, text=text, author=author, published=published,
                       guid=guid, key=key, extra=extra, bozo=bozo)

    def date_in_words(self, entry: Mapping[str, Any], context: Mapping[str, Any]) -> datetime | None:
        """An entry date feedparser could not read (``Seg, 24 Set 2018``, ``12 maart 2024``), read
        by dateparser in the feed's declared language and the monitor's languages."""
        raw = entry.get("published") or entry.get("updated") or entry.get("created")
        if not isinstance(raw, str) or not raw.strip():
            return None
        languages = [context.get("feed_language"), *self.monitor.sentiment.languages]
        return parse_natural(raw, languages, context.get("fetched"))

    @staticmethod
    def _entry_url(entry: Mapping[str, Any]) -> str:
        """``feedburner:origLink`` first (FeedBurner's ``link`` is its own redirect), then the
        alternate link, then a permalink guid."""
        for candidate in (entry.get("feedburner_origlink"), entry.get("link")):
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip()
        for link in entry.get("links") or ():
            href = link.get("href")
            if href and link.get("rel", "alternate") == "alternate":
                return str(href).strip()
        guid = entry.get("id") or ""
        if entry.get("guidislink") or str(guid).lower().startswith(("http://", "https://")):
            return str(guid).strip()
        return ""

    @staticmethod
    def _entry_body(entry: Mapping[str, Any]) -> tuple[str, str]:
        """(html, text): the fullest body the entry has (``content`` over ``summary``)."""
        candidates = [(c.get("value") or "", c.get("type") or "") for c in entry.get("content") or ()]
        if entry.get("summary"):
            candidates.append((entry["summary"], (entry.get("summary_detail") or {}).get("type") or "text/html"))
        candidates = [(value, kind) for value, kind in candidates if value.strip()]
        if not candidates:
            return "", ""
        value, kind = max(candidates, key=lambda c: len(c[0]))
        if _is_html(value, kind):
            return value, ""
        return "", value.strip()

    def _parse_json_feed(self, document: Document) -> ParsedFeed:
        """JSON Feed 1.0/1.1 (jsonfeed.org), which feedparser 6 does not read."""
        where = document.final_url or document.url
        try:
            data = json.loads(document.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self.error(f"{where} is neither XML nor valid JSON: {exc}") from None
        if not isinstance(data, dict) or not str(data.get("version", "")).startswith(JSON_FEED_PREFIX):
            raise self.error(f"{where} is JSON but not a JSON Feed (no version {JSON_FEED_PREFIX}...)")
        title = " ".join(str(data.get("title") or "").split())
        context = {"feed_title": title, "feed_language": data.get("language")}
        items = []
        entries = data.get("items") if isinstance(data.get("items"), list) else []
        for entry in entries[:MAX_FEED_ITEMS]:
            if isinstance(entry, dict):
                items.append(self._item_from_json(entry, context, data))
        bozo = capped_reason() if len(entries) > MAX_FEED_ITEMS else None
        return ParsedFeed(tuple(items), bozo, "json" + str(data["version"]).rsplit("/", 1)[-1], title)

    @staticmethod
    def _item_from_json(entry: dict[str, Any], context: Mapping[str, Any], feed: dict[str, Any]) -> RawItem:
        url = str(entry.get("url") or entry.get("external_url") or "").strip()
        guid = str(entry.get("id") or "").strip() or None
        html = str(entry.get("content_html") or "")
        text = "" if html else str(entry.get("content_text") or entry.get("summary") or "")
        authors = entry.get("authors") or ([entry["author"]] if isinstance(entry.get("author"), dict) else [])
        names = [str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")]
        title = " ".join(str(entry.get("title") or "").split())
        key = None if url else (f"guid:{guid}" if guid else _content_key(title, html or text))
        extra: dict[str, Any] = {k: v for k, v in context.items() if v}
        if entry.get("tags"):
            extra["tags"] = [str(t) for t in entry["tags"]]
        return RawItem(title=title, url=url, html=html, text=text, author=", ".join(names) or None,
                       published=iso_to_utc(entry.get("date_published")) or iso_to_utc(entry.get("date_modified")),
                       guid=guid, key=key, extra=extra)
