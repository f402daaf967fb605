"""The lexical polarity features beside the embedding (hand-written sentences)."""

from __future__ import annotations

import numpy as np
import pytest
from hirewatch.enrich import polarity_lexicon
from hirewatch.enrich.model_scorer import HEAD_PATH, Head, ModelScorer, embed_texts
from hirewatch.enrich.polarity_lexicon import FEATURES, LANGUAGES, lexicon, polarity, text_features


def feature(text: str, language: str | None, name: str) -> float:
    return text_features(text, language)[FEATURES.index(name)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_lexicon_of_general_review_words(language: str) -> None:
    words = lexicon(language)
    assert len(words) >= 200
    assert all(-1.0 <= s <= 1.0 and s != 0 for s in words.values())
    first = (polarity_lexicon.LEXICONS / f"{language}.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and "bench/build_lexicons.py" in first  # names its source


@pytest.mark.parametrize(("positive", "negative", "language"), [
    ("De inwerkperiode was fantastisch.", "De inwerkperiode was afschuwelijk.", "nl"),
    ("Die Einarbeitung war hervorragend.", "Die Einarbeitung war miserabel.", "de"),
    ("Introduktionen var underbar.", "Introduktionen var usel.", "sv"),
    ("Opplæringen var strålende.", "Opplæringen var elendig.", "no"),
    ("Introduktionen var fremragende.", "Introduktionen var elendig.", "da"),
])
def test_each_language_reads_its_own_polar_words(positive: str, negative: str, language: str) -> None:
    assert feature(positive, language, "balance") > 0.2 and feature(positive, language, "silent") == 0
    assert feature(negative, language, "balance") < -0.2 and feature(negative, language, "negative") > 0.2


@pytest.mark.parametrize(("negated", "language"), [
    ("Het eten in de kantine is niet slecht.", "nl"),
    ("Das Kantinenessen ist nicht schlecht.", "de"),
    ("Maten i matsalen är inte dålig.", "sv"),
    ("Maten i kantina er ikke dårlig.", "no"),
    ("Maden i kantinen er ikke dårlig.", "da"),
])
def test_a_negated_negative_word_counts_for_the_other_side(negated: str, language: str) -> None:
    assert feature(negated, language, "negated_negative") == 1
    assert feature(negated, language, "balance") > 0 and feature(negated, language, "negative") == 0


@pytest.mark.parametrize(("text", "language"), [
    ("Die Schulung gefällt mir nicht.", "de"),  # a clause-final negator
    ("Jag gillar inte chefen.", "sv"),
    ("Geen goede werksfeer.", "nl"),
    ("Kein guter Chef.", "de"),
    ("Ik vind de nieuwe manager niet aardig.", "nl"),
])
def test_a_negated_positive_word_reads_negative(text: str, language: str) -> None:
    assert feature(text, language, "negated_positive") == 1 and feature(text, language, "balance") < 0


def test_negation_stays_in_its_clause_and_window() -> None:
    assert feature("Das Essen war gut, nicht wahr?", "de", "negated_positive") == 0
    assert feature("Niet dat het iemand hier iets uitmaakt, het team was geweldig.", "nl", "negated_positive") == 0
    assert feature("Nicht in all den langen Monaten war es einmal gut.", "de", "negated_positive") == 0  # > 3 words


def test_inflected_forms_and_compound_heads_are_found() -> None:
    assert polarity("langweiligen", "de") == polarity("langweilig", "de") < 0
    assert polarity("teleurstellende", "nl") == polarity("teleurstellend", "nl") < 0
    assert polarity("dåliga", "sv") == polarity("dålig", "sv") < 0
    assert polarity("riesenspaß", "de") > 0  # the head of a compound
    assert polarity("bad", "en") == 0  # English has no lexicon here


@pytest.mark.parametrize(("text", "language"), [
    ("Das Büro liegt in Hamburg.", "de"),
    ("Het kantoor staat in Utrecht.", "nl"),
    ("Kontoret ligger i Malmö.", "sv"),
])
def test_a_text_without_polar_words_is_silent(text: str, language: str) -> None:
    assert text_features(text, language) == (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)


def test_a_language_without_a_lexicon_is_silent() -> None:
    assert feature("C'est magnifique.", "fr", "silent") == 1 and feature("Great.", None, "silent") == 1
    assert text_features("A wonderful team, not a bad word to say.", "en") == (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)


def test_the_shipped_head_reads_the_lexical_features_the_product_computes() -> None:
    head = Head.load(HEAD_PATH)
    assert head.features == "e5+lex" and head.weights.shape[1] == 384 + len(FEATURES)
    scorer = ModelScorer(head=head, embed=embed_texts)
    with_lexicon = scorer.features(["Langweilig."], ["de"])
    without = scorer.features(["Langweilig."], [None])
    assert np.allclose(with_lexicon[:, :384], without[:, :384])
    assert with_lexicon[0, 384 + FEATURES.index("negative")] > 0 and without[0, -1] == 1.0
    assert scorer.score(["Langweilig."], ["de"])[0] < scorer.score(["Langweilig."], [None])[0]
