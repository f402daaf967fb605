"""Which entities (the employer, its competitors) an item mentions, and by which terms.

Built once per run per monitor (:class:`EmployerMatcher`, one compiled regex per entity and one
per entity's exclusions) and called by the pipeline for every item, alert-feed hits included (a
Google Alert hit that does not name the employer is dropped here like any other item).

Matching is on whole words, case- and accent-insensitive ("Nestle" finds "Nestlé"), over the
entity's name, aliases and handles (``@acme``). An exclusion phrase (``exclude``: another
company's or a product's name) that covers an occurrence removes that occurrence; an entity with
no occurrence left is not mentioned. Never raises for any text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from hirewatch.config import Entity, Monitor
from hirewatch.extract.item_to_mention import item_text
from hirewatch.records import RawItem
from hirewatch.text_normal import fold


@dataclass(frozen=True, slots=True)
class Match:
    """One entity an item mentions: the configured ``terms`` found (in order of first
    appearance). Unpacks as ``(entity, terms)``."""

    entity: Entity
    is_competitor: bool
    terms: tuple[str, ...]

    def __iter__(self) -> Iterator[object]:
        yield self.entity
        yield self.terms


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One alternation of whole-word phrases (already folded), longest first."""
    unique = sorted({p for p in phrases if p}, key=len, reverse=True)
    if not unique:
        return None
    # Whole words: no word character on either side ("acme" is not in "acmeware"; the handle
    # "@acme" is not in "jobs@acme.example", but "acme" is).
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in unique) + r")(?!\w)")


class _EntityPattern:
    def __init__(self, entity: Entity, is_competitor: bool) -> None:
        self.entity, self.is_competitor = entity, is_competitor
        self.by_folded: dict[str, str] = {}
        for term in entity.terms:
            self.by_folded.setdefault(fold(term), term)
        self.terms = _phrase_pattern(list(self.by_folded))
        self.exclude = _phrase_pattern([fold(x) for x in entity.exclude])

    def find(self, folded: str) -> Match | None:
        if self.terms is None:
            return None
        hits = [(m.start(), m.end(), m.group(0)) for m in self.terms.finditer(folded)]
        if not hits:
            return None
        if self.exclude is not None:
            # Exclusions may overlap each other and the terms: search at every start, not only
            # after the previous exclusion, so "Acme Audio" inside "New Acme Audio" is found.
            spans = [(m.start(), m.end()) for m in self.exclude.finditer(folded)]
            hits = [h for h in hits if not any(xs <= h[0] and h[1] <= xe for xs, xe in spans)]
        if not hits:
            return None
        found = tuple(dict.fromkeys(self.by_folded[text] for _, _, text in hits))
        return Match(self.entity, self.is_competitor, found)


@lru_cache(maxsize=256)
def _pattern_of(entity: Entity) -> _EntityPattern:
    return _EntityPattern(entity, False)


def names_entity(entity: Entity, text: str) -> bool:
    """Whether ``text`` names ``entity`` as the matcher finds it: whole words, case- and
    accent-insensitive, not inside one of its ``exclude`` phrases. Called per sentence by
    :mod:`hirewatch.enrich.focus`."""
    return _pattern_of(entity).find(fold(text)) is not None


class EmployerMatcher:
    """The compiled matcher of one monitor. ``match(title, text)`` or ``match(raw_item)``."""

    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor
        self._patterns = [_EntityPattern(monitor.employer, False)]
        self._patterns += [_EntityPattern(c, True) for c in monitor.competitors]

    def match(self, title: str | RawItem, text: str | None = None) -> list[Match]:
        """The entities mentioned in ``title`` and ``text`` (or in a :class:`RawItem`'s title and
        body), the employer first, then competitors in monitor order."""
        if isinstance(title, RawItem):
            return self.match_item(title)
        folded = fold(f"{title}\n{text or ''}")
        return [m for p in self._patterns if (m := p.find(folded)) is not None]

    def match_item(self, item: RawItem, body: str | None = None) -> list[Match]:
        """:meth:`match` over an item's title and its text (``body``, else the body extract reads:
        :func:`~hirewatch.extract.item_to_mention.item_text`), plus the entity its source says it
        is about (``extra["entity"]``: a review on the employer's own review page often never
        names it; the name need not be written into the text)."""
        found = self.match(item.title, item_text(item) if body is None else body)
        named = item.extra.get("entity")
        if isinstance(named, str) and named.strip():
            found = self._with_source_entity(found, named)
        return found

    def _with_source_entity(self, found: list[Match], named: str) -> list[Match]:
        """``found`` plus the first entity (the employer, then competitors) one of whose names the
        source's entity ``named`` is or contains; unchanged when it names none of them."""
        folded = fold(named)
        for pattern in self._patterns:
            match = pattern.find(folded)
            if match is None:
                continue
            if any(m.entity == pattern.entity for m in found):
                return found
            order = {id(p.entity): i for i, p in enumerate(self._patterns)}
            return sorted([*found, match], key=lambda m: order.get(id(m.entity), len(order)))
        return found
