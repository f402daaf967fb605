"""HTML -> clean plain text (beautifulsoup4 with the lxml parser).

Called by the feed sources for titles marked as HTML, by :mod:`hirewatch.extract.feed_extract` for
entry bodies, and by the review extractors. Never raises on bad markup: broken HTML gives the text
lxml could recover. Scripts, styles and other non-content elements are dropped; block elements end
a line; runs of spaces collapse; entities are decoded (``&nbsp;`` becomes a plain space).
"""

from __future__ import annotations

import re
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


@lru_cache(maxsize=256)
def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment or page, whitespace normalised. Cached: the matcher
    and extract both ask for the same entry's text."""
    if not html:
        return ""
    if not looks_like_html(html):
        return normalise_space(html)
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
