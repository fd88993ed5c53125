"""Stored explanations of real runs: the best model explained at the end of a run without
asking, any other model on demand in a background process, plans known before they start,
sampled global views, the batch CLI's exact sums, and failures worded for the user."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine import (EngineError, ExplainSettings, explain_frame, explain_model,
                    explanation_status, get_run, importance_frame, leaderboard_frame,
                    load_explainer, load_explanation, load_model, load_sample,
                    load_validation_rows, plan_explanation, start_explain)
from engine.store import Store
from tests.conftest import run_to_end

ROOT = Path(__file__).resolve().parents[2]
CANCER = ROOT / "assets" / "datasets" / "breast_cancer.csv"


def wait_done(run_id: str, model_id: int, runs: Path, timeout: float = 180.0):
    """The final status of a background explanation."""
    end = time.time() + timeout
    while time.time() < end:
        status = explanation_status(run_id, model_id, runs_dir=runs)
        if status.state not in ("queued", "running"):
            return status
        time.sleep(0.3)
    raise AssertionError(f"explanation of model {model_id} still {status.state}")


def best_id(run_id: str, runs: Path) -> int:
    return int(get_run(run_id, runs).best_model_id)


@pytest.fixture(scope="module")
def lightgbm_run(tmp_path_factory) -> tuple[str, Path]:
    """A LightGBM-only binary run (holdout, so every model keeps its own fit)."""
    runs = tmp_path_factory.mktemp("explain_lgbm")
    run_id = run_to_end(load_sample("breast_cancer"), runs, target="diagnosis",
                        validation="holdout:0.3", max_trials=3, models=("lightgbm",))
    return run_id, runs


@pytest.fixture(scope="module")
def penguin_run(tmp_path_factory) -> tuple[str, Path]:
    """A multiclass run on Japanese column names, with ensembles."""
    runs = tmp_path_factory.mktemp("explain_penguins")
    run_id = run_to_end(load_sample("penguins_ja"), runs, target="種", validation="cv:3",
                        max_trials=4, ensembles=True, models=("lightgbm", "logistic_regression"))
    return run_id, runs


@pytest.fixture(scope="module")
def diabetes_run(tmp_path_factory) -> tuple[str, Path]:
    """A regression run with cross-validation: only the best model is stored."""
    runs = tmp_path_factory.mktemp("explain_diabetes")
    run_id = run_to_end(load_sample("diabetes"), runs, target="progression", validation="cv:3",
                        max_trials=3, models=("elastic_net", "lightgbm"))
    return run_id, runs


def cli(*args: str, runs: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args, "--runs-dir", str(runs)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def lightgbm_raw(run_id: str, runs: Path, frame: pd.DataFrame) -> np.ndarray:
    """The best LightGBM pipeline's own log-odds for uploaded rows."""
    from engine import coerce_frame

    _, pipeline = load_model(Store(runs), run_id)
    roles = Store(runs).load_json(run_id, "schema")["roles"]
    X = pipeline[:-1].transform(coerce_frame(frame, roles))
    return pipeline[-1].predict(X, raw_score=True)


# ---------------------------------------------------------------- at the end of a run


def test_the_best_model_is_explained_at_the_end_of_a_run(lightgbm_run):
    run_id, runs = lightgbm_run
    model_id = best_id(run_id, runs)
    status = wait_done(run_id, model_id, runs)
    assert status.state == "done" and status.ready, status.message
    assert set(status.timings) == {"model", "explainer", "shap", "permutation"}
    stored = load_explanation(run_id, model_id, runs_dir=runs)
    assert stored.plan.method == "tree" and stored.explanation.method == "tree"
    assert stored.plan.rows == stored.plan.total_rows == len(stored.explanation.output)
    raw = stored.view()
    assert set(raw.feature_names) <= set(load_sample("breast_cancer").columns)
    assert set(stored.permutation["feature"]) == set(raw.feature_names)
    assert np.allclose(raw.base_values + raw.values.sum(axis=1), raw.output, atol=1e-9)
    again = start_explain(run_id, model_id, runs_dir=runs)  # done: nothing is relaunched
    assert again.state == "done" and again.version == status.version


# ---------------------------------------------------------------- the batch CLI


