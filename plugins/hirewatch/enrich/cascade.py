"""English in ``fast`` mode: VADER's confident, uncontradicted verdict stands; the model reads the
rest.

Called by :mod:`hirewatch.enrich.stage` for each English mention of a monitor in ``fast`` mode
(not for social posts, see :data:`VADER_KINDS`); pure, never raises.

VADER is fast and good on social posts, and weak on reviews and articles ("No hassles." once read
-0.30; on long reviews it was right 0.66 of the time). The model (the multilingual head, the best
scorer of the project's on review and editorial text) costs a thousand times more per text. So a
text is left to VADER+HR when its verdict is confident (the text's combined compound at least
:data:`GATE` from 0) and uncontradicted (no unit holds both clear praise and clear complaint, and
no two units point opposite ways); every other text goes to the model. The share that goes to the
model is in ``bench/RESULTS.md``.

:data:`GATE` and :data:`MIXED` were chosen on the Hutto DEV split (the Amazon, NYT and movie sets;
tweets are social posts): the smallest share sent to the model whose mean macro-F1 stays within
2 points of the model's alone (bench/RESULTS.md, issue 17).
"""

from __future__ import annotations

from collections.abc import Sequence

from hirewatch.enrich.scoring import VADER_THRESHOLD, combine

#: |combined compound| at or above which VADER's verdict stands.
GATE = 0.5
#: A unit whose VADER ``pos`` and ``neg`` shares both reach this holds praise and complaint.
MIXED = 0.1
#: Source kinds whose English text VADER always scores (it was built on social-media text, and
#: beat the cascade on the Hutto tweets: 0.908 against 0.832 on dev).
VADER_KINDS = frozenset({"reddit", "mastodon", "hackernews"})


def applies(source_kind: str, language: str | None, accurate: bool) -> bool:
    """Whether a mention is scored by the cascade (English, fast mode, not a social post)."""
    return language == "en" and not accurate and source_kind not in VADER_KINDS


def vader_stands(units: Sequence[str], weights: Sequence[float] | None = None) -> bool:
    """Whether VADER's verdict on ``units`` (one text's, with their verdict weights) is confident
    and uncontradicted."""
    from hirewatch.enrich.hr_lexicon import normalise_phrases
    from hirewatch.enrich.vader_scorer import analyzer

    if not units:
        return True
    scores = [analyzer().polarity_scores(normalise_phrases(u)) for u in units]
    compounds = [s["compound"] for s in scores]
    if abs(combine(compounds, VADER_THRESHOLD, weights)) < GATE:
        return False
    if any(s["pos"] >= MIXED and s["neg"] >= MIXED for s in scores):
        return False
    return not (any(c >= VADER_THRESHOLD for c in compounds) and any(c <= -VADER_THRESHOLD for c in compounds))
