"""The candidate filter: which term pieces it looks for, and that its loosened text holds every
piece the matcher's folded text could hold (case, accents, ß, tags inside words, entities,
feedparser's text repairs)."""

from __future__ import annotations

import pytest
from hirewatch.match.prefilter import CandidateFilter, candidate_filter, loosen, term_pieces

from tests.support.monitors import make_monitor


def test_pieces_are_the_longest_folded_word_run_of_each_term() -> None:
    assert term_pieces(["Brightwave Logistics", "BW", "@brightwavelogistics", "Nestlé"]) == (
        "brightwavelogistics", "brightwave", "nestle", "bw")


@pytest.mark.parametrize("terms", [["Ørsted"], ["Acme", "東芝"], ["+++"]])
def test_no_filter_when_a_term_has_no_ascii_word(terms: list[str]) -> None:
    assert term_pieces(terms) is None


def test_filter_for_a_monitor_covers_competitors() -> None:
    monitor = make_monitor([{"type": "rss", "url": "https://x.example/feed"}], employer={"name": "Acme"},
                           competitors=[{"name": "Kestrel Freight"}])
    keep = candidate_filter(monitor)
    assert isinstance(keep, CandidateFilter)
    assert keep("kestrel news") and keep("ACME") and not keep("nothing to see")


@pytest.mark.parametrize(("raw", "piece"), [
    ("BRIGHTWAVE", "brightwave"),
    ("Brïghtwave", "brightwave"),
    ("Bri\u0301ghtwave", "brightwave"),  # decomposed accent
    ("Bright<b>wave</b>", "brightwave"),
    ("Bright&#119;ave", "brightwave"),
    ("Bright&amp;wave", "bright&wave"),
    ("Bright\u200bwave", "brightwave"),
    ("Großmann", "grossmann"),
    ("\x8akoda", "skoda"),  # Windows-1252 Š sent as a C1 control character
    ("BrÃ¯ghtwave", "brightwave"),  # UTF-8 read as Latin-1
    ("ﬁnance", "finance"),  # ligature
])
def test_loosened_text_holds_the_piece(raw: str, piece: str) -> None:
    assert piece in loosen(raw)


def test_repairs_are_tried_element_by_element() -> None:
    # The whole text cannot be re-decoded (a curly quote is not Latin-1) but the title can.
    raw = "BrÃ¯ghtwave\n\u2019quoted\u2019"
    assert "brightwave" in loosen(raw, ["BrÃ¯ghtwave", "\u2019quoted\u2019"])
