"""The model report: metrics with their spread, chart data from the stored predictions (equal to
scikit-learn's), the cache, the threshold and cost tool, figures, the HTML file and the CLI."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from engine import (
    EngineError,
    best_threshold,
    has_test_set,
    model_metrics_frame,
    model_report,
    predict_frame,
    report_figures,
    report_html,
    report_splits,
    save_threshold,
    saved_threshold,
    score_on_test,
    threshold_point,
)
from engine.cli import main
from engine.metrics import compute_metrics
from engine.store import Store
from tests.conftest import run_to_end

# ---- a run written straight into a store, for answers known by hand ---------------------------


def fake_run(root: Path, y: np.ndarray, out: np.ndarray, classes: list[str],
             folds: np.ndarray | None = None) -> str:
    """A finished run with one model (id 0) whose out-of-fold predictions are ``out``, stored
    as a run stores them: every metric on all rows, the primary one per fold."""
    store = Store(root)
    task = "classification" if classes else "regression"
    metric = "AUC_weighted" if classes else "r2_score"
    folds = np.zeros(len(y), dtype=int) if folds is None else folds
    key = "proba" if classes else "y_pred"
    store.insert_run(run_id="fake", created_at=time.time(), status="completed", task=task,
                     target="t", metric=metric, settings={"target": "t", "task": task},
                     best_model_id=0)
    store.save_json("fake", "schema", {"target": "t", "task": task, "roles": {},
                                       "classes": classes})
    metrics = compute_metrics(task, y, **{key: out})
    per_fold = [compute_metrics(task, y[folds == k], **{key: out[folds == k]})[metric]
                for k in np.unique(folds)]
    store.save_model_row("fake", 0, family="lightgbm", kind="single", status="completed",
                         params={}, score=metrics[metric], metrics=metrics,
                         fold_metrics=[{metric: v} for v in per_fold])
    store.save_array("fake", "oof", "y", y)
    store.save_array("fake", "oof", "folds", folds)
    store.save_array("fake", "oof", "0", out)
    return "fake"


@pytest.fixture
def small_binary(tmp_path: Path) -> tuple[str, Path]:
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.1, 0.4, 0.6, 0.35, 0.8, 0.9])
    return fake_run(tmp_path, y, np.column_stack([1 - p, p]), ["no", "yes"]), tmp_path


# ---- real runs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def multiclass_run(tmp_path_factory, penguins_ja) -> tuple[str, Path]:
    runs = tmp_path_factory.mktemp("multiclass_runs")
    return run_to_end(penguins_ja, runs, target="種", validation="cv:3", max_trials=3,
                      models=("lightgbm", "logistic_regression")), runs


@pytest.fixture(scope="module")
def regression_run(tmp_path_factory, diabetes) -> tuple[str, Path]:
    runs = tmp_path_factory.mktemp("regression_runs")
    return run_to_end(diabetes, runs, target="progression", validation="holdout:0.25",
                      max_trials=3, models=("elastic_net", "lightgbm"),
                      test_fraction=0.2), runs


def _stored(runs: Path, run_id: str, model_id: int, kind: str = "oof"):
    store = Store(runs)
    return store.load_array(run_id, kind, "y"), store.load_array(run_id, kind, str(model_id))


def _best(runs: Path, run_id: str) -> int:
    return Store(runs).run_row(run_id)["best_model_id"]


# ---- metrics table ----------------------------------------------------------------------------


def test_metrics_frame_has_every_metric_with_its_spread_across_folds(tmp_path: Path) -> None:
    y, p = np.array([0, 1, 0, 1]), np.array([0.4, 0.7, 0.6, 0.3])
    run_id = fake_run(tmp_path, y, np.column_stack([1 - p, p]), ["a", "b"],
                      folds=np.array([0, 0, 1, 1]))  # fold 0 all right, fold 1 all wrong
    frame = model_metrics_frame(run_id, 0, runs_dir=tmp_path).set_index("metric")
    assert frame.attrs["folds"] == 2
    assert frame.loc["accuracy", "validation"] == pytest.approx(0.5)  # on all rows
    for metric in ("accuracy", "AUC_weighted", "recall_score_binary"):
        assert (frame.loc[metric, "fold_mean"], frame.loc[metric, "fold_std"]) == (
            pytest.approx(0.5), pytest.approx(0.5)), metric
    assert frame.loc["AUC_weighted", "primary"] and not frame.loc["accuracy", "primary"]
    assert frame["test"].isna().all()


def test_metrics_frame_of_real_runs(binary_run, multiclass_run, regression_run) -> None:
    run_id, runs = binary_run
    best = _best(runs, run_id)
    frame = model_metrics_frame(run_id, runs_dir=runs).set_index("metric")  # best by default
    row = next(r for r in Store(runs).model_rows(run_id) if r["model_id"] == best)
    assert frame.loc["f1_score_binary", "validation"] == pytest.approx(
        row["metrics"]["f1_score_binary"])
    primary = [f["AUC_weighted"] for f in row["fold_metrics"]]  # what the run stored
    assert frame.loc["AUC_weighted", "fold_mean"] == pytest.approx(np.mean(primary))
    assert frame.loc["AUC_weighted", "fold_std"] == pytest.approx(np.std(primary))
    y, proba = _stored(runs, run_id, best)
    folds = Store(runs).load_array(run_id, "oof", "folds")
    losses = [skm.log_loss(y[folds == k], proba[folds == k], labels=[0, 1])
              for k in np.unique(folds)]
    assert frame.loc["log_loss", "fold_std"] == pytest.approx(np.std(losses))
    assert frame.loc["AUC_weighted", "test"] == pytest.approx(row["test_metrics"]["AUC_weighted"])
    run_id, runs = multiclass_run
    ids = set(model_metrics_frame(run_id, runs_dir=runs)["metric"])
    assert "AUC_macro" in ids and not any(i.endswith("_binary") for i in ids)
    run_id, runs = regression_run  # a holdout: one split, no spread
    frame = model_metrics_frame(run_id, runs_dir=runs)
    assert frame.attrs["folds"] == 0 and frame["fold_std"].isna().all()


# ---- chart data -------------------------------------------------------------------------------


def test_binary_report_equals_sklearn_on_the_stored_predictions(binary_run) -> None:
    run_id, runs = binary_run
    best = _best(runs, run_id)
    report = model_report(run_id, best, runs_dir=runs)
    y, proba = _stored(runs, run_id, best)
    assert report.is_binary and report.n_rows == len(y)
    positive = report.classes[1]
    roc = report.charts["roc"].get(positive)
    fpr, tpr, _ = skm.roc_curve(y, proba[:, 1], drop_intermediate=False)
    assert np.allclose(roc.x, fpr) and np.allclose(roc.y, tpr)  # few rows: every point kept
    assert roc.area == pytest.approx(skm.roc_auc_score(y, proba[:, 1]))
    pr = report.charts["pr"].get(positive)
    precision, recall, _ = skm.precision_recall_curve(y, proba[:, 1], drop_intermediate=False)
    assert np.allclose(pr.x, recall) and np.allclose(pr.y, precision)
    assert pr.area == pytest.approx(skm.average_precision_score(y, proba[:, 1]))
    prob_true, prob_pred = calibration_curve(y, proba[:, 1], n_bins=10)
    calibration = report.charts["calibration"].get(positive)
    assert np.allclose(calibration.x, prob_pred) and np.allclose(calibration.y, prob_true)
    counts = report.charts["confusion"].to_numpy()
    assert np.array_equal(counts, skm.confusion_matrix(y, proba.argmax(axis=1)))
    assert np.allclose(report.charts["confusion_normalized"].to_numpy().sum(axis=1), 1.0)
    table = report.charts["threshold"]
    at_half = table[np.isclose(table["threshold"], 0.5)].iloc[0]
    assert at_half["recall"] == pytest.approx(skm.recall_score(y, proba[:, 1] >= 0.5))


def test_multiclass_report_has_every_class_and_both_averages(multiclass_run) -> None:
    run_id, runs = multiclass_run
    report = model_report(run_id, runs_dir=runs)
    y, proba = _stored(runs, run_id, report.model_id)
    assert len(report.classes) == 3 and "threshold" not in report.charts
    labels = [c.label for c in report.charts["roc"].curves]
    assert labels == [*report.classes, "micro", "macro"]
    macro = report.charts["roc"].get("macro").area
    assert macro == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr", average="macro"))
    gains = report.charts["gains"].get(report.classes[0])
    assert gains.y[-1] == pytest.approx(1.0)


def test_regression_report(regression_run) -> None:
    run_id, runs = regression_run
    best = _best(runs, run_id)
    report = model_report(run_id, best, runs_dir=runs)
    y, pred = _stored(runs, run_id, best)
    assert set(report.charts) == {"residuals", "predicted_vs_true"}
    assert report.charts["residuals"].counts.sum() == len(y)
    assert report.charts["residuals"].mean == pytest.approx(np.mean(pred - y))
    assert "test" in report_splits(run_id, best, runs_dir=runs)
    test = model_report(run_id, best, runs_dir=runs, split="test")
    assert test.n_rows == len(Store(runs).load_array(run_id, "test", "y"))


def test_report_is_cached_in_the_store(small_binary, monkeypatch) -> None:
    run_id, runs = small_binary
    first = model_report(run_id, 0, runs_dir=runs)
    assert list((runs / run_id / "report").glob("0-validation-*.joblib"))
    import engine.report

    monkeypatch.setattr(engine.report, "_compute", lambda *a: pytest.fail("recomputed"))
    again = model_report(run_id, 0, runs_dir=runs)
    assert again.charts["roc"].get("yes").area == first.charts["roc"].get("yes").area


@pytest.mark.parametrize("call, match", [
    (lambda r, d: model_report(r, 9, runs_dir=d), "no finished model 9"),
    (lambda r, d: model_report(r, 0, runs_dir=d, split="train"), "Unknown data split"),
    (lambda r, d: model_report(r, 0, runs_dir=d, split="test"), "score it on the test set"),
    (lambda r, d: threshold_point(r, 0, 1.5, runs_dir=d), "between 0 and 1"),
    (lambda r, d: save_threshold(r, 0, -0.1, d), "between 0 and 1"),
    (lambda r, d: best_threshold(r, 0, cost_fp=-1, cost_fn=1, runs_dir=d), "zero or more"),
    (lambda r, d: score_on_test(r, 0, runs_dir=d), "no test set"),
])
def test_user_errors(small_binary, call, match) -> None:
    with pytest.raises(EngineError, match=match):
        call(*small_binary)


# ---- threshold and cost -----------------------------------------------------------------------


def test_threshold_point_counts(small_binary) -> None:
    run_id, runs = small_binary
    point = threshold_point(run_id, 0, 0.5, runs_dir=runs, cost_fp=2, cost_fn=3)
    assert point.confusion.to_numpy().tolist() == [[2, 1], [1, 2]]  # true down, predicted across
    assert (point.precision, point.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert point.cost == pytest.approx((2 * 1 + 3 * 1) / 6)


@pytest.mark.parametrize("cost_fp, cost_fn, threshold, cost", [
    (1, 10, 0.35, 2 / 6),   # missing a positive is dear: catch all three, two false alarms
    (10, 1, 0.8, 1 / 6),    # a false alarm is dear: no false alarm, one positive missed
])
def test_best_threshold_known_answer(small_binary, cost_fp, cost_fn, threshold, cost) -> None:
    run_id, runs = small_binary
    best = best_threshold(run_id, 0, cost_fp=cost_fp, cost_fn=cost_fn, runs_dir=runs)
    assert best.threshold == pytest.approx(threshold) and best.cost == pytest.approx(cost)


def test_saved_threshold_is_used_by_predict(binary_run, cancer) -> None:
    run_id, runs = binary_run
    best = _best(runs, run_id)
    rows = cancer.drop(columns="diagnosis").head(40)
    try:
        save_threshold(run_id, best, 0.999, runs)
        assert saved_threshold(run_id, best, runs_dir=runs) == pytest.approx(0.999)
        strict = predict_frame(run_id, rows, runs_dir=runs)
        negative, positive = Store(runs).load_json(run_id, "schema")["classes"]
        expected = np.where(strict[f"proba_{positive}"] >= 0.999, positive, negative)
        assert list(strict["prediction"]) == list(expected)
        assert (strict["prediction"] == negative).sum() > (strict[f"proba_{positive}"] < 0.5).sum()
    finally:
        save_threshold(run_id, best, None, runs)
    assert saved_threshold(run_id, best, runs_dir=runs) is None


def test_threshold_is_binary_only(multiclass_run) -> None:
    run_id, runs = multiclass_run
    with pytest.raises(EngineError, match="binary classification only"):
        save_threshold(run_id, _best(runs, run_id), 0.5, runs)


def test_score_on_test_adds_the_test_split(multiclass_run, regression_run) -> None:
    run_id, runs = regression_run
    other = next(r["model_id"] for r in Store(runs).model_rows(run_id)
                 if r["status"] == "completed" and r["model_id"] != _best(runs, run_id))
    assert has_test_set(run_id, runs_dir=runs)
    assert report_splits(run_id, other, runs_dir=runs) == ("validation",)
    metrics = score_on_test(run_id, other, runs_dir=runs)
    assert np.isfinite(metrics["r2_score"])
    assert report_splits(run_id, other, runs_dir=runs) == ("validation", "test")
    assert model_metrics_frame(run_id, other, runs_dir=runs)["test"].notna().all()
    run_id, runs = multiclass_run
    assert not has_test_set(run_id, runs_dir=runs)


# ---- figures and the HTML file ----------------------------------------------------------------


def _drawn_points(fig) -> int:
    """Cells of heat maps plus points of lines, markers and bars."""
    return sum(len(t.z) if getattr(t, "z", None) is not None else
               len(t.x) if t.x is not None else 0 for t in fig.data)


def test_figures_of_every_task(binary_run, multiclass_run, regression_run) -> None:
    expected = {
        "binary": ["confusion", "confusion_normalized", "roc", "pr", "gains", "lift",
                   "calibration", "threshold"],
        "multiclass": ["confusion", "confusion_normalized", "roc", "pr", "gains", "lift",
                       "calibration"],
        "regression": ["residuals", "predicted_vs_true", "residuals_vs_predicted"],
    }
    for name, (run_id, runs) in zip(expected, (binary_run, multiclass_run, regression_run)):
        figs = report_figures(model_report(run_id, runs_dir=runs))
        assert list(figs) == expected[name]
        assert all(_drawn_points(fig) > 0 for fig in figs.values()), name


def test_curves_choice_compare_and_translated_averages(multiclass_run) -> None:
    run_id, runs = multiclass_run
    ids = [r["model_id"] for r in Store(runs).model_rows(run_id) if r["status"] == "completed"]
    report, other = (model_report(run_id, i, runs_dir=runs) for i in ids[:2])
    chosen = report.classes[0]
    figs = report_figures(report, curves=[chosen, "micro"],
                          labels={"curve": {"micro": "マイクロ平均"}})
    names = [t.name for t in figs["roc"].data]
    assert names[0].startswith(chosen) and names[1].startswith("マイクロ平均 (AUC")
    assert [t.name for t in figs["gains"].data][0] == chosen  # gains has no averages
    both = report_figures(report, compare=other, curves=[chosen], names=("A", "B"))
    roc_names = [t.name for t in both["roc"].data]
    assert roc_names[0].startswith("A: ") and roc_names[1].startswith("B: ")
    assert len(both["confusion"].data) == 2


def test_report_html_is_self_contained(binary_run) -> None:
    run_id, runs = binary_run
    page = report_html(run_id, runs_dir=runs, labels={"html": {"title": "モデルのレポート"},
                                                      "metric": {"log_loss": "対数損失"}})
    from plotly.offline import get_plotlyjs

    assert get_plotlyjs() in page  # plotly's JavaScript inline, nothing fetched from a network
    rest = page.replace(get_plotlyjs(), "")
    assert not re.search(r"<script[^>]*\bsrc=", rest) and "http" not in rest
    assert "Plotly" in rest and "モデルのレポート" in page and "対数損失" in page
    figures = len(re.findall(r'class="plotly-graph-div"', page))
    assert figures == 8 + 7  # validation with the threshold chart, test without


def test_cli_report(binary_run, tmp_path: Path, capsys) -> None:
    run_id, runs = binary_run
    out = tmp_path / "report.html"
    assert main(["report", run_id, "--out", str(out), "--runs-dir", str(runs)]) == 0
    assert out.stat().st_size > 1_000_000 and "plotly-graph-div" in out.read_text(encoding="utf-8")
    assert main(["report", run_id, "--model", "99", "--out", str(out),
                 "--runs-dir", str(runs)]) == 2
    assert "no finished model 99" in capsys.readouterr().err
