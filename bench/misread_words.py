"""Scores of a multilingual head on the words and negations issue 17 found misread (hand-written
sentences; the issue's quoted examples among them). A look, not a benchmark: no head is chosen on
these.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.misread_words [HEAD]
"""

from __future__ import annotations

import sys
from pathlib import Path

from hirewatch.enrich.model_scorer import HEAD_PATH, ModelScorer

TEXTS = ("Langweilig.", "Teleurstellend boek.", "Het boek is saai.", "Ein Lesespaß ohnegleichen.",
         "Das hat mich ganz schön geärgert", "Het sollicitatiegesprek was niet slecht.",
         "Das Vorstellungsgespräch war nicht schlecht.", "Intervjun var inte dålig.", "Intervjuet var ikke dårlig.",
         "Jobsamtalen var ikke dårlig.", "Samtalen var god.", "Hyggelige kolleger, men elendig ledelse.",
         "Beslist geen aanrader.", "Vreselijk teleurstellend.", "Tråkig bok.", "Kjedelig bok.", "Kedelig bog.")


def main() -> None:
    scorer = ModelScorer(head_path=Path(sys.argv[1]) if len(sys.argv) > 1 else HEAD_PATH)
    print(f"threshold {scorer.threshold:.3f}")
    for text, score in zip(TEXTS, scorer.score(list(TEXTS)), strict=True):
        print(f"{score:+.3f}  {text}")


if __name__ == "__main__":
    main()
