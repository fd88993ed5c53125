"""The model report's numbers: the metrics table, every chart's data for one model on validation
or test rows (cached in the store), the binary decision threshold, and the report's figures.

Validation rows are a model's out-of-fold predictions; test rows exist for models scored on the
test set (the best model at the end of a run, others on demand with :func:`score_on_test`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from engine import charts, figures
from engine.charts import MACRO, MICRO, CurveSet
from engine.errors import EngineError
from engine.fitted import load_model, load_problem, model_row, score_test
from engine.metrics import compute_metrics, get_metric, metrics_for
from engine.store import Store

if TYPE_CHECKING:
    import plotly.graph_objects as go

SPLITS = ("validation", "test")
_CACHE = "report"       # store kind of the cached chart data
_CACHE_VERSION = 2      # bump when the report's data change shape
_KIND = {"validation": "oof", "test": "test"}

# Texts of the report besides those of the figures: pages translate every entry.
REPORT_TEXTS: dict[str, dict[str, str]] = {
    **figures.TEXTS,
    "confusion_normalized": {**figures.TEXTS["confusion"],
                             "title": "Confusion matrix (share of each true class)"},
    "curve": {MICRO: "micro average", MACRO: "macro average"},
    "html": {"lang": "en", "title": "Model report", "run": "Run", "target": "Target",
             "task": "Task", "primary": "Primary metric", "generated": "Generated",
             "metrics": "Metrics", "metric": "Metric", "validation": "Validation",
             "folds": "Folds: mean ± std", "test": "Test", "charts_validation":
             "Charts on validation data", "charts_test": "Charts on test data",
             "threshold": "Decision threshold", "threshold_default":
             "Most probable class (no threshold saved)", "params": "Hyperparameters",
             "compare": "Compared with", "rows": "Rows"},
}

Builder = Callable[[np.ndarray, np.ndarray, Sequence[str]], Any]
_CLASSIFICATION: dict[str, Builder] = {
    "confusion": lambda y, p, c: charts.confusion_frame(y, p.argmax(axis=1), c, normalize=False),
    "confusion_normalized": lambda y, p, c: charts.confusion_frame(y, p.argmax(axis=1), c,
                                                                  normalize=True),
    "roc": charts.roc_curve_data,
    "pr": charts.pr_curve_data,
    "gains": charts.gains_curve_data,
    "lift": charts.lift_curve_data,
    "calibration": charts.calibration_data,
}
_BINARY: dict[str, Builder] = {"threshold": lambda y, p, c: charts.threshold_table(y, p[:, 1])}
_REGRESSION: dict[str, Builder] = {
    "residuals": lambda y, p, c: charts.residuals_data(y, p),
    "predicted_vs_true": lambda y, p, c: charts.predicted_vs_true_data(y, p),
}
# figure key -> (chart data key, drawing function), in the order a report shows them
_FIGURES: dict[str, tuple[str, Callable[..., go.Figure]]] = {
    "confusion": ("confusion", figures.figure_confusion),
    "confusion_normalized": ("confusion_normalized", figures.figure_confusion),
    "roc": ("roc", figures.figure_roc),
    "pr": ("pr", figures.figure_pr),
    "gains": ("gains", figures.figure_gains),
    "lift": ("lift", figures.figure_lift),
    "calibration": ("calibration", figures.figure_calibration),
    "residuals": ("residuals", figures.figure_residuals),
    "predicted_vs_true": ("predicted_vs_true", figures.figure_predicted_vs_true),
    "residuals_vs_predicted": ("predicted_vs_true", figures.figure_residuals_vs_predicted),
}


@dataclass(frozen=True)
class ModelReport:
    """Every chart's data of one model on one split.

    Attributes:
        split: ``validation`` (out-of-fold rows) or ``test``.
        task: ``classification`` or ``regression``.
        classes: class names in encoded order (empty for regression).
        n_rows: rows the charts were computed on.
        charts: chart key (``roc``, ``confusion``, ``residuals``, ...) -> its data.
        fold_metrics: every metric on each cross-validation fold (validation split with more
            than one fold; else empty).
    """

    run_id: str
    model_id: int
    split: str
    task: str
    classes: tuple[str, ...]
    n_rows: int
    charts: dict[str, Any]
    fold_metrics: tuple[dict[str, float], ...] = ()

    @property
    def is_binary(self) -> bool:
        return len(self.classes) == 2


@dataclass(frozen=True)
class ThresholdPoint:
    """A binary model's decisions at one threshold (positive when its probability >= it).

    Attributes:
        confusion: 2 x 2 counts, true classes down, predicted across.
        cost: expected cost per row, ``(cost_fp * FP + cost_fn * FN) / rows``.
    """

    threshold: float
    confusion: pd.DataFrame
    precision: float
    recall: float
    f1: float
    cost: float


# ---- reading a model's predictions -----------------------------------------------------------


def _model_id(store: Store, run_id: str, model_id: int | None) -> int:
    """The model asked for, checked to be finished; the run's best model when None."""
    if model_id is None:
        model_id = store.run_row(run_id)["best_model_id"]
        if model_id is None:
            raise EngineError(f"Run {run_id} has no finished model yet; wait for one.")
    return int(model_row(store, run_id, int(model_id))["model_id"])


