from __future__ import annotations

import json
from pathlib import Path

import pytest
from hirewatch.enrich.topics import matcher, term_pattern, watch_tags

from bench import labelled

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "topics.json"


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("en", "Great recruiter, awful interview.", ["recruiter", "interview"]),
    ("nl", "Na het sollicitatiegesprek kreeg ik een standaardafwijzing.", ["interview", "rejection_ghosting"]),
    ("de", "Das Vorstellungsgespräch war chaotisch, der Personaler nett.", ["interview", "recruiter"]),
    ("de", "Im Mitarbeitergespräch sagte der Chef nichts.", ["management"]),
    ("sv", "Anställningsintervjun var rörig och jag fick aldrig svar.", ["interview", "rejection_ghosting"]),
    ("no", "Jobbintervjuet gikk fint, men lederen virket stresset.", ["interview", "management", "workload"]),
    ("da", "Jobsamtalen var god, men ansættelsesstop blev indført.", ["interview", "layoffs"]),
])
def test_topics_per_language_with_compounds(language: str, text: str, expected: list[str]) -> None:
    assert matcher(language).topics(text) == expected


def test_salary_means_offer_in_a_candidate_text_and_pay_for_employees() -> None:
    assert matcher("en").topics("After the interview the salary they offered was low.") == ["interview", "offer_pay"]
    assert matcher("en").topics("The salary is low for this industry.") == ["pay_benefits"]


def test_term_patterns_are_whole_words_with_stars() -> None:
    import re

    assert re.search(term_pattern("interview*"), "three interviews")
    assert not re.search(term_pattern("hr"), "three hrefs")
    assert re.search(term_pattern("*gespräch"), "das vorstellungsgespräch war")
    assert re.search(term_pattern("work-life balance"), "work life balance")


def test_watch_terms_tag_mentions() -> None:
    terms = [("hiring freeze", None), ("Jane Doe", "cto-leaving"), ("Globex*", "client")]
    assert watch_tags("Acme announced a HIRING FREEZE; Jane Doe leaves.", terms) == [
        "watch:hiring-freeze", "watch:cto-leaving"]
    assert watch_tags("Globexcorp signed with Acme", terms) == ["watch:client"]
    assert watch_tags("Nothing here", terms) == []


def _precision_recall() -> tuple[float, float]:
    tp = fp = fn = 0
    for item in labelled.load("test"):
        got, gold = set(matcher(item.lang).topics(item.text)), set(item.topics)
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
    return tp / (tp + fp), tp / (tp + fn)


def test_topic_precision_and_recall_on_the_labelled_set_hold_what_the_results_report() -> None:
    precision, recall = _precision_recall()
    assert precision >= 0.8 and recall >= 0.8
    reported = json.loads(RESULTS.read_text(encoding="utf-8"))["overall"]
    assert precision >= reported["precision"] - 1e-9
    assert recall >= reported["recall"] - 1e-9
