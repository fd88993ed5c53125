"""Whole runs on real data in a real store: the guarantees users trust most."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine import EngineError, RunSettings, create_run, get_run, leaderboard_frame, \
    predict_frame, trials_frame
from engine.fitted import load_problem
from engine.store import Store
from tests.conftest import noise_frame, run_to_end


def test_binary_run_completes_with_every_metric_and_a_test_score(binary_run):
    run_id, runs = binary_run
    info = get_run(run_id, runs)
    board = leaderboard_frame(run_id, runs)
    assert info.status == "completed"
    assert len(board) >= 3 and board["is_best"].sum() == 1
    assert board.loc[0, "is_best"] and board.loc[0, "score"] == info.best_score
    assert board["AUC_weighted"].between(0.9, 1.0).all()
    assert board["score_std"].notna().all()  # 5-fold CV: spread across folds on every row
    assert not np.isnan(board.loc[0, "test_score"])  # the best model is scored on the test set
    assert info.report["n_test"] == 114 and "5-fold" in info.report["validation"]


def test_predict_gives_one_row_per_input_row_in_order(binary_run, cancer):
    run_id, runs = binary_run
    rows = cancer.drop(columns=["diagnosis"]).iloc[::-1].reset_index(drop=True)
    out = predict_frame(run_id, rows, runs_dir=runs)
    assert len(out) == len(rows)
    assert list(out.columns) == ["prediction", "proba_benign", "proba_malignant"]
    np.testing.assert_allclose(out[["proba_benign", "proba_malignant"]].sum(axis=1), 1.0)
    accuracy = (out["prediction"] == cancer["diagnosis"].iloc[::-1].to_numpy()).mean()
    assert accuracy > 0.9


def test_any_model_of_the_leaderboard_can_predict(binary_run, cancer):
    run_id, runs = binary_run
    worst = int(leaderboard_frame(run_id, runs)["model_id"].iloc[-1])
    out = predict_frame(run_id, cancer.head(20), runs_dir=runs, model_id=worst)
    assert len(out) == 20 and out["prediction"].isin(["benign", "malignant"]).all()


def test_shuffled_labels_give_chance_level_validation_auc(tmp_path):
    run_id = run_to_end(noise_frame(), tmp_path, target="label", max_trials=10)
    best = leaderboard_frame(run_id, tmp_path).iloc[0]
    assert 0.4 < best["AUC_weighted"] < 0.62


def test_test_labels_never_influence_validation_or_choice(tmp_path, cancer):
    train, test = cancer.iloc[:450], cancer.iloc[450:].copy()
    first = run_to_end(train, tmp_path, target="diagnosis", test_data=test)
    test["diagnosis"] = test["diagnosis"].map({"benign": "malignant", "malignant": "benign"})
    second = run_to_end(train, tmp_path, target="diagnosis", test_data=test)
    a, b = leaderboard_frame(first, tmp_path), leaderboard_frame(second, tmp_path)
    pd.testing.assert_frame_equal(a[["model_id", "score"]], b[["model_id", "score"]])
    assert get_run(first, tmp_path).best_model_id == get_run(second, tmp_path).best_model_id
    assert a.loc[0, "test_score"] != b.loc[0, "test_score"]


def test_same_seed_and_trial_budget_give_identical_leaderboards(tmp_path, diabetes):
    ids = [run_to_end(diabetes, tmp_path, target="progression", max_trials=8) for _ in range(2)]
    boards = [leaderboard_frame(i, tmp_path).drop(columns=["fit_time_s", "predict_time_s"])
              for i in ids]
    pd.testing.assert_frame_equal(*boards)


def test_japanese_and_awkward_column_names_work_end_to_end(tmp_path, penguins_ja):
    frame = penguins_ja.rename(columns={"島": 'island [a]{b}":,', "観測年": "2007"})
    run_id = run_to_end(frame, tmp_path, target="種", max_trials=4)
    out = predict_frame(run_id, frame.head(5), runs_dir=tmp_path)
    assert out["prediction"].isin(frame["種"].unique()).all()
    assert [c for c in out.columns if c.startswith("proba_")] == [
        f"proba_{c}" for c in sorted(frame["種"].dropna().unique())]


def test_a_crashing_model_fails_its_trial_and_the_run_goes_on(tmp_path, cancer):
    tiny = cancer.groupby("diagnosis").head(6)  # 2-fold CV leaves 6 training rows: k-NN with k=10 raises
    run_id = run_to_end(tiny, tmp_path, target="diagnosis", validation="cv:2",
                        models=("knn", "lightgbm"), max_trials=2)
    trials = trials_frame(run_id, tmp_path)
    failed = trials[trials["status"] == "failed"]
    assert list(failed["family"]) == ["knn"] and "n_neighbors" in failed["error"].iloc[0]
    assert get_run(run_id, tmp_path).status == "completed"
    assert list(leaderboard_frame(run_id, tmp_path)["family"]) == ["lightgbm"]


def test_rows_with_missing_target_are_dropped_and_counted(tmp_path, diabetes):
    frame = diabetes.copy()
    frame.loc[:9, "progression"] = np.nan
    run_id = run_to_end(frame, tmp_path, target="progression", max_trials=2)
    assert get_run(run_id, tmp_path).report["dropped_missing_target"] == 10


def test_a_cancel_before_the_search_keeps_the_run_usable(tmp_path, cancer):
    run_id = create_run(RunSettings(target="diagnosis", task=None, max_trials=50, n_jobs=1),
                        cancer, runs_dir=tmp_path)
    Store(tmp_path).request_cancel(run_id)
    from engine import execute_run
    assert execute_run(run_id, tmp_path) == "cancelled"
    assert get_run(run_id, tmp_path).message.startswith("Cancelled")


@pytest.mark.parametrize("settings, match", [
    ({"target": "nope"}, "no column"),
    ({"target": "diagnosis", "metric": "r2_score"}, "not a classification metric"),
    ({"target": "diagnosis", "models": ("elastic_net",)}, "cannot do classification"),
    ({"target": "diagnosis", "validation": "cv:1"}, "not understood"),
    ({"target": "diagnosis", "roles": {"ghost": "numeric"}}, "not in the table"),
    ({"target": "diagnosis", "test_fraction": 1.5}, "test fraction"),
])
def test_bad_settings_are_one_sentence_errors(tmp_path, cancer, settings, match):
    with pytest.raises(EngineError, match=match):
        create_run(RunSettings(task=None, **settings), cancer, runs_dir=tmp_path)
    assert not Store(tmp_path).run_rows()


def test_constant_and_id_columns_are_dropped_with_a_reason(tmp_path, cancer):
    frame = cancer.assign(same="yes", patient=[f"p{i}" for i in range(len(cancer))])
    run_id = run_to_end(frame, tmp_path, target="diagnosis", max_trials=2)
    report = get_run(run_id, tmp_path).report
    assert set(report["dropped_columns"]) == {"same", "patient"}
    assert {g["check"] for g in report["guardrails"]} >= {"dropped_columns"}


def test_a_tiny_time_budget_still_ends_with_a_model(tmp_path, diabetes):
    run_id = run_to_end(diabetes, tmp_path, target="progression", time_budget=1, max_trials=None)
    assert get_run(run_id, tmp_path).status == "completed"
    assert len(leaderboard_frame(run_id, tmp_path)) >= 1


def test_a_group_column_keeps_each_group_on_one_side_and_is_never_a_feature(tmp_path, penguins_ja):
    frame = penguins_ja.assign(個体=[f"id{i // 4}" for i in range(len(penguins_ja))])
    roles = {"個体": "group"}
    run_id = run_to_end(frame, tmp_path, target="種", roles=roles, validation="cv:3",
                        test_fraction=0.2, models=("lightgbm",), max_trials=2)
    store = Store(tmp_path)
    problem = load_problem(store, run_id)
    train = store.load_frame(run_id, "train")
    test = store.load_frame(run_id, "test")
    assert not set(train["個体"]) & set(test["個体"])  # the test set holds whole groups
    for tr, va in problem.validation.folds:
        assert not set(train["個体"].iloc[tr]) & set(train["個体"].iloc[va])
    assert "個体" not in problem.X.columns
    info = get_run(run_id, tmp_path)
    assert "Rows of one '個体' stay on one side" in info.report["validation"]
    new = penguins_ja.drop(columns="種").head(5)  # new rows need no group column
    assert len(predict_frame(run_id, new, runs_dir=tmp_path)) == 5


def test_two_group_columns_are_one_sentence(tmp_path, penguins_ja):
    frame = penguins_ja.assign(a="x", b="y")
    with pytest.raises(EngineError, match="Only one column can be the group column"):
        run_to_end(frame, tmp_path, target="種", roles={"a": "group", "b": "group"})
