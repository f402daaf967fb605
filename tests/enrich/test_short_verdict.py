"""hirewatch.enrich.short_verdict: when the lexicon's reading of a verdict of a few words stands
over the multilingual head's (lexical features from the real lexicons; head scores given)."""

from __future__ import annotations

import pytest
from hirewatch.enrich import polarity_lexicon
from hirewatch.enrich.short_verdict import apply


def _apply(head_score: float, text: str, language: str | None, threshold: float = 0.1) -> float:
    return apply([head_score], [text], polarity_lexicon.features([text], language), threshold)[0]


@pytest.mark.parametrize(("text", "language", "sign"), [
    ("Teleurstellend boek.", "nl", -1), ("Langweilig.", "de", -1), ("Kedelig bog.", "da", -1),
    ("Kein guter Arbeitgeber.", "de", -1),  # a negated praise
    ("Niet slecht.", "nl", 1),  # a negated complaint
    ("Geweldig boek!", "nl", 1),
])
def test_a_clear_short_verdict_overrides_a_head_that_reads_it_the_other_way(text: str, language: str,
                                                                              sign: int) -> None:
    got = _apply(-0.6 * sign, text, language)
    assert got * sign >= 0.3, got


@pytest.mark.parametrize(("head", "text", "language"), [
    (0.9, "Geweldig boek!", "nl"),  # the head agrees beyond its threshold: its own score stays
    (0.4, "Gut, aber teuer.", "de"),  # praise and complaint: mixed, the head decides
    (0.4, "Het boek is erg lang en de schrijver is saai.", "nl"),  # more than a few words
    (0.4, "Boring book.", "en"),  # no lexicon for English in this head
    (0.4, "Het boek.", "nl"),  # the lexicon is silent
    (0.4, "Het boek is saai.", None),  # no language, no lexicon
])
def test_the_head_decides_everything_else(head: float, text: str, language: str | None) -> None:
    assert _apply(head, text, language) == head


def test_a_weak_agreeing_head_takes_the_lexicons_reading() -> None:
    """Within the head's neutral band the head has not read the verdict at all."""
    got = _apply(-0.05, "Langweilig.", "de")
    assert got <= -0.3
