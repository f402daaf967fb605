from __future__ import annotations

import pytest
from hirewatch.enrich import enrich_mentions, model_scorer
from hirewatch.enrich.model_scorer import HEAD_EN_PATH, NAME_EN, ModelScorer, embed_texts
from hirewatch.errors import ConfigError
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tests.enrich.helpers import NOW, mention, monitor


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A fresh process-wide model scorer whose model calls are recorded (the real model)."""
    calls: list[list[str]] = []

    def counting(texts, *depth):
        calls.append(list(texts))
        return embed_texts(texts, *depth)

    monkeypatch.setattr(model_scorer, "_scorers", {
        "multi": ModelScorer(embed=counting),
        "en": ModelScorer(head_path=HEAD_EN_PATH, name=NAME_EN, embed=counting)})
    return calls


@pytest.fixture()
def vader_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text that reaches VADER, by any path (the scorer or the English head's features)."""
    seen: list[str] = []
    real = SentimentIntensityAnalyzer.polarity_scores

    def spy(self, text):
        seen.append(text)
        return real(self, text)

    monkeypatch.setattr(SentimentIntensityAnalyzer, "polarity_scores", spy)
    return seen


def test_english_is_scored_by_vader_with_the_hr_lexicon(counted) -> None:
    [bad, good] = enrich_mentions([
        mention("Applied in January. They ghosted me after the final interview, no feedback at all."),
        mention("The recruiter was friendly and the whole process was quick and well organised."),
    ], monitor(), now=NOW)
    assert bad.language == good.language == "en"
    assert bad.scorer == good.scorer == "vader+hr"
    assert bad.sentiment_label == "negative" and bad.sentiment_score < -0.3
    assert good.sentiment_label == "positive" and good.sentiment_score > 0.3
    assert counted == []  # fast mode: the model never ran for English


def test_a_neutral_sentence_does_not_dilute_a_complaint() -> None:
    [m] = enrich_mentions([mention("I applied for the data role in March. The interview was a disaster. "
                                   "The office is in Utrecht.")], monitor(), now=NOW)
    assert m.sentiment_label == "negative"


def test_german_and_dutch_text_is_never_given_to_vader(vader_calls, counted) -> None:
    texts = ["Das Vorstellungsgespräch war super, die Leute sind nett und der Krieg um Talente ist hart.",
             "Die sollicitatie was een ramp, ik heb nooit meer iets gehoord van de recruiter."]
    out = enrich_mentions([mention(t) for t in texts], monitor(), now=NOW)
    assert [m.language for m in out] == ["de", "nl"]
    assert [m.scorer for m in out] == ["e5-head", "e5-head"]
    assert [m.sentiment_label for m in out] == ["positive", "negative"]
    assert vader_calls == []
    assert len(counted) == 1  # one batch for the whole run


def test_accurate_mode_uses_the_model_everywhere(vader_calls, counted) -> None:
    out = enrich_mentions([mention("The interview was not good at all."),
                           mention("Das Vorstellungsgespräch war überhaupt nicht gut."),
                           mention("Het sollicitatiegesprek was helemaal niet goed.")],
                          monitor(mode="accurate"), now=NOW)
    assert [m.scorer for m in out] == ["e5+vader-head", "e5-head", "e5-head"]
    assert [m.sentiment_label for m in out] == ["negative", "negative", "negative"]
    # the English head reads VADER features of the English sentence only
    assert vader_calls and all("interview" in text for text in vader_calls)


@pytest.mark.parametrize(("text", "expected"), [
    ("Great recruiter, awful interview.", {"recruiter": "positive", "interview": "negative"}),
    ("Leuke recruiter, maar het sollicitatiegesprek was een ramp.", {"recruiter": "positive", "interview": "negative"}),
    ("Das Vorstellungsgespräch war furchtbar, aber die Recruiterin war sehr freundlich.",
     {"interview": "negative", "recruiter": "positive"}),
    ("Trevliga kollegor, men dålig ledning.", {"culture": "positive", "management": "negative"}),
    ("Søde kolleger, men dårlig ledelse.", {"culture": "positive", "management": "negative"}),
    ("Hyggelige kolleger, men elendig ledelse.", {"culture": "positive", "management": "negative"}),
])
def test_mixed_text_gets_sentiment_per_topic(counted, text: str, expected: dict[str, str]) -> None:
    [m] = enrich_mentions([mention(text)], monitor(), now=NOW)
    threshold = model_scorer.scorer(m.language).threshold if m.scorer != "vader+hr" else 0.05
    got = {t: ("positive" if s >= threshold else "negative" if s <= -threshold else "neutral")
           for t, s in m.topic_sentiment.items()}
    assert got == expected
    assert list(m.topics) == list(expected)


