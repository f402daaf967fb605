"""Topic tagging along the candidate journey (and employees' topics), and monitor watch terms.

Called by :mod:`hirewatch.enrich.stage`. :class:`TopicMatcher` finds the topics of a piece of
text in one language with the lexicons of :mod:`hirewatch.enrich.topic_lexicon`; the stage uses it
per clause to give each topic the sentiment of the sentences (clauses) that carry it.
Watch terms (``monitor.watch_terms``) become ``watch:<tag>`` entries in ``Mention.topics``, so
routing rules (``AlertRule.topics``) can route on them like on any topic. Never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from hirewatch.enrich.text import fold_accents
from hirewatch.enrich.topic_lexicon import CANDIDATE_TOPICS, PAY, lexicon

WATCH_PREFIX = "watch:"
# topics that put a salary word into "offer & pay" rather than employees' "pay & benefits"
_OFFER_CONTEXT = {"job_ad", "application", "recruiter", "interview", "assessment", "offer_pay", "rejection_ghosting"}


def term_pattern(term: str) -> str:
    """Regex (for folded text) of one lexicon or watch term: whole words, ``*`` = more letters."""
    folded = fold_accents(term.strip())
    head = r"\w*" if folded.startswith("*") else ""
    tail = r"\w*" if folded.endswith("*") else ""
    words = [re.escape(w) for w in re.split(r"[\s]+", folded.strip("*")) if w]
    body = r"[\s-]+".join(words).replace(r"\-", r"[\s-]?")
    return rf"(?<![\w]){head}{body}{tail}(?![\w])"


def _any_of(patterns: list[str]) -> re.Pattern[str] | None:
    """One pattern that matches where any of ``patterns`` does (the shared word-start test
    factored out, which keeps one search over all of them fast)."""
    if not patterns:
        return None
    start = r"(?<![\w])"
    if all(p.startswith(start) for p in patterns):
        return re.compile(start + "(?:" + "|".join(f"(?:{p[len(start):]})" for p in patterns) + ")")
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@dataclass(frozen=True, slots=True)
class Hit:
    topic: str
    start: int
    end: int
    term: str


class TopicMatcher:
    """Finds topics in text of one language. Build with :func:`matcher` (cached per language)."""

    def __init__(self, language: str | None) -> None:
        entries = []
        for topic, terms in lexicon(language).items():
            for term in terms:
                entries.append((len(term.strip("*")), topic, term, re.compile(term_pattern(term))))
        entries.sort(key=lambda e: -e[0])  # the longer literal wins where two terms cover the same words
        self._entries = entries
        self._any = _any_of([pattern.pattern for *_, pattern in entries])

    def hits(self, text: str) -> list[Hit]:
        """Non-overlapping topic hits in ``text`` (in order of position); ``pay`` hits unresolved."""
        folded = fold_accents(text)
        if self._any is not None and not self._any.search(folded):
            return []  # most clauses name no topic: one search instead of one per term
        taken: list[tuple[int, int]] = []
        found: list[Hit] = []
        for _, topic, term, pattern in self._entries:
            for m in pattern.finditer(folded):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append(Hit(topic, m.start(), m.end(), term))
        return sorted(found, key=lambda h: h.start)

    def topics(self, text: str) -> list[str]:
        """The topics of ``text`` in order of first appearance, with ``pay`` resolved by context."""
        return resolve_pay([h.topic for h in self.hits(text)], context=None)


def resolve_pay(topics: Iterable[str], context: Iterable[str] | None) -> list[str]:
    """Replace the ``pay`` pseudo-topic: offer & pay in a text about applying, interviewing or an
    offer or a job ad (``context``: the whole text's topics; defaults to ``topics``), else pay & benefits."""
    topics = list(topics)
    ctx = set(topics if context is None else context)
    resolved = "offer_pay" if ctx & _OFFER_CONTEXT else "pay_benefits"
    return list(dict.fromkeys(resolved if t == PAY else t for t in topics))


@lru_cache(maxsize=32)
def matcher(language: str | None) -> TopicMatcher:
    return TopicMatcher(language)


def is_candidate_topic(topic: str) -> bool:
    return topic in CANDIDATE_TOPICS


def watch_tag(term: str, tag: str | None) -> str:
    """The tag a watch term puts in ``Mention.topics``: ``watch:<tag>`` (the term, slugified,
    when the monitor gives no tag)."""
    name = tag or re.sub(r"[^\w]+", "-", fold_accents(term.strip("* "))).strip("-")
    return WATCH_PREFIX + name


@lru_cache(maxsize=256)
def _watch_regex(term: str) -> re.Pattern[str]:
    return re.compile(term_pattern(term))


def watch_tags(text: str, watch_terms: Iterable[tuple[str, str | None]]) -> list[str]:
    """``watch:<tag>`` for every (term, tag) whose term occurs in ``text`` (whole words, case- and
    accent-insensitive, ``*`` for any ending)."""
    watch_terms = list(watch_terms)
    if not watch_terms:
        return []
    folded = fold_accents(text)
    tags = [watch_tag(term, tag) for term, tag in watch_terms if _watch_regex(term).search(folded)]
    return list(dict.fromkeys(tags))