def _predictions(store: Store, run_id: str, model_id: int,
                 split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true values, predictions, fold of each row; all -1 on test) of a model on a split, rows
    without predictions left out."""
    if split not in SPLITS:
        raise EngineError(f"Unknown data split '{split}'; choose from: {', '.join(SPLITS)}.")
    y = store.load_array(run_id, _KIND[split], "y")
    out = store.load_array(run_id, _KIND[split], str(model_id))
    if y is None or out is None:
        raise EngineError(f"Model {model_id} has no predictions on the {split} data yet"
                          + ("; score it on the test set first." if split == "test" else "."))
    folds = store.load_array(run_id, "oof", "folds") if split == "validation" else None
    folds = np.full(len(y), -1) if folds is None or len(folds) != len(y) else folds
    finite = np.isfinite(out.reshape(len(out), -1)).all(axis=1)
    return y[finite], out[finite], folds[finite]


def report_splits(run_id: str, model_id: int, *, runs_dir: Path | str) -> tuple[str, ...]:
    """The splits this model has a report on: validation, and test once it was scored there."""
    store = Store(runs_dir)
    model_id = _model_id(store, run_id, model_id)
    scored = store.load_array(run_id, "test", str(model_id)) is not None
    return ("validation", "test") if scored else ("validation",)


def has_test_set(run_id: str, *, runs_dir: Path | str) -> bool:
    """Whether the run holds a test set (its best model was scored on it at the end)."""
    return Store(runs_dir).load_array(run_id, "test", "y") is not None


def score_on_test(run_id: str, model_id: int, *, runs_dir: Path | str) -> dict[str, float]:
    """Score one model on the run's test set (refitting it first if it was not kept)."""
    store = Store(runs_dir)
    model_id = _model_id(store, run_id, model_id)
    if store.load_frame(run_id, "test") is None:
        raise EngineError(f"Run {run_id} has no test set; give a test file or fraction when "
                          "setting up a run.")
    _, model = load_model(store, run_id, model_id)
    return score_test(store, run_id, model_id, model, load_problem(store, run_id))


# ---- metrics and chart data ------------------------------------------------------------------


def _value(value: Any) -> float:
    return float("nan") if value is None else float(value)


def model_metrics_frame(run_id: str, model_id: int | None = None, *,
                        runs_dir: Path | str) -> pd.DataFrame:
    """Every metric of the task for one model, one row each: ``validation`` (on all
    out-of-fold rows, as the charts), ``fold_mean`` and ``fold_std`` (across cross-validation
    folds; NaN for a single split), ``test`` (NaN until scored there), ``greater_is_better`` and
    ``primary``. Metrics NaN everywhere (binary-only metrics of a multiclass task) are left
    out; ``attrs["folds"]`` is the number of folds."""
    store = Store(runs_dir)
    row = model_row(store, run_id, _model_id(store, run_id, model_id))
    run = store.run_row(run_id)
    folds = model_report(run_id, row["model_id"], runs_dir=runs_dir).fold_metrics
    valid, test = row["metrics"] or {}, row["test_metrics"] or {}
    ids = metrics_for(run["task"])

    def across(metric_id: str, summary: Callable[[list[float]], float]) -> float:
        values = [v for v in (_value(f.get(metric_id)) for f in folds) if np.isfinite(v)]
        return float(summary(values)) if values else float("nan")

    frame = pd.DataFrame({
        "metric": ids, "validation": [_value(valid.get(m)) for m in ids],
        "fold_mean": [across(m, np.mean) for m in ids],
        "fold_std": [across(m, np.std) for m in ids], "test": [_value(test.get(m)) for m in ids],
        "greater_is_better": [get_metric(m).greater_is_better for m in ids],
        "primary": [m == run["metric"] for m in ids]})
    frame = frame[frame[["validation", "test"]].notna().any(axis=1)].reset_index(drop=True)
    frame.attrs["folds"] = len(folds)
    return frame


