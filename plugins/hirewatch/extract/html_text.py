"""HTML -> clean plain text (lxml's HTML parser; beautifulsoup4 for what lxml cannot hold).

Called by the feed sources for titles marked as HTML, by :mod:`hirewatch.extract.item_to_mention`
for item bodies, and by the review extractors. Never raises on bad markup: broken HTML gives the
text lxml could recover. Scripts, styles and other non-content elements are dropped; block elements
end a line; runs of spaces collapse; entities are decoded (``&nbsp;`` becomes a plain space).

The text is read from lxml's own tree: building BeautifulSoup's tree in Python costs far more
(bench/RESULTS.md), and the text is the same (tests/extract/test_html_text.py checks every HTML
entry of the real feeds). libxml2 gives up below a nesting depth of 2,048 elements (hostile markup);
such a document is read with BeautifulSoup, which has no depth limit.

The feed's own boilerplate is left out on both readings (:mod:`hirewatch.extract.boilerplate`):
company-profile boxes, related-post and sharing blocks, newsletter and author-bio boxes by their
class or id tokens (whole tokens, never substrings), and "Related:" / "Lees ook" headings with the
link list after them, so that the matcher and the scorer read the story, not the publisher's boxes.
When the rules would leave nothing (a publisher that wraps a whole entry in a box's class), the
entry is read without them.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable, Iterator
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

from hirewatch.extract.boilerplate import (
    HEADING_TAGS,
    HEADING_TEXT_LIMIT,
    LIST_TAGS,
    LIST_TEXT_LIMIT,
    PHRASE_BLOCK_TAGS,
    is_box,
    is_link_list,
    is_phrase,
    is_phrase_then_links,
    starts_with_phrase,
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


_DROP = frozenset(DROP)
_PARSER_OPTIONS = {"recover": True, "no_network": True, "remove_comments": True, "remove_pis": True,
                   "huge_tree": True}
_PHRASE_TAGS = HEADING_TAGS | PHRASE_BLOCK_TAGS
_FIRST_TEXT_DEPTH = 4  # how far down the first child a related phrase is looked for
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
    if root is None:
        return ""
    # When the boilerplate rules would leave nothing, the entry is read without them.
    return normalise_space(_tree_text(root)) or normalise_space(_tree_text(root, boilerplate=False))


def _tree_text(root: etree._Element, boilerplate: bool = True) -> str:
    parts: list[str] = []
    skipped: set[etree._Element] = set()  # link lists after a related heading

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
        elif (not isinstance(child.tag, str) or child.tag in _DROP  # entities left as nodes, dropped tags
              # the feed's own boxes and related lists (hirewatch.extract.boilerplate), inline: hot path
              or (boilerplate and (
                  (skipped and child in skipped)
                  or ((child.get("class") or child.get("id"))
                      and is_box(child.tag, child.get("class"), child.get("id")))
                  or (child.tag in _PHRASE_TAGS and _lx_related(child, skipped))))):
            if child.tail:
                parts.append(child.tail)
        else:
            stack.append(opened(child))
    return "".join(parts)


def _lx_related(element: etree._Element, skipped: set[etree._Element]) -> bool:
    """Whether a heading or paragraph is a related heading with a link list after it (the list is
    added to ``skipped``) or a related phrase followed by links only. Its text is read only when
    its first word could begin a related phrase."""
    first = element.text
    if not starts_with_phrase(first if first and not first.isspace() else _lx_first_text(element)):
        return False
    texts = _lx_texts(element, HEADING_TEXT_LIMIT if element.tag in HEADING_TAGS else LIST_TEXT_LIMIT)
    if texts is None:
        return False
    if is_phrase(texts[0]):
        after = element.getnext()
        while after is not None and not isinstance(after.tag, str):
            after = after.getnext()
        if after is None or after.tag not in LIST_TAGS:
            return False
        listed = _lx_texts(after, LIST_TEXT_LIMIT)
        if listed is None or not is_link_list(*listed):
            return False
        skipped.add(after)
        return True
    return element.tag in PHRASE_BLOCK_TAGS and is_phrase_then_links(*texts)


def _lx_first_text(element: etree._Element) -> str | None:
    """The first words of ``element``: its own leading text, else its first child's, a few levels down."""
    for _ in range(_FIRST_TEXT_DEPTH):
        if element.text and element.text.strip():
            return element.text
        if not len(element) or not isinstance(element[0].tag, str):
            return None
        element = element[0]
    return None


