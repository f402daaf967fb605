"""Dates in words, in the monitor's languages: dateparser as the fallback after ISO 8601, relative
dates against the fetch time (kept to the day), the document's own language first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hirewatch.extract.dates import date_context, dateparser_languages, http_date, parse_natural
from hirewatch.extract.review_extract import extract_review_page, parse_date

NOW = datetime(2024, 5, 10, 15, 30, tzinfo=UTC)
MONITOR = ("en", "nl", "de", "sv", "no", "da")


@pytest.mark.parametrize(("text", "languages", "expected"), [
    ("5. März 2024", MONITOR, datetime(2024, 3, 5, tzinfo=UTC)),
    ("12 maart 2024", MONITOR, datetime(2024, 3, 12, tzinfo=UTC)),
    ("12 mars 2024", ("fr", *MONITOR), datetime(2024, 3, 12, tzinfo=UTC)),
    ("vor 2 Tagen", MONITOR, datetime(2024, 5, 8, tzinfo=UTC)),
    ("3 hours ago", MONITOR, datetime(2024, 5, 10, tzinfo=UTC)),
    ("Seg, 24 Set 2018 10:00:00 -0300", ("pt-BR", *MONITOR), datetime(2018, 9, 24, 13, 0, tzinfo=UTC)),
    ("not a date at all", MONITOR, None),
    ("", MONITOR, None),
])
def test_dates_in_words(text: str, languages: tuple[str, ...], expected: datetime | None) -> None:
    assert parse_natural(text, languages, NOW) == expected


def test_language_codes_become_dateparsers() -> None:
    assert dateparser_languages(["pt-BR", "no", "nl_NL", "xx", None, "pt"]) == ["pt", "nb", "nl"]


def test_parse_date_falls_back_to_words_in_the_context_languages() -> None:
    assert parse_date("2024-03-05") == datetime(2024, 3, 5, tzinfo=UTC)
    with date_context(["de"], NOW):
        assert parse_date("vor 2 Tagen") == datetime(2024, 5, 8, tzinfo=UTC)


def test_a_review_page_in_german_and_one_in_dutch_are_dated() -> None:
    def page(lang: str, when: str) -> bytes:
        review = f'{{"@type": "Review", "@id": "r1", "name": "B", "reviewBody": "Text", "datePublished": "{when}"}}'
        return f'<html lang="{lang}"><head><script type="application/ld+json">{review}</script></head></html>'.encode()

    with date_context(MONITOR, NOW):
        german = extract_review_page(page("de", "5. März 2024"), "https://reviews.example/a").reviews[0]
        dutch = extract_review_page(page("nl", "12 maart 2024"), "https://reviews.example/b").reviews[0]
        relative = extract_review_page(page("de", "vor 2 Tagen"), "https://reviews.example/c").reviews[0]
    assert german.published == datetime(2024, 3, 5, tzinfo=UTC)
    assert dutch.published == datetime(2024, 3, 12, tzinfo=UTC)
    assert relative.published == datetime(2024, 5, 8, tzinfo=UTC)


def test_http_date() -> None:
    assert http_date({"date": "Fri, 10 May 2024 15:30:00 GMT"}) == NOW
    assert http_date({}) is None and http_date({"date": "garbage"}) is None