def _fold_metrics(task: str, y: np.ndarray, out: np.ndarray,
                  folds: np.ndarray) -> tuple[dict[str, float], ...]:
    """Every metric on each fold's rows; none for a single split."""
    ids = np.unique(folds[folds >= 0])
    key = "proba" if task == "classification" else "y_pred"
    return tuple(compute_metrics(task, y[folds == k], **{key: out[folds == k]})
                 for k in ids) if len(ids) > 1 else ()


def _compute(store: Store, run_id: str, model_id: int, split: str) -> ModelReport:
    y, out, folds = _predictions(store, run_id, model_id, split)
    classes = tuple(str(c) for c in store.load_json(run_id, "schema")["classes"])
    if classes:
        builders = {**_CLASSIFICATION, **(_BINARY if len(classes) == 2 else {})}
        y = y.astype(np.intp)
    else:
        builders = _REGRESSION
    task = "classification" if classes else "regression"
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # NumPy sorts in parallel
        futures = {key: pool.submit(build, y, out, classes) for key, build in builders.items()}
        folds_future = pool.submit(_fold_metrics, task, y, out, folds)
    return ModelReport(run_id, model_id, split, task, classes, len(y),
                       {key: future.result() for key, future in futures.items()},
                       folds_future.result())


def model_report(run_id: str, model_id: int | None = None, *, runs_dir: Path | str,
                 split: str = "validation") -> ModelReport:
    """Every chart's data of one model on one split: computed from all rows once, then read
    back from the store (a model's predictions never change)."""
    store = Store(runs_dir)
    model_id = _model_id(store, run_id, model_id)
    name = f"{model_id}-{split}-v{_CACHE_VERSION}"
    cached = store.load_object(run_id, _CACHE, name)
    if isinstance(cached, ModelReport):
        return cached
    report = _compute(store, run_id, model_id, split)
    store.save_object(run_id, _CACHE, name, report)
    return report


# ---- the binary decision threshold -----------------------------------------------------------


def _binary_predictions(store: Store, run_id: str, model_id: int) -> tuple[np.ndarray, ...]:
    if len(store.load_json(run_id, "schema")["classes"]) != 2:
        raise EngineError("A decision threshold applies to binary classification only; this "
                          "model predicts the most probable class.")
    y, out, _ = _predictions(store, run_id, model_id, "validation")
    return y.astype(np.intp), out[:, 1]


def _point(classes: Sequence[str], y: np.ndarray, score: np.ndarray, threshold: float,
           cost_fp: float, cost_fn: float) -> ThresholdPoint:
    predicted = (score >= threshold).astype(np.intp)
    matrix = charts.confusion_frame(y, predicted, classes, normalize=False)
    (tn, fp), (fn, tp) = matrix.to_numpy()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return ThresholdPoint(float(threshold), matrix, float(precision), float(recall), float(f1),
                          float((cost_fp * fp + cost_fn * fn) / max(len(y), 1)))


def threshold_point(run_id: str, model_id: int, threshold: float, *, runs_dir: Path | str,
                    cost_fp: float = 1.0, cost_fn: float = 1.0) -> ThresholdPoint:
    """A binary model's validation confusion matrix, precision, recall, F1 and expected cost
    at one threshold."""
    if not 0.0 <= threshold <= 1.0:
        raise EngineError("The threshold must be between 0 and 1.")
    store = Store(runs_dir)
    model_id = _model_id(store, run_id, model_id)
    y, score = _binary_predictions(store, run_id, model_id)
    classes = store.load_json(run_id, "schema")["classes"]
    return _point(classes, y, score, threshold, cost_fp, cost_fn)


