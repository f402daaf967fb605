"""Re-use of stored scores: the pipeline's way to never re-score unchanged text.

Called by the pipeline before :func:`hirewatch.enrich.enrich_mentions`:

    previous = stored_versions(store, mentions)
    mentions = enrich_mentions(mentions, monitor, previous)

A stored mention whose scored text, sentiment settings and scorer versions are unchanged
(``extra["enrich_key"]``) keeps its language, sentiment and topic sentiment; the model is not
run for it. Raises :class:`~hirewatch.errors.StoreError` when the store cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable

from hirewatch.mention import Mention


def stored_versions(store, mentions: Iterable[Mention]) -> dict[str, Mention]:
    """The stored copy of each of ``mentions`` that the store already holds, by id
    (``store``: a :class:`~hirewatch.stores.base.MentionStore`)."""
    out: dict[str, Mention] = {}
    for mention in mentions:
        if mention.id in out:
            continue
        stored = store.get(mention.id)
        if stored is not None:
            out[mention.id] = stored.mention
    return out
