"""Verdict-aware reading of a long text: which sentences carry the writer's judgement, how much
each weighs in the text's score, and which ones the model reads when a text is longer than its
budget.

Called by :mod:`hirewatch.enrich.stage` for every text scored sentence by sentence (longer than
:data:`~hirewatch.enrich.scoring.SHORT_TEXT_CHARS`) and by ``bench/eval_sentiment.py``; pure
functions, never raise.

A reviewer's verdict ("Fazit: nicht meine Wellenlänge!", "Kortom: geen aanrader") is one
sentence among dozens retelling a plot or a day at work; an equal vote per sentence lets the
retelling outvote the verdict. So the sentences that usually carry it weigh more: the title or
opening sentence, the closing sentences, a sentence with a conclusion marker of its language
(:data:`CONCLUSION_MARKERS`) and, less, a sentence that names the entity or a topic. When the
model can read only ``budget`` sentences, those are kept first and the rest of its budget is
spread evenly over the remaining sentences, so the end of a long text is always read; the stage
records how many were read (``extra["sentences_read"]``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

#: Phrases that open or carry a writer's conclusion, per language (matched case-insensitively as
#: whole words at any place in a sentence).
CONCLUSION_MARKERS: dict[str, tuple[str, ...]] = {
    "en": ("in conclusion", "conclusion", "overall", "all in all", "in short", "to sum up", "in summary",
           "bottom line", "verdict", "all things considered", "on the whole", "would recommend",
           "would not recommend", "wouldn't recommend", "recommend it", "avoid"),
    "nl": ("kortom", "conclusie", "al met al", "alles bij elkaar", "samenvattend", "eindoordeel", "concluderend",
           "aanrader", "aan te raden", "afrader", "per saldo", "alles in allem"),
    "de": ("fazit", "insgesamt", "alles in allem", "zusammenfassend", "unterm strich", "mein urteil",
           "empfehlenswert", "empfehlung", "abschließend", "im großen und ganzen", "summa summarum"),
    "sv": ("sammanfattningsvis", "sammantaget", "allt som allt", "slutsats", "kort sagt", "omdöme",
           "rekommenderar", "rekommenderas", "överlag", "totalt sett", "i det stora hela"),
    "no": ("alt i alt", "konklusjon", "oppsummert", "oppsummering", "kort sagt", "totalt sett", "anbefaler",
           "anbefales", "samlet sett", "dom", "i det store og hele"),
    "da": ("alt i alt", "konklusion", "samlet set", "kort sagt", "sammenfattende", "anbefaler", "anbefales",
           "overordnet", "alt taget i betragtning", "dom"),
}

#: How much a sentence weighs in its text's score (an ordinary sentence weighs 1). Opening,
#: closing and verdict weights were compared with VADER's sentence scores on the train and dev
#: documents of Hutto's Amazon and NYT sets with more than 10 sentences (bench/RESULTS.md): a
#: heavier opening and verdict helped, a heavier closing did not (those documents' gold label is
#: the mean of their sentences' ratings), so the closing sentences are always read but weigh 1.
OPENING_WEIGHT = 2.0
CLOSING_WEIGHT = 1.0
CLOSING_SENTENCES = 2
VERDICT_WEIGHT = 3.0
ABOUT_WEIGHT = 1.5


@lru_cache(maxsize=16)
def _markers(language: str | None) -> re.Pattern[str]:
    phrases = CONCLUSION_MARKERS.get(language or "", ())
    if not phrases:
        phrases = tuple(p for ps in CONCLUSION_MARKERS.values() for p in ps)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def is_verdict(sentence: str, language: str | None) -> bool:
    """Whether ``sentence`` holds a conclusion marker of ``language`` (all languages' when None)."""
    return _markers(language).search(sentence) is not None


def weights(sentences: Sequence[str], language: str | None,
            about: Callable[[int, str], bool] | None = None) -> list[float]:
    """The weight of each sentence of one text (``about(index, sentence)``: whether it names the
    entity or a topic). The largest rule that applies wins."""
    n = len(sentences)
    out = []
    for index, sentence in enumerate(sentences):
        weight = 1.0
        if about is not None and about(index, sentence):
            weight = ABOUT_WEIGHT
        if index == 0:
            weight = max(weight, OPENING_WEIGHT)
        if n > 2 and index >= n - CLOSING_SENTENCES:
            weight = max(weight, CLOSING_WEIGHT)
        if is_verdict(sentence, language):
            weight = max(weight, VERDICT_WEIGHT)
        out.append(weight)
    return out


def select(weights_: Sequence[float], budget: int) -> list[int]:
    """The indices (in text order) of the sentences to read when only ``budget`` may be: the
    closing sentences and every sentence heavier than 1 first (the heaviest, then the earliest,
    when even those are too many), then ordinary sentences evenly spread over the text."""
    n = len(weights_)
    if n <= budget:
        return list(range(n))
    closing = list(range(max(0, n - CLOSING_SENTENCES), n))[:budget]
    heavy = sorted((i for i in range(n) if weights_[i] > 1.0 and i not in closing), key=lambda i: (-weights_[i], i))
    keep = set(closing) | set(heavy[:budget - len(closing)])
    rest = [i for i in range(n) if i not in keep]
    room = budget - len(keep)
    if room > 0 and rest:
        step = len(rest) / room
        keep.update(rest[min(len(rest) - 1, int(k * step + step / 2))] for k in range(room))
    return sorted(keep)
