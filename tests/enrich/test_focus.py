"""A long article is judged on the sentences about the entity; reviews, posts and short texts whole.
Texts written for the project."""

from __future__ import annotations

from datetime import UTC, datetime

from hirewatch.config import Entity
from hirewatch.enrich import enrich_mentions
from hirewatch.enrich.focus import focus, is_article
from hirewatch.match.employer_matcher import names_entity
from hirewatch.mention import Mention

from tests.support.monitors import make_monitor

FILLER = [
    "The port handled record volumes this quarter, and analysts were delighted with the results.",
    "Shipping rates rose again, to the joy of investors who had waited a long time for good news.",
    "A new crane arrived from Rotterdam and will be in service from March onwards.",
    "Weather delays were short this winter, which pleased everyone at the terminal.",
    "The harbour master praised the crews for a wonderful, excellent and safe year.",
]
ACME = Entity(name="Acme")
BRIGHTWAVE = Entity(name="Brightwave", exclude=("Brightwave Audio",))
MONITOR = make_monitor([{"type": "rss", "name": "news", "url": "https://news.example/feed"}])
ABOUT = "Candidates say Acme ghosted them after the final interview."
FOLLOW = "Several waited months and never heard anything back."


def article(*sentences: str) -> str:
    return " ".join(sentences)


def mention(text: str, kind: str = "rss", title: str = "Port news") -> Mention:
    return Mention(id=f"m-{kind}-{hash(text)}", monitor="acme", employer="Acme", url="https://news.example/a",
                   title=title, text=text, source="news", source_kind=kind,
                   fetched=datetime(2026, 12, 1, tzinfo=UTC), matched_terms=("Acme",))


def test_focus_keeps_the_first_sentence_the_entity_sentences_and_the_one_after_each() -> None:
    parts = ["Port news.", *FILLER[:2], ABOUT, FOLLOW, *FILLER[2:]]
    assert focus(parts, ACME) == ["Port news.", ABOUT, FOLLOW]


def test_focus_falls_back_to_the_lead_when_no_sentence_names_the_entity() -> None:
    parts = ["Port news.", *FILLER]
    assert focus(parts, ACME) == ["Port news.", FILLER[0], FILLER[1]]
    assert focus([], ACME) == []


def test_a_name_inside_an_excluded_phrase_does_not_count() -> None:
    audio = "Brightwave Audio launched new headphones to rave reviews."
    about = "Brightwave ghosted me after the interview."
    assert not names_entity(BRIGHTWAVE, audio)
    assert names_entity(BRIGHTWAVE, f"{audio} {about}")
    parts = ["Tech news.", audio, "They sold out in a day.", about, FOLLOW, *FILLER]
    assert focus(parts, BRIGHTWAVE) == ["Tech news.", about, FOLLOW]


def test_names_entity_is_whole_word_case_and_accent_insensitive() -> None:
    assert names_entity(ACME, "Reviews of ACME are in.")
    assert names_entity(Entity(name="Nestlé"), "Nestle cut 300 jobs.")
    assert not names_entity(ACME, "Acmeware shipped a release.")
    assert names_entity(Entity(name="Acme", aliases=("Acme Corp",)), "Acme Corp posted a loss.")


def test_article_kinds() -> None:
    assert is_article("rss") and is_article("google_alerts") and is_article("atom")
    assert not is_article("review") and not is_article("reddit") and not is_article("submitted")
    assert not is_article("hackernews")  # its comments are people's own posts


def test_a_long_article_is_scored_by_what_it_says_about_the_employer() -> None:
    # The filler is cheerful; the one passage about Acme is a complaint. Scoring every sentence
    # would call this article positive.
    text = article(*FILLER[:3], ABOUT, FOLLOW, *FILLER[3:])
    (out,) = enrich_mentions([mention(text)], MONITOR)
    assert out.sentiment_label == "negative"
    assert "rejection_ghosting" in out.topics


def test_a_long_review_is_judged_whole() -> None:
    # The same text from a review site: one person's account, every sentence counts.
    text = article(*FILLER[:3], ABOUT, FOLLOW, *FILLER[3:])
    (article_view,) = enrich_mentions([mention(text, "rss")], MONITOR)
    (review_view,) = enrich_mentions([mention(text, "review")], MONITOR)
    assert article_view.sentiment_label == "negative"
    # judged whole, five cheerful sentences against two complaints (the English cascade gives such
    # a mixed text to the model, which calls it neutral; VADER alone said positive)
    assert review_view.sentiment_label in ("neutral", "positive")


def test_stored_scores_of_an_article_are_not_reused_when_the_names_sought_change() -> None:
    text = article(*FILLER[:3], ABOUT, FOLLOW, *FILLER[3:])
    (first,) = enrich_mentions([mention(text)], MONITOR)
    again = mention(text)
    (same,) = enrich_mentions([again], MONITOR, {again.id: first})
    renamed = make_monitor([{"type": "rss", "name": "news", "url": "https://news.example/feed"}],
                           employer={"name": "Acme", "aliases": ["Acme Corp"]})
    (other,) = enrich_mentions([again], renamed, {again.id: first})
    assert same.extra["enrich_key"] == first.extra["enrich_key"]
    assert other.extra["enrich_key"] != first.extra["enrich_key"]
    short = mention("Acme ghosted me.")
    (one,) = enrich_mentions([short], MONITOR)
    (two,) = enrich_mentions([short], renamed)
    assert one.extra["enrich_key"] == two.extra["enrich_key"]  # a short text is judged whole
