"""Near-duplicate text fingerprints: a 64-bit simhash over word shingles of normalised text.

Called by :mod:`hirewatch.extract.item_to_mention` (``Mention.fingerprint``) and by whoever folds
syndicated copies of one story into one (the same article on two sites under two URLs has two
ids but fingerprints a few bits apart). Never raises; an empty text has fingerprint 0.

Method (Charikar's simhash): every 3-word shingle of the accent- and case-folded text is hashed
to 64 bits (BLAKE2b); each bit position sums +1/-1 over the shingles; the sign gives the bit.
Texts that share most shingles share most bits, so the Hamming distance estimates how different
they are. numpy does the bit sums (a long article has thousands of shingles).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from hirewatch.text_normal import fold

BITS = 64
SHINGLE = 3
#: At most this many differing bits counts as a near duplicate (of 64). Unrelated texts differ in
#: about 32 +- 4 bits; a short article with a footer added or a word changed, in 7 to 10.
DEFAULT_MAX_DISTANCE = 12
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE) -> list[str]:
    """Word shingles of the folded text; a text shorter than ``size`` words is one shingle."""
    words = _WORD.findall(fold(text))
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + size]) for i in range(len(words) - size + 1)]


def simhash(text: str) -> int:
    """The 64-bit simhash of ``text`` (0 for a text without words)."""
    grams = shingles(text)
    if not grams:
        return 0
    digests = b"".join(hashlib.blake2b(g.encode(), digest_size=8).digest() for g in grams)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)).reshape(len(grams), BITS)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(grams)
    value = 0
    for bit in votes > 0:
        value = (value << 1) | int(bit)
    return value


def fingerprint(text: str) -> str:
    """:func:`simhash` as 16 hex digits (what ``Mention.fingerprint`` stores)."""
    return f"{simhash(text):016x}"


def hamming(a: int | str, b: int | str) -> int:
    """Differing bits between two simhashes (ints or :func:`fingerprint` strings)."""
    x = int(a, 16) if isinstance(a, str) else a
    y = int(b, 16) if isinstance(b, str) else b
    return (x ^ y).bit_count()


def near_duplicate(a: str, b: str, max_distance: int = DEFAULT_MAX_DISTANCE) -> bool:
    """True when texts ``a`` and ``b`` are the same story give or take a few words (a syndicated
    copy with another headline suffix or footer). Empty texts are never duplicates."""
    fa, fb = simhash(a), simhash(b)
    if fa == 0 or fb == 0:
        return False
    return hamming(fa, fb) <= max_distance


def same_fingerprint_family(a: str | None, b: str | None, max_distance: int = DEFAULT_MAX_DISTANCE) -> bool:
    """:func:`near_duplicate` for stored fingerprints (``Mention.fingerprint``); None, an empty
    text's zero hash, or a value that is not a hex simhash never matches."""
    try:
        x, y = int(a or "0", 16), int(b or "0", 16)
    except ValueError:
        return False
    if x == 0 or y == 0:
        return False
    return hamming(x, y) <= max_distance
