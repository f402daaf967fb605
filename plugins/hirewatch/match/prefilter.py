"""A cheap test that a raw feed item *might* name one of a monitor's entities, run before the item
is parsed, so that the parser, the HTML-to-text step and the matcher only see the few items that
can match (most items of most feeds name none of them).

Built by the pipeline once per monitor per process (:func:`candidate_filter`) and handed to
:meth:`hirewatch.sources.base.Source.parse_filtered`. It never decides that an item matches; it
only rules out items the :class:`~hirewatch.match.employer_matcher.EmployerMatcher` cannot
match, and must never rule out one it would match (``tests/match/test_prefilter.py`` checks this
against the matcher on the real feeds and on the traps below). Never raises.

How: every entity term is folded the matcher's way and its longest run of word characters is
kept (for "Brightwave Logistics": ``brightwave``, ``logistics`` -> ``logistics``). The raw item
text (all text in the item's XML, markup of embedded HTML included) is loosened so that anything
the matcher's text could contain is in it as a substring: feedparser's own text repairs (Windows
1252 control characters, UTF-8 read as Latin-1) are added, tags are removed (so ``Bright<b>wave``
becomes ``Brightwave``), HTML entities are decoded, and the text is decomposed (NFKD) and reduced
to lower-case ASCII (``Brïghtwave`` -> ``brightwave``; ``ß`` -> ``ss``). An item is a candidate
when any kept run occurs in that loosened text. When a term has no ASCII word run the filter is
not used at all (:func:`candidate_filter` returns None).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

from hirewatch.config import Monitor
from hirewatch.text_normal import fold

_TAG = re.compile(r"<[A-Za-z/!?][^>]*>")
_WORD = re.compile(r"\w+")
_C1 = re.compile("[\x80-\x9f]")

try:  # the exact table feedparser applies to every text it returns
    from feedparser.html import _cp1252 as CP1252
except ImportError:  # pragma: no cover - a feedparser without the table: map the same range
    CP1252 = {c: bytes([c]).decode("cp1252", "replace") for c in range(0x80, 0xA0)}


def term_pieces(terms: Iterable[str]) -> tuple[str, ...] | None:
    """The longest word run of each folded term; None when one has no ASCII word run (the filter
    cannot then be a safe superset, so it is not used)."""
    pieces: set[str] = set()
    for term in terms:
        runs = _WORD.findall(fold(term))
        if not runs:
            return None
        longest = max(runs, key=len)
        if not longest.isascii():
            return None
        pieces.add(longest.lower())
    return tuple(sorted(pieces, key=len, reverse=True)) or None


def loosen(text: str, parts: Iterable[str] = ()) -> str:
    """The text every candidate test searches: ``text`` (all of an item's text) with feedparser's
    repairs of each of ``parts`` (the item's elements' texts, which feedparser repairs one by one)
    added, tags out, entities decoded, in ASCII lower case. Only ever adds characters the
    matcher's text could contain; never hides one."""
    if not text.isascii():
        variants = [text]
        for part in (text, *parts):
            if part.isascii():
                continue
            try:  # feedparser re-decodes UTF-8 text that was read as Latin-1, element by element
                variants.append(part.encode("iso-8859-1").decode("utf-8"))
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        text = "\n".join(variants)
        if _C1.search(text):  # then maps Windows-1252 control characters to what they meant
            text += "\n" + text.translate(CP1252)
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "ss").replace("ı", "i"))
        text = text.encode("ascii", "ignore").decode("ascii")
    return text.lower()


class CandidateFilter:
    """``filter(text, parts)`` -> may an item whose raw text is ``text`` (its elements' texts
    ``parts``) name an entity of the monitor? See :func:`loosen`."""

    def __init__(self, pieces: tuple[str, ...]) -> None:
        self.pieces = pieces

    def __call__(self, text: str, parts: Iterable[str] = ()) -> bool:
        loose = loosen(text, parts)
        return any(piece in loose for piece in self.pieces)

    def __repr__(self) -> str:
        return f"CandidateFilter({self.pieces!r})"


def candidate_filter(monitor: Monitor) -> CandidateFilter | None:
    """The filter for ``monitor``'s employer and competitors, or None when no safe filter exists."""
    pieces = term_pieces(term for entity in monitor.entities for term in entity.terms)
    return CandidateFilter(pieces) if pieces else None
