"""The search history curve (``engine.history``) the Run page draws: numbers, then the figure."""

import math

import pandas as pd
import pytest

from engine.history import figure_search_history, search_history_frame

TRIALS = pd.DataFrame({
    "model_id": [0, 1, 2, 3, 4, 5],
    "family": ["lightgbm", "knn", "lightgbm", "random_forest", "knn", "lightgbm"],
    "status": ["completed", "failed", "completed", "pruned", "completed", "running"],
    "score": [0.80, None, 0.85, 0.90, 0.83, None],
})


@pytest.mark.parametrize(("greater", "best", "new"), [
    (True, [0.80, 0.80, 0.85, 0.85, 0.85, 0.85], [True, False, True, False, False, False]),
    (False, [0.80, 0.80, 0.80, 0.80, 0.80, 0.80], [True, False, False, False, False, False]),
])
def test_best_so_far_counts_completed_trials_only(greater, best, new):
    curve = search_history_frame(TRIALS, greater_is_better=greater)
    assert list(curve["trial"]) == [1, 2, 3, 4, 5, 6]
    assert list(curve["best_so_far"]) == pytest.approx(best)  # the pruned 0.90 never counts
    assert list(curve["is_new_best"]) == new
    assert math.isnan(curve["score"][1]) and curve["score"][3] == 0.90


def test_before_any_score_the_curve_is_empty():
    curve = search_history_frame(TRIALS.iloc[[1]], greater_is_better=True)
    assert curve["best_so_far"].isna().all()
    assert search_history_frame(TRIALS.iloc[:0], greater_is_better=True).empty


def test_figure_draws_points_and_the_step_line_with_given_words():
    figure = figure_search_history(TRIALS, metric="正解率", greater_is_better=True,
                                   labels={"trial": "試行", "best": "これまでの最良"})
    names = [trace.name for trace in figure.data]
    assert names == ["Trial score", "Stopped early", "これまでの最良"]
    points, _, line = figure.data
    assert list(points.x) == [1, 3, 5] and list(line.x) == [1, 2, 3, 4, 5]  # not the running one
    assert line.line.shape == "hv"
    assert figure.layout.xaxis.title.text == "試行"
    assert figure.layout.yaxis.title.text == "正解率"


def test_figure_of_no_trials_has_no_traces():
    assert figure_search_history(TRIALS.iloc[:0], metric="AUC", greater_is_better=True).data == ()