def _lx_texts(element: etree._Element, limit: int) -> tuple[str, str] | None:
    """The text of ``element`` and the part of it inside links, or None past ``limit`` characters."""
    text: list[str] = []
    link: list[str] = []
    size = 0

    def add(piece: str | None, in_link: bool) -> None:
        nonlocal size
        if piece:
            text.append(piece)
            size += len(piece)
            if in_link:
                link.append(piece)

    in_link = element.tag == "a"
    add(element.text, in_link)
    stack = [(iter(element), in_link)]
    while stack and size <= limit:
        children, in_link = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif isinstance(child.tag, str) and child.tag not in _DROP:
            child_link = in_link or child.tag == "a"
            add(child.text, child_link)
            stack.append((_then_tail(child, in_link, add), child_link))
        else:
            add(child.tail, in_link)
    return ("".join(text), "".join(link)) if size <= limit else None


def _then_tail(element: etree._Element, in_link: bool,
               add: Callable[[str | None, bool], None]) -> Iterator[etree._Element]:
    """The children of ``element``, then its tail read as the parent's text."""
    yield from element
    add(element.tail, in_link)


def _soup_text(html: str, boilerplate: bool = True) -> str:
    """:func:`html_to_text` through BeautifulSoup, for markup nested deeper than libxml2 builds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    for element in soup.find_all(DROP):
        element.decompose()
    if boilerplate:
        _soup_strip_boilerplate(soup)
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
    text = normalise_space("".join(parts))
    return text if text or not boilerplate else _soup_text(html, boilerplate=False)


def _soup_strip_boilerplate(soup: BeautifulSoup) -> None:
    """The lxml walk's boilerplate checks on BeautifulSoup's tree: boxes and related headings with
    their link list are removed from it. An explicit stack over copies of each child list (the tree changes
    under it); ``Tag.decomposed`` is not asked, it searches the subtree."""
    gone: set[int] = set()  # link lists removed ahead of the walk
    stack: list[Iterator[PageElement]] = [iter(list(soup.contents))]
    while stack:
        tag = next(stack[-1], None)
        if tag is None:
            stack.pop()
        elif isinstance(tag, Tag) and id(tag) not in gone:
            if _soup_boilerplate(tag, gone):
                tag.decompose()
            else:
                stack.append(iter(list(tag.contents)))


def _soup_boilerplate(tag: Tag, gone: set[int]) -> bool:
    """Whether ``tag`` is a box or a related heading (its link list is removed and noted in
    ``gone``) or a related phrase followed by links only: :func:`_lx_related` and the walk's box
    check, on BeautifulSoup's tree."""
    classes = tag.get("class")
    element_id = tag.get("id")
    if is_box(tag.name, " ".join(classes) if isinstance(classes, list) else classes,
              element_id if isinstance(element_id, str) else None):
        return True
    if (tag.name not in HEADING_TAGS and tag.name not in PHRASE_BLOCK_TAGS) or not starts_with_phrase(
            _soup_first_text(tag)):
        return False
    texts = _soup_texts(tag, HEADING_TEXT_LIMIT if tag.name in HEADING_TAGS else LIST_TEXT_LIMIT)
    if texts is None:
        return False
    if is_phrase(texts[0]):
        after = tag.find_next_sibling(True)
        if after is None or after.name not in LIST_TAGS:
            return False
        listed = _soup_texts(after, LIST_TEXT_LIMIT)
        if listed is None or not is_link_list(*listed):
            return False
        gone.add(id(after))
        after.decompose()
        return True
    return tag.name in PHRASE_BLOCK_TAGS and is_phrase_then_links(*texts)


def _soup_first_text(tag: Tag) -> str | None:
    """:func:`_lx_first_text` on BeautifulSoup's tree."""
    for _ in range(_FIRST_TEXT_DEPTH):
        first = next((c for c in tag.contents if not (isinstance(c, NavigableString) and (isinstance(c, SKIP)
                                                                                           or not c.strip()))), None)
        if isinstance(first, NavigableString):
            return str(first)
        if not isinstance(first, Tag):
            return None
        tag = first
    return None


def _soup_texts(tag: Tag, limit: int) -> tuple[str, str] | None:
    """:func:`_lx_texts` on BeautifulSoup's tree."""
    text: list[str] = []
    link: list[str] = []
    size = 0
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(tag.contents), tag.name == "a")]
    while stack and size <= limit:
        children, in_link = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag):
            stack.append((iter(child.contents), in_link or child.name == "a"))
        elif isinstance(child, NavigableString) and not isinstance(child, SKIP) and child:
            text.append(child)
            size += len(child)
            if in_link:
                link.append(child)
    return ("".join(text), "".join(link)) if size <= limit else None


def inline_text(html: str) -> str:
    """Like :func:`html_to_text` but on one line (titles, author names)."""
    return " ".join(html_to_text(html).split())
