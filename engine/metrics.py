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
from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True)
class Inputs:
    """The arrays one evaluation reads, and scikit-learn results that several metrics share.

    Attributes:
        y_true: encoded labels (classification) or true values (regression).
        y_pred: predicted labels or values (``argmax(proba)`` when only probabilities were
            given), or None.
        proba: class probabilities ``(n, k)``, or None.
        k: number of classes (0 for regression).
    """

    y_true: np.ndarray
    y_pred: np.ndarray | None
    proba: np.ndarray | None
    k: int
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, run once per evaluation however many metrics ask for ``key``."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


MetricFn = Callable[[Inputs], float]


@dataclass(frozen=True)
class Metric:
    """One metric of the table.

    Attributes:
        id: the reference platform's name, e.g. ``AUC_weighted``.
        task: ``classification`` or ``regression``.
        greater_is_better: whether a higher value is a better model.
        fn: computes the value from the :class:`Inputs` of one evaluation.
        needs_proba: the metric reads ``proba`` (else ``y_pred``).
    """

    id: str
    task: str
    greater_is_better: bool
    fn: MetricFn
    needs_proba: bool


# ---- building blocks -----------------------------------------------------------------------


def _one_hot(i: Inputs) -> np.ndarray:
    return i.once("one_hot", lambda: (i.y_true[:, None] == np.arange(i.k)).astype(np.int8))


def _binary_only(fn: MetricFn) -> MetricFn:
    """NaN unless there are exactly two classes."""
    return lambda i: fn(i) if i.k == 2 else math.nan


def _on_labels(sk_fn: Callable[..., float], **kw: object) -> MetricFn:
    """A scikit-learn metric of (y_true, y_pred) with fixed keyword arguments."""
    return lambda i: sk_fn(i.y_true, i.y_pred, **kw)


def _prf(average: str, part: int) -> MetricFn:
    """Precision (0), recall (1) or F1 (2) from one shared precision_recall_fscore_support."""
    def fn(i: Inputs) -> float:
        return i.once(f"prf_{average}", lambda: skm.precision_recall_fscore_support(
            i.y_true, i.y_pred, average=average, pos_label=1, zero_division=0))[part]

    return _binary_only(fn) if average == "binary" else fn


def _positive_auc(i: Inputs) -> float:
    return i.once("auc_binary", lambda: skm.roc_auc_score(i.y_true, i.proba[:, 1]))


def _auc(average: str) -> MetricFn:
    def fn(i: Inputs) -> float:
        if i.k == 2:  # both one-vs-rest AUCs equal the positive class's
            return _positive_auc(i)
        return skm.roc_auc_score(i.y_true, i.proba, average=average, multi_class="ovr",
                                 labels=np.arange(i.k))

    return fn


def _auc_micro(i: Inputs) -> float:
    return skm.roc_auc_score(_one_hot(i), i.proba, average="micro")


def _average_precision(average: str) -> MetricFn:
    return lambda i: skm.average_precision_score(_one_hot(i), i.proba, average=average)


def _positive_average_precision(i: Inputs) -> float:
    return skm.average_precision_score(i.y_true, i.proba[:, 1])


def _log_loss(i: Inputs) -> float:
    return skm.log_loss(i.y_true, y_proba=i.proba, labels=np.arange(i.k))


def _norm_macro_recall(i: Inputs) -> float:
    chance = 1.0 / i.k
    return (_prf("macro", 1)(i) - chance) / (1.0 - chance)


def _weighted_accuracy(i: Inputs) -> float:
    share = np.bincount(i.y_true, minlength=i.k) / len(i.y_true)
    return skm.accuracy_score(i.y_true, i.y_pred, sample_weight=share[i.y_true])


def _target_range(y: np.ndarray) -> float:
    spread = float(np.max(y) - np.min(y))
    return spread if spread > 0 else math.nan


def _normalized(sk_fn: Callable[..., float]) -> MetricFn:
    return lambda i: sk_fn(i.y_true, i.y_pred) / _target_range(i.y_true)


def _rmsle(i: Inputs) -> float:
    if np.min(i.y_true) < 0 or np.min(i.y_pred) < 0:
        return math.nan
    return skm.root_mean_squared_log_error(i.y_true, i.y_pred)


def _normalized_rmsle(i: Inputs) -> float:
    return _rmsle(i) / _target_range(np.log1p(np.maximum(i.y_true, 0)))


def _spearman(i: Inputs) -> float:
    return stats.spearmanr(i.y_true, i.y_pred).statistic


