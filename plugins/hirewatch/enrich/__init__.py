"""hirewatch.enrich: the stage between match and dedupe.

``enrich_mentions(mentions, monitor)`` sets each mention's language, sentiment (score, label and
the scorer that produced it), candidate-experience topics with per-topic sentiment, and severity.
"""

from hirewatch.enrich.stage import enrich_mentions

__all__ = ["enrich_mentions"]
