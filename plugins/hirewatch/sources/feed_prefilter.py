"""Drop the items of a feed that cannot name the monitor's entities before feedparser sees it.

feedparser's handlers run in Python for every element, and in a typical feed no item names the
employer: parsing those items is work the pipeline throws away (costs in bench/RESULTS.md).
:func:`candidate_document` parses the document with lxml (C, much faster), tests every item's raw
text with the monitor's :class:`~hirewatch.match.prefilter.CandidateFilter`, removes the items that
cannot match from the tree and re-serialises it, in its own encoding, for feedparser. The items that
stay are parsed by feedparser exactly as they would be unfiltered (same channel, same markup, same
headers), so what the pipeline makes of them does not change;
``tests/sources/test_feed_prefilter.py`` checks that on the real feeds.

A DOCTYPE stays in the re-serialised document (feedparser reads the version of a Netscape RSS
0.91 feed from it), and an item that holds an entity reference (an entity its internal subset
declares, which the raw text cannot show expanded) is always a candidate: a DOCTYPE is no way
around the filter. Whenever the shortcut could change what feedparser would say, it is not taken
(None): not well-formed XML, a JSON feed, an encoding other than UTF-8 / ASCII / ISO-8859 /
Windows-125x, an HTTP charset that disagrees with the XML declaration (feedparser lets HTTP win),
a content type that is not XML (feedparser flags it), or a root that is not rss, RDF or an Atom
feed. Called by :meth:`hirewatch.sources.rss_source.RssSource.parse_filtered`; never raises.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

Keep = Callable[[str, Iterable[str]], bool]

XML_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                       "text/xml"})
SAFE_ENCODINGS = frozenset({"utf-8", "ascii", *(f"iso8859-{n}" for n in range(1, 17)),
                            *(f"cp{n}" for n in range(1250, 1259))})
FEED_NAMESPACES = frozenset({"", "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/",
                             "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#",
                             "http://backend.userland.com/rss", "http://backend.userland.com/rss2"})
ROOTS = frozenset({"rss", "rdf", "feed"})
ITEMS = frozenset({"item", "entry"})
# Feed elements feedparser reads as text constructs; a type other than text/HTML/XML on them (or
# mode="base64" anywhere) means base64 content, whose decoded text the raw-text test cannot see.
TEXT_CONSTRUCTS = frozenset({"title", "content", "summary", "description", "subtitle", "rights", "tagline",
                             "info", "copyright"})
_DECLARED = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The feed with only its candidate items (``body``, or None when none is left), how many
    items the feed had and how many were kept."""

    body: bytes | None
    total: int
    kept: int


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _encoding(body: bytes, content_type: str) -> str | None:
    """The label of the one encoding both feedparser and lxml will use (as the document writes
    it), or None when they might disagree."""
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower()
    if mime and mime not in XML_TYPES:
        return None
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    if body.startswith(_BOMS):
        return None
    head = body.removeprefix(codecs.BOM_UTF8)
    match = _DECLARED.match(head[:300])
    label = match.group(1).decode("ascii") if match else "UTF-8"
    declared = _codec(label)
    if declared is None or declared not in SAFE_ENCODINGS:
        return None
    if mime == "text/xml" and charset is None:
        return None  # RFC 3023: text/xml without a charset is US-ASCII to feedparser
    if charset is not None and _codec(charset) != declared:
        return None
    return label


# Elements that may carry base64 content: found by XPath (C) instead of a Python loop over every
# element of every item.
_TYPED = etree.XPath("descendant::*[@mode or @type]")
# UTF-8 bytes read as Latin-1 (a lead byte then a continuation byte): only then can feedparser's
# per-element re-decoding change a text, so only then are the elements' texts collected.
_MOJIBAKE = re.compile("[\xc2-\xf4][\x80-\xbf]")


def _is_candidate(item: etree._Element, keep: Keep) -> bool:
    if next(item.iter(etree.Entity), None) is not None:
        return True  # an entity reference expands to text the raw-text test cannot see
    for element in _TYPED(item):
        if element.get("mode") == "base64":
            return True
        qname = etree.QName(element)
        if qname.localname.lower() in TEXT_CONSTRUCTS and (qname.namespace or "") in FEED_NAMESPACES:
            kind = (element.get("type") or "").lower()
            if kind and kind not in ("text", "html", "xhtml") and not kind.startswith("text/") \
                    and not kind.endswith(("+xml", "/xml")):
                return True
    text = "".join(item.itertext())
    parts: list[str] = []
    if not text.isascii() and _MOJIBAKE.search(text):
        parts = [part for element in item.iter() if element is not item and isinstance(element.tag, str)
                 and not (part := "".join(element.itertext())).isascii()]
    return keep(text, parts)


_LOWER = "translate(local-name(), 'ENTRYIM', 'entryim')"
# Elements named item or entry in any case (feedparser lowers element names).
_NAMED_ITEM = etree.XPath(f"//*[{_LOWER} = 'item' or {_LOWER} = 'entry']")


def _items(root: etree._Element) -> list[etree._Element]:
    """The feed's items and entries, not those nested inside another one."""
    named = _NAMED_ITEM(root)
    if not named:
        return []
    found = set(named)
    return [element for element in named if (etree.QName(element).namespace or "") in FEED_NAMESPACES
            and not any(ancestor in found for ancestor in element.iterancestors())]


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():  # keep text that followed the item
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


_local = threading.local()  # an lxml parser per thread: a parser serialises the threads sharing it


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(resolve_entities=False, no_network=True, strip_cdata=False,
                                                 load_dtd=False, huge_tree=False, remove_comments=False)
    return parser


def candidate_document(body: bytes, content_type: str, keep: Keep) -> Candidates | None:
    """The feed ``body`` without the items ``keep`` rules out; None when the shortcut is not safe
    or not worth it (every item is a candidate)."""
    encoding = _encoding(body, content_type)
    if encoding is None or body.lstrip()[:1] in (b"{", b"["):
        return None
    try:
        root = etree.fromstring(body, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    if etree.QName(root).localname.lower() not in ROOTS:
        return None
    items = _items(root)
    if not items:
        return None
    dropped = [item for item in items if not _is_candidate(item, keep)]
    if not dropped:
        return None
    kept = len(items) - len(dropped)
    if not kept:
        return Candidates(None, len(items), 0)
    for item in dropped:
        _remove(item)
    out = etree.tostring(root.getroottree(), encoding=encoding, xml_declaration=True)
    return Candidates(out, len(items), kept)