def test_cli_contributions_add_up_to_the_models_output_row_by_row(lightgbm_run, tmp_path):
    run_id, runs = lightgbm_run
    frame = pd.read_csv(CANCER).sample(frac=1.0, random_state=3)  # rows in a new order
    data, out = tmp_path / "rows.csv", tmp_path / "explained.csv"
    frame.to_csv(data, index=False)
    done = cli("explain", run_id, "--data", str(data), "--out", str(out), runs=runs)
    assert done.returncode == 0, done.stderr
    result = pd.read_csv(out)
    features = [c for c in frame.columns if c != "diagnosis"]
    assert list(result.columns) == ["output", "output_space", "base_value",
                                    *[f"contrib_{c}" for c in features]]
    assert len(result) == len(frame)
    contrib = result[[f"contrib_{c}" for c in features]].sum(axis=1)
    assert np.abs(result["output"] - result["base_value"] - contrib).max() < 1e-6
    assert np.abs(result["output"] - lightgbm_raw(run_id, runs, frame)).max() < 1e-6
    assert set(result["output_space"]) == {"log-odds of class 'malignant'"}


def test_cli_engineered_features_keep_the_sums(lightgbm_run, tmp_path):
    run_id, runs = lightgbm_run
    out = tmp_path / "engineered.csv"
    done = cli("explain", run_id, "--data", str(CANCER), "--out", str(out), "--engineered",
               "--model", str(best_id(run_id, runs)), runs=runs)
    assert done.returncode == 0, done.stderr
    result = pd.read_csv(out)
    names = load_explainer(run_id, runs_dir=runs).explain(
        load_validation_rows(run_id, runs_dir=runs).frame.iloc[:1]).feature_names
    assert [c.removeprefix("contrib_") for c in result.columns[3:]] == list(names)
    contrib = result.filter(like="contrib_").sum(axis=1)
    assert np.abs(result["output"] - result["base_value"] - contrib).max() < 1e-6


def test_cli_errors_are_one_sentence(lightgbm_run, tmp_path):
    run_id, runs = lightgbm_run
    data = tmp_path / "short.csv"
    pd.read_csv(CANCER).drop(columns=["worst area"]).head(5).to_csv(data, index=False)
    done = cli("explain", run_id, "--data", str(data), "--out", str(tmp_path / "x.csv"),
               runs=runs)
    assert done.returncode == 2 and "'worst area' is missing" in done.stderr
    assert "Traceback" not in done.stderr
    done = cli("explain", run_id, "--data", str(CANCER), "--out", str(tmp_path / "x.csv"),
               "--model", "999", runs=runs)
    assert done.returncode == 2 and "has no finished model 999" in done.stderr


# ---------------------------------------------------------------- any model, on demand


def test_a_model_that_must_be_fitted_again_is_planned_then_explained_in_background(
        diabetes_run):
    run_id, runs = diabetes_run
    board = leaderboard_frame(run_id, runs)
    other = int(board.loc[~board["is_best"], "model_id"].iloc[0])
    plan = plan_explanation(run_id, other, runs_dir=runs)
    assert plan.method is None and plan.refit_seconds > 0
    assert plan.rows == plan.total_rows == 442 and plan.first_seconds <= plan.seconds
    assert explanation_status(run_id, other, runs_dir=runs).state == "none"
    started = start_explain(run_id, other, runs_dir=runs)
    assert started.live
    status = wait_done(run_id, other, runs)
    assert status.state == "done", status.message
    assert status.plan.method in ("tree", "linear", "mimic+tree")
    stored = load_explanation(run_id, other, runs_dir=runs)
    assert stored.explanation.output_space == "prediction"
    assert stored.permutation is not None and len(stored.permutation) == 10


def test_a_stored_model_is_planned_without_fitting(diabetes_run):
    run_id, runs = diabetes_run
    plan = plan_explanation(run_id, best_id(run_id, runs), runs_dir=runs)
    assert plan.method in ("tree", "linear", "mimic") and plan.refit_seconds == 0
    assert 0 < plan.first_seconds <= plan.seconds < 60


