"""hirewatch.enrich: the stage between match and the store.

``enrich_mentions(mentions, monitor, previous=None)`` sets each mention's language, sentiment
(score, label and the scorer that produced it), candidate-experience topics with per-topic
sentiment, watch-term tags and severity. ``stored_versions(store, mentions)`` gives the
``previous`` mapping that lets unchanged text keep its stored scores.
"""

from hirewatch.enrich.reuse import stored_versions
from hirewatch.enrich.stage import enrich_mentions

__all__ = ["enrich_mentions", "stored_versions"]
