"""Raw item (from any source kind: feed entry, review, post, submitted page) ->
:class:`~hirewatch.mention.Mention`.

Called by the pipeline once per (item, entity the matcher found): plain title and text (HTML
turned into text by :func:`item_text`, once per item), canonical URL, the stable id
(:func:`~hirewatch.mention.mention_id` of the entity's name and the item's own key or its
canonical URL), dates in UTC, the source's name and kind, the matched terms and a near-duplicate
fingerprint. A publication date later than the fetch
is clamped to the fetch time (the claimed date stays in ``extra["published_claimed"]``); title and
text are held to :mod:`hirewatch.extract.limits` (no control characters, bounded length). Never
raises for a well-formed :class:`RawItem`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from hirewatch.config import Entity, Monitor, SourceSpec
from hirewatch.dedupe.canonical_url import canonical_url
from hirewatch.dedupe.fingerprint import fingerprint
from hirewatch.extract.html_text import html_to_text
from hirewatch.extract.limits import TEXT_LIMIT, TITLE_LIMIT, clean_text, clip
from hirewatch.mention import Mention, mention_id
from hirewatch.records import RawItem


def as_utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def item_text(item: RawItem) -> str:
    """The item's plain body: its text, else its HTML as text."""
    if item.text and item.html:
        return f"{item.text}\n\n{html_to_text(item.html)}"
    return item.text.strip() if item.text else html_to_text(item.html)


def clamp_published(published: datetime | None, fetched: datetime) -> tuple[datetime | None, str | None]:
    """A publication date after the fetch is not believed: it becomes the fetch time (so a feed
    that dates its items in 2099 cannot keep them on top of every newest-first list). Returns the
    date to keep and the claimed one (ISO 8601) when it was clamped, else None."""
    if published is None or published <= fetched:
        return published, None
    return fetched, published.isoformat()


def item_key(item: RawItem, url: str, text: str) -> str:
    """What the id hashes: the item's own key, else its canonical URL, else its content."""
    if item.key:
        return item.key
    if url:
        return url
    return "entry:" + hashlib.sha256(f"{item.title}\x1f{text}".encode()).hexdigest()[:24]


def to_mention(raw_item: RawItem, monitor: Monitor, spec: SourceSpec, entity: Entity,
               matched_terms: tuple[str, ...] | list[str], fetched: datetime, *,
               is_competitor: bool | None = None, body: str | None = None) -> Mention:
    """The mention of ``entity`` in ``raw_item``. ``is_competitor`` defaults to whether
    ``entity`` is one of the monitor's competitors; ``body`` is :func:`item_text` of the item when
    the caller already has it (the pipeline extracts it once, before matching)."""
    url = canonical_url(raw_item.url) if raw_item.url else ""
    # The title is already plain ("<blink>" in a text title is text).
    title = clip(" ".join(clean_text(raw_item.title, inline=True).split()), TITLE_LIMIT)
    text = clip(clean_text(item_text(raw_item) if body is None else body), TEXT_LIMIT)
    if is_competitor is None:
        is_competitor = entity.name != monitor.employer.name and entity in monitor.competitors
    extra = dict(raw_item.extra)
    if raw_item.guid:
        extra.setdefault("guid", raw_item.guid)
    if raw_item.url and url != raw_item.url:
        extra.setdefault("original_url", raw_item.url)
    fetched = as_utc(fetched) or fetched
    published, claimed = clamp_published(as_utc(raw_item.published), fetched)
    if claimed:
        extra["published_claimed"] = claimed
    return Mention(
        id=mention_id(entity.name, item_key(raw_item, url, text), monitor=monitor.name),
        monitor=monitor.name,
        employer=entity.name,
        url=url,
        title=title,
        text=text,
        source=spec.name,
        source_kind=spec.type,
        fetched=fetched,
        is_competitor=is_competitor,
        author=raw_item.author or None,
        published=published,
        matched_terms=tuple(matched_terms),
        fingerprint=fingerprint(f"{title}\n{text}"),
        extra=extra,
    )
