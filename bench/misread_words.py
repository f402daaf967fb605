"""Scores of a multilingual head on the words and negations issue 17 found misread (hand-written
sentences; the issue's quoted examples among them). A look, not a benchmark: no head is chosen on
these.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.misread_words [HEAD]
"""

from __future__ import annotations

import sys
from pathlib import Path

from hirewatch.enrich.model_scorer import HEAD_PATH, ModelScorer

TEXTS = (("Langweilig.", "de"), ("Teleurstellend boek.", "nl"), ("Het boek is saai.", "nl"),
         ("Ein Lesespaß ohnegleichen.", "de"), ("Das hat mich ganz schön geärgert", "de"),
         ("Het sollicitatiegesprek was niet slecht.", "nl"), ("Das Vorstellungsgespräch war nicht schlecht.", "de"),
         ("Intervjun var inte dålig.", "sv"), ("Intervjuet var ikke dårlig.", "no"),
         ("Jobsamtalen var ikke dårlig.", "da"), ("Samtalen var god.", "da"),
         ("Hyggelige kolleger, men elendig ledelse.", "no"), ("Beslist geen aanrader.", "nl"),
         ("Vreselijk teleurstellend.", "nl"), ("Tråkig bok.", "sv"), ("Kjedelig bok.", "no"), ("Kedelig bog.", "da"))


def main() -> None:
    scorer = ModelScorer(head_path=Path(sys.argv[1]) if len(sys.argv) > 1 else HEAD_PATH)
    print(f"threshold {scorer.threshold:.3f}")
    texts, languages = [t for t, _ in TEXTS], [lang for _, lang in TEXTS]
    for text, language, score in zip(texts, languages, scorer.score(texts, languages), strict=True):
        print(f"{score:+.3f}  {language}  {text}")


if __name__ == "__main__":
    main()
