"""Classification curve data: ROC, precision-recall, gains, lift, calibration, confusion."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import auc, confusion_matrix

from engine.charts._base import (
    MACRO,
    MICRO,
    Curve,
    CurveSet,
    Ranked,
    curve,
    micro,
    one_vs_rest,
    rank,
    ratio,
)


# ---- ROC -------------------------------------------------------------------------------------


def _roc_points(r: Ranked) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    fpr = ratio(np.r_[0.0, r.fps], r.negatives)
    tpr = ratio(np.r_[0.0, r.tps], r.positives)
    return fpr, tpr, np.r_[np.inf, r.thresholds]


def _common_grid(per_class: list[Curve]) -> np.ndarray:
    """An even grid on [0, 1] plus every drawn x of the class curves, for macro averages."""
    xs = [c.x[np.isfinite(c.x)] for c in per_class]
    return np.unique(np.concatenate([np.linspace(0.0, 1.0, 1001), *xs]))


def _auc(fpr: np.ndarray, tpr: np.ndarray) -> float:
    return float(auc(fpr, tpr)) if np.isfinite(fpr[-1] + tpr[-1]) else np.nan


def roc_curve_data(y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> CurveSet:
    """ROC per class (one-vs-rest) plus the micro and macro averages, each with its AUC.

    Macro is the mean of the class TPRs interpolated on a common FPR grid; its area is the mean
    of the class AUCs (AUC_macro).
    """
    per_class, full = [], []
    for name, is_pos, score in one_vs_rest(y_true, proba, classes):
        fpr, tpr, thr = _roc_points(rank(is_pos, score))
        full.append((fpr, tpr))
        per_class.append(curve(name, fpr, tpr, thr, area=_auc(fpr, tpr), baseline=is_pos.mean()))
    fpr, tpr, thr = _roc_points(rank(*micro(y_true, proba)))
    grid = _common_grid(per_class)
    mean_tpr = np.mean([np.interp(grid, f, t) for f, t in full], axis=0)
    return CurveSet("roc", (
        *per_class,
        curve(MICRO, fpr, tpr, thr, area=_auc(fpr, tpr)),
        curve(MACRO, grid, mean_tpr, np.full(len(grid), np.nan),
              area=np.mean([c.area for c in per_class])),
    ))


# ---- precision-recall ------------------------------------------------------------------------


def _pr_points(r: Ranked) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Precision, recall, threshold in scikit-learn's order (recall falling to 0) and the AP."""
    predicted = r.tps + r.fps
    precision = np.divide(r.tps, predicted, out=np.zeros_like(r.tps), where=predicted > 0)
    recall = ratio(r.tps, r.positives) if r.positives > 0 else np.ones_like(r.tps)
    precision, recall = np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0]
    ap = max(0.0, -float(np.sum(np.diff(recall) * precision[:-1])))
    return precision, recall, np.r_[r.thresholds[::-1], np.inf], ap


