"""Text helpers of the enrich stage: the text a mention is judged on, sentences and clauses.

Called by :mod:`hirewatch.enrich.stage` and the scorers; pure functions, never raise.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# A sentence ends at . ! ? … (one or more) followed by space, or at a line break. Abbreviations
# such as "e.g." or "z.B." split too early now and then; a split too many costs little here
# (a sentence score is an average), a sentence too long would hide a complaint.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[\"'(\[]?[^\s])|\s*\n\s*")
_WS = re.compile(r"\s+")

# Clause boundaries inside a sentence: commas, semicolons, colons, dashes and the contrastive
# conjunctions of the supported languages ("great recruiter, awful interview", "nice team but
# the pay is bad", "leuk team maar ...", "nettes Team, aber ...", "bra lön men ...").
_CONTRAST = (r"but|however|although|though|whereas|maar|echter|hoewel|aber|jedoch|obwohl|doch|men|dock|"
             r"fast än|mens|selv om|skjønt")
_CLAUSE_SPLIT = re.compile(rf"\s*[,;:]\s+|\s+[-–—]\s+|\s+(?=(?:{_CONTRAST})\b)", re.IGNORECASE)


def mention_text(title: str, text: str) -> str:
    """The text a mention is judged on: its title (unless the text already starts with it) and
    its text, whitespace-normalised."""
    title = _WS.sub(" ", title or "").strip()
    lines = (_WS.sub(" ", line).strip() for line in (text or "").splitlines())
    body = "\n".join(line for line in lines if line)
    if title and not body.startswith(title.rstrip(".!?… ")):
        if not title.endswith((".", "!", "?", "…")):
            title += "."
        return f"{title}\n{body}".strip()
    return body or title


def sentences(text: str) -> list[str]:
    """Split ``text`` into sentences (non-empty, stripped)."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def clauses(sentence: str) -> list[str]:
    """Split one sentence into clauses at punctuation and contrastive conjunctions."""
    return [c.strip() for c in _CLAUSE_SPLIT.split(sentence) if c and c.strip()]


_KEEP = frozenset("åäöøæüß")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(run: re.Match[str]) -> str:
    out = []
    for ch in run.group():
        if ch in _KEEP:
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def fold_accents(text: str) -> str:
    """Lower-case and strip accents except the Nordic/German letters that change a word
    (å ä ö ø æ ü stay; é è ê á à ç become e e e a a c), so "café" matches "cafe". The topic
    lexicons need those letters; the employer matcher's :func:`hirewatch.text_normal.fold` strips
    every mark."""
    lowered = text.casefold()
    if lowered.isascii():  # ASCII letters have no accents to strip
        return lowered
    # Only non-ASCII characters can change: looking at those alone is much faster than looking
    # at every character in Python (bench/profile_stages.py).
    return _NON_ASCII.sub(_fold_run, lowered)


def text_key(text: str) -> str:
    """A short stable hash of a text (cache keys, "did the text change" checks)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]
