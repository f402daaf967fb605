"""Field limits and control characters: what crawled text may look like once it is a mention.

Called by the pipeline on every :class:`~hirewatch.records.RawItem` before matching
(:func:`clip_item`: bounds the work of match, enrich and the stores, whatever a source sends) and
by :func:`hirewatch.extract.item_to_mention.to_mention` on the plain text it derives
(:func:`clean_text`). Pure functions; never raise.

Limits (characters): title 1,000; text 20,000 (HTML markup 100,000 before it becomes text);
author 200; URL 4,096; a string inside ``extra`` 1,000 and a list there 100 entries. A cut string
ends with ``…``. The text limit bounds sentiment scoring, whose cost grows with every sentence
(bench/RESULTS.md). Removed everywhere: C0 and C1 control characters (tab and newline
stay in text) and the Unicode bidirectional controls that can make a title read backwards.
A configured secret that a server echoed into an item is masked (:mod:`hirewatch.redact`), and
the ``user:password@`` of an item's URL dropped, before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from hirewatch.records import RawItem
from hirewatch.redact import mask, mask_data, strip_userinfo, url_has_userinfo

TITLE_LIMIT = 1_000
TEXT_LIMIT = 20_000
HTML_LIMIT = 100_000
AUTHOR_LIMIT = 200
URL_LIMIT = 4_096
EXTRA_TEXT_LIMIT = 1_000
EXTRA_ITEMS_LIMIT = 100
#: A page's markup is cut to this many bytes, and nested at most this deep, before an HTML parser
#: builds a tree of it (a submitted page): parse time and memory then follow the page's size, not
#: the nesting a hostile page can pack into it (a 10 MB page of nested tags took minutes and GBs).
PAGE_BYTES_LIMIT = 2_000_000
PAGE_DEPTH_LIMIT = 200

_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_DROP = {code: None for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_BIDI)}
_TEXT_DROP = {code: value for code, value in _DROP.items() if code not in (0x09, 0x0A)}
_INLINE = {**_DROP, 0x09: " ", 0x0A: " ", 0x0D: " "}


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ``…`` marking a cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_text(text: str, *, inline: bool = False) -> str:
    """``text`` without control characters: ``inline`` (titles, authors) turns tab and line
    breaks into spaces, otherwise tab and newline are kept (a CR becomes a newline)."""
    if inline:
        return text.translate(_INLINE)
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_TEXT_DROP)


def clip_extra(value: Any, depth: int = 0) -> Any:
    """``extra`` values with strings and lists bounded (nested at most 4 levels)."""
    if isinstance(value, str):
        return clip(clean_text(value, inline=True), EXTRA_TEXT_LIMIT)
    if depth >= 4:
        return None
    if isinstance(value, dict):
        return {clip(str(k), 100): clip_extra(v, depth + 1) for k, v in list(value.items())[:EXTRA_ITEMS_LIMIT]}
    if isinstance(value, list | tuple):
        return [clip_extra(v, depth + 1) for v in list(value)[:EXTRA_ITEMS_LIMIT]]
    return value


def clip_item(item: RawItem) -> RawItem:
    """``item`` within the limits above, control characters removed from its title and author.
    Returns ``item`` itself when nothing needed changing (the common case)."""
    changes: dict[str, Any] = {}
    item = _masked(item)
    title = clip(clean_text(item.title, inline=True), TITLE_LIMIT)
    if title != item.title:
        changes["title"] = title
    if len(item.text) > TEXT_LIMIT:
        changes["text"] = clip(item.text, TEXT_LIMIT)
    if len(item.html) > HTML_LIMIT:
        changes["html"] = item.html[:HTML_LIMIT]
    if item.author:
        author = clip(clean_text(item.author, inline=True), AUTHOR_LIMIT)
        if author != item.author:
            changes["author"] = author
    if len(item.url) > URL_LIMIT:
        changes["url"] = item.url[:URL_LIMIT]
    if item.guid and len(item.guid) > URL_LIMIT:
        changes["guid"] = item.guid[:URL_LIMIT]
    if item.extra:
        extra = clip_extra(item.extra)
        if extra != item.extra:
            changes["extra"] = extra
    return replace(item, **changes) if changes else item


def _masked(item: RawItem) -> RawItem:
    """``item`` with registered secrets masked and its URL's credentials dropped (itself when
    there was nothing to change)."""
    changes: dict[str, Any] = {}
    for name in ("title", "text", "html", "author"):
        value = getattr(item, name)
        if value and mask(value) != value:
            changes[name] = mask(value)
    if url_has_userinfo(item.url) or mask(item.url) != item.url:
        changes["url"] = strip_userinfo(item.url)
    if item.extra and mask_data(item.extra) != item.extra:
        changes["extra"] = mask_data(item.extra)
    return replace(item, **changes) if changes else item


_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
#: Elements whose end tag HTML lets a page leave out (a new ``<p>`` or ``<li>`` closes the open
#: one): they are not counted, or every page of unclosed paragraphs would look deep.
_FLAT = frozenset({b"p", b"li", b"dt", b"dd", b"tr", b"td", b"th", b"option", b"optgroup", b"thead", b"tbody",
                   b"tfoot", b"colgroup", b"caption", b"rb", b"rt", b"rp"})
_VOID = frozenset({b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param",
                   b"source", b"track", b"wbr"})


def bound_markup(body: bytes, *, max_bytes: int = PAGE_BYTES_LIMIT, max_depth: int = PAGE_DEPTH_LIMIT) -> bytes:
    """``body`` cut to ``max_bytes`` and with the start tags that would nest deeper than
    ``max_depth`` left out (their text stays; a parser ignores the end tags left without a start).
    One pass over the tags: linear in the size. Pages within both limits come back unchanged."""
    body = body[:max_bytes]
    depth = 0
    pieces: list[bytes] = []
    last = 0
    for match in _TAG.finditer(body):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _FLAT:
            continue
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name not in _VOID:
            depth += 1
            if depth > max_depth:
                pieces.append(body[last:match.start()])
                last = match.end()
    if not pieces:
        return body
    pieces.append(body[last:])
    return b"".join(pieces)
