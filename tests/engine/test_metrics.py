"""Every metric of the table equals scikit-learn's / SciPy's own value, computed here anew."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from engine.errors import EngineError
from engine.metrics import (
    METRICS,
    compute_metrics,
    default_metric,
    get_metric,
    is_better,
    metrics_for,
    score,
)

CLASSIFICATION_IDS = [
    "AUC_macro", "AUC_micro", "AUC_weighted", "AUC_binary", "accuracy",
    "average_precision_score_macro", "average_precision_score_micro",
    "average_precision_score_weighted", "average_precision_score_binary", "balanced_accuracy",
    "f1_score_macro", "f1_score_micro", "f1_score_weighted", "f1_score_binary", "log_loss",
    "norm_macro_recall", "matthews_correlation", "precision_score_macro", "precision_score_micro",
    "precision_score_weighted", "precision_score_binary", "recall_score_macro",
    "recall_score_micro", "recall_score_weighted", "recall_score_binary", "weighted_accuracy",
]
REGRESSION_IDS = [
    "explained_variance", "mean_absolute_error", "normalized_mean_absolute_error",
    "mean_absolute_percentage_error", "median_absolute_error", "normalized_median_absolute_error",
    "r2_score", "root_mean_squared_error", "normalized_root_mean_squared_error",
    "root_mean_squared_log_error", "normalized_root_mean_squared_log_error",
    "spearman_correlation",
]


# ---- data --------------------------------------------------------------------------------


def _classification(k: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.2
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, proba


@pytest.fixture(scope="module", params=[2, 3], ids=["binary", "multiclass"])
def labelled(request: pytest.FixtureRequest) -> tuple[np.ndarray, np.ndarray]:
    return _classification(request.param, 600, seed=request.param)


@pytest.fixture(scope="module")
def regression() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    y = rng.gamma(2.0, 3.0, 500)
    return y, np.abs(y + rng.normal(0, 1.5, 500))


# ---- references: each computed without the studio's table ----------------------------------

Reference = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


def _per_class(fn: Callable[..., float], y: np.ndarray, proba: np.ndarray,
               weighted: bool) -> float:
    k = proba.shape[1]
    values = [fn(y == c, proba[:, c]) for c in range(k)]
    return float(np.average(values, weights=np.bincount(y, minlength=k) if weighted else None))


def _micro(fn: Callable[..., float], y: np.ndarray, proba: np.ndarray) -> float:
    return fn(np.eye(proba.shape[1])[y].ravel(), proba.ravel())


def _binary(fn: Callable[..., float]) -> Reference:
    return lambda y, p, yp: fn(y, p, yp) if p.shape[1] == 2 else math.nan


def _label_refs(name: str, fn: Callable[..., float]) -> dict[str, Reference]:
    refs: dict[str, Reference] = {
        f"{name}_{avg}": (lambda avg: lambda y, p, yp: fn(y, yp, average=avg))(avg)
        for avg in ("macro", "micro", "weighted")
    }
    refs[f"{name}_binary"] = _binary(lambda y, p, yp: fn(y, yp))
    return refs


def _weighted_accuracy(y: np.ndarray, p: np.ndarray, yp: np.ndarray) -> float:
    share = np.bincount(y) / len(y)
    return float(np.sum(share[y] * (y == yp)) / np.sum(share[y]))


CLASSIFICATION_REFS: dict[str, Reference] = {
    "AUC_macro": lambda y, p, yp: _per_class(skm.roc_auc_score, y, p, weighted=False),
    "AUC_micro": lambda y, p, yp: _micro(skm.roc_auc_score, y, p),
    "AUC_weighted": lambda y, p, yp: _per_class(skm.roc_auc_score, y, p, weighted=True),
    "AUC_binary": _binary(lambda y, p, yp: skm.roc_auc_score(y, p[:, 1])),
    "accuracy": lambda y, p, yp: float(np.mean(y == yp)),
    "average_precision_score_macro": lambda y, p, yp: _per_class(
        skm.average_precision_score, y, p, weighted=False),
    "average_precision_score_micro": lambda y, p, yp: _micro(skm.average_precision_score, y, p),
    "average_precision_score_weighted": lambda y, p, yp: _per_class(
        skm.average_precision_score, y, p, weighted=True),
    "average_precision_score_binary": _binary(
        lambda y, p, yp: skm.average_precision_score(y, p[:, 1])),
    "balanced_accuracy": lambda y, p, yp: skm.balanced_accuracy_score(y, yp),
    **_label_refs("f1_score", skm.f1_score),
    "log_loss": lambda y, p, yp: float(-np.mean(np.log(p[np.arange(len(y)), y]))),
    "norm_macro_recall": lambda y, p, yp: (
        (skm.balanced_accuracy_score(y, yp) - 1 / p.shape[1]) / (1 - 1 / p.shape[1])),
    "matthews_correlation": lambda y, p, yp: skm.matthews_corrcoef(y, yp),
    **_label_refs("precision_score", skm.precision_score),
    **_label_refs("recall_score", skm.recall_score),
    "weighted_accuracy": _weighted_accuracy,
}


def _span(y: np.ndarray) -> float:
    return float(y.max() - y.min())


REGRESSION_REFS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "explained_variance": skm.explained_variance_score,
    "mean_absolute_error": lambda y, yp: float(np.mean(np.abs(y - yp))),
    "normalized_mean_absolute_error": lambda y, yp: float(np.mean(np.abs(y - yp))) / _span(y),
    "mean_absolute_percentage_error": skm.mean_absolute_percentage_error,
    "median_absolute_error": lambda y, yp: float(np.median(np.abs(y - yp))),
    "normalized_median_absolute_error": lambda y, yp: (
        float(np.median(np.abs(y - yp))) / _span(y)),
    "r2_score": skm.r2_score,
    "root_mean_squared_error": lambda y, yp: float(np.sqrt(np.mean((y - yp) ** 2))),
    "normalized_root_mean_squared_error": lambda y, yp: (
        float(np.sqrt(np.mean((y - yp) ** 2))) / _span(y)),
    "root_mean_squared_log_error": lambda y, yp: float(
        np.sqrt(np.mean((np.log1p(y) - np.log1p(yp)) ** 2))),
    "normalized_root_mean_squared_log_error": lambda y, yp: float(
        np.sqrt(np.mean((np.log1p(y) - np.log1p(yp)) ** 2))) / _span(np.log1p(y)),
    "spearman_correlation": lambda y, yp: stats.spearmanr(y, yp).statistic,
}


# ---- the table against the references -----------------------------------------------------


def test_table_holds_exactly_the_reference_ids() -> None:
    assert metrics_for("classification") == CLASSIFICATION_IDS
    assert metrics_for("regression") == REGRESSION_IDS
    assert metrics_for("forecasting") == REGRESSION_IDS
    assert set(METRICS) == set(CLASSIFICATION_REFS) | set(REGRESSION_REFS)


@pytest.mark.parametrize("metric_id", metrics_for("classification"))
def test_classification_metric_equals_reference(
        metric_id: str, labelled: tuple[np.ndarray, np.ndarray]) -> None:
    y, proba = labelled
    y_pred = proba.argmax(axis=1)
    expected = CLASSIFICATION_REFS[metric_id](y, proba, y_pred)
    got = score(metric_id, y, y_pred=y_pred, proba=proba)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert compute_metrics("classification", y, proba=proba)[metric_id] == pytest.approx(
        got, nan_ok=True)


@pytest.mark.parametrize("metric_id", metrics_for("regression"))
def test_regression_metric_equals_reference(
        metric_id: str, regression: tuple[np.ndarray, np.ndarray]) -> None:
    y, y_pred = regression
    expected = REGRESSION_REFS[metric_id](y, y_pred)
    assert score(metric_id, y, y_pred=y_pred) == pytest.approx(expected, rel=1e-9)
    assert compute_metrics("regression", y, y_pred=y_pred)[metric_id] == pytest.approx(expected,
                                                                                      rel=1e-9)


def test_binary_metrics_use_given_thresholded_labels() -> None:
    y, proba = _classification(2, 400, seed=11)
    y_pred = (proba[:, 1] >= 0.3).astype(int)
    got = compute_metrics("classification", y, y_pred=y_pred, proba=proba)
    assert got["f1_score_binary"] == pytest.approx(skm.f1_score(y, y_pred))
    assert got["recall_score_binary"] == pytest.approx(skm.recall_score(y, y_pred))


# ---- NaN, never an error -----------------------------------------------------------------


@pytest.mark.parametrize("metric_id", [m for m in CLASSIFICATION_IDS if m.endswith("_binary")])
def test_binary_metrics_are_nan_for_multiclass(metric_id: str) -> None:
    y, proba = _classification(3, 300, seed=3)
    assert math.isnan(score(metric_id, y, proba=proba))


def test_one_class_in_fold_gives_nan_auc_and_no_error() -> None:
    y, proba = _classification(3, 200, seed=5)
    values = compute_metrics("classification", np.zeros_like(y), proba=proba)
    assert math.isnan(values["AUC_macro"]) and math.isnan(values["AUC_weighted"])
    # micro pools every (row, class) pair, so it stays defined with one class present
    assert values["AUC_micro"] == pytest.approx(_micro(skm.roc_auc_score, np.zeros_like(y), proba))
    assert values["accuracy"] == pytest.approx(np.mean(proba.argmax(axis=1) == 0))


def test_binary_fold_with_one_class_gives_nan_auc() -> None:
    _, proba = _classification(2, 100, seed=6)
    values = compute_metrics("classification", np.ones(100, dtype=int), proba=proba)
    for metric_id in ("AUC_macro", "AUC_weighted", "AUC_binary"):
        assert math.isnan(values[metric_id]), metric_id


def test_class_absent_from_fold_keeps_log_loss() -> None:
    y, proba = _classification(3, 300, seed=9)
    y = np.where(y == 2, 0, y)
    assert score("log_loss", y, proba=proba) == pytest.approx(
        skm.log_loss(y, y_proba=proba, labels=[0, 1, 2]))
    assert math.isnan(score("AUC_macro", y, proba=proba))


@pytest.mark.parametrize(("metric_id", "y_true", "y_pred"), [
    ("root_mean_squared_log_error", [1.0, 2.0, -0.5], [1.0, 2.0, 3.0]),
    ("root_mean_squared_log_error", [1.0, 2.0, 3.0], [1.0, -2.0, 3.0]),
    ("normalized_root_mean_squared_log_error", [1.0, 2.0, -0.5], [1.0, 2.0, 3.0]),
    ("normalized_root_mean_squared_error", [2.0, 2.0, 2.0], [1.0, 2.0, 3.0]),
    ("normalized_mean_absolute_error", [2.0, 2.0, 2.0], [1.0, 2.0, 3.0]),
    ("spearman_correlation", [1.0, 2.0, 3.0], [5.0, 5.0, 5.0]),
    ("r2_score", [1.0], [2.0]),
    ("mean_absolute_error", [], []),
])
def test_regression_nan_cases(metric_id: str, y_true: list[float], y_pred: list[float]) -> None:
    assert math.isnan(score(metric_id, np.array(y_true), y_pred=np.array(y_pred)))


def test_compute_metrics_without_proba_leaves_proba_metrics_nan() -> None:
    y, proba = _classification(2, 200, seed=1)
    values = compute_metrics("classification", y, y_pred=proba.argmax(axis=1))
    assert math.isnan(values["AUC_weighted"]) and math.isnan(values["log_loss"])
    assert values["accuracy"] == pytest.approx(np.mean(proba.argmax(axis=1) == y))


# ---- lookups and errors ------------------------------------------------------------------


@pytest.mark.parametrize(("call", "match"), [
    (lambda: get_metric("auc"), r"Unknown metric 'auc'; choose from: .*AUC_weighted"),
    (lambda: score("nope", np.array([0, 1]), y_pred=np.array([0, 1])), "Unknown metric 'nope'"),
    (lambda: metrics_for("clustering"), "Unknown task 'clustering'"),
    (lambda: score("AUC_weighted", np.array([0, 1]), y_pred=np.array([0, 1])), "probabilities"),
    (lambda: score("r2_score", np.array([0.0, 1.0])), "predictions"),
])
def test_user_errors(call: Callable[[], object], match: str) -> None:
    with pytest.raises(EngineError, match=match):
        call()


def test_defaults_and_directions() -> None:
    assert default_metric("classification") == "AUC_weighted"
    assert default_metric("regression") == "normalized_root_mean_squared_error"
    assert get_metric("log_loss").needs_proba and not get_metric("log_loss").greater_is_better
    assert not get_metric("accuracy").needs_proba


@pytest.mark.parametrize(("metric_id", "a", "b", "better"), [
    ("accuracy", 0.9, 0.8, True),
    ("accuracy", 0.8, 0.9, False),
    ("accuracy", 0.8, 0.8, False),
    ("log_loss", 0.2, 0.3, True),
    ("root_mean_squared_error", 3.0, 1.0, False),
    ("AUC_weighted", 0.5, math.nan, True),
    ("AUC_weighted", math.nan, 0.5, False),
])
def test_is_better(metric_id: str, a: float, b: float, better: bool) -> None:
    assert is_better(metric_id, a, b) is better
