"""The Leaderboard page: every metric, times, hyperparameters, the best marked, a row picked."""

import json

from engine import leaderboard_frame
from pages import _state
from tests.pages.conftest import goto, texts


def test_no_runs_yet(app, runs_dir):
    goto(app, "leaderboard")
    assert app.info


def test_every_model_with_every_metric_and_the_best_marked(app, completed_run, shared_runs):
    goto(app, "leaderboard")
    table = app.dataframe[0].value
    board = leaderboard_frame(completed_run, shared_runs)
    assert list(table["model_id"]) == list(board["model_id"])  # best first
    assert list(table["best"]) == ["★"] + [""] * (len(board) - 1)
    for column in ("accuracy", "log_loss", "balanced_accuracy", "fit_time_s", "predict_time_s"):
        assert column in table.columns
    assert "params" not in table.columns
    app.toggle(key=_state.SHOW_PARAMS).set_value(True).run()
    assert "params" in app.dataframe[0].value.columns


def test_selecting_a_row_selects_that_model(app, completed_run, shared_runs):
    goto(app, "leaderboard")
    board = leaderboard_frame(completed_run, shared_runs)
    key = _state.leaderboard_table(completed_run, board["model_id"])
    app.session_state[key] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    app.run()
    assert not app.exception
    chosen = int(board["model_id"].iloc[1])
    assert app.session_state[_state.SELECTED_MODEL] == (completed_run, chosen)
    assert f"model #{chosen}" in texts(app)
    assert json.loads(app.json[0].value) == json.loads(board["params"].iloc[1])


def test_kind_filter(app, completed_run):
    goto(app, "leaderboard")
    app.multiselect(key=_state.KINDS).set_value([]).run()
    assert app.dataframe[0].value.empty


def test_two_models_side_by_side(app, completed_run, shared_runs):
    goto(app, "leaderboard")
    board = leaderboard_frame(completed_run, shared_runs)
    key = _state.leaderboard_table(completed_run, board["model_id"])
    app.session_state[key] = {"selection": {"rows": [0, 2], "columns": [], "cells": []}}
    app.run()
    assert not app.exception and "2 models side by side" in texts(app)
    side = app.dataframe[1].value
    first, third = board.iloc[0], board.iloc[2]
    assert side.columns[0].startswith(f"#{first['model_id']} ")
    assert side.loc["AUC (weighted)"].tolist() == [f"{first['score']:.4f}", f"{third['score']:.4f}"]
    assert side.loc["Accuracy"].iloc[1] == f"{third['accuracy']:.4f}"
