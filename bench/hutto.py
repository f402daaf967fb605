"""Load the Hutto & Gilbert (2014) ground-truth sets with a fixed train/dev/test split.

Used by ``bench/train_sentiment_head.py`` (train + dev) and ``bench/eval_sentiment.py`` (test).
See ``bench/data/hutto_icwsm2014/README.md`` for provenance and the split rule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "hutto_icwsm2014"
SETS = {
    "tweets": "tweets_GroundTruth.txt",
    "nytEditorial": "nytEditorialSnippets_GroundTruth.txt",
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
}
GROUPED = {"nytEditorial", "amazon"}  # ids are <document>_<sentence>: split by document


@dataclass(frozen=True, slots=True)
class Item:
    set: str
    id: str
    rating: float  # -4 .. +4
    text: str
    split: str  # train | dev | test

    @property
    def label(self) -> str:
        score = self.rating / 4.0
        return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"


def split_of(set_name: str, item_id: str) -> str:
    group = item_id.split("_")[0] if set_name in GROUPED else item_id
    bucket = int(hashlib.sha256(f"{set_name}:{group}".encode()).hexdigest()[:8], 16) % 10
    return "train" if bucket < 6 else "dev" if bucket < 8 else "test"


def load(set_name: str) -> list[Item]:
    items = []
    raw = (DATA / SETS[set_name]).read_bytes().decode("utf-8", errors="replace")
    for line in raw.splitlines():
        parts = line.split("\t", 2)
        if len(parts) != 3 or not parts[2].strip():
            continue
        item_id, rating, text = parts
        items.append(Item(set_name, item_id.strip(), float(rating), text.strip(), split_of(set_name, item_id.strip())))
    return items


def load_all() -> list[Item]:
    return [item for name in SETS for item in load(name)]


def capped(items: list[Item], cap: int | None) -> list[Item]:
    """At most ``cap`` items per (set, split), chosen by a stable hash of the id (not by position,
    so a cap keeps the set's mix of documents)."""
    if not cap:
        return items
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        groups.setdefault((item.set, item.split), []).append(item)
    out = []
    for group in groups.values():
        ranked = sorted(group, key=lambda i: hashlib.sha256(f"cap:{i.set}:{i.id}".encode()).hexdigest())
        out.extend(ranked[:cap])
    return out
