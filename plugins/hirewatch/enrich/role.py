"""The entity's role in a sentence: feared by its rivals is not criticised.

Called by :mod:`hirewatch.enrich.stage` for every scored sentence (or short text) of a mention
that names its entity; pure, never raises.

"Cable companies are so scared of Netflix" is a negative sentence, and good news for Netflix:
the fear is the rivals'. A sentence where the entity is what rivals, competitors or an industry
fear, dread or are threatened by ("rivals fear Acme", "Konkurrenz hat Angst vor Acme", "Acme
threatens the incumbents") says nothing bad about the entity, so its negative score does not
count against it (it is scored 0). Without a word for rivals in the sentence the rule does not
apply: "employees fear Acme's new policy" stays negative about Acme.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hirewatch.config import Entity

_E = "(?:{entity})"
#: Sentences where the entity is feared (``{entity}`` is the entity's names).
FEARED: dict[str, tuple[str, ...]] = {
    "en": (r"(?:afraid|scared|fearful|terrified|frightened|nervous|worried|wary|jealous|envious)\s+(?:of|about|by)"
           r"\s+(?:the\s+)?" + _E,
           r"(?:fear|fears|feared|fearing|dread|dreads|dreaded|envy|envies)\s+(?:the\s+)?" + _E,
           r"(?:threatened|spooked|rattled|disrupted|outgunned|outpaced|crushed|squeezed)\s+by\s+(?:the\s+)?" + _E,
           _E + r"(?:'s?)?\s+(?:\w+\s+)?(?:threatens|scares|terrifies|frightens|worries|spooks|rattles|disrupts|"
           r"crushes|dominates|outsells|outpaces|beats|squeezes)"),
    "nl": (r"(?:\w*bang|angst|bevreesd)\s+(?:voor|van)\s+" + _E, r"(?:vrezen|vreest|vreesden)\s+" + _E,
           _E + r"\s+(?:bedreigt|verdringt|verslaat|domineert)"),
    "de": (r"(?:Angst|Furcht|Sorge)\s+vor\s+" + _E, r"(?:fürchten|fürchtet|fürchteten)\s+(?:sich\s+vor\s+)?" + _E,
           r"bedroht\s+von\s+" + _E, _E + r"\s+(?:bedroht|verdrängt|schlägt|dominiert|überholt)"),
    "sv": (r"(?:rädda|rädd|oroliga|orolig)\s+för\s+" + _E, r"(?:fruktar|befarar)\s+" + _E,
           r"hotade\s+av\s+" + _E, _E + r"\s+(?:hotar|slår|dominerar|utmanar)"),
    "no": (r"(?:redde|redd|bekymret)\s+for\s+" + _E, r"(?:frykter|fryktet)\s+" + _E,
           r"truet\s+av\s+" + _E, _E + r"\s+(?:truer|slår|dominerer|utfordrer)"),
    "da": (r"(?:bange|bekymrede|bekymret)\s+for\s+" + _E, r"(?:frygter|frygtede)\s+" + _E,
           r"truet\s+af\s+" + _E, _E + r"\s+(?:truer|slår|dominerer|udfordrer)"),
}
#: Words that make the fearing party a rival, per language.
RIVALS: dict[str, str] = {
    "en": r"rivals?|competitors?|competition|incumbents?|industry|companies|firms|players|carriers|banks|retailers|"
          r"studios|networks|operators|makers|startups",
    "nl": r"concurrent(?:en|ie)?|rivalen|branche|sector|bedrijven|spelers|banken|winkels",
    "de": r"Konkurren(?:z|ten|t)|Rivalen|Wettbewerb(?:er)?|Branche|Unternehmen|Firmen|Anbieter|Banken|Händler",
    "sv": r"konkurrent(?:er|erna)?|rivaler(?:na)?|branschen|företag(?:en)?|bolag(?:en)?|aktörer(?:na)?|banker(?:na)?",
    "no": r"konkurrent(?:er|ene)?|rivaler|bransjen|selskap(?:er|ene)?|aktører(?:ne)?|banker(?:ne)?",
    "da": r"konkurrent(?:er|erne)?|rivaler|branchen|virksomheder(?:ne)?|selskaber(?:ne)?|aktører(?:ne)?|banker(?:ne)?",
}


@lru_cache(maxsize=256)
def _patterns(entity: Entity, language: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    if language not in FEARED:
        return None
    names = "|".join(re.escape(t) for t in sorted(entity.terms, key=len, reverse=True))
    feared = "|".join(f"(?:{p})" for p in FEARED[language]).replace("{entity}", names)
    return (re.compile(rf"(?<!\w)(?:{feared})(?!\w)", re.IGNORECASE),
            re.compile(rf"(?<!\w)(?:{RIVALS[language]})(?!\w)", re.IGNORECASE))


def feared_by_rivals(sentence: str, entity: Entity, language: str | None) -> bool:
    """Whether ``sentence`` casts ``entity`` as what rivals fear or are threatened by."""
    found = _patterns(entity, language) if language else None
    return found is not None and bool(found[0].search(sentence)) and bool(found[1].search(sentence))


def about_entity(score: float, sentence: str, entity: Entity | None, language: str | None) -> float:
    """``score`` as a judgement of ``entity``: 0 for a negative sentence where rivals fear it."""
    if entity is None or score >= 0 or not feared_by_rivals(sentence, entity, language):
        return score
    return 0.0