def _averaged(prefix: str, part: int) -> dict[str, MetricFn]:
    """``prefix_macro/_micro/_weighted/_binary`` of precision (0), recall (1) or F1 (2)."""
    return {f"{prefix}_{avg}": _prf(avg, part) for avg in ("macro", "micro", "weighted", "binary")}


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
        "AUC_binary": (_MAX, _PROBA, _binary_only(_positive_auc)),
        "accuracy": (_MAX, _LABEL, _on_labels(skm.accuracy_score)),
        "average_precision_score_macro": (_MAX, _PROBA, _average_precision("macro")),
        "average_precision_score_micro": (_MAX, _PROBA, _average_precision("micro")),
        "average_precision_score_weighted": (_MAX, _PROBA, _average_precision("weighted")),
        "average_precision_score_binary": (
            _MAX, _PROBA, _binary_only(_positive_average_precision)),
        "balanced_accuracy": (_MAX, _LABEL, _on_labels(skm.balanced_accuracy_score)),
        **{mid: (_MAX, _LABEL, fn) for mid, fn in _averaged("f1_score", 2).items()},
        "log_loss": (_MIN, _PROBA, _log_loss),
        "norm_macro_recall": (_MAX, _LABEL, _norm_macro_recall),
        "matthews_correlation": (_MAX, _LABEL, _on_labels(skm.matthews_corrcoef)),
        **{mid: (_MAX, _LABEL, fn) for mid, fn in _averaged("precision_score", 0).items()},
        **{mid: (_MAX, _LABEL, fn) for mid, fn in _averaged("recall_score", 1).items()},
        "weighted_accuracy": (_MAX, _LABEL, _weighted_accuracy),
    }),
    **_table(_R, {
        "explained_variance": (_MAX, _LABEL, _on_labels(skm.explained_variance_score)),
        "mean_absolute_error": (_MIN, _LABEL, _on_labels(skm.mean_absolute_error)),
        "normalized_mean_absolute_error": (_MIN, _LABEL, _normalized(skm.mean_absolute_error)),
        "mean_absolute_percentage_error": (
            _MIN, _LABEL, _on_labels(skm.mean_absolute_percentage_error)),
        "median_absolute_error": (_MIN, _LABEL, _on_labels(skm.median_absolute_error)),
        "normalized_median_absolute_error": (
            _MIN, _LABEL, _normalized(skm.median_absolute_error)),
        "r2_score": (_MAX, _LABEL, _on_labels(skm.r2_score)),
        "root_mean_squared_error": (_MIN, _LABEL, _on_labels(skm.root_mean_squared_error)),
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


def _inputs(family: str, y_true: np.ndarray, y_pred: np.ndarray | None,
            proba: np.ndarray | None) -> Inputs:
    """Arrays in the dtypes the table expects, argmax labels when only proba is given, and k."""
    if family == REGRESSION:
        return Inputs(np.asarray(y_true, dtype=float),
                      None if y_pred is None else np.asarray(y_pred, dtype=float), None, 0)
    y_true = np.asarray(y_true).astype(np.intp, copy=False)
    proba = None if proba is None else np.asarray(proba, dtype=float)
    if y_pred is None and proba is not None:
        y_pred = np.argmax(proba, axis=1)
    y_pred = None if y_pred is None else np.asarray(y_pred).astype(np.intp, copy=False)
    if proba is not None:
        k = proba.shape[1]
    else:  # labels only: the highest label seen tells the number of classes
        k = 1 + int(max(y_true.max(initial=0), 0 if y_pred is None else y_pred.max(initial=0)))
    return Inputs(y_true, y_pred, proba, max(k, 2))


def _evaluate(metric: Metric, inputs: Inputs) -> float:
    if (inputs.proba if metric.needs_proba else inputs.y_pred) is None or not len(inputs.y_true):
        return math.nan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return float(metric.fn(inputs))
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
    if y_pred is None and proba is None:
        raise EngineError(f"The metric '{metric_id}' needs predicted labels or probabilities.")
    return _evaluate(metric, _inputs(metric.task, y_true, y_pred, proba))


def compute_metrics(task: str, y_true: np.ndarray, *, y_pred: np.ndarray | None = None,
                    proba: np.ndarray | None = None) -> dict[str, float]:
    """Every metric of the task, keyed by id; metrics whose inputs are missing are NaN.

    Metrics that share a scikit-learn computation (precision, recall and F1 of one average;
    the binary AUCs) get it computed once.
    """
    family = _family(task)
    inputs = _inputs(family, y_true, y_pred, proba)
    return {mid: _evaluate(METRICS[mid], inputs) for mid in metrics_for(family)}


def is_better(metric_id: str, a: float, b: float) -> bool:
    """Whether score ``a`` beats score ``b`` on this metric; any number beats NaN."""
    if math.isnan(a):
        return False
    if math.isnan(b):
        return True
    return a > b if get_metric(metric_id).greater_is_better else a < b
