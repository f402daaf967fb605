"""Litotes: "not bad" means "fairly good", in every language hirewatch reads.

Called by :class:`hirewatch.enrich.model_scorer.ModelScorer` on each text before the embedding
model sees it (the stored text, the cache key and VADER's input are unchanged); pure, never raises.

The small embedding model reads the negative word in a negated negative ("niet slecht", "ikke
dårlig") and the heads called such praise negative (5 of 6 hand-written cases, issue 17); no
amount of training sentences moved a linear head over that embedding (bench/RESULTS.md). So each
litotes of :data:`LITOTES` is replaced by its plain meaning before embedding, the way the HR
lexicon turns "no feedback" into one token for VADER. Only negated *negative* words are listed;
"not good" stays as it is (the model reads that one right).
"""

from __future__ import annotations

import re

_OPT = r"(?:\s+(?:so|too|that|at\s+all|zo|helemaal|echt|gar|so|ganz|alls|så|helt|slett|slet|verst))?"
#: (pattern, plain meaning); patterns are case-insensitive, whole words.
LITOTES: tuple[tuple[str, str], ...] = (
    (r"not\s+bad\s+at\s+all", "quite good"),
    (r"not" + _OPT + r"\s+bad", "fairly good"),
    (r"niet" + _OPT + r"\s+(?:slecht|verkeerd|gek|mis)", "best goed"),
    (r"(?:gar\s+)?nicht" + _OPT + r"\s+(?:schlecht|übel|verkehrt)", "ziemlich gut"),
    (r"inte" + _OPT + r"\s+(?:dålig|dåligt|illa|tokigt|fel)", "ganska bra"),
    (r"(?:slett\s+|slet\s+)?ikke" + _OPT + r"\s+(?:dårlig|dårligt|ille|ringe|værst|verst|tosset)", "ganske god"),
)
_COMPILED = [(re.compile(rf"(?<!\w){pattern}(?!\w)", re.IGNORECASE), plain) for pattern, plain in LITOTES]
_ANY = re.compile(r"(?<!\w)(?:not|niet|nicht|inte|ikke)(?!\w)", re.IGNORECASE)
VERSION = "1"  # part of the model scorer's version: stored scores are recomputed when it changes


def _keep_case(plain: str, found: str) -> str:
    return plain[:1].upper() + plain[1:] if found[:1].isupper() else plain


def plain(text: str) -> str:
    """``text`` with every litotes replaced by its plain meaning."""
    if not _ANY.search(text):
        return text
    for pattern, meaning in _COMPILED:
        text = pattern.sub(lambda m, meaning=meaning: _keep_case(meaning, m.group(0)), text)
    return text
