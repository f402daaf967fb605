from __future__ import annotations

from hirewatch.enrich import enrich_mentions, vader_scorer

from tests.enrich.helpers import mention, monitor


def test_english_is_scored_by_vader_with_the_hr_lexicon() -> None:
    [bad, good] = enrich_mentions([
        mention("Applied in January. They ghosted me after the final interview, no feedback at all."),
        mention("The recruiter was friendly and the whole process was quick and well organised."),
    ], monitor())
    assert bad.language == good.language == "en"
    assert bad.scorer == good.scorer == "vader+hr"
    assert bad.sentiment_label == "negative" and bad.sentiment_score < -0.3
    assert good.sentiment_label == "positive" and good.sentiment_score > 0.3


def test_a_neutral_sentence_does_not_dilute_a_complaint() -> None:
    [m] = enrich_mentions([mention("I applied for the data role in March. The interview was a disaster. "
                                   "The office is in Utrecht.")], monitor())
    assert m.sentiment_label == "negative"


def test_german_and_dutch_text_is_never_given_to_vader(monkeypatch) -> None:
    seen: list[str] = []
    real = vader_scorer.score_sentence

    def spy(sentence: str, *, hr: bool = True) -> float:  # records what reaches VADER
        seen.append(sentence)
        return real(sentence, hr=hr)

    monkeypatch.setattr(vader_scorer, "score_sentence", spy)
    texts = ["Das Vorstellungsgespräch war super, die Leute sind nett und der Krieg um Talente ist hart.",
             "Die sollicitatie was een ramp, ik heb nooit meer iets gehoord van de recruiter."]
    out = enrich_mentions([mention(t) for t in texts], monitor())
    assert [m.language for m in out] == ["de", "nl"]
    assert all(m.scorer != "vader+hr" for m in out)
    assert seen == []
