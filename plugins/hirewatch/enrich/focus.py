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
matcher finds it (:func:`hirewatch.match.employer_matcher.names_entity`): a name covered by one of
the entity's ``exclude`` phrases ("Brightwave Audio" for Brightwave) does not count. When no
sentence names the entity (the name was in a link, or past the length limits), the first
:data:`LEAD_SENTENCES` stand in.

Reviews, staff submissions and forum or social posts are one person's account from start to end
and are judged whole, as are short texts of any kind.
"""

from __future__ import annotations

from collections.abc import Sequence

from hirewatch.config import Entity, Monitor
from hirewatch.enrich.scoring import SHORT_TEXT_CHARS
from hirewatch.match.employer_matcher import names_entity
from hirewatch.mention import Mention

#: Source kinds whose items are articles about many things (feeds and alert feeds); every other
#: kind (review, submitted, reddit, mastodon, hackernews with its comments, ...) is judged whole.
ARTICLE_KINDS = frozenset({"rss", "atom", "google_alerts", "talkwalker"})
#: Sentences kept after each one that names the entity.
FOLLOW_UP = 1
#: Sentences that stand in when none names the entity.
LEAD_SENTENCES = 3


def is_article(source_kind: str) -> bool:
    """Whether a source kind's items are articles (focused) rather than one person's account."""
    return source_kind in ARTICLE_KINDS


def focus_entity(monitor: Monitor, mention: Mention, text: str) -> Entity | None:
    """The entity whose sentences ``mention`` (judged on ``text``) is focused on: its employer or
    competitor when it is a long article, None when it is judged whole (a short text, a review or
    post, or an entity the monitor no longer has)."""
    if len(text) <= SHORT_TEXT_CHARS or not is_article(mention.source_kind):
        return None
    return next((e for e in monitor.entities if e.name == mention.employer), None)


def focus(sentences: Sequence[str], entity: Entity) -> list[str]:
    """The sentences of an article that a mention of ``entity`` is judged on, in text order: the
    first, each one naming the entity and the :data:`FOLLOW_UP` after it; the first
    :data:`LEAD_SENTENCES` when none names it."""
    if not sentences:
        return []
    keep = {0}
    for index, sentence in enumerate(sentences):
        if names_entity(entity, sentence):
            keep.update(range(index, min(len(sentences), index + 1 + FOLLOW_UP)))
    if keep == {0}:
        keep.update(range(min(len(sentences), LEAD_SENTENCES)))
    return [sentences[i] for i in sorted(keep)]