def _step_precision(recall: np.ndarray, precision: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Precision of the AP step function at each grid recall (first point reaching it)."""
    rising_r, rising_p = recall[::-1][1:], precision[::-1][1:]
    at = np.minimum(np.searchsorted(rising_r, grid, side="left"), len(rising_r) - 1)
    return rising_p[at]


def pr_curve_data(y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> CurveSet:
    """Precision-recall per class plus micro and macro averages, each with its average precision.

    x is recall, y precision. Macro averages the class AP step functions on a common recall
    grid; its area is the mean of the class APs (average_precision_score_macro).
    """
    per_class, full = [], []
    for name, is_pos, score in one_vs_rest(y_true, proba, classes):
        precision, recall, thr, ap = _pr_points(rank(is_pos, score))
        full.append((recall, precision))
        per_class.append(curve(name, recall, precision, thr, area=ap, baseline=is_pos.mean()))
    is_pos, score = micro(y_true, proba)
    precision, recall, thr, ap = _pr_points(rank(is_pos, score))
    grid = _common_grid(per_class)[::-1]
    mean_p = np.mean([_step_precision(r, p, grid) for r, p in full], axis=0)
    return CurveSet("pr", (
        *per_class,
        curve(MICRO, recall, precision, thr, area=ap, baseline=is_pos.mean()),
        curve(MACRO, grid, mean_p, np.full(len(grid), np.nan),
              area=np.mean([c.area for c in per_class])),
    ))


# ---- cumulative gains and lift ---------------------------------------------------------------


def _gains_points(is_pos: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, ...]:
    r = rank(is_pos, score)
    population = np.r_[0.0, (r.tps + r.fps) / max(len(score), 1)]
    return population, ratio(np.r_[0.0, r.tps], r.positives), np.r_[np.inf, r.thresholds]


def gains_curve_data(y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> CurveSet:
    """Cumulative gains per class: share of the class captured (y) when taking the rows with
    the highest scores for it, as a share of all rows (x)."""
    curves = []
    for name, is_pos, score in one_vs_rest(y_true, proba, classes):
        x, y, thr = _gains_points(is_pos, score)
        curves.append(curve(name, x, y, thr, baseline=is_pos.mean()))
    return CurveSet("gains", tuple(curves))


def lift_curve_data(y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> CurveSet:
    """Lift per class: cumulative gains divided by the share of rows taken (1 = random)."""
    curves = []
    for name, is_pos, score in one_vs_rest(y_true, proba, classes):
        x, y, thr = _gains_points(is_pos, score)
        curves.append(curve(name, x[1:], y[1:] / x[1:], thr[1:], baseline=is_pos.mean()))
    return CurveSet("lift", tuple(curves))


# ---- calibration -----------------------------------------------------------------------------


def calibration_data(y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str],
                     n_bins: int = 10) -> CurveSet:
    """Reliability per class and its macro average, over ``n_bins`` uniform probability bins.

    x is the mean predicted probability in a bin, y the observed share of the class there
    (scikit-learn's ``calibration_curve``), ``count`` the rows in it, ``threshold`` the bin's
    upper edge; empty bins are left out. Macro is, per bin, the mean over the classes that have
    rows in it.
    """
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    per_class, sums, hits, totals = [], [], [], []
    for name, is_pos, score in one_vs_rest(y_true, proba, classes):
        bins = np.searchsorted(edges[1:-1], score)  # the binning calibration_curve uses
        total = np.bincount(bins, minlength=n_bins)
        prob_true, prob_pred = calibration_curve(is_pos, score, n_bins=n_bins)
        sums.append(np.bincount(bins, weights=score, minlength=n_bins))
        hits.append(np.bincount(bins, weights=is_pos, minlength=n_bins))
        totals.append(total)
        per_class.append(Curve(name, prob_pred, prob_true, edges[1:][total > 0],
                               baseline=float(is_pos.mean()), count=total[total > 0]))
    totals_ = np.array(totals)
    has = totals_ > 0
    keep = has.any(axis=0)
    classes_in_bin = has.sum(axis=0)[keep]

    def mean_share(values: list[np.ndarray]) -> np.ndarray:
        share = np.divide(values, totals_, out=np.zeros(totals_.shape), where=has)
        return share.sum(axis=0)[keep] / classes_in_bin

    macro = Curve(MACRO, mean_share(sums), mean_share(hits), edges[1:][keep],
                  count=totals_.sum(axis=0)[keep])
    return CurveSet("calibration", (*per_class, macro))


# ---- confusion matrix ------------------------------------------------------------------------


def confusion_frame(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str],
                    normalize: bool) -> pd.DataFrame:
    """Confusion matrix: rows are true classes, columns predicted ones; ``normalize`` divides
    each row by its total (rows without samples stay 0)."""
    names = pd.Index([str(c) for c in classes])
    matrix = confusion_matrix(y_true, y_pred, labels=np.arange(len(classes)),
                              normalize="true" if normalize else None)
    return pd.DataFrame(matrix, index=names.rename("true"), columns=names.rename("predicted"))
