"""Text normalisation for identity and matching: accents and case folded away, whitespace
collapsed, so "Nestlé", "NESTLE" and "nestle" compare equal. Never raises.

So do "İş Bankası" and "İŞ BANKASI" (full case folding, the Turkish dotless ı folded to i), and
a name with a zero-width space, a soft hyphen or a bidi mark inside it (Unicode's
default-ignorable characters are removed first).

Called by the employer matcher, its prefilter and the near-duplicate fingerprint (dedupe). The
topic lexicons fold differently, keeping å, ä, ö, ø, æ, ü
(:func:`hirewatch.enrich.text.fold_accents`).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
#: Unicode's Default_Ignorable_Code_Point characters (DerivedCoreProperties.txt): invisible when
#: shown, so they can hide inside a name without changing how it looks.
_IGNORABLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
                        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]+")


def _without_marks(run: re.Match[str]) -> str:
    return "".join(ch for ch in run.group() if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """NFKD, drop default-ignorable characters and combining marks, ı -> i, casefold, collapse
    whitespace to one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        decomposed = _IGNORABLE.sub("", decomposed)
        # Only the non-ASCII runs can hold combining marks: testing just those characters in
        # Python, not every character, is much faster on Latin-script text.
        decomposed = _NON_ASCII.sub(_without_marks, decomposed)
        # casefold() is Unicode's full folding, which leaves the Turkish dotless ı as it is
        # (İ is I + a combining dot, already gone): fold it to i as Turkish capitals are.
        decomposed = decomposed.replace("ı", "i")
    return _SPACE.sub(" ", decomposed.casefold()).strip()
