"""The Runs page: every run with its status, open one, delete one after a confirmation."""


from engine import RunSettings, list_runs, load_sample, start_run
from tests.conftest import run_to_end
from pages import _state
from tests.pages.conftest import goto, texts, wait_until_done


def select_run(app, runs_dir, row=0, *more):
    key = _state.runs_table(list_runs(runs_dir)["run_id"])
    app.session_state[key] = {"selection": {"rows": [row, *more], "columns": [], "cells": []}}
    app.run()
    assert not app.exception


def test_lists_every_run(app, completed_run, shared_runs):
    goto(app, "runs")
    table = app.dataframe[0].value
    runs = list_runs(shared_runs)
    assert list(table["run_id"]) == list(runs["run_id"])
    assert set(table["status"]) <= {"Completed", "Cancelled", "Failed", "Running", "Queued",
                                    "Interrupted"}
    assert table["metric"].iloc[-1] == "AUC (weighted)"


def test_open_goes_to_the_leaderboard(app, completed_run, shared_runs):
    goto(app, "runs")
    select_run(app, shared_runs, row=len(list_runs(shared_runs)) - 1)
    [b for b in app.button if b.label == "Open"][0].click().run()
    assert app.session_state[_state.RUN_ID] == completed_run
    assert app.query_params[_state.RUN_QUERY] == completed_run


def test_delete_asks_first(app, runs_dir):
    settings = RunSettings(target="progression", task="regression", validation="holdout:0.2",
                           max_trials=1, models=("elastic_net",), ensembles=False)
    run_id = start_run(settings, load_sample("diabetes"), runs_dir=runs_dir)
    wait_until_done(run_id, runs_dir)
    goto(app, "runs")
    select_run(app, runs_dir)
    [b for b in app.button if b.label == "Delete"][0].click().run()
    assert "cannot be undone" in texts(app)
    [b for b in app.button if b.label == "Keep it"][0].click().run()
    assert len(list_runs(runs_dir)) == 1
    select_run(app, runs_dir)
    [b for b in app.button if b.label == "Delete"][0].click().run()
    [b for b in app.button if b.label == "Yes, delete"][0].click().run()
    assert not app.exception and not app.error
    assert list_runs(runs_dir).empty
    assert app.info  # "No run yet."


def test_several_runs_side_by_side(app, runs_dir):
    diabetes = load_sample("diabetes")
    first = run_to_end(diabetes, runs_dir, target="progression", validation="cv:3",
                       max_trials=2, models=("elastic_net",), test_fraction=0.2)
    second = run_to_end(diabetes, runs_dir, target="progression", validation="holdout:0.25",
                        max_trials=1, models=("lightgbm",), seed=7)
    goto(app, "runs")
    select_run(app, runs_dir, 0, 1)
    assert "2 runs side by side" in texts(app)
    table = app.dataframe[1].value
    assert list(table.columns) == [second, first]  # newest first, as in the list
    assert table.loc["Model families", first] == "Elastic net"
    assert table.loc["Model families", second] == "LightGBM"
    assert table.loc["Seed", second] == "7" and table.loc["Rows", first] == "353"
    assert table.loc["Validation", first] == "3-fold cross-validation."
    assert table.loc["Its test score", second] == "—"  # no test set
    assert float(table.loc["Its test score", first]) > 0
    assert not [b for b in app.button if b.label == "Open"]  # open and delete are for one run
    app.session_state[_state.LANG] = "ja"
    app.run()
    table = app.dataframe[1].value
    assert table.loc["検証", first] == "3 分割の交差検証。"
    assert table.loc["モデルの種類", first] == "エラスティックネット"
