"""The equal-work rows of bench/throughput.py score what hirewatch's fast mode scores, and
bench/model_cost.py attributes the model's texts to the mentions they came from."""

from __future__ import annotations

from bench.model_cost import Attribution
from bench.throughput import _EqualWork, _VaderOnEveryEntry


def test_equal_work_scores_mentions_only_as_fast_mode_does() -> None:
    """English by the cascade (VADER's confident verdict stands, else the model), other languages
    by the model: the scorers hirewatch's fast mode picks."""
    score = _EqualWork()
    assert score("A story about the port\nNothing about any employer here.") is False
    assert score("Brightwave is a wonderful, friendly employer\nI love working at Brightwave, great team!") is True
    assert dict(score.scored) == {"vader": 1}  # confident: VADER's verdict stands
    assert score("Brightwave opens an office in Leeds\nBrightwave said the new office opens in May.") is True
    assert score("Kestrel Freight\nIch habe mich bei Kestrel Freight beworben und nie wieder etwas gehört.") is True
    assert dict(score.scored) == {"vader": 1, "model": 2}  # unsure English and German: the model
    assert score.model.embedded == 2


def test_the_vader_rows_score_every_entry() -> None:
    score = _VaderOnEveryEntry()
    assert score("A story about the port\nNothing about any employer here.") is False
    assert score("Brightwave opens an office in Leeds\nBrightwave said the new office opens in May.") is True
    assert dict(score.scored) == {"vader": 2}


def test_model_texts_are_attributed_to_their_mention_language_and_part() -> None:
    where = Attribution([
        ("de", "Neue Stellen", "Bei Brightwave gab es keine Rückmeldung. Das Wetter war schön, aber kalt.",
         "e5-head", "rss"),
        ("en", "", "Short text about Brightwave.", "vader+hr", "rss"),
    ])
    assert where.of("Short text about Brightwave.") == ("en", "whole text")
    assert where.of("Bei Brightwave gab es keine Rückmeldung.") == ("de", "sentence")
    assert where.of("aber kalt.") == ("de", "part of a sentence")
    assert where.of("never seen") == ("?", "?")
