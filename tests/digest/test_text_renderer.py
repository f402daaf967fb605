"""The plain-text alternative and the mail subject."""

from __future__ import annotations

from hirewatch.digest.model import Counts, SourceHealth, TrendDay
from hirewatch.digest.text_renderer import clean, render_text, subject

from tests.digest.sample import digest, item


def test_text_has_the_numbers_items_and_health() -> None:
    text = render_text(digest(), link="https://digests.example/x.html")
    assert text.startswith("hirewatch daily digest: Brightwave Logistics\nMonday 9 March 2026 · Europe/Amsterdam\n")
    assert ("6 new mentions yesterday (1 negative), up from 3 the day before; 1 source failed: glassdoor (HTTP 503)."
            in text)
    assert "Mentions                 6           3        5.4" in text
    assert "1. Interview cancelled twice\n   [negative −0.62 · severity 0.80 · open]" in text
    assert "FAILING  glassdoor: HTTP 503 (since Sun 8 Mar 06:00)" in text
    assert "glassdoor: 3.6 (was 3.8) ▼ 0.20, 120 reviews" in text
    assert "Brightwave Logistics *          6    60%" in text
    assert text.rstrip().endswith("Full digest: https://digests.example/x.html")
    # The trend has one line per day, the digest day marked.
    assert text.count(" <\n") == 1 and "Mon 09 Mar" in text


def test_no_history_shows_dashes() -> None:
    text = render_text(digest(baseline_days=0))
    assert "Mentions                 6           –          –" in text
    assert "usual –" in text
    assert text.count("6 new mentions yesterday (1 negative); 1 source failed") == 1


def test_control_and_bidi_characters_are_removed() -> None:
    text = render_text(digest(items=(item("evil\x1b[2J\u202etitle\r\nBcc: x"),)))
    assert "\x1b" not in text and "\u202e" not in text
    assert "1. evil[2Jtitle Bcc: x\n" in text
    assert clean(" a\t b\x07 ") == "a b"


def test_empty_day_text() -> None:
    d = digest(today=Counts(), previous_day=Counts(), baseline=Counts(), items=(), topics=(), reviews=(), ratings=(),
               entities=(), trend=tuple(TrendDay(t.day) for t in digest().trend),
               sources=(SourceHealth("example", "news", "rss", "ok", runs=1),))
    text = render_text(d)
    assert "No new mentions yesterday." in text
    assert "Nothing to read yesterday: no new mentions." in text
    assert "No mentions in the last 14 days." in text
    assert "REVIEWS" not in text and "COMPETITORS" not in text
    assert "1 of 1 sources ran without trouble." in text


def test_subject() -> None:
    assert subject(digest()) == ("hirewatch digest Mon 9 Mar: Brightwave Logistics: 6 new mentions, 1 negative, "
                                 "1 source failing")
    empty = digest(today=Counts(), sources=())
    assert subject(empty) == "hirewatch digest Mon 9 Mar: Brightwave Logistics: no new mentions"


def test_an_item_says_why_it_was_raised() -> None:
    text = render_text(digest(items=(item(reasons=("1-star review", "negative about the interview")),)))
    assert "   why: 1-star review; negative about the interview\n" in text
