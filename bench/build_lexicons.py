"""Derive the compact polarity lexicons in ``plugins/hirewatch/enrich/lexicons/`` from their sources.

    .venv/bin/python -m bench.build_lexicons

One ``<language>.tsv`` per language (``word<TAB>score``, score in -1..1, lower-case single words,
sorted), read by :mod:`hirewatch.enrich.polarity_lexicon`. The sources (see
``bench/data/lexicons/README.md`` for provenance and licences):

- nl: Pattern's ``nl-sentiment.xml`` (PDDL; Pattern is BSD-3), the mean polarity of a form's senses;
- sv: vaderSentiment-swedish's ``vader_lexicon.txt`` (MIT), mean rating / 4;
- da: AFINN-da-32 (ODbL 1.0), score / 5; the derived ``da.tsv`` is under the ODbL too;
- de, no: ``bench/data/lexicons/written/`` (written for the project), score / 3.

Entries whose score is within 0.05 of zero, emoticons and multi-word phrases are left out. No
English lexicon: the multilingual head reads English without one (VADER's lexicon as features cost
dev accuracy on Hutto's English sets; see ``hirewatch.enrich.polarity_lexicon.LANGUAGES``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "lexicons"
OUT = Path(__file__).resolve().parent.parent / "plugins" / "hirewatch" / "enrich" / "lexicons"
HEADERS = {
    "nl": "Pattern nl-sentiment.xml (Tom De Smedt, Walter Daelemans; PDDL, Pattern BSD-3): mean sense polarity",
    "sv": "vaderSentiment-swedish 1.0.3 vader_lexicon.txt (MIT): mean rating / 4",
    "da": "AFINN-da-32 (Finn Aarup Nielsen, DTU; Open Database License 1.0, see LICENSE.ODbL; this derived "
          "file is under the ODbL too): score / 5",
    "de": "written for the hirewatch project (Apache-2.0): score / 3",
    "no": "written for the hirewatch project (Apache-2.0): score / 3",
}


def _word(text: str) -> str | None:
    word = text.strip().lower()
    return word if word and " " not in word and any(c.isalpha() for c in word) and word.replace("-", "").replace(
        "'", "").isalpha() else None


def _vader_format(path: Path) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and (word := _word(parts[0])):
            out[word].append(float(parts[1]) / 4)
    return out


def _tsv(path: Path, scale: float) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, score = line.rsplit("\t", 1)
            if w := _word(word):
                out[w].append(float(score) / scale)
    return out


def _pattern(path: Path) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for node in ET.parse(path).getroot().iter("word"):
        if w := _word(node.get("form", "")):
            out[w].append(float(node.get("polarity", "0")))
    return out


def sources() -> dict[str, dict[str, list[float]]]:
    return {
        "nl": _pattern(DATA / "pattern_nl" / "nl-sentiment.xml"),
        "sv": _vader_format(DATA / "vader_sv" / "vader_lexicon.txt"),
        "da": _tsv(DATA / "afinn_da" / "AFINN-da-32.txt", 5.0),
        "de": _tsv(DATA / "written" / "de.tsv", 3.0),
        "no": _tsv(DATA / "written" / "no.tsv", 3.0),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for language, entries in sources().items():
        rows = {w: max(-1.0, min(1.0, sum(s) / len(s))) for w, s in entries.items()}
        rows = {w: s for w, s in rows.items() if abs(s) >= 0.05}
        lines = [f"# {HEADERS[language]}; derived by bench/build_lexicons.py"]
        lines += [f"{w}\t{s:.2f}" for w, s in sorted(rows.items())]
        (OUT / f"{language}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{language}: {len(rows)} words")


if __name__ == "__main__":
    main()
