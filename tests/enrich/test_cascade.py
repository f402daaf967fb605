"""English in fast mode: VADER's confident, uncontradicted verdict stands; the model reads the rest
(the real VADER and the bundled model)."""

from __future__ import annotations

import pytest
from hirewatch.enrich import cascade, enrich_mentions, model_scorer
from hirewatch.enrich.model_scorer import HEAD_EN_PATH, NAME_EN, ModelScorer, embed_texts

from tests.enrich.helpers import NOW, mention, monitor


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def counting(texts, *depth):
        seen.extend(texts)
        return embed_texts(texts, *depth)

    monkeypatch.setattr(model_scorer, "_scorers", {
        "multi": ModelScorer(embed=counting),
        "en": ModelScorer(head_path=HEAD_EN_PATH, name=NAME_EN, embed=counting)})
    return seen


def test_a_confident_verdict_stays_with_vader_and_an_unsure_one_goes_to_the_model(counted) -> None:
    clear = "Absolutely terrible, the worst and most insulting interview I have ever had."
    unsure = "The interview was fine, but the offer was an insult."
    [a, b] = enrich_mentions([mention(clear, kind="review"), mention(unsure, kind="review")], monitor(), now=NOW)
    assert cascade.vader_stands([clear]) and not cascade.vader_stands([unsure])
    assert (a.scorer, a.sentiment_label) == ("vader+hr", "negative")
    assert b.scorer == "e5-head" and b.language == "en"
    assert counted and all(text in unsure for text in counted)  # nothing of the clear text reached the model


def test_social_posts_stay_with_vader(counted) -> None:
    [m] = enrich_mentions([mention("The interview was fine, but the offer was an insult.", kind="reddit")],
                          monitor(), now=NOW)
    assert m.scorer == "vader+hr" and counted == []


def test_a_long_review_whose_sentences_disagree_goes_to_the_model(counted) -> None:
    text = ("The office is lovely and the people were kind to me on the day of my visit. "
            "The recruiter was slow and rude though, and she forgot our first call entirely. "
            "I waited weeks for any answer after the second round with the team lead. "
            "In the end the offer was fair and I accepted it, but I will remember the wait.")
    assert len(text) > 300
    [m] = enrich_mentions([mention(text, kind="review")], monitor(), now=NOW)
    assert m.scorer == "e5-head"


def test_accurate_mode_keeps_the_english_head(counted) -> None:
    [m] = enrich_mentions([mention("The interview was fine, but the offer was an insult.", kind="review")],
                          monitor(mode="accurate"), now=NOW)
    assert m.scorer == NAME_EN
