"""The HR-domain extension of VADER's lexicon, written for hirewatch.

VADER's lexicon holds single tokens, and its tokenizer splits on white space. Multi-word
phrases ("no feedback", "bait and switch") are therefore pre-normalised into one token
(``no_feedback``) before VADER sees the text, and that token carries the phrase's valence;
this also stops VADER from reading "no" in "no feedback" as a negation of the next word.
Valences use VADER's scale (-4 .. +4) and were set by the project, by analogy with VADER
entries of similar strength (e.g. "rejected" -2.3, "fired" -2.6, "bonus" +2.5).

Called by :mod:`hirewatch.enrich.vader_scorer`; data only.
"""

from __future__ import annotations

import re

# phrase (lower case, words separated by single spaces; a trailing * allows any ending) -> valence
PHRASES: dict[str, float] = {
    # silence after applying / interviewing
    "no feedback": -1.8,
    "without feedback": -1.8,
    "zero feedback": -2.0,
    "never heard back": -2.3,
    "never heard anything back": -2.3,
    "never got back to me": -2.2,
    "never got a response": -2.2,
    "never got a reply": -2.2,
    "never received a response": -2.2,
    "never responded": -2.0,
    "never replied": -2.0,
    "never called back": -2.0,
    "no response": -1.8,
    "no reply": -1.8,
    "no answer": -1.5,
    "no follow up": -1.8,
    "no follow-up": -1.8,
    "no closure": -1.8,
    "radio silence": -2.2,
    "left hanging": -2.0,
    "strung along": -2.2,
    "kept in the dark": -2.0,
    "still waiting": -1.2,
    # offer and pay
    "bait and switch": -2.8,
    "bait-and-switch": -2.8,
    "offer rescinded": -2.8,
    "rescinded the offer": -2.8,
    "rescinded my offer": -2.8,
    "pulled the offer": -2.6,
    "below market": -1.6,
    "below market rate": -1.8,
    "under market": -1.6,
    "low pay": -1.8,
    "pay cut": -2.0,
    "no raise": -1.6,
    "no bonus": -1.4,
    "unpaid overtime": -2.2,
    "competitive salary": 1.5,
    "competitive pay": 1.5,
    "fair offer": 1.8,
    "great benefits": 2.5,
    "good benefits": 2.0,
    # interview and process
    "no show": -2.0,
    "no-show": -2.0,
    "did not show up": -2.0,
    "didn't show up": -2.0,
    "waste of time": -2.4,
    "wasted my time": -2.4,
    "moved the goalposts": -2.0,
    "take home assignment": 0.0,
    "take-home assignment": 0.0,
    "smooth process": 2.0,
    "smooth interview process": 2.0,
    "well organised": 1.8,
    "well organized": 1.8,
    "quick response": 1.5,
    "quick feedback": 1.8,
    "fast feedback": 1.8,
    "detailed feedback": 1.8,
    "constructive feedback": 1.9,
    "dream job": 2.5,
    # employees
    "laid off": -2.2,
    "hiring freeze": -1.2,
    "high turnover": -1.8,
    "toxic culture": -3.0,
    "toxic workplace": -3.0,
    "work life balance": 0.0,
    "work-life balance": 0.0,
    "poor work-life balance": -2.0,
    "no work-life balance": -2.2,
    "good work-life balance": 2.0,
    "great work-life balance": 2.5,
    "burned out": -2.4,
    "burnt out": -2.4,
    "walking on eggshells": -2.0,
    "revolving door": -1.8,
    "dead end": -1.8,
}

