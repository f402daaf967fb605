"""Fill the embedding cache with the Hutto sets (run once; ~25 min on one core).

    .venv/bin/python -m bench.embed_hutto
"""

from __future__ import annotations

from bench import hutto
from bench.embedding_cache import embed

if __name__ == "__main__":
    for name in hutto.SETS:
        items = hutto.load(name)
        print(f"{name}: {len(items)} items")
        embed([i.text for i in items])
