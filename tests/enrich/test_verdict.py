"""Verdict-aware reading of long texts: weights, the model's budget, and the stage using them."""

from __future__ import annotations

import itertools

from hirewatch.enrich import enrich_mentions, verdict
from hirewatch.enrich.stage import MAX_MODEL_SENTENCES

from tests.enrich.helpers import NOW, mention, monitor


def test_conclusion_markers_of_each_language_are_verdicts() -> None:
    for language, sentence in (("de", "Fazit: leider nichts für mich."), ("nl", "Kortom, een prima boek."),
                               ("en", "In conclusion, a fine read."), ("sv", "Sammanfattningsvis en bra bok."),
                               ("no", "Alt i alt en grei bok."), ("da", "Alt i alt en fin bog.")):
        assert verdict.is_verdict(sentence, language), sentence
    assert not verdict.is_verdict("Der Held fährt nach Berlin.", "de")
    assert not verdict.is_verdict("Overallet hing am Haken.", "de")  # a whole word only, and German markers


def test_opening_and_verdict_sentences_weigh_more() -> None:
    parts = ["Title line.", "Plot one.", "Plot two.", "Fazit: großartig.", "Plot three.", "Last line."]
    w = verdict.weights(parts, "de", about=lambda i, s: "two" in s)
    assert w == [verdict.OPENING_WEIGHT, 1.0, verdict.ABOUT_WEIGHT, verdict.VERDICT_WEIGHT, 1.0,
                 verdict.CLOSING_WEIGHT]


def test_the_budget_keeps_the_end_and_the_verdict_and_spreads_the_rest() -> None:
    w = [2.0] + [1.0] * 30 + [3.0] + [1.0] * 23  # 55 sentences, a verdict at 31
    keep = verdict.select(w, 40)
    assert len(keep) == 40 and keep == sorted(keep)
    assert {0, 31, 53, 54} <= set(keep)
    assert max(b - a for a, b in itertools.pairwise(keep)) <= 3  # spread, not the first 40


def test_a_long_text_past_the_models_budget_is_read_to_its_end(monkeypatch) -> None:
    from hirewatch.enrich import model_scorer
    from hirewatch.enrich.model_scorer import ModelScorer, embed_texts

    seen: list[str] = []

    def recording(texts, *depth):
        seen.extend(texts)
        return embed_texts(texts, *depth)

    monkeypatch.setattr(model_scorer, "_scorers", {"multi": ModelScorer(embed=recording)})
    plot = [f"Im Kapitel {i} reist der Held weiter nach Norden und trifft einen alten Freund." for i in range(54)]
    text = " ".join([*plot, "Fazit: ein wunderbares Buch, absolut empfehlenswert!"])
    [m] = enrich_mentions([mention(text, kind="review")], monitor(), now=NOW)
    assert m.language == "de"
    assert m.extra["sentences_read"] == f"{MAX_MODEL_SENTENCES} of 55"
    assert "Fazit: ein wunderbares Buch, absolut empfehlenswert!" in seen