# single words missing from VADER's lexicon (or neutral there) that carry valence in HR text
WORDS: dict[str, float] = {
    "ghosted": -2.6,
    "ghosting": -2.6,
    "ghost": -1.8,
    "lowball": -2.2,
    "lowballed": -2.4,
    "lowballing": -2.2,
    "underpaid": -2.2,
    "overworked": -2.2,
    "understaffed": -1.6,
    "micromanage": -2.0,
    "micromanaged": -2.0,
    "micromanagement": -2.0,
    "micromanaging": -2.0,
    "micromanager": -2.0,
    "toxic": -2.6,
    "burnout": -2.4,
    "unprofessional": -2.3,
    "disorganised": -1.9,
    "disorganized": -1.9,
    "chaotic": -1.8,
    "rescinded": -2.2,
    "layoff": -1.8,
    "layoffs": -1.8,
    "redundancies": -1.6,
    "unresponsive": -2.0,
    "condescending": -2.3,
    "gaslighting": -2.8,
    "gaslit": -2.8,
    "exploitative": -2.6,
    "overtime": -0.4,
    "onboarding": 0.0,
    "supportive": 1.9,
    "transparent": 1.6,
    "responsive": 1.4,
    "welcoming": 2.0,
    "respectful": 2.0,
    # trouble nouns missing from VADER's lexicon: as negatives they read "lots of hassle" as
    # negative and, through VADER's own negation, "no hassles" / "no glitches" as positive (with
    # them unknown, the lexicon's "no" (-1.2) made such praise negative)
    "hassle": -1.4,
    "hassles": -1.4,
    "glitch": -1.2,
    "glitches": -1.2,
    "glitchy": -1.5,
    "fuss": -1.0,
    "delay": -1.0,
    "delays": -1.0,
    "hiccup": -0.8,
    "hiccups": -0.8,
    "headache": -1.4,
    "headaches": -1.4,
    "drama": -1.2,
    "snags": -0.8,
    "tedious": -1.6,
    # words VADER scores that are topic nouns in HR text ("pay and benefits", "bonus scheme"):
    # kept neutral so the topic word itself does not pull a complaint about it positive
    "benefits": 0.0,
    "benefit": 0.0,
    "bonus": 0.0,
    "pay": 0.0,
    "freeze": 0.0,
    "united": 0.0,
}


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s]+", phrase)]
    return re.compile(r"(?<![\w-])" + r"[\s]+".join(words) + r"(?![\w-])", re.IGNORECASE)


def phrase_token(phrase: str) -> str:
    """The single token a phrase becomes (``no feedback`` -> ``no_feedback``)."""
    return re.sub(r"[\s-]+", "_", phrase.lower())


# longest phrases first, so "never heard anything back" wins over a shorter overlapping one
_COMPILED = [(_phrase_pattern(p), phrase_token(p)) for p in sorted(PHRASES, key=len, reverse=True)]



def _any_phrase(compiled: list[tuple[re.Pattern[str], str]]) -> re.Pattern[str]:
    """One pattern that matches where any phrase pattern matches: most sentences hold no phrase,
    and one search (the shared word-start test factored out front) costs a tenth of one search per
    phrase on VADER's hot path (bench/profile_stages.py)."""
    start = r"(?<![\w-])"
    parts = [p.pattern[len(start):] if p.pattern.startswith(start) else None for p, _ in compiled]
    if any(part is None for part in parts):
        return re.compile("|".join(f"(?:{p.pattern})" for p, _ in compiled), re.IGNORECASE)
    return re.compile(start + "(?:" + "|".join(f"(?:{part})" for part in parts) + ")", re.IGNORECASE)


_ANY = _any_phrase(_COMPILED)


def normalise_phrases(text: str) -> str:
    """Replace every known phrase in ``text`` by its token (case-insensitive, whole words)."""
    if not _ANY.search(text):
        return text
    for pattern, token in _COMPILED:
        if pattern.search(text):
            text = pattern.sub(token, text)
    return text


def lexicon_entries() -> dict[str, float]:
    """Entries to merge into VADER's lexicon: the words and the phrase tokens."""
    entries = dict(WORDS)
    entries.update({phrase_token(p): v for p, v in PHRASES.items()})
    return entries
