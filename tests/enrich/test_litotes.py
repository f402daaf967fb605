"""Litotes ("not bad") are given to the model as their plain meaning; "not good" is left alone."""

from __future__ import annotations

import pytest
from hirewatch.enrich.litotes import plain


@pytest.mark.parametrize(("text", "expected"), [
    ("The interview was not bad.", "The interview was fairly good."),
    ("Not bad at all, really.", "Quite good, really."),
    ("Het gesprek was niet slecht.", "Het gesprek was best goed."),
    ("Das war gar nicht so übel.", "Das war ziemlich gut."),
    ("Intervjun var inte alls dålig.", "Intervjun var ganska bra."),
    ("Slett ikke dårlig, prosessen var smidig.", "Ganske god, prosessen var smidig."),
    ("Samtalen var ikke så ringe.", "Samtalen var ganske god."),
])
def test_a_negated_negative_becomes_its_plain_meaning(text: str, expected: str) -> None:
    assert plain(text) == expected


@pytest.mark.parametrize("text", ["Het was niet goed.", "Det var ikke godt.", "They treated me badly, not kindly.",
                                  "Nicht schlechter als erwartet?", "Notbad is a word."])
def test_everything_else_is_left_as_written(text: str) -> None:
    assert plain(text) == text
