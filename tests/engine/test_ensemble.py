"""Ensembles: greedy selection finds the good members, scores are cross-fitted, models predict."""

from __future__ import annotations

import numpy as np

from engine import get_run, leaderboard_frame, predict_frame
from engine.ensemble import build, caruana_weights
from tests.conftest import noise_frame, run_to_end


def _proba(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1 - p, p])


def test_greedy_selection_puts_weight_on_the_informative_model():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    good = _proba(np.clip(y * 0.6 + rng.random(2000) * 0.4, 0, 1))
    noise = [_proba(rng.random(2000)) for _ in range(3)]
    weights = caruana_weights([good, *noise], y, metric="AUC_weighted", task="classification")
    assert weights[0] > 0.8 and np.isclose(weights.sum(), 1.0)


def test_ensemble_scores_are_cross_fitted_so_noise_stays_at_chance():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 1000)
    oofs = [_proba(rng.random(1000)) for _ in range(10)]
    folds = np.arange(1000) % 5
    for kind in ("voting", "stacking"):
        _, out = build(kind, list(range(10)), oofs, y, folds, metric="AUC_weighted",
                          task="classification", n_classes=2, seed=0)
        from sklearn.metrics import roc_auc_score
        assert abs(roc_auc_score(y, out[:, 1]) - 0.5) < 0.06


def test_a_run_with_ensembles_lists_them_and_they_predict(tmp_path, cancer):
    run_id = run_to_end(cancer, tmp_path, target="diagnosis", ensembles=True, max_trials=8)
    board = leaderboard_frame(run_id, tmp_path)
    ensembles = board[board["kind"].isin(["voting", "stacking"])]
    assert set(ensembles["kind"]) == {"voting", "stacking"}
    assert ensembles["members"].str.contains("model_id").all()
    for model_id in ensembles["model_id"]:
        out = predict_frame(run_id, cancer.head(30), runs_dir=tmp_path, model_id=int(model_id))
        assert (out["prediction"] == cancer["diagnosis"].head(30).to_numpy()).mean() > 0.85
    assert get_run(run_id, tmp_path).best_model_id in set(board["model_id"])


def test_ensembles_on_shuffled_labels_stay_near_chance(tmp_path):
    run_id = run_to_end(noise_frame(seed=3), tmp_path, target="label", ensembles=True,
                        max_trials=8)
    board = leaderboard_frame(run_id, tmp_path)
    assert board.loc[board["kind"] != "single", "AUC_weighted"].between(0.38, 0.62).all()
