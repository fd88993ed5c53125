"""The Runs page: every run with its status, open one, delete one after a confirmation."""


from engine import RunSettings, list_runs, load_sample, start_run
from pages import _state
from tests.pages.conftest import goto, texts, wait_until_done


def select_run(app, runs_dir, row=0):
    key = _state.runs_table(list_runs(runs_dir)["run_id"])
    app.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
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
