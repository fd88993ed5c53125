"""The command line, run as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
CANCER = ROOT / "assets" / "datasets" / "breast_cancer.csv"


def cli(*args: str, runs: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args, "--runs-dir", str(runs)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    runs = tmp_path_factory.mktemp("cli_runs")
    done = cli("run", "--data", str(CANCER), "--target", "diagnosis", "--max-trials", "4",
               "--models", "lightgbm,logistic_regression", "--test-fraction", "0.2",
               "--n-jobs", "1", "--json", runs=runs)
    return runs, done


def test_run_json_reports_the_best_model(finished):
    runs, done = finished
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == "completed" and result["primary_metric"] == "AUC_weighted"
    assert result["best_score"] > 0.95 and isinstance(result["best_model"], int)
    assert result["test_score"] > 0.9


def test_leaderboard_formats_agree(finished):
    runs, done = finished
    run_id = json.loads(done.stdout.strip().splitlines()[-1])["run_id"]
    as_json = json.loads(cli("leaderboard", run_id, "--format", "json", runs=runs).stdout)
    as_csv = cli("leaderboard", run_id, "--format", "csv", runs=runs).stdout
    assert [r["model_id"] for r in as_json] == list(pd.read_csv(
        __import__("io").StringIO(as_csv))["model_id"])
    assert run_id in cli("runs", runs=runs).stdout


def test_predict_writes_one_row_per_input_row(finished, tmp_path):
    runs, done = finished
    run_id = json.loads(done.stdout.strip().splitlines()[-1])["run_id"]
    out = tmp_path / "pred.csv"
    assert cli("predict", run_id, "--data", str(CANCER), "--out", str(out), runs=runs).returncode == 0
    pred = pd.read_csv(out)
    assert len(pred) == 569 and {"prediction", "proba_benign", "proba_malignant"} <= set(pred)


@pytest.mark.parametrize("args, message", [
    (["run", "--data", "missing.csv", "--target", "x"], "file"),
    (["run", "--data", str(CANCER), "--target", "nope"], "no column"),
    (["run", "--data", str(CANCER), "--target", "diagnosis", "--metric", "bogus"], "bogus"),
    (["run", "--data", str(CANCER), "--target", "diagnosis", "--task", "regression"], "numeric"),
    (["leaderboard", "no-such-run"], "no run"),
    (["predict", "no-such-run", "--data", str(CANCER), "--out", "x.csv"], "no run"),
])
def test_bad_input_exits_2_with_one_sentence(tmp_path, args, message):
    done = cli(*args, runs=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0].lower()
