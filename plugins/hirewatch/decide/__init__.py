"""The decide step: whether a mention is alerted, its overall verdict, and why, in words.

Called by the pipeline right after enrich (:func:`hirewatch.pipeline.enrich_mentions`); the
stores' outbox, routing, the Slack message and the digest read what it wrote
(``Mention.extra["decision"]``, :attr:`hirewatch.mention.Mention.wants_alert`).
"""

from hirewatch.decide.decision import Decision, decide, decide_mentions

__all__ = ["Decision", "decide", "decide_mentions"]
