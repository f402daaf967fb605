from __future__ import annotations

import pytest
from hirewatch.enrich import vader_scorer
from hirewatch.enrich.hr_lexicon import normalise_phrases


def test_multi_word_phrases_become_single_tokens() -> None:
    assert normalise_phrases("They gave NO feedback, a classic Bait and Switch.") == (
        "They gave no_feedback, a classic bait_and_switch.")
    # the longest phrase wins over a shorter one inside it
    assert normalise_phrases("never heard anything back") == "never_heard_anything_back"
    # whole words only
    assert normalise_phrases("no feedbacks") == "no feedbacks"


@pytest.mark.parametrize("sentence", [
    "They ghosted me.",
    "I got no feedback after the final round.",
    "The offer was a lowball.",
    "It was a bait and switch: the job was nothing like the ad.",
    "Radio silence for six weeks.",
])
def test_hr_complaints_are_negative_where_plain_vader_is_blind(sentence: str) -> None:
    assert vader_scorer.score_sentence(sentence) <= -0.2
    assert vader_scorer.score_sentence(sentence, hr=False) > vader_scorer.score_sentence(sentence)


def test_topic_nouns_do_not_pull_a_complaint_positive() -> None:
    # VADER rates "benefits" +1.6 and "bonus" +2.5; in HR text they name a topic
    assert vader_scorer.score_sentence("The benefits and bonus are terrible.") < -0.4


def test_one_analyzer_per_process() -> None:
    assert vader_scorer.analyzer() is vader_scorer.analyzer()


def test_good_and_not_good() -> None:
    assert vader_scorer.score_sentence("The interview was good.") > 0.05
    assert vader_scorer.score_sentence("The interview was not good.") < -0.05


@pytest.mark.parametrize(("text", "sign"), [
    ("No hassles.", 1),
    ("easy peasy. no glitches. great price..", 1),
    ("No fuss, no drama, the offer came in a week.", 1),
    ("The interview was not bad.", 1),
    ("Lots of hassle and delays before anyone called back.", -1),
    ("The onboarding was one glitch after another.", -1),
])
def test_no_trouble_is_praise_and_trouble_is_not(text: str, sign: int) -> None:
    assert vader_scorer.score_sentence(text) * sign > 0.05, vader_scorer.score_sentence(text)
