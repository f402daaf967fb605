from __future__ import annotations

import pytest
from hirewatch.enrich.language import detect_language
from hirewatch.errors import ConfigError


@pytest.mark.parametrize(("text", "expected"), [
    ("The recruiter never called me back after the second interview.", "en"),
    ("Ik heb nooit meer iets gehoord na het tweede gesprek met de recruiter.", "nl"),
    ("Nach dem zweiten Vorstellungsgespräch habe ich nie wieder etwas gehört.", "de"),
    ("Jag hörde aldrig något mer efter den andra intervjun med rekryteraren.", "sv"),
    ("Jeg hørte aldri noe mer etter det andre intervjuet med rekruttereren.", "no"),
    ("Jeg hørte aldrig mere efter den anden samtale med rekrutteringskonsulenten.", "da"),
])
def test_detects_the_six_default_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_restricted_to_the_given_languages() -> None:
    # Danish text, but the monitor only knows English and Norwegian: the nearer one wins
    assert detect_language("Jeg fik aldrig svar efter samtalen med virksomheden.", ("en", "no")) == "no"
    assert detect_language("anything at all", ("de",)) == "de"


def test_no_letters_no_language() -> None:
    assert detect_language("12:30 — 4/5 ★★★") is None
    assert detect_language("") is None


def test_unknown_code_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown language code 'xx'"):
        detect_language("some text", ("en", "xx"))


@pytest.mark.parametrize(("text", "expected"), [
    ("A Brightwave Logistics anunciou demissões em massa. Os funcionários reclamam de um processo péssimo.", "pt"),
    ("Brightwave Logistics despidió a 200 empleados; el proceso de selección fue un desastre.", "es"),
    ("Great team at Brightwave but the recruiters never answered my emails for weeks", "en"),
    ("Hyggelige kolleger, men elendig ledelse hos Brightwave i Oslo.", "no"),
    ("Brightwave ghosted me", "en"),  # too short to call it another language
])
def test_languages_outside_the_monitors_set_are_recognised_not_forced(text: str, expected: str) -> None:
    assert detect_language(text, ("en", "nl", "de", "sv", "no", "da")) == expected
