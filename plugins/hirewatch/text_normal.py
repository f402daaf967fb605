"""Text normalisation for identity and matching: accents and case folded away, whitespace
collapsed, so "Nestlé", "NESTLE" and "nestle" compare equal. Never raises.

Called by the employer matcher, its prefilter and the near-duplicate fingerprint (dedupe). The
topic lexicons fold differently, keeping å, ä, ö, ø, æ, ü
(:func:`hirewatch.enrich.text.fold_accents`).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return "".join(ch for ch in run.group() if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """NFKD, drop combining marks, casefold, collapse whitespace to one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        # Only the non-ASCII runs can hold combining marks: testing just those characters in
        # Python, not every character, is much faster on Latin-script text.
        decomposed = _NON_ASCII.sub(_without_marks, decomposed)
    return _SPACE.sub(" ", decomposed.casefold()).strip()
