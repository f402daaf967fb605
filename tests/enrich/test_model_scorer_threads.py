"""The bundled engine embeds from several threads at once and gives what it gives one at a time.
Texts written for the project."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from hirewatch.enrich.model_scorer import embed_texts

TEXTS = [
    "Das Vorstellungsgespräch war eine Katastrophe.",
    "De recruiter was vriendelijk en snel.",
    "Jag fick aldrig något svar på min ansökan.",
    "Intervjuen var godt organisert.",
    "Lønnen var alt for lav til jobbet.",
    "The offer was withdrawn two days before I started.",
] * 4


def test_concurrent_embeddings_equal_sequential_ones() -> None:
    alone = embed_texts(TEXTS)
    chunks = [TEXTS[i:i + 3] for i in range(0, len(TEXTS), 3)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = np.vstack(list(pool.map(embed_texts, chunks)))
    assert together.shape == alone.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-5)
