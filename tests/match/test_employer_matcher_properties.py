"""Properties of the matcher over generated text: never raises; case and accents do not change
the answer; a name embedded in a longer word is never a match."""

from __future__ import annotations

import unicodedata

from hirewatch.match.employer_matcher import EmployerMatcher
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.monitors import make_monitor

MATCHER = EmployerMatcher(make_monitor([{"type": "rss", "url": "https://x.example/feed"}],
                                       employer={"name": "Nestlé", "aliases": ["Acme Corp"],
                                                 "exclude": ["Nestlé Waters"]}))
words = st.sampled_from(["nestlé", "Nestle", "NESTLÉ", "acme", "corp", "Acme Corp", "waters", "Waters",
                         "hiring", "é", "-", ".", "@", "recruiter", "x", "\n", "  "])
texts = st.lists(words, max_size=12).map(" ".join)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_never_raises(title: str, text: str) -> None:
    assert isinstance(MATCHER.match(title, text), list)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_case_and_accents_do_not_matter(text: str) -> None:
    expected = MATCHER.match(text, "")
    assert MATCHER.match(text.upper(), "") == expected
    assert MATCHER.match(strip_accents(text), "") == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcxyz0123456789_", min_size=1, max_size=5), st.booleans())
def test_inside_a_longer_word_is_not_a_match(affix: str, before: bool) -> None:
    word = f"{affix}nestle" if before else f"nestle{affix}"
    assert MATCHER.match(word, "") == []
