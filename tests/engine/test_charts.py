"""Curve numbers equal scikit-learn's on the same predictions; figures draw those numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from engine import charts, figures
from engine.charts import MACRO, MAX_POINTS, MICRO
from engine.errors import EngineError


def _predictions(k: int, n: int, seed: int, decimals: int | None = None) -> tuple[np.ndarray,
                                                                                  np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.0
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    if decimals is not None:  # many tied scores
        proba = np.round(proba, decimals)
    return y, proba


CASES = {
    "binary": (2, 400, None),
    "binary_ties": (2, 400, 1),
    "multiclass": (3, 500, None),
    "multiclass_ties": (3, 500, 2),
}


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request: pytest.FixtureRequest) -> tuple[np.ndarray, np.ndarray, list[str]]:
    k, n, decimals = CASES[request.param]
    y, proba = _predictions(k, n, seed=k + n, decimals=decimals)
    return y, proba, [f"class {c}" for c in range(k)]


def _one_hot(y: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k, dtype=int)[y]


# ---- ROC ---------------------------------------------------------------------------------


def test_roc_equals_sklearn(case: tuple[np.ndarray, np.ndarray, list[str]]) -> None:
    y, proba, classes = case
    k = len(classes)
    roc = charts.roc_curve_data(y, proba, classes)
    assert [c.label for c in roc.curves] == [*classes, MICRO, MACRO]
    full = []
    for c, name in enumerate(classes):
        fpr, tpr, thr = skm.roc_curve(y == c, proba[:, c], drop_intermediate=False)
        full.append((fpr, tpr))
        got = roc.get(name)
        np.testing.assert_allclose(got.x, fpr)
        np.testing.assert_allclose(got.y, tpr)
        np.testing.assert_array_equal(got.threshold, thr)
        assert got.area == pytest.approx(skm.roc_auc_score(y == c, proba[:, c]))
    fpr, tpr, _ = skm.roc_curve(_one_hot(y, k).ravel(), proba.ravel(), drop_intermediate=False)
    np.testing.assert_allclose(roc.get(MICRO).x, fpr)
    np.testing.assert_allclose(roc.get(MICRO).y, tpr)
    assert roc.get(MICRO).area == pytest.approx(
        skm.roc_auc_score(_one_hot(y, k), proba, average="micro"))
    macro = roc.get(MACRO)
    # rounded (tied) scores no longer sum to 1, which multi_class="ovr" refuses: average by hand
    assert macro.area == pytest.approx(
        np.mean([skm.roc_auc_score(y == c, proba[:, c]) for c in range(k)]))
    if np.allclose(proba.sum(axis=1), 1):
        assert macro.area == pytest.approx(skm.roc_auc_score(
            y, proba[:, 1] if k == 2 else proba, multi_class="ovr", average="macro"))
    np.testing.assert_allclose(macro.y, np.mean([np.interp(macro.x, f, t) for f, t in full], 0))


def _assert_exact_subset(x: np.ndarray, y: np.ndarray, thr: np.ndarray, ref_x: np.ndarray,
                         ref_y: np.ndarray, ref_thr: np.ndarray) -> None:
    """Every drawn point is a point of the full reference curve, found by its threshold."""
    order = np.argsort(ref_thr)
    at = order[np.searchsorted(ref_thr[order], thr)]
    np.testing.assert_array_equal(ref_thr[at], thr)
    np.testing.assert_allclose(x, ref_x[at])
    np.testing.assert_allclose(y, ref_y[at])


def test_large_curves_are_thinned_to_exact_points_with_full_data_areas() -> None:
    y, proba = _predictions(2, 60_000, seed=1)
    roc = charts.roc_curve_data(y, proba, ["no", "yes"]).get("yes")
    fpr, tpr, thr = skm.roc_curve(y, proba[:, 1], drop_intermediate=False)
    assert len(fpr) > 10 * MAX_POINTS >= len(roc.x) > MAX_POINTS // 2
    assert (roc.x[0], roc.y[0], roc.x[-1], roc.y[-1]) == (0, 0, 1, 1)
    _assert_exact_subset(roc.x, roc.y, roc.threshold, fpr, tpr, thr)
    assert roc.area == pytest.approx(skm.roc_auc_score(y, proba[:, 1]), rel=1e-12)

    pr = charts.pr_curve_data(y, proba, ["no", "yes"]).get("yes")
    precision, recall, thr = skm.precision_recall_curve(y, proba[:, 1])
    assert len(pr.x) <= MAX_POINTS
    inner = np.isfinite(pr.threshold)  # the closing (recall 0, precision 1) point has no cut
    _assert_exact_subset(pr.x[inner], pr.y[inner], pr.threshold[inner], recall[:-1],
                         precision[:-1], thr)
    assert pr.area == pytest.approx(skm.average_precision_score(y, proba[:, 1]), rel=1e-12)


# ---- precision-recall --------------------------------------------------------------------


def test_pr_equals_sklearn(case: tuple[np.ndarray, np.ndarray, list[str]]) -> None:
    y, proba, classes = case
    k = len(classes)
    pr = charts.pr_curve_data(y, proba, classes)
    for c, name in enumerate(classes):
        precision, recall, thr = skm.precision_recall_curve(y == c, proba[:, c])
        got = pr.get(name)
        np.testing.assert_allclose(got.x, recall)
        np.testing.assert_allclose(got.y, precision)
        np.testing.assert_array_equal(got.threshold[:-1], thr)
        assert got.area == pytest.approx(skm.average_precision_score(y == c, proba[:, c]))
        assert got.baseline == pytest.approx(np.mean(y == c))
    precision, recall, _ = skm.precision_recall_curve(_one_hot(y, k).ravel(), proba.ravel())
    np.testing.assert_allclose(pr.get(MICRO).x, recall)
    np.testing.assert_allclose(pr.get(MICRO).y, precision)
    for average in (MICRO, MACRO):
        assert pr.get(average).area == pytest.approx(
            skm.average_precision_score(_one_hot(y, k), proba, average=average))


# ---- gains and lift: hand-computed -------------------------------------------------------

HAND_Y = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
HAND_P = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
HAND_PROBA = np.c_[1 - HAND_P, HAND_P]


def test_gains_and_lift_hand_example() -> None:
    gains = charts.gains_curve_data(HAND_Y, HAND_PROBA, ["no", "yes"]).get("yes")
    np.testing.assert_allclose(gains.x, np.linspace(0, 1, 11))
    np.testing.assert_allclose(gains.y, [0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3, 1, 1, 1, 1, 1])
    assert gains.baseline == pytest.approx(0.3)
    lift = charts.lift_curve_data(HAND_Y, HAND_PROBA, ["no", "yes"]).get("yes")
    np.testing.assert_allclose(lift.x, np.linspace(0.1, 1, 10))
    np.testing.assert_allclose(lift.y, [10 / 3, 5 / 3, 20 / 9, 5 / 3, 4 / 3, 10 / 9 * 1.5,
                                        10 / 7, 1.25, 10 / 9, 1.0])
    # class "no" ranks the rows in the opposite order: its 7 rows are found 7 of the last 7
    no = charts.gains_curve_data(HAND_Y, HAND_PROBA, ["no", "yes"]).get("no")
    np.testing.assert_allclose(no.y[:5], [0, 1 / 7, 2 / 7, 3 / 7, 4 / 7])


def test_gains_with_tied_scores_step_over_the_tie() -> None:
    y, score = np.array([1, 0, 1, 0]), np.array([0.8, 0.8, 0.3, 0.3])
    gains = charts.gains_curve_data(y, np.c_[1 - score, score], ["no", "yes"]).get("yes")
    np.testing.assert_allclose(gains.x, [0, 0.5, 1])
    np.testing.assert_allclose(gains.y, [0, 0.5, 1])


# ---- calibration ---------------------------------------------------------------------------


def test_calibration_equals_sklearn(case: tuple[np.ndarray, np.ndarray, list[str]]) -> None:
    y, proba, classes = case
    cal = charts.calibration_data(y, proba, classes, n_bins=10)
    edges = np.linspace(0, 1, 11)
    bins = np.searchsorted(edges[1:-1], proba, side="left")
    share_pred = np.full((10, len(classes)), np.nan)
    share_true = np.full((10, len(classes)), np.nan)
    for c, name in enumerate(classes):
        prob_true, prob_pred = calibration_curve(y == c, proba[:, c], n_bins=10)
        got = cal.get(name)
        np.testing.assert_allclose(got.x, prob_pred)
        np.testing.assert_allclose(got.y, prob_true)
        assert got.count.sum() == len(y)
        for b in range(10):
            rows = bins[:, c] == b
            if rows.any():
                share_pred[b, c], share_true[b, c] = proba[rows, c].mean(), np.mean(y[rows] == c)
    keep = ~np.all(np.isnan(share_pred), axis=1)
    np.testing.assert_allclose(cal.get(MACRO).x, np.nanmean(share_pred[keep], axis=1))
    np.testing.assert_allclose(cal.get(MACRO).y, np.nanmean(share_true[keep], axis=1))
    assert cal.get(MACRO).count.sum() == len(y) * len(classes)


# ---- confusion -----------------------------------------------------------------------------


def test_confusion_frame() -> None:
    y, proba = _predictions(3, 300, seed=4)
    y_pred = proba.argmax(axis=1)
    classes = ["cat", "dog", "bird"]
    counts = charts.confusion_frame(y, y_pred, classes, normalize=False)
    np.testing.assert_array_equal(counts.to_numpy(), skm.confusion_matrix(y, y_pred))
    assert list(counts.index) == classes and list(counts.columns) == classes
    assert (counts.index.name, counts.columns.name) == ("true", "predicted")
    shares = charts.confusion_frame(y, y_pred, classes, normalize=True)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    np.testing.assert_allclose(shares.to_numpy(),
                               counts.to_numpy() / counts.to_numpy().sum(axis=1, keepdims=True))


# ---- threshold tool ------------------------------------------------------------------------


def test_threshold_table_matches_sklearn_at_each_threshold() -> None:
    y, proba = _predictions(2, 500, seed=8, decimals=2)
    table = charts.threshold_table(y, proba[:, 1])
    assert len(table) == 101 and table["threshold"].iloc[[0, -1]].tolist() == [0.0, 1.0]
    for _, row in table.iloc[::5].iterrows():
        y_pred = (proba[:, 1] >= row["threshold"]).astype(int)
        tn, fp, fn, tp = skm.confusion_matrix(y, y_pred, labels=[0, 1]).ravel()
        assert (row["tp"], row["fp"], row["tn"], row["fn"]) == (tp, fp, tn, fn)
        assert row["precision"] == pytest.approx(skm.precision_score(y, y_pred, zero_division=0))
        assert row["recall"] == pytest.approx(skm.recall_score(y, y_pred, zero_division=0))
        assert row["f1"] == pytest.approx(skm.f1_score(y, y_pred, zero_division=0))


def test_best_cost_threshold_known_answer() -> None:
    y, score = np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])
    # cut 0.8: FN 1 -> 5; 0.4: FP 1 + FN 1 -> 6; 0.35: FP 1 -> 1; 0.1: FP 2 -> 2
    assert charts.best_cost_threshold(y, score, cost_fp=1, cost_fn=5) == 0.35
    # false positives dear: only the top score is called positive
    assert charts.best_cost_threshold(y, score, cost_fp=10, cost_fn=1) == 0.8


def test_best_cost_threshold_is_the_brute_force_minimum() -> None:
    y, proba = _predictions(2, 300, seed=12, decimals=2)
    score = proba[:, 1]
    best = charts.best_cost_threshold(y, score, cost_fp=1.0, cost_fn=4.0)

    def cost(t: float) -> float:
        called = score >= t
        return 1.0 * np.sum(called & (y == 0)) + 4.0 * np.sum(~called & (y == 1))

    assert best in set(score)
    assert cost(best) == min(cost(t) for t in np.unique(score))


def test_negative_cost_is_a_user_error() -> None:
    with pytest.raises(EngineError, match="zero or more"):
        charts.best_cost_threshold(np.array([0, 1]), np.array([0.2, 0.7]), -1, 1)


# ---- regression ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regression() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    y = rng.normal(10, 3, 5000)
    return y, y + rng.normal(0, 1, 5000)


def test_residuals_histogram(regression: tuple[np.ndarray, np.ndarray]) -> None:
    y, y_pred = regression
    hist = charts.residuals_data(y, y_pred)
    counts, _ = np.histogram(y_pred - y, bins=hist.edges)
    np.testing.assert_array_equal(hist.counts, counts)
    assert hist.counts.sum() == len(y) and len(hist.counts) <= 100
    assert hist.mean == pytest.approx(np.mean(y_pred - y))


def test_predicted_vs_true_small_keeps_rows() -> None:
    y, y_pred = np.array([1.0, 2.0, 3.0]), np.array([1.5, 1.5, 3.5])
    data = charts.predicted_vs_true_data(y, y_pred)
    assert data.bins is None and data.n_rows == 3
    np.testing.assert_array_equal(data.true, y)
    np.testing.assert_array_equal(data.predicted, y_pred)


def test_predicted_vs_true_large_bins_percentiles(regression: tuple[np.ndarray, np.ndarray]
                                                  ) -> None:
    y, y_pred = regression
    data = charts.predicted_vs_true_data(y, y_pred, max_points=1000, n_bins=20)
    assert len(data.true) == 1000 and data.n_rows == len(y)
    assert set(zip(data.true, data.predicted)) <= set(zip(y, y_pred))
    bins = data.bins
    assert bins["count"].sum() == len(y)
    row = bins.iloc[len(bins) // 2]
    inside = (y >= row["true_low"]) & (y < row["true_high"])
    np.testing.assert_allclose(row[["p5", "p25", "p50", "p75", "p95"]].to_numpy(dtype=float),
                               np.percentile(y_pred[inside], [5, 25, 50, 75, 95]))
    assert row["true_mean"] == pytest.approx(y[inside].mean())


# ---- figures: traces carry the curve numbers -----------------------------------------------

CURVE_FIGURES = [
    (charts.roc_curve_data, figures.figure_roc),
    (charts.pr_curve_data, figures.figure_pr),
    (charts.gains_curve_data, figures.figure_gains),
    (charts.lift_curve_data, figures.figure_lift),
    (charts.calibration_data, figures.figure_calibration),
]


@pytest.mark.parametrize(("compute", "draw"), CURVE_FIGURES,
                         ids=[d.__name__ for _, d in CURVE_FIGURES])
def test_curve_figures_draw_the_curve_numbers(compute: Callable[..., charts.CurveSet],
                                               draw: Callable[..., Any]) -> None:
    y, proba = _predictions(3, 400, seed=2)
    classes = ["a", "b", "c"]
    data = compute(y, proba, classes)
    fig = draw(data, labels={"x": "横軸", "y": "縦軸"})
    assert fig.layout.xaxis.title.text == "横軸" and fig.layout.yaxis.title.text == "縦軸"
    for trace, curve in zip(fig.data, data.curves, strict=False):
        np.testing.assert_array_equal(trace.x, curve.x)
        np.testing.assert_array_equal(trace.y, curve.y)
        assert curve.label in trace.name
    other = compute(*_predictions(3, 400, seed=5), classes)
    both = draw(data, compare=other, labels={"compare": "model B"})
    drawn = both.data[len(data.curves):2 * len(data.curves)]
    for trace, curve in zip(drawn, other.curves, strict=True):
        np.testing.assert_array_equal(trace.y, curve.y)
        assert trace.name.startswith("model B: ") and trace.line.dash == "dash"


def test_roc_legend_carries_auc() -> None:
    y, proba = _predictions(2, 300, seed=6)
    roc = charts.roc_curve_data(y, proba, ["no", "yes"])
    fig = figures.figure_roc(roc.select("yes"))
    assert fig.data[0].name == f"yes (AUC {roc.get('yes').area:.3f})"


def test_figure_confusion_cells_and_readable_labels() -> None:
    y, proba = _predictions(3, 300, seed=4)
    classes = ["a very long class name indeed", "0", "1"]
    frame = charts.confusion_frame(y, proba.argmax(axis=1), classes, normalize=True)
    fig = figures.figure_confusion(frame)
    heat = fig.data[0]
    np.testing.assert_array_equal(heat.z, frame.to_numpy())
    assert list(heat.x) == classes and list(heat.y) == classes
    assert fig.layout.xaxis.type == "category"
    assert fig.layout.xaxis.ticktext[0].endswith("…") and len(fig.layout.xaxis.ticktext[0]) <= 18
    assert heat.texttemplate == "%{z:.1%}"
    counts = charts.confusion_frame(y, proba.argmax(axis=1), classes, normalize=False)
    pair = figures.figure_confusion(counts, compare=counts)
    assert len(pair.data) == 2 and pair.data[0].texttemplate == "%{z:,}"


def test_regression_figures(regression: tuple[np.ndarray, np.ndarray]) -> None:
    y, y_pred = regression
    hist = charts.residuals_data(y, y_pred)
    bars = figures.figure_residuals(hist, compare=hist).data
    np.testing.assert_array_equal(bars[0].y, hist.counts)
    np.testing.assert_allclose(bars[0].x, (hist.edges[:-1] + hist.edges[1:]) / 2)
    assert len(bars) == 2

    small = charts.predicted_vs_true_data(y[:500], y_pred[:500])
    fig = figures.figure_predicted_vs_true(small)
    np.testing.assert_array_equal(fig.data[0].x, small.true)
    np.testing.assert_array_equal(fig.data[0].y, small.predicted)
    ideal = fig.data[-1]
    assert list(ideal.x) == list(ideal.y)  # the y = x line

    large = charts.predicted_vs_true_data(y, y_pred, max_points=1000)
    median = [t for t in figures.figure_predicted_vs_true(large).data
              if t.name == "Median prediction"][0]
    np.testing.assert_array_equal(median.y, large.bins["p50"])

    scatter = figures.figure_residuals_vs_predicted(small).data[0]
    np.testing.assert_allclose(scatter.y, small.predicted - small.true)
    np.testing.assert_array_equal(scatter.x, small.predicted)


def test_figure_threshold() -> None:
    y, proba = _predictions(2, 300, seed=9)
    table = charts.threshold_table(y, proba[:, 1])
    fig = figures.figure_threshold(table, marker=0.4, labels={"f1": "F1スコア"})
    assert [t.name for t in fig.data] == ["Precision", "Recall", "F1スコア"]
    for trace, column in zip(fig.data, ("precision", "recall", "f1"), strict=True):
        np.testing.assert_array_equal(trace.y, table[column])
        np.testing.assert_array_equal(trace.x, table["threshold"])
    assert fig.layout.shapes[0].x0 == 0.4


def test_wrong_proba_shape_is_a_user_error() -> None:
    with pytest.raises(EngineError, match="one column per class"):
        charts.roc_curve_data(np.array([0, 1]), np.array([[0.2, 0.8], [0.4, 0.6]]), ["a"])


def test_select_unknown_curve_lists_names() -> None:
    roc = charts.roc_curve_data(HAND_Y, HAND_PROBA, ["no", "yes"])
    with pytest.raises(EngineError, match="choose from: no, yes, micro, macro"):
        roc.select("maybe")
    assert isinstance(roc.select("yes").curves[0].x, np.ndarray)
    assert isinstance(charts.threshold_table(HAND_Y, HAND_P), pd.DataFrame)
