"""Words the heads misread, and "not bad" in every language, through the enrich stage and the
decide step with the bundled model (hand-written sentences, none of them in the training data;
the training sentences are checked to be no closer than 0.63 string similarity to these)."""

from __future__ import annotations

import pytest
from hirewatch.decide import decide_mentions
from hirewatch.enrich import enrich_mentions

from tests.enrich.helpers import NOW, mention, monitor


def _decided(text: str, kind: str = "review"):
    mon = monitor()
    [m] = decide_mentions(enrich_mentions([mention(text, kind=kind)], mon, now=NOW), mon, now=NOW)
    return m


@pytest.mark.parametrize(("text", "language"), [
    ("Langweilig.", "de"),
    ("Het boek is saai.", "nl"),
    # the head alone reads it +0.57 (its embedding is the noun's); the lexicon's clear reading of
    # a verdict of a few words stands (hirewatch.enrich.short_verdict)
    ("Teleurstellend boek.", "nl"),
    ("Kjedelig kurs.", "no"),
    ("Tråkig bok.", "sv"),
])
def test_review_words_read_as_negative(text: str, language: str) -> None:
    m = _decided(text)
    assert m.language == language
    assert m.sentiment_label == "negative" and m.wants_alert, m.sentiment_score


@pytest.mark.parametrize(("text", "language"), [
    ("The interview was not bad.", "en"),
    ("Het sollicitatiegesprek was niet slecht.", "nl"),
    ("Das Vorstellungsgespräch war nicht schlecht.", "de"),
    ("Intervjun var inte dålig.", "sv"),
    ("Intervjuet var ikke dårlig.", "no"),
    ("Jobsamtalen var ikke dårlig.", "da"),
])
def test_not_bad_is_not_negative_in_any_language(text: str, language: str) -> None:
    m = _decided(text, kind="reddit")
    assert m.language == language
    assert m.sentiment_label != "negative" and not m.wants_alert, m.sentiment_score


def test_no_hassles_is_not_negative() -> None:
    m = _decided("No hassles.", kind="reddit")
    assert m.sentiment_label != "negative" and not m.wants_alert
