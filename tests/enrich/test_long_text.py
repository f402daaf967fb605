"""hirewatch.enrich.long_text: the trained combination that labels a text read sentence by sentence,
its guard against a head retrained since the fit, and its use by the real enrich stage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hirewatch.enrich import enrich_mentions, long_text, model_scorer
from hirewatch.enrich.long_text import FEATURES, LongTextCombiner, combiner_for, features
from hirewatch.enrich.scoring import combine
from hirewatch.enrich.text import sentences

from tests.enrich.helpers import NOW, mention, monitor


def test_features_of_one_text() -> None:
    scores, weights = [0.8, -0.6, -0.7, 0.02, -0.5], [2.0, 1.0, 3.0, 1.0, 1.0]
    got = dict(zip(FEATURES, features(scores, weights, 0.1), strict=True))
    assert got["weighted_mean"] == pytest.approx(combine(scores, 0.1, weights))
    assert got["mean"] == pytest.approx(np.mean(scores))
    assert (got["share_positive"], got["share_negative"]) == (pytest.approx(0.2), pytest.approx(0.6))
    assert got["heavy_mean"] == pytest.approx((0.8 * 2 - 0.7 * 3) / 5)  # the opening and the verdict
    assert (got["opening"], got["closing"]) == (0.8, pytest.approx(-0.24))
    assert (got["min"], got["max"]) == (-0.7, 0.8)
    assert features([], None, 0.1).tolist() == [0.0] * len(FEATURES)
    assert features([0.3], None, 0.1)[4] == 0.0  # no heavier sentence


@pytest.fixture()
def fitted_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(long_text, "MODELS", tmp_path)
    long_text._load.cache_clear()
    yield tmp_path
    long_text._load.cache_clear()


def _complaints_win(head: str, version: str) -> LongTextCombiner:
    """Written here: a combination that calls a text negative as soon as a third of its sentences
    complain (whatever the mean says), and negative when none praises."""
    weights = np.zeros((3, len(FEATURES)))
    weights[0, FEATURES.index("share_negative")] = 30.0
    weights[2, FEATURES.index("share_positive")] = 10.0
    return LongTextCombiner(weights, np.array([5.0, 0.0, 0.0]), 0.2, head, version, {"version": "test-1"})


def test_a_fit_for_another_version_of_the_head_is_not_used(fitted_dir: Path) -> None:
    _complaints_win("e5-head", "old+litotes1").save(long_text.path_for("e5-head"))
    assert combiner_for("e5-head", "old+litotes1") is not None
    assert combiner_for("e5-head", "new+litotes1") is None
    assert long_text.fit_id("e5-head", "new+litotes1") == "none"
    assert long_text.fit_id("e5-head", "old+litotes1") == "test-1"
    (fitted_dir / "long_text_e5+vader-head.npz").write_bytes(b"not a fit")
    assert combiner_for("e5+vader-head", "x") is None


def test_the_stage_labels_a_long_text_by_the_fitted_combination(fitted_dir: Path) -> None:
    """The real enrich stage with the real model: a long Dutch review whose sentences partly cancel
    gets its score and label from the combination fitted for its head, not from the mean."""
    text = ("Ik kocht dit boek op aanraden van een vriendin die het prachtig vond. Het verhaal speelt in "
            "Amsterdam, in de jaren zestig. De hoofdpersoon is een jonge advocaat met een groot geheim. "
            "Het boek is traag geschreven en de dialogen zijn stijf. De personages blijven vlak tot het "
            "einde. Het einde is voorspelbaar en de plot rammelt. Wel een mooie kaft.")
    assert len(text) > 300  # read sentence by sentence
    model = model_scorer.scorer("nl")
    settings = monitor(languages=["nl"])
    (plain,) = enrich_mentions([mention(text, kind="review")], settings, now=NOW)
    _complaints_win(model.name, model.version).save(long_text.path_for(model.name))
    long_text._load.cache_clear()  # a process reads a fit once; this one was written after
    (combined,) = enrich_mentions([mention(text, kind="review")], settings, now=NOW)
    assert combined.extra["enrich_key"] != plain.extra["enrich_key"]  # a stored copy is scored again
    assert combined.scorer == model.name and combined.sentiment_label == "negative"
    units = model_scorer.scorer("nl").score(sentences(text))
    expected = _complaints_win(model.name, model.version).score(units, None, model.threshold)
    assert combined.sentiment_score < 0 and combined.sentiment_score != plain.sentiment_score
    assert abs(combined.sentiment_score - expected) < 0.2  # the fit's score (the verdict weights differ)


def test_shipped_fits_match_the_shipped_heads() -> None:
    """A fit kept beside a head retrained since would silently not be used: refit it
    (bench/train_long_text.py) with the head."""
    long_text._load.cache_clear()
    for variant in ("multi", "en"):
        model = model_scorer.ModelScorer(head_path=model_scorer.HEAD_EN_PATH if variant == "en" else
                                         model_scorer.HEAD_PATH,
                                         name=model_scorer.NAME_EN if variant == "en" else model_scorer.NAME)
        path = long_text.path_for(model.name)
        if path.exists():
            fitted = LongTextCombiner.load(path)
            assert fitted.head_version == model.version, f"{path.name} was fitted on another head: refit it"
