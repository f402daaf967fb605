"""The project's labelled multilingual mentions (``bench/data/enrich/labelled/*.jsonl``).

Used by ``bench/eval_sentiment.py`` and ``bench/eval_topics.py`` and by ``tests/enrich``. See
the README beside the data for how it was written and labelled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "enrich" / "labelled"
LANGUAGES = ("en", "nl", "de", "sv", "no", "da")


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    lang: str
    split: str
    text: str
    sentiment: str  # negative | neutral | positive | mixed
    topics: dict[str, str]


def load(split: str | None = "test", languages: tuple[str, ...] = LANGUAGES) -> list[Labelled]:
    out = []
    for lang in languages:
        for line in (DATA / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if split is None or row["split"] == split:
                out.append(Labelled(row["id"], lang, row["split"], row["text"], row["sentiment"], row["topics"]))
    return out
