from __future__ import annotations

from hirewatch.enrich.text import clauses, fold_accents, mention_text, sentences, text_key


def test_mention_text_puts_the_title_first_unless_the_text_starts_with_it() -> None:
    assert mention_text("Awful process", "They ghosted me.") == "Awful process.\nThey ghosted me."
    assert mention_text("They ghosted me", "They ghosted me. Twice.") == "They ghosted me. Twice."
    assert mention_text("", "  a \n\n  b  ") == "a\nb"


def test_sentences_split_at_end_punctuation_and_line_breaks() -> None:
    assert sentences("Good pay! Bad hours... Would I go back? No\nNext line") == [
        "Good pay!", "Bad hours...", "Would I go back?", "No", "Next line"]


def test_clauses_split_at_commas_and_contrastive_words_of_each_language() -> None:
    assert clauses("great recruiter, awful interview") == ["great recruiter", "awful interview"]
    assert clauses("Leuke recruiter maar het gesprek was slecht") == ["Leuke recruiter", "maar het gesprek was slecht"]
    assert clauses("Nettes Team aber schlechte Bezahlung") == ["Nettes Team", "aber schlechte Bezahlung"]
    assert clauses("Bra lön men dålig ledning") == ["Bra lön", "men dålig ledning"]


def test_fold_keeps_the_letters_that_change_a_nordic_or_german_word() -> None:
    assert fold_accents("Vorstellungsgespräch CAFÉ Lønn Året") == "vorstellungsgespräch cafe lønn året"


def test_text_key_is_stable_and_short() -> None:
    assert text_key("abc") == text_key("abc") != text_key("abd")
    assert len(text_key("abc")) == 24
