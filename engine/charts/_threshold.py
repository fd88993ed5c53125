"""The threshold and cost tool for binary classification: rows are predicted positive when
their positive-class probability is at least the threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.charts._base import rank
from engine.errors import EngineError


def _binary(y_true: np.ndarray, proba_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true, proba_pos = np.asarray(y_true), np.asarray(proba_pos, dtype=float)
    if y_true.shape != proba_pos.shape or y_true.ndim != 1 or len(y_true) == 0:
        raise EngineError("Labels and positive-class probabilities must be two non-empty "
                          "columns of the same length.")
    return (y_true == 1).astype(np.int8), proba_pos


def threshold_table(y_true: np.ndarray, proba_pos: np.ndarray,
                    n_thresholds: int = 101) -> pd.DataFrame:
    """Confusion counts, precision, recall and F1 at evenly spaced thresholds from 0 to 1.

    Columns: ``threshold``, ``tp``, ``fp``, ``tn``, ``fn``, ``precision``, ``recall``, ``f1``;
    a ratio whose denominator is 0 is 0, as in scikit-learn with ``zero_division=0``.
    """
    is_pos, score = _binary(y_true, proba_pos)
    thresholds = np.linspace(0.0, 1.0, n_thresholds)
    pos_scores, neg_scores = np.sort(score[is_pos == 1]), np.sort(score[is_pos == 0])
    tp = len(pos_scores) - np.searchsorted(pos_scores, thresholds, side="left")
    fp = len(neg_scores) - np.searchsorted(neg_scores, thresholds, side="left")
    fn, tn = len(pos_scores) - tp, len(neg_scores) - fp

    def safe(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return np.divide(num, den, out=np.zeros(len(num)), where=den > 0)

    return pd.DataFrame({
        "threshold": thresholds, "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "precision": safe(tp, tp + fp), "recall": safe(tp, tp + fn),
        "f1": safe(2 * tp, 2 * tp + fp + fn),
    })


def best_cost_threshold(y_true: np.ndarray, proba_pos: np.ndarray, cost_fp: float,
                        cost_fn: float) -> float:
    """The threshold, among the distinct scores, with the lowest expected cost
    ``(cost_fp * FP + cost_fn * FN) / n``; ties go to the highest threshold."""
    if cost_fp < 0 or cost_fn < 0:
        raise EngineError("Costs of false positives and false negatives must be zero or more.")
    is_pos, score = _binary(y_true, proba_pos)
    r = rank(is_pos, score)
    cost = cost_fp * r.fps + cost_fn * (r.positives - r.tps)
    return float(r.thresholds[np.argmin(cost)])
