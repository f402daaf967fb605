"""HTML -> clean plain text (lxml's HTML parser; beautifulsoup4 for what lxml cannot hold).

Called by the feed sources for titles marked as HTML, by :mod:`hirewatch.extract.item_to_mention`
for item bodies, and by the review extractors. Never raises on bad markup: broken HTML gives the
text lxml could recover. Scripts, styles and other non-content elements are dropped; block elements
end a line; runs of spaces collapse; entities are decoded (``&nbsp;`` becomes a plain space).

The text is read from lxml's own tree: building BeautifulSoup's tree in Python costs far more
(bench/RESULTS.md), and the text is the same (tests/extract/test_html_text.py checks every HTML
entry of the real feeds). libxml2 gives up below a nesting depth of 2,048 elements (hostile markup);
such a document is read with BeautifulSoup, which has no depth limit.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterator
from functools import lru_cache

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    MarkupResemblesLocatorWarning,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)
from lxml import etree

DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head", "form",
        "button", "select", "textarea")
BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                    "blockquote", "pre", "section", "article", "header", "footer", "aside", "dd", "dt", "dl",
                    "hr", "figure", "figcaption", "main", "nav", "address", "td", "th"})
SKIP = (Comment, Declaration, Doctype, ProcessingInstruction)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_MARKUP_HINT = re.compile(r"<[a-zA-Z!/?]|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def normalise_space(text: str) -> str:
    """Collapse runs of spaces (Unicode spaces and NBSP too) within lines; at most one blank line;
    strip each line and the whole. Zero-width characters are removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u200b", "").replace("\ufeff", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def looks_like_html(text: str) -> bool:
    """True when ``text`` carries tags or entities (plain text is returned as is by callers)."""
    return bool(_MARKUP_HINT.search(text))


_DROP = frozenset(DROP)
_PARSER_OPTIONS = {"recover": True, "no_network": True, "remove_comments": True, "remove_pis": True,
                   "huge_tree": True}
_local = threading.local()  # an lxml parser per thread: the run's parse threads share none


def _parser() -> etree.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.HTMLParser(**_PARSER_OPTIONS)
    return parser


@lru_cache(maxsize=256)
def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment or page, whitespace normalised. Cached: the matcher
    and extract both ask for the same entry's text."""
    if not html:
        return ""
    if not looks_like_html(html):
        return normalise_space(html)
    parser = _parser()
    try:
        try:
            root = etree.fromstring(html, parser)
        except ValueError:  # a str that declares its own encoding
            parser = etree.HTMLParser(**_PARSER_OPTIONS, encoding="utf-8")
            root = etree.fromstring(html.encode("utf-8", "replace"), parser)
    except etree.LxmlError:
        root = None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        return _soup_text(html)
    return normalise_space(_tree_text(root)) if root is not None else ""


def _tree_text(root: etree._Element) -> str:
    parts: list[str] = []

    def opened(element: etree._Element) -> tuple[Iterator[etree._Element], bool, etree._Element]:
        block = element.tag in BLOCKS
        if block:
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        return iter(element), block and element.tag not in ("br", "hr"), element

    # An explicit stack, not recursion: hostile markup may nest deeper than Python's stack.
    stack = [opened(root)]
    while stack:
        children, closes, element = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if closes:
                parts.append("\n")
            if element.tail and stack:
                parts.append(element.tail)
        elif not isinstance(child.tag, str) or child.tag in _DROP:  # entities left as nodes, dropped tags
            if child.tail:
                parts.append(child.tail)
        else:
            stack.append(opened(child))
    return "".join(parts)


def _soup_text(html: str) -> str:
    """:func:`html_to_text` through BeautifulSoup, for markup nested deeper than libxml2 builds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    for element in soup.find_all(DROP):
        element.decompose()
    parts: list[str] = []
    # An explicit stack, not recursion: hostile markup may nest deeper than Python's stack.
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(soup.contents), False)]
    while stack:
        children, is_block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if is_block:
                parts.append("\n")
        elif isinstance(child, Tag):
            block = child.name in BLOCKS
            if block:
                parts.append("\n")
            stack.append((iter(child.contents), block and child.name not in ("br", "hr")))
        elif isinstance(child, NavigableString) and not isinstance(child, SKIP):
            parts.append(str(child))
    return normalise_space("".join(parts))


def inline_text(html: str) -> str:
    """Like :func:`html_to_text` but on one line (titles, author names)."""
    return " ".join(html_to_text(html).split())
