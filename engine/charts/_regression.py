"""Regression chart data: residual histogram and predicted against true values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.charts._base import MAX_POINTS
from engine.errors import EngineError

PERCENTILES = (5, 25, 50, 75, 95)
_MAX_BINS = 100


@dataclass(frozen=True)
class ResidualsData:
    """Histogram of residuals ``y_pred - y_true`` (the reference's sign).

    Attributes:
        edges: bin edges, one more than ``counts``.
        counts: rows per bin.
        mean, std: of all residuals.
    """

    edges: np.ndarray
    counts: np.ndarray
    mean: float
    std: float


@dataclass(frozen=True)
class PredictedVsTrueData:
    """Predictions against true values.

    Attributes:
        true, predicted: up to ``max_points`` rows (all rows when there are that few, else a
            seeded random sample), for scatter plots.
        bins: None when all rows are in ``true``/``predicted``; otherwise one row per non-empty
            equal-width bin of true values with columns ``true_low``, ``true_high``,
            ``true_mean``, ``count`` and ``p5``, ``p25``, ``p50``, ``p75``, ``p95`` (percentiles
            of the predictions in the bin).
        n_rows: rows the data were computed on.
    """

    true: np.ndarray
    predicted: np.ndarray
    bins: pd.DataFrame | None
    n_rows: int


def _pair(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or len(y_true) == 0:
        raise EngineError("True and predicted values must be two non-empty columns of the same "
                          "length.")
    return y_true, y_pred


def residuals_data(y_true: np.ndarray, y_pred: np.ndarray,
                   n_bins: int | None = None) -> ResidualsData:
    """Residual histogram; ``n_bins`` None picks NumPy's ``auto`` rule, at most 100 bins."""
    y_true, y_pred = _pair(y_true, y_pred)
    residuals = y_pred - y_true
    edges = np.histogram_bin_edges(residuals, bins=n_bins or "auto")
    if len(edges) > _MAX_BINS + 1:
        edges = np.histogram_bin_edges(residuals, bins=_MAX_BINS)
    counts, edges = np.histogram(residuals, bins=edges)
    return ResidualsData(edges, counts, float(residuals.mean()), float(residuals.std()))


def _binned_percentiles(y_true: np.ndarray, y_pred: np.ndarray, n_bins: int) -> pd.DataFrame:
    edges = np.linspace(y_true.min(), y_true.max(), n_bins + 1)
    bin_of = np.searchsorted(edges[1:-1], y_true, side="right")
    order = np.argsort(bin_of, kind="stable")
    counts = np.bincount(bin_of, minlength=n_bins)
    starts = np.r_[0, np.cumsum(counts)]
    rows = []
    for b in np.flatnonzero(counts):
        chunk = order[starts[b]:starts[b + 1]]
        rows.append((edges[b], edges[b + 1], y_true[chunk].mean(), counts[b],
                     *np.percentile(y_pred[chunk], PERCENTILES)))
    columns = ["true_low", "true_high", "true_mean", "count", *(f"p{p}" for p in PERCENTILES)]
    return pd.DataFrame(rows, columns=columns)


def predicted_vs_true_data(y_true: np.ndarray, y_pred: np.ndarray, max_points: int = MAX_POINTS,
                           n_bins: int = 50, seed: int = 0) -> PredictedVsTrueData:
    """Raw points when there are at most ``max_points`` rows; otherwise percentiles of the
    predictions per bin of true values, plus a random sample of points."""
    y_true, y_pred = _pair(y_true, y_pred)
    n = len(y_true)
    if n <= max_points:
        return PredictedVsTrueData(y_true, y_pred, None, n)
    sample = np.sort(np.random.default_rng(seed).choice(n, max_points, replace=False))
    return PredictedVsTrueData(y_true[sample], y_pred[sample],
                               _binned_percentiles(y_true, y_pred, n_bins), n)
