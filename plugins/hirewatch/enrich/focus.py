"""The part of a long article a mention is judged on: the sentences about its entity.

Called by :func:`hirewatch.enrich.stage.enrich_mentions` for the long article mentions it scores
(not for those whose stored scores it re-uses); pure functions, never raise.

A news item or blog post that names the employer once in twenty sentences says little about the
employer in the other nineteen: scoring them all measures the article's mood, not the mood about
the employer, and tags the article's topics, not the employer's (and it costs twenty model calls
instead of three). So a mention from an article-like source (:data:`ARTICLE_KINDS`) whose text is
longer than :data:`~hirewatch.enrich.scoring.SHORT_TEXT_CHARS` is judged on its first sentence
(the title, or the lede), each sentence that names the entity, and the sentence after each (a
follow-up such as "They never called back." names no one). A sentence names the entity as the
matcher finds it: a name covered by one of the entity's ``exclude`` phrases ("Brightwave Audio"
for Brightwave) does not count. When no sentence names the entity (the name was in a link, or
past the length limits), the first :data:`LEAD_SENTENCES` stand in.

Reviews, staff submissions and forum or social posts are one person's account from start to end
and are judged whole, as are short texts of any kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from hirewatch.match.employer_matcher import phrase_pattern
from hirewatch.match.text_normal import fold

#: Source kinds whose items are articles about many things (feeds and alert feeds); every other
#: kind (review, submitted, reddit, mastodon, hackernews with its comments, ...) is judged whole.
ARTICLE_KINDS = frozenset({"rss", "atom", "google_alerts", "talkwalker"})
#: Sentences kept after each one that names the entity.
FOLLOW_UP = 1
#: Sentences that stand in when none names the entity.
LEAD_SENTENCES = 3


@lru_cache(maxsize=256)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    return phrase_pattern([fold(p) for p in phrases])


def names_entity(sentence: str, terms: Sequence[str], exclude: Sequence[str] = ()) -> bool:
    """Whether ``sentence`` names one of ``terms`` as the matcher would: whole words, case- and
    accent-insensitive, not inside one of the ``exclude`` phrases."""
    pattern = _pattern(tuple(terms))
    if pattern is None:
        return False
    folded = fold(sentence)
    hits = [m.span() for m in pattern.finditer(folded)]
    if not hits or not exclude:
        return bool(hits)
    excluded = _pattern(tuple(exclude))
    spans = [m.span() for m in excluded.finditer(folded)] if excluded is not None else []
    return any(not any(xs <= start and end <= xe for xs, xe in spans) for start, end in hits)


def is_article(source_kind: str) -> bool:
    """Whether a source kind's items are articles (focused) rather than one person's account."""
    return source_kind in ARTICLE_KINDS


def focus(sentences: Sequence[str], terms: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    """The sentences of an article that a mention of ``terms`` (less ``exclude``) is judged on, in
    text order: the first, each one naming the entity and the :data:`FOLLOW_UP` after it; the
    first :data:`LEAD_SENTENCES` when none names it."""
    if not sentences:
        return []
    keep = {0}
    for index, sentence in enumerate(sentences):
        if names_entity(sentence, terms, exclude):
            keep.update(range(index, min(len(sentences), index + 1 + FOLLOW_UP)))
    if keep == {0}:
        keep.update(range(min(len(sentences), LEAD_SENTENCES)))
    return [sentences[i] for i in sorted(keep)]