def test_an_ensemble_is_explained_by_its_surrogate_per_class(penguin_run):
    run_id, runs = penguin_run
    board = leaderboard_frame(run_id, runs)
    voting = int(board.loc[board["kind"] == "voting", "model_id"].iloc[0])
    wait_done(run_id, best_id(run_id, runs), runs)  # the run's own background explanation
    stored = explain_model(run_id, voting, runs_dir=runs,
                           settings=ExplainSettings(mimic_rows=400, mimic_rounds=100))
    expl = stored.view()
    assert expl.method == "mimic+tree" and 0.5 < expl.fidelity <= 1.0
    assert expl.per_class and expl.output_classes == (
        "アデリーペンギン", "ジェンツーペンギン", "ヒゲペンギン")
    assert "くちばしの長さ_mm" in expl.feature_names
    one = expl.for_class("ヒゲペンギン")
    assert np.allclose(one.base_values + one.values.sum(axis=1), one.output)
    assert explanation_status(run_id, voting, runs_dir=runs).state == "done"


def test_batch_rows_of_a_multiclass_model_explain_the_predicted_class(penguin_run):
    run_id, runs = penguin_run
    frame = load_sample("penguins_ja").head(40)
    result = explain_frame(run_id, frame, runs_dir=runs)
    assert len(result) == 40
    assert result["output_space"].str.contains("of class '").all()
    contrib = result.filter(like="contrib_").sum(axis=1)
    assert np.abs(result["output"] - result["base_value"] - contrib).max() < 1e-6


def test_global_views_use_a_stated_sample_and_local_views_any_row(penguin_run):
    run_id, runs = penguin_run
    board = leaderboard_frame(run_id, runs)
    model_id = int(board.loc[board["family"] == "lightgbm", "model_id"].iloc[0])
    wait_done(run_id, model_id, runs)
    settings = ExplainSettings(global_rows=100, mimic_rows=400, mimic_rounds=100)
    stored = explain_model(run_id, model_id, runs_dir=runs, settings=settings)
    assert stored.plan.sampled and stored.plan.rows == 100 < stored.plan.total_rows
    assert len(stored.explanation.output) == 100
    rows = load_validation_rows(run_id, runs_dir=runs)
    assert len(rows.frame) == stored.plan.total_rows and rows.target == "種"
    assert rows.task == "classification" and "島" in rows.features
    explainer = load_explainer(run_id, model_id, runs_dir=runs)
    last = rows.frame.loc[[rows.frame.index[-1]]].drop(columns=["種"])
    local = explainer.explain(last)
    assert local.values.shape[0] == 1 and local.per_class


# ---------------------------------------------------------------- ranking and failures


def test_the_informative_column_ranks_first_when_stored(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(600, 5)), columns=["signal", *[f"noise{i}"
                                                                        for i in range(4)]])
    frame["y"] = 3 * np.sin(frame["signal"]) + frame["signal"] + rng.normal(size=600) * 0.1
    run_id = run_to_end(frame, tmp_path, target="y", validation="holdout:0.3", max_trials=2,
                        models=("lightgbm",))
    status = wait_done(run_id, best_id(run_id, tmp_path), tmp_path)
    assert status.state == "done", status.message
    stored = load_explanation(run_id, best_id(run_id, tmp_path), runs_dir=tmp_path)
    assert importance_frame(stored.view())["feature"].iloc[0] == "signal"
    assert stored.permutation["feature"].iloc[0] == "signal"


def test_a_computation_whose_process_died_is_failed(lightgbm_run):
    run_id, runs = lightgbm_run
    board = leaderboard_frame(run_id, runs)
    model_id = int(board.loc[~board["is_best"], "model_id"].iloc[0])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    Store(runs).save_json(run_id, f"explanations/{model_id}", {
        "state": "running", "pid": dead.pid, "pid_started": time.time() - 5, "started_at": 0})
    status = explanation_status(run_id, model_id, runs_dir=runs)
    assert status.state == "failed" and "start it again" in status.message


def test_unknown_models_are_user_errors(lightgbm_run):
    run_id, runs = lightgbm_run
    with pytest.raises(EngineError, match="has no finished model 99"):
        start_explain(run_id, 99, runs_dir=runs)
    with pytest.raises(EngineError, match="has no finished model 99"):
        plan_explanation(run_id, 99, runs_dir=runs)
    with pytest.raises(EngineError, match="There is no run"):
        explanation_status("no-such-run", 0, runs_dir=runs)
