"""Every metric the studio can score, as one table keyed by the reference platform's ids.

Classification inputs: ``y_true`` holds encoded labels ``0..k-1``, ``proba`` is ``(n, k)`` with
columns in class order, ``y_pred`` holds labels. ``_binary`` metrics take label 1 as the positive
class and are NaN for more than two classes. Regression inputs are float arrays. A metric that
cannot be computed on the data at hand (one class in a fold, a constant target, ...) is NaN.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn import metrics as skm

from engine.errors import EngineError

CLASSIFICATION = "classification"
REGRESSION = "regression"

# Which metric family each task is judged by.
_TASK_FAMILY: dict[str, str] = {
    "classification": CLASSIFICATION,
    "binary": CLASSIFICATION,
    "multiclass": CLASSIFICATION,
    "regression": REGRESSION,
    "forecasting": REGRESSION,
}

_DEFAULT: dict[str, str] = {
    CLASSIFICATION: "AUC_weighted",
    REGRESSION: "normalized_root_mean_squared_error",
}

# fn(y_true, pred, k): pred is proba (n, k) or labels; k is the number of classes (0: regression).
MetricFn = Callable[[np.ndarray, np.ndarray, int], float]


@dataclass(frozen=True)
class Metric:
    """One metric of the table.

    Attributes:
        id: the reference platform's name, e.g. ``AUC_weighted``.
        task: ``classification`` or ``regression``.
        greater_is_better: whether a higher value is a better model.
        fn: computes the value from ``(y_true, pred, k)``; ``pred`` is ``proba`` when
            ``needs_proba`` else predicted labels/values; ``k`` is the number of classes.
        needs_proba: the metric reads class probabilities instead of labels.
    """

    id: str
    task: str
    greater_is_better: bool
    fn: MetricFn
    needs_proba: bool


# ---- building blocks -----------------------------------------------------------------------


def _one_hot(y_true: np.ndarray, k: int) -> np.ndarray:
    return (y_true[:, None] == np.arange(k)[None, :]).astype(np.int8)


def _binary_only(fn: MetricFn) -> MetricFn:
    """NaN unless there are exactly two classes."""
    return lambda y, pred, k: fn(y, pred, k) if k == 2 else math.nan


def _labels(sk_fn: Callable[..., float], **kw: object) -> MetricFn:
    """A label metric of scikit-learn with fixed keyword arguments."""
    return lambda y, pred, k: sk_fn(y, pred, **kw)


def _auc(average: str) -> MetricFn:
    def fn(y: np.ndarray, proba: np.ndarray, k: int) -> float:
        if k == 2:
            return skm.roc_auc_score(y, proba[:, 1])
        return skm.roc_auc_score(y, proba, average=average, multi_class="ovr", labels=np.arange(k))

    return fn


def _auc_micro(y: np.ndarray, proba: np.ndarray, k: int) -> float:
    return skm.roc_auc_score(_one_hot(y, k), proba, average="micro")


def _average_precision(average: str) -> MetricFn:
    return lambda y, proba, k: skm.average_precision_score(_one_hot(y, k), proba, average=average)


def _positive_score(sk_fn: Callable[..., float]) -> MetricFn:
    return _binary_only(lambda y, proba, k: sk_fn(y, proba[:, 1]))


def _log_loss(y: np.ndarray, proba: np.ndarray, k: int) -> float:
    return skm.log_loss(y, y_proba=proba, labels=np.arange(k))


def _norm_macro_recall(y: np.ndarray, y_pred: np.ndarray, k: int) -> float:
    chance = 1.0 / k
    recall = skm.recall_score(y, y_pred, average="macro", zero_division=0)
    return (recall - chance) / (1.0 - chance)


def _weighted_accuracy(y: np.ndarray, y_pred: np.ndarray, k: int) -> float:
    share = np.bincount(y, minlength=k) / len(y)
    return skm.accuracy_score(y, y_pred, sample_weight=share[y])


def _target_range(y: np.ndarray) -> float:
    spread = float(np.max(y) - np.min(y))
    return spread if spread > 0 else math.nan


def _normalized(sk_fn: Callable[..., float]) -> MetricFn:
    return lambda y, y_pred, k: sk_fn(y, y_pred) / _target_range(y)


def _rmsle(y: np.ndarray, y_pred: np.ndarray, k: int) -> float:
    if np.min(y) < 0 or np.min(y_pred) < 0:
        return math.nan
    return skm.root_mean_squared_log_error(y, y_pred)


def _normalized_rmsle(y: np.ndarray, y_pred: np.ndarray, k: int) -> float:
    return _rmsle(y, y_pred, k) / _target_range(np.log1p(np.maximum(y, 0)))


def _spearman(y: np.ndarray, y_pred: np.ndarray, k: int) -> float:
    return stats.spearmanr(y, y_pred).statistic


def _averaged(sk_fn: Callable[..., float], prefix: str) -> dict[str, MetricFn]:
    """``prefix_macro/_micro/_weighted/_binary`` of a precision-like scikit-learn function."""
    table: dict[str, MetricFn] = {
        f"{prefix}_{avg}": _labels(sk_fn, average=avg, zero_division=0)
        for avg in ("macro", "micro", "weighted")
    }
    table[f"{prefix}_binary"] = _binary_only(_labels(sk_fn, average="binary", pos_label=1,
                                                     zero_division=0))
    return table


def _table(task: str, specs: dict[str, tuple[bool, bool, MetricFn]]) -> dict[str, Metric]:
    return {mid: Metric(mid, task, gib, fn, proba) for mid, (gib, proba, fn) in specs.items()}


# ---- the table: id -> (greater_is_better, needs_proba, fn) ----------------------------------

_C, _R = CLASSIFICATION, REGRESSION
_MAX, _MIN = True, False
_PROBA, _LABEL = True, False

METRICS: dict[str, Metric] = {
    **_table(_C, {
        "AUC_macro": (_MAX, _PROBA, _auc("macro")),
        "AUC_micro": (_MAX, _PROBA, _auc_micro),
        "AUC_weighted": (_MAX, _PROBA, _auc("weighted")),
        "AUC_binary": (_MAX, _PROBA, _positive_score(skm.roc_auc_score)),
        "accuracy": (_MAX, _LABEL, _labels(skm.accuracy_score)),
        "average_precision_score_macro": (_MAX, _PROBA, _average_precision("macro")),
        "average_precision_score_micro": (_MAX, _PROBA, _average_precision("micro")),
        "average_precision_score_weighted": (_MAX, _PROBA, _average_precision("weighted")),
        "average_precision_score_binary": (
            _MAX, _PROBA, _positive_score(skm.average_precision_score)),
        "balanced_accuracy": (_MAX, _LABEL, _labels(skm.balanced_accuracy_score)),
        **{mid: (_MAX, _LABEL, fn) for mid, fn in _averaged(skm.f1_score, "f1_score").items()},
        "log_loss": (_MIN, _PROBA, _log_loss),
        "norm_macro_recall": (_MAX, _LABEL, _norm_macro_recall),
        "matthews_correlation": (_MAX, _LABEL, _labels(skm.matthews_corrcoef)),
        **{mid: (_MAX, _LABEL, fn)
           for mid, fn in _averaged(skm.precision_score, "precision_score").items()},
        **{mid: (_MAX, _LABEL, fn)
           for mid, fn in _averaged(skm.recall_score, "recall_score").items()},
        "weighted_accuracy": (_MAX, _LABEL, _weighted_accuracy),
    }),
    **_table(_R, {
        "explained_variance": (_MAX, _LABEL, _labels(skm.explained_variance_score)),
        "mean_absolute_error": (_MIN, _LABEL, _labels(skm.mean_absolute_error)),
        "normalized_mean_absolute_error": (_MIN, _LABEL, _normalized(skm.mean_absolute_error)),
        "mean_absolute_percentage_error": (
            _MIN, _LABEL, _labels(skm.mean_absolute_percentage_error)),
        "median_absolute_error": (_MIN, _LABEL, _labels(skm.median_absolute_error)),
        "normalized_median_absolute_error": (
            _MIN, _LABEL, _normalized(skm.median_absolute_error)),
        "r2_score": (_MAX, _LABEL, _labels(skm.r2_score)),
        "root_mean_squared_error": (_MIN, _LABEL, _labels(skm.root_mean_squared_error)),
        "normalized_root_mean_squared_error": (
            _MIN, _LABEL, _normalized(skm.root_mean_squared_error)),
        "root_mean_squared_log_error": (_MIN, _LABEL, _rmsle),
        "normalized_root_mean_squared_log_error": (_MIN, _LABEL, _normalized_rmsle),
        "spearman_correlation": (_MAX, _LABEL, _spearman),
    }),
}

# Failures of scikit-learn/SciPy that mean "not computable on these data", reported as NaN.
_NOT_COMPUTABLE = (ValueError, ZeroDivisionError, FloatingPointError, IndexError)


# ---- public functions ------------------------------------------------------------------------


def _family(task: str) -> str:
    if task not in _TASK_FAMILY:
        raise EngineError(f"Unknown task '{task}'; choose from: {', '.join(_TASK_FAMILY)}.")
    return _TASK_FAMILY[task]


def metrics_for(task: str) -> list[str]:
    """Ids of the metrics that judge this task, in table order."""
    family = _family(task)
    return [mid for mid, metric in METRICS.items() if metric.task == family]


def default_metric(task: str) -> str:
    """The primary metric a run uses when the user picks none."""
    return _DEFAULT[_family(task)]


def get_metric(metric_id: str) -> Metric:
    """The metric with this id; an unknown id is a user error listing the valid ones."""
    if metric_id not in METRICS:
        raise EngineError(f"Unknown metric '{metric_id}'; choose from: {', '.join(METRICS)}.")
    return METRICS[metric_id]


def _prepare(task: str, y_true: np.ndarray, y_pred: np.ndarray | None,
             proba: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None,
                                                np.ndarray | None, int]:
    """Arrays in the dtypes the table expects, argmax labels when only proba is given, and k."""
    if task == REGRESSION:
        y_pred = None if y_pred is None else np.asarray(y_pred, dtype=float)
        return np.asarray(y_true, dtype=float), y_pred, None, 0
    y_true = np.asarray(y_true).astype(np.intp, copy=False)
    proba = None if proba is None else np.asarray(proba, dtype=float)
    if y_pred is None and proba is not None:
        y_pred = np.argmax(proba, axis=1)
    y_pred = None if y_pred is None else np.asarray(y_pred).astype(np.intp, copy=False)
    if proba is not None:
        k = proba.shape[1]
    else:
        k = int(max(y_true.max(initial=0), y_pred.max(initial=0) if y_pred is not None else 0)) + 1
    return y_true, y_pred, proba, max(k, 2)


def _evaluate(metric: Metric, y_true: np.ndarray, pred: np.ndarray | None, k: int) -> float:
    if pred is None or len(y_true) == 0:
        return math.nan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return float(metric.fn(y_true, pred, k))
        except _NOT_COMPUTABLE:
            return math.nan


def score(metric_id: str, y_true: np.ndarray, *, y_pred: np.ndarray | None = None,
          proba: np.ndarray | None = None) -> float:
    """The value of one metric; NaN when the data do not allow it.

    Classification metrics on labels use ``argmax(proba)`` when ``y_pred`` is not given.
    """
    metric = get_metric(metric_id)
    if metric.needs_proba and proba is None:
        raise EngineError(f"The metric '{metric_id}' needs class probabilities; pass proba.")
    if metric.task == REGRESSION and y_pred is None:
        raise EngineError(f"The metric '{metric_id}' needs predictions; pass y_pred.")
    if not metric.needs_proba and y_pred is None and proba is None:
        raise EngineError(f"The metric '{metric_id}' needs predicted labels or probabilities.")
    y_true, y_pred, proba, k = _prepare(metric.task, y_true, y_pred, proba)
    return _evaluate(metric, y_true, proba if metric.needs_proba else y_pred, k)


def compute_metrics(task: str, y_true: np.ndarray, *, y_pred: np.ndarray | None = None,
                    proba: np.ndarray | None = None) -> dict[str, float]:
    """Every metric of the task, keyed by id; metrics whose inputs are missing are NaN."""
    family = _family(task)
    y_true, y_pred, proba, k = _prepare(family, y_true, y_pred, proba)
    return {mid: _evaluate(METRICS[mid], y_true, proba if METRICS[mid].needs_proba else y_pred, k)
            for mid in metrics_for(family)}


def is_better(metric_id: str, a: float, b: float) -> bool:
    """Whether score ``a`` beats score ``b`` on this metric; any number beats NaN."""
    if math.isnan(a):
        return False
    if math.isnan(b):
        return True
    return a > b if get_metric(metric_id).greater_is_better else a < b
