"""Taking a model away: the zip, and a generated training script that rebuilds the model
outside the studio, run in a real subprocess and compared prediction by prediction."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from engine import EngineError, leaderboard_frame, model_bundle, predict_frame, training_script
from engine.featurize import feature_names
from engine.fitted import load_model
from engine.models import MODELS
from engine.store import Store
from tests.conftest import run_to_end

FAMILIES = ("lightgbm", "hist_gradient_boosting", "random_forest", "extra_trees",
            "logistic_regression", "knn")


def mixed_frame(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Numbers with gaps, few- and many-level categories, dates, short texts, flags."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    frame = pd.DataFrame({
        "数値": np.where(rng.random(n) < 0.1, np.nan, x),
        "size": rng.choice(["S", "M", "L", "NA"], size=n),
        "shop": [f"店{i}" for i in rng.integers(0, 40, size=n)],
        "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, size=n), "D"),
        "note": rng.choice(["とても良い", "良い", "普通", "悪い です", ""], size=n),
        "member": rng.choice(["yes", "no"], size=n),
    })
    score = x + (frame["size"] == "L") - (frame["member"] == "no") + rng.normal(scale=0.7, size=n)
    frame["bought"] = np.where(score > 0, "はい", "いいえ")
    return frame


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    runs = tmp_path_factory.mktemp("export_runs")
    frame = mixed_frame()
    run_id = run_to_end(frame, runs, target="bought", models=FAMILIES, max_trials=len(FAMILIES),
                        validation="holdout:0.25", ensembles=True)
    return runs, run_id, frame


def rebuild(bundle: bytes, folder: Path, table: Path) -> pd.DataFrame:
    """Unzip a bundle, retrain with its script on its training rows, score ``table``."""
    zipfile.ZipFile(io.BytesIO(bundle)).extractall(folder)
    for command in (["train", "training_rows.csv.gz"], ["predict", str(table), "out.csv"]):
        done = subprocess.run([sys.executable, "train_model.py", *command], cwd=folder,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    return pd.read_csv(folder / "out.csv")


@pytest.mark.parametrize("family", FAMILIES)
def test_the_script_rebuilds_the_studios_model_exactly(exported, tmp_path, family):
    runs, run_id, frame = exported
    board = leaderboard_frame(run_id, runs)
    model_id = int(board.loc[board["family"] == family, "model_id"].iloc[0])
    table = tmp_path / "new.csv"
    frame.drop(columns="bought").to_csv(table, index=False)
    rebuilt = rebuild(model_bundle(run_id, model_id, runs_dir=runs), tmp_path / "bundle", table)
    ours = predict_frame(run_id, pd.read_csv(table, keep_default_na=False, na_values=[""]),
                         runs_dir=runs, model_id=model_id)
    assert list(rebuilt.columns) == ["prediction", "proba_いいえ", "proba_はい"]
    assert (rebuilt["prediction"] == ours["prediction"]).all()
    np.testing.assert_allclose(rebuilt.iloc[:, 1:].to_numpy(), ours.iloc[:, 1:].to_numpy(),
                               atol=1e-9)


def test_the_bundle_holds_the_model_schema_and_the_training_rows(exported):
    runs, run_id, frame = exported
    board = leaderboard_frame(run_id, runs)
    best = int(board.loc[board["is_best"], "model_id"].iloc[0])
    files = zipfile.ZipFile(io.BytesIO(model_bundle(run_id, best, runs_dir=runs)))
    schema = json.loads(files.read("schema.json"))
    assert schema["target"] == "bought" and schema["classes"] == ["いいえ", "はい"]
    assert schema["model_id"] == best and schema["versions"]["scikit-learn"]
    rows = pd.read_csv(io.BytesIO(files.read("training_rows.csv.gz")), compression="gzip")
    assert len(rows) == 450  # the training part of a 25 % holdout of 600 rows: what refit used
    model = joblib.load(io.BytesIO(files.read("model.joblib")))
    sample = predict_frame(run_id, frame.head(5), runs_dir=runs, model_id=best)
    assert model is not None and len(sample) == 5


def test_an_ensemble_gets_a_zip_without_a_script_and_a_clear_reason(exported):
    runs, run_id, _ = exported
    board = leaderboard_frame(run_id, runs)
    ensembles = board.loc[board["kind"] != "single", "model_id"]
    assert len(ensembles)
    names = zipfile.ZipFile(io.BytesIO(model_bundle(run_id, int(ensembles.iloc[0]),
                                                    runs_dir=runs))).namelist()
    assert "model.joblib" in names and "train_model.py" not in names
    with pytest.raises(EngineError, match="single models"):
        training_script(run_id, int(ensembles.iloc[0]), runs_dir=runs)


def test_the_script_is_plain_python_without_the_studio(exported):
    runs, run_id, _ = exported
    board = leaderboard_frame(run_id, runs)
    script = training_script(run_id, int(board["model_id"].iloc[0]), runs_dir=runs)
    compile(script, "train_model.py", "exec")
    assert "import engine" not in script and "from engine" not in script
    assert all(MODELS[f].label for f in FAMILIES)


def test_a_run_with_featurization_steps_off_is_rebuilt_exactly_too(tmp_path):
    frame = mixed_frame(seed=1)
    off = ("missing_flags", "scaling", "one_hot", "datetime_parts", "text_ngrams")
    run_id = run_to_end(frame, tmp_path / "runs", target="bought", featurization_off=off,
                        models=("logistic_regression",), max_trials=1)
    pipeline = load_model(Store(tmp_path / "runs"), run_id)[1]
    names = feature_names(pipeline.named_steps["features"])
    assert "day: days" in names and not any("(missing)" in n or "'" in n for n in names)
    table = tmp_path / "new.csv"
    frame.drop(columns="bought").to_csv(table, index=False)
    rebuilt = rebuild(model_bundle(run_id, runs_dir=tmp_path / "runs"), tmp_path / "b", table)
    ours = predict_frame(run_id, pd.read_csv(table, keep_default_na=False, na_values=[""]),
                         runs_dir=tmp_path / "runs")
    np.testing.assert_allclose(rebuilt.iloc[:, 1:].to_numpy(), ours.iloc[:, 1:].to_numpy(),
                               atol=1e-9)
