"""Text normalisation for matching: accents and case folded away, whitespace collapsed.

Used by the employer matcher and the near-duplicate fingerprint, so "Nestlé", "NESTLE" and
"nestle" compare equal. Never raises.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKD, drop combining marks, casefold, collapse whitespace to one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", stripped.casefold()).strip()
