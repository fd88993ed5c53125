"""A run is a process of its own: watched, cancelled and found dead from another process."""

from __future__ import annotations

import os
import signal
import time

from engine import RunSettings, cancel_run, get_run, leaderboard_frame, list_runs, start_run
from engine.store import Store


def _wait(predicate, timeout: float = 120.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def _settings(**extra) -> RunSettings:
    return RunSettings(target="diagnosis", task="classification", time_budget=300, n_jobs=1,
                       ensembles=False, **extra)


def test_cancel_keeps_the_finished_models_and_a_usable_best(tmp_path, cancer):
    run_id = start_run(_settings(), cancer, runs_dir=tmp_path)
    assert get_run(run_id, tmp_path).is_live
    _wait(lambda: len(leaderboard_frame(run_id, tmp_path)) >= 2)
    cancel_run(run_id, tmp_path)
    _wait(lambda: not get_run(run_id, tmp_path).is_live)
    info = get_run(run_id, tmp_path)
    board = leaderboard_frame(run_id, tmp_path)
    assert info.status == "cancelled" and len(board) >= 2
    assert Store(tmp_path).load_object(run_id, "models", str(info.best_model_id)) is not None


def test_a_run_whose_process_dies_is_marked_interrupted(tmp_path, cancer):
    run_id = start_run(_settings(), cancer, runs_dir=tmp_path)
    _wait(lambda: len(leaderboard_frame(run_id, tmp_path)) >= 1)
    os.kill(Store(tmp_path).run_row(run_id)["pid"], signal.SIGKILL)
    _wait(lambda: get_run(run_id, tmp_path).status == "interrupted", timeout=20)
    assert len(leaderboard_frame(run_id, tmp_path)) >= 1
    assert list_runs(tmp_path).loc[0, "status"] == "interrupted"


def test_two_runs_side_by_side_do_not_mix(tmp_path, cancer, diabetes):
    a = start_run(_settings(max_trials=3), cancer, runs_dir=tmp_path)
    b = start_run(RunSettings(target="progression", task="regression", max_trials=3, n_jobs=1,
                              ensembles=False), diabetes, runs_dir=tmp_path)
    _wait(lambda: not get_run(a, tmp_path).is_live and not get_run(b, tmp_path).is_live)
    assert get_run(a, tmp_path).status == get_run(b, tmp_path).status == "completed"
    assert leaderboard_frame(a, tmp_path)["AUC_weighted"].notna().all()
    assert leaderboard_frame(b, tmp_path)["r2_score"].notna().all()