def best_threshold(run_id: str, model_id: int, *, cost_fp: float, cost_fn: float,
                   runs_dir: Path | str) -> ThresholdPoint:
    """The validation threshold with the lowest expected cost for these costs of a false
    positive and a false negative."""
    store = Store(runs_dir)
    model_id = _model_id(store, run_id, model_id)
    y, score = _binary_predictions(store, run_id, model_id)
    best = charts.best_cost_threshold(y, score, cost_fp, cost_fn)
    classes = store.load_json(run_id, "schema")["classes"]
    return _point(classes, y, score, best, cost_fp, cost_fn)


def saved_threshold(run_id: str, model_id: int, *, runs_dir: Path | str) -> float | None:
    """The threshold saved with a model, or None (it predicts the most probable class)."""
    store = Store(runs_dir)
    return model_row(store, run_id, _model_id(store, run_id, model_id)).get("threshold")


def save_threshold(run_id: str, model_id: int, threshold: float | None,
                   runs_dir: Path | str) -> None:
    """Save a binary model's decision threshold; predictions (CLI included) then use it.
    None goes back to the most probable class."""
    store = Store(runs_dir)
    model_id = _model_id(store, run_id, model_id)
    if threshold is not None:
        _binary_predictions(store, run_id, model_id)
        if not 0.0 <= threshold <= 1.0:
            raise EngineError("The threshold must be between 0 and 1.")
        threshold = float(threshold)
    store.update_model_row(run_id, model_id, threshold=threshold)


# ---- figures ---------------------------------------------------------------------------------


def _chosen(data: CurveSet, curves: Sequence[str] | None, classes: Sequence[str]) -> CurveSet:
    """The curves asked for that this chart has; without any, every class's curve."""
    if curves is None:  # binary: the positive class; multiclass: every class and averages
        curves = classes[1:] if len(classes) == 2 else (*classes, MICRO, MACRO)
    present = {c.label for c in data.curves}
    picked = [c for c in curves if c in present] or [c for c in classes if c in present]
    return data.select(*picked)


def _name_averages(fig: go.Figure, names: dict[str, str]) -> None:
    """Legend entries of the averaged curves in the reader's words (``micro`` -> a name)."""
    pattern = re.compile(rf"(^|: )({MICRO}|{MACRO})(?= \(|$)")
    fig.for_each_trace(lambda trace: trace.update(name=pattern.sub(
        lambda m: m.group(1) + names.get(m.group(2), m.group(2)), trace.name or "")))


def report_figures(report: ModelReport, *, compare: ModelReport | None = None,
                   labels: dict[str, dict[str, str]] | None = None,
                   curves: Sequence[str] | None = None, names: tuple[str, str] | None = None,
                   threshold: float | None = None) -> dict[str, go.Figure]:
    """The report's figures in display order, keyed like :data:`REPORT_TEXTS`.

    Args:
        compare: a second model's report on the same split, drawn on top.
        labels: overrides of :data:`REPORT_TEXTS` per figure key (translations).
        curves: class names and ``micro``/``macro`` to draw on curve charts (None: the positive
            class for binary, every class and both averages for multiclass).
        names: display names of the model and of the compared one, for the legends.
        threshold: marked on the binary ``threshold`` figure.
    """
    if compare is not None and (compare.task, compare.classes) != (report.task, report.classes):
        raise EngineError("Only models of the same run and data split can be compared.")
    labels = labels or {}
    out = {}
    for key, (data_key, draw) in _FIGURES.items():
        if data_key not in report.charts:
            continue
        text = {**REPORT_TEXTS[key], **labels.get(key, {})}
        if compare is not None and names is not None:
            text.update(model=names[0], compare=names[1])
        data = report.charts[data_key]
        other = None if compare is None else compare.charts[data_key]
        if isinstance(data, CurveSet):
            data = _chosen(data, curves, report.classes)
            other = None if other is None else _chosen(other, curves, report.classes)
        out[key] = draw(data, labels=text, compare=other)
        if isinstance(data, CurveSet):
            _name_averages(out[key], {**REPORT_TEXTS["curve"], **labels.get("curve", {})})
    if "threshold" in report.charts:
        text = {**REPORT_TEXTS["threshold"], **labels.get("threshold", {})}
        other = None if compare is None else compare.charts["threshold"]
        if compare is not None and names is not None:
            text.update(model=names[0], compare=names[1])
        out["threshold"] = figures.figure_threshold(report.charts["threshold"], labels=text,
                                                    compare=other, marker=threshold)
    return out
