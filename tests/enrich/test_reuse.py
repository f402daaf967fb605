"""Stored scores survive a round trip through the real SQLite store and are re-used."""

from __future__ import annotations

from pathlib import Path

import pytest
from hirewatch.enrich import enrich_mentions, model_scorer, stored_versions
from hirewatch.enrich.model_scorer import ModelScorer, embed_texts
from hirewatch.stores.sqlite_store import SqliteStore

from tests.enrich.helpers import NOW, mention, monitor


def test_a_second_run_over_stored_mentions_never_calls_the_model(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def counting(texts, *depth):
        calls.append(list(texts))
        return embed_texts(texts, *depth)

    monkeypatch.setattr(model_scorer, "_scorers", {"multi": ModelScorer(embed=counting)})
    store = SqliteStore(tmp_path / "m.sqlite")
    mon = monitor()
    fresh = [mention("Na het sollicitatiegesprek hoorde ik niets meer.", key="http://x/a"),
             mention("Die Einarbeitung war hervorragend.", key="http://x/b")]
    first = enrich_mentions(fresh, mon, stored_versions(store, fresh), now=NOW)
    assert len(calls) == 1
    store.upsert_mentions(first)

    # a new process (empty LRU) sees the same items again, plus one new one
    monkeypatch.setattr(model_scorer, "_scorers", {"multi": ModelScorer(embed=counting)})
    again = [*fresh, mention("Die Einarbeitung war chaotisch.", key="http://x/c")]
    previous = stored_versions(store, again)
    assert set(previous) == {first[0].id, first[1].id}
    second = enrich_mentions(again, mon, previous, now=NOW)
    assert calls[1:] == [["Die Einarbeitung war chaotisch."]]
    assert [m.sentiment_score for m in second[:2]] == [m.sentiment_score for m in first]
    assert [m.topics for m in second[:2]] == [m.topics for m in first]