def test_unchanged_text_is_not_scored_again(counted) -> None:
    mon = monitor()
    first = enrich_mentions([mention("Het gesprek was chaotisch en niemand belde terug.", key="http://x/1")], mon,
                            now=NOW)
    assert len(counted) == 1
    again = enrich_mentions([mention("Het gesprek was chaotisch en niemand belde terug.", key="http://x/1")], mon,
                            previous={first[0].id: first[0]}, now=NOW)
    assert len(counted) == 1  # the stored score was re-used (and the LRU would have caught it too)
    assert again[0].sentiment_score == first[0].sentiment_score and again[0].scorer == "e5-head"
    assert again[0].extra["enrich_key"] == first[0].extra["enrich_key"]


def test_previous_scores_are_reused_across_processes_without_the_model(counted, monkeypatch) -> None:
    mon = monitor()
    [first] = enrich_mentions([mention("Die Einarbeitung war chaotisch.", key="http://x/2")], mon, now=NOW)
    monkeypatch.setattr(model_scorer, "_scorers", {"multi": ModelScorer(embed=lambda t: pytest.fail("model called"))})
    [again] = enrich_mentions([mention("Die Einarbeitung war chaotisch.", key="http://x/2")], mon,
                              previous={first.id: first}, now=NOW)
    assert again.sentiment_label == first.sentiment_label and again.topics == first.topics


def test_changed_text_or_mode_is_scored_again(counted) -> None:
    [first] = enrich_mentions([mention("Die Einarbeitung war chaotisch.", key="http://x/3")], monitor(), now=NOW)
    changed = mention("Die Einarbeitung war chaotisch und lang.", key="http://x/3")
    enrich_mentions([changed], monitor(), previous={first.id: first}, now=NOW)
    assert any("lang" in t for call in counted for t in call)
    # a forum post: VADER in fast mode (see test_cascade.py for the cascade)
    [english] = enrich_mentions([mention("The onboarding was chaotic.", key="http://x/4", kind="reddit")], monitor(),
                                now=NOW)
    [accurate] = enrich_mentions([mention("The onboarding was chaotic.", key="http://x/4", kind="reddit")],
                                 monitor(mode="accurate"), previous={english.id: english}, now=NOW)
    assert english.scorer == "vader+hr" and accurate.scorer == "e5+vader-head"


def test_watch_terms_tag_and_severity_is_set(counted) -> None:
    mon = monitor(extra={"watch_terms": [{"term": "hiring freeze"}, {"term": "Globex", "tag": "client"}]})
    [m] = enrich_mentions([mention("Acme announced a hiring freeze; Globex staff were told first.", kind="rss")],
                          mon, now=NOW)
    assert "watch:hiring-freeze" in m.topics and "watch:client" in m.topics
    assert "layoffs" in m.topics
    assert m.severity is not None and 0 <= m.severity <= 1


def test_text_without_letters_is_neutral_and_unscored() -> None:
    [m] = enrich_mentions([mention("4/5 ★★★★", title="")], monitor(), now=NOW)
    assert m.language is None and m.sentiment_label == "neutral" and m.scorer == "none" and m.severity == 0.0


def test_an_unknown_language_code_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown language code"):
        enrich_mentions([mention("hello there")], monitor(languages=["en", "klingon"]), now=NOW)


def test_restricting_languages_keeps_vader_off_other_text(vader_calls, counted) -> None:
    # a monitor for Dutch only: English-looking text is still judged as Dutch, never by VADER
    [m] = enrich_mentions([mention("The interview was great.")], monitor(languages=["nl"]), now=NOW)
    assert m.language == "nl" and m.scorer == "e5-head" and vader_calls == []


def test_the_same_words_in_two_languages_are_scored_each_in_its_own() -> None:
    """The multilingual head reads a lexicon in the text's language ("Gift." is poison in German,
    married in Swedish): a run holding both scores each as a run holding it alone does."""
    from hirewatch.enrich import stage

    def plan(language: str) -> stage._Plan:
        p = stage._Plan(mention("Gift."), "Gift.", language, True)
        stage._prepare(p)
        return p

    alone = {lang: stage._score_with_model([plan(lang)]) for lang in ("de", "sv")}
    together = stage._score_with_model([plan("de"), plan("sv")])
    for lang in ("de", "sv"):
        (key,) = alone[lang]
        assert together[key] == alone[lang][key], lang
