"""Language detection, offline, restricted to the languages a monitor cares about.

Called by :func:`hirewatch.enrich.enrich_mentions` once per mention. Uses lingua
(lingua-language-detector, high-accuracy mode): on the project's short-text benchmark
(``bench/eval_langid.py``) it beat py3langid on 2-6 word strings, which is where the Nordic
languages get confused; both are far faster than the sentiment model, so accuracy decides.
Norwegian is reported as ``no`` (lingua's Bokmål and Nynorsk both map to it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from hirewatch.errors import ConfigError

if TYPE_CHECKING:
    from lingua import LanguageDetector

DEFAULT_LANGUAGES = ("en", "nl", "de", "sv", "no", "da")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _iso_map() -> dict[str, tuple[object, ...]]:
    """ISO 639-1 code -> lingua languages (``no`` -> Bokmål and Nynorsk)."""
    from lingua import Language

    out: dict[str, tuple[object, ...]] = {"no": (Language.BOKMAL, Language.NYNORSK), "nb": (Language.BOKMAL,),
                                          "nn": (Language.NYNORSK,)}
    for language in Language.all():
        code = language.iso_code_639_1.name.lower()
        out.setdefault(code, (language,))
    return out


def _code_of(language: object) -> str:
    name = language.iso_code_639_1.name.lower()  # type: ignore[attr-defined]
    return "no" if name in {"nb", "nn"} else name


@lru_cache(maxsize=16)
def detector(languages: tuple[str, ...]) -> LanguageDetector:
    """One lingua detector per set of languages per process (built lazily, models load on first
    use). Raises :class:`ConfigError` for a code lingua does not know."""
    from lingua import LanguageDetectorBuilder

    table = _iso_map()
    chosen: list[object] = []
    for code in languages:
        if code.lower() not in table:
            raise ConfigError(f"sentiment.languages: unknown language code {code!r}; expected ISO 639-1 "
                              "codes such as en, nl, de, sv, no, da")
        chosen.extend(table[code.lower()])
    return LanguageDetectorBuilder.from_languages(*dict.fromkeys(chosen)).build()  # type: ignore[arg-type]


#: A long text's language is judged on its first this-many characters (cut at a space): lingua's
#: time grows with the text, its answer does not change after a few sentences (on the benchmark's
#: 435 mention texts, up to 20,000 characters long, the answers were the same at 1,000 characters
#: in a third of the time; bench/profile_stages.py).
SAMPLE_CHARS = 1500


def detect_language(text: str, languages: Iterable[str] = DEFAULT_LANGUAGES) -> str | None:
    """The ISO 639-1 code of ``text``'s language among ``languages``; ``None`` when the text has
    no letters to judge by. Raises :class:`ConfigError` for an unknown language code."""
    langs = tuple(dict.fromkeys(code.lower() for code in languages)) or DEFAULT_LANGUAGES
    if not text or not _LETTERS.search(text):
        return None
    if len(langs) == 1:  # one language configured: nothing to choose
        return langs[0]
    if len(text) > SAMPLE_CHARS:
        cut = text.rfind(" ", SAMPLE_CHARS // 2, SAMPLE_CHARS)
        text = text[:cut if cut > 0 else SAMPLE_CHARS]
    outside = outside_language(text, langs)
    if outside is not None:
        return outside
    language = detector(langs).detect_language_of(text)
    return _code_of(language) if language is not None else None


#: Languages a monitor's text may be in without the monitor naming them: recognised as themselves
#: (then scored by the multilingual model, never by VADER) instead of being forced onto the nearest
#: configured language (Portuguese read as Dutch, Spanish as English).
OUTSIDE = ("pt", "es", "fr", "it", "pl", "ro", "tr", "fi", "ru", "zh", "ja", "ar")
#: Below this many letters a text is too short to call it outside the monitor's languages.
OUTSIDE_MIN_LETTERS = 30
OUTSIDE_CONFIDENCE = 0.9


@lru_cache(maxsize=16)
def _wide_detector(languages: tuple[str, ...]) -> LanguageDetector:
    """The monitor's languages and :data:`OUTSIDE`, in lingua's low-accuracy mode (trigram models
    only: loads in about a second, a fraction of the high-accuracy models' memory), used only to
    tell whether a text is in another language altogether."""
    from lingua import LanguageDetectorBuilder

    table = _iso_map()
    chosen = [lang for code in dict.fromkeys((*languages, *OUTSIDE)) for lang in table.get(code, ())]
    return LanguageDetectorBuilder.from_languages(*dict.fromkeys(chosen)).with_low_accuracy_mode().build()  # type: ignore[arg-type]


def outside_language(text: str, languages: tuple[str, ...]) -> str | None:
    """The ISO code of ``text``'s language when it is clearly none of ``languages``: languages of
    :data:`OUTSIDE` hold at least :data:`OUTSIDE_CONFIDENCE` of the low-accuracy vote on a text of
    at least :data:`OUTSIDE_MIN_LETTERS` letters. Else None."""
    if len(_LETTERS.findall(text)) < OUTSIDE_MIN_LETTERS:
        return None
    values = _wide_detector(languages).compute_language_confidence_values(text)
    others = [(code, v.value) for v in values if (code := _code_of(v.language)) not in languages and v.value >= 0.05]
    if sum(value for _, value in others) < OUTSIDE_CONFIDENCE:
        return None
    if len(others) == 1:
        return others[0][0]
    # Close relatives split the low-accuracy vote (Portuguese and Spanish): the high-accuracy
    # models of just those decide.
    chosen = detector(tuple(sorted(code for code, _ in others))).detect_language_of(text)
    return _code_of(chosen) if chosen is not None else others[0][0]
