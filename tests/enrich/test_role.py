"""The entity's role: feared by its rivals is not negative about it; criticised still is."""

from __future__ import annotations

import pytest
from hirewatch.decide import decide_mentions
from hirewatch.enrich import enrich_mentions

from tests.enrich.helpers import NOW, mention, monitor


@pytest.mark.parametrize("text", [
    "Cable companies are so scared of Acme.",
    "Rivals fear Acme as it doubles its engineering hiring.",
    "Die Konkurrenz hat große Angst vor Acme.",
    "Concurrenten zijn doodsbang voor Acme.",
])
def test_a_story_where_rivals_fear_the_employer_is_not_negative_about_it(text: str) -> None:
    mon = monitor()
    [m] = decide_mentions(enrich_mentions([mention(text, kind="rss")], mon, now=NOW), mon, now=NOW)
    assert m.sentiment_label != "negative" and not m.wants_alert, (m.sentiment_score, text)


@pytest.mark.parametrize("text", [
    "Employees fear Acme's new attendance policy, which is awful.",
    "Acme is scared of its own rivals and keeps cutting jobs in a terrible way.",
    "Candidates are angry at Acme after a chaotic, terrible interview day.",
])
def test_a_story_that_criticises_the_employer_stays_negative(text: str) -> None:
    [m] = enrich_mentions([mention(text, kind="rss")], monitor(), now=NOW)
    assert m.sentiment_label == "negative", (m.sentiment_score, text)
