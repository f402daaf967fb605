"""Dates written for people, in their language: "5. März 2024", "12 maart 2024", "12 mars 2024",
"vor 2 Tagen", a Portuguese RSS ``Seg, 24 Set 2018 10:00:00 -0300``.

dateparser reads them; it is the fallback after ISO 8601 and RFC 822 (which feedparser and
:func:`hirewatch.extract.review_extract.parse_date` read first, fast). It is asked in the languages
of the document (its declared ``lang``) and of the monitor (``sentiment.languages``), so "12 mars"
is not read in a language nobody configured; relative dates count back from the moment the document
was fetched. Sources set both for the documents they parse with :func:`date_context`.

Called by ``parse_date`` (review pages, exports) and by the feed source for entry dates feedparser
could not read.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

#: When no source said which languages to expect.
DEFAULT_LANGUAGES = ("en", "nl", "de", "fr", "sv", "no", "da", "es", "pt", "it")
#: dateparser's names where they differ from the ISO 639-1 codes monitors use.
_DATEPARSER_NAMES = {"no": "nb"}
_KNOWN: set[str] | None = None

_languages: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("date_languages",
                                                                             default=DEFAULT_LANGUAGES)
_now: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("date_now", default=None)


def _known() -> set[str]:
    global _KNOWN
    if _KNOWN is None:
        from dateparser.languages.loader import default_loader

        _KNOWN = set(default_loader.get_locale_map())
    return _KNOWN


def dateparser_languages(codes: Iterable[str | None]) -> list[str]:
    """ISO codes (``pt-BR``, ``no``) as the languages dateparser knows, in order, once each."""
    out: list[str] = []
    for code in codes:
        if not code:
            continue
        base = str(code).strip().lower().replace("_", "-").split("-")[0]
        name = _DATEPARSER_NAMES.get(base, base)
        if name in _known() and name not in out:
            out.append(name)
    return out


@contextmanager
def date_context(languages: Iterable[str | None], now: datetime | None = None) -> Iterator[None]:
    """Within the block, natural-language dates are read in ``languages`` and relative ones
    against ``now`` (default: the moment of reading)."""
    tokens = (_languages.set(tuple(c for c in languages if c)), _now.set(now))
    try:
        yield
    finally:
        _languages.reset(tokens[0])
        _now.reset(tokens[1])


def current_languages() -> tuple[str, ...]:
    return _languages.get()


def current_now() -> datetime | None:
    return _now.get()


def http_date(headers: dict[str, str]) -> datetime | None:
    """The HTTP ``Date`` of a response (when the document was fetched), or None."""
    from email.utils import parsedate_to_datetime

    try:
        value = parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


_HAS_DIGIT_OR_WORD = re.compile(r"\d|[^\W\d_]{3,}")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)|(?<!\d)\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)")


def parse_natural(value: Any, languages: Iterable[str | None] | None = None,
                  now: datetime | None = None) -> datetime | None:
    """An aware UTC datetime from a date in words, or None. Never raises."""
    if not isinstance(value, str) or not value.strip() or len(value) > 100 or not _HAS_DIGIT_OR_WORD.search(value):
        return None
    import dateparser

    base = (now or _now.get() or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    settings = {"RELATIVE_BASE": base, "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True,
                "PREFER_DATES_FROM": "past"}
    names = dateparser_languages(languages if languages is not None else _languages.get()) or None
    try:
        parsed = dateparser.parse(value.strip(), languages=names, settings=settings)  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError, AttributeError):
        return None
    if parsed is None:
        return None
    parsed = parsed.astimezone(UTC)
    if not _YEAR.search(value):
        # Relative ("vor 2 Tagen", "3 hours ago"): the day, not the moment of reading, so that a
        # review read again tomorrow gets the same date (and, without an id, the same identity).
        parsed = parsed.replace(hour=0, minute=0, second=0, microsecond=0)
    return parsed
