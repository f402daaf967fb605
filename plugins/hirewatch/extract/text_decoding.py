"""Bytes of a file someone exported -> text, saying what had to be repaired.

Exports are UTF-8 more often than not, but spreadsheets and old tools leave cp1252 bytes inside
otherwise UTF-8 text (``na\\xefve``, ``\\x92`` for a curly apostrophe): refusing such a file loses
every review in it. :func:`decode_text` reads UTF-8 (with or without BOM) as is; UTF-8 with stray
bytes has each stray byte read as cp1252 and reported (count and lines); a file that reads as
Western European cp1252 text is read so (charset-normalizer guesses CJK for such short texts);
anything else is decoded with the encoding charset-normalizer detects (UTF-16, cp1251, ...), which
is reported too.

Called by :mod:`hirewatch.extract.review_exports` (``hirewatch import`` and ``type: review``
sources with a ``file:`` URL).
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass, field

_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]{1,3}")
_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_local = threading.local()


def _read_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the first undecodable byte read as cp1252 (U+FFFD where cp1252 has
    no character), its offset remembered."""
    assert isinstance(exc, UnicodeDecodeError)
    _local.positions.append(exc.start)
    return exc.object[exc.start:exc.start + 1].decode("cp1252", errors="replace"), exc.start + 1


codecs.register_error("hirewatch.cp1252", _read_as_cp1252)


@dataclass(frozen=True, slots=True)
class Decoded:
    """The text, the encoding it was read with, and what was repaired (empty when nothing)."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def _lines(body: bytes, positions: list[int], limit: int = 5) -> str:
    lines = sorted({body.count(b"\n", 0, p) + 1 for p in positions})
    shown = ", ".join(map(str, lines[:limit]))
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")


_PUNCTUATION = set("–—‘’‚“”„…€•·°«»×")


def _western(body: bytes) -> bool:
    """Whether ``body`` reads as cp1252 text in a Western European language: every byte defined in
    cp1252, its non-ASCII characters letters or typographic punctuation, and few of them beside the
    ASCII letters (Cyrillic or Greek in a single-byte code page is nearly all non-ASCII). On short
    texts charset-normalizer prefers CJK or Central European code pages for such bytes."""
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError:
        return False
    high = [c for c in text if ord(c) > 127]
    ascii_letters = sum(1 for c in text if c.isascii() and c.isalpha())
    if not high or "\x00" in text:
        return False
    fitting = sum(1 for c in high if c.isalpha() or c in _PUNCTUATION)
    return fitting >= 0.95 * len(high) and len(high) <= 0.3 * max(1, ascii_letters)


def decode_text(body: bytes) -> Decoded:
    """``body`` as text. Never raises."""
    if not body.startswith(_BOMS):
        try:
            return Decoded(body.decode("utf-8-sig"), "utf-8")
        except UnicodeDecodeError:
            pass
        if _MULTIBYTE.search(body):
            _local.positions = []
            text = body.decode("utf-8-sig", errors="hirewatch.cp1252")
            positions, _local.positions = _local.positions, []
            note = (f"{len(positions)} byte{'s' if len(positions) != 1 else ''} that are not UTF-8 read as "
                    f"cp1252 (line {_lines(body, positions)})")
            return Decoded(text, "utf-8", [note])
    if _western(body):
        return Decoded(body.decode("cp1252"), "cp1252", ["not UTF-8: read as cp1252 (Western European)"])
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None or best.encoding is None:
        return Decoded(body.decode("utf-8", errors="replace"), "utf-8",
                       ["the encoding could not be detected: undecodable bytes were replaced by U+FFFD"])
    encoding = str(best.encoding)
    notes = [] if encoding.startswith("utf_") else [f"not UTF-8: read as {encoding} (detected)"]
    return Decoded(str(best), encoding, notes)
