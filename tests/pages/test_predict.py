"""The Predict & export page: a table scored with a run's model, metrics when it has the
target, per-row contributions, and one-sentence errors that keep the page usable."""

import numpy as np
import pandas as pd

from engine import leaderboard_frame, load_sample, predict_frame
from pages import _state
from tests.pages.conftest import goto, texts

PENGUINS = load_sample("penguins")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def score(app, data: bytes, name: str = "new.csv"):
    app.file_uploader(key=_state.PREDICT_UPLOAD).set_value((name, data, "text/csv")).run()
    next(b for b in app.button if b.label.startswith("Score")).click().run()
    assert not app.exception, app.exception
    return app


def test_no_runs_yet(app, runs_dir):
    goto(app, "predict")
    assert app.info and not app.exception


def test_the_best_model_scores_a_table_and_is_measured_on_its_target(app, completed_run,
                                                                     shared_runs):
    goto(app, "predict")
    board = leaderboard_frame(completed_run, shared_runs)
    best = int(board.loc[board["is_best"], "model_id"].iloc[0])
    assert app.selectbox[1].value == best  # the model picker starts on the best model
    score(app, csv_bytes(PENGUINS))
    assert "Scored 344 rows of new.csv" in texts(app)
    scored = app.dataframe[-1].value
    expected = predict_frame(completed_run, PENGUINS, runs_dir=shared_runs, model_id=best)
    assert list(scored.columns) == ["prediction", *(f"proba_{c}" for c in ("Adelie", "Chinstrap",
                                                                         "Gentoo")),
                                    *PENGUINS.columns]  # the preview puts what was added first
    assert (scored["prediction"].to_numpy() == expected["prediction"].to_numpy()).all()
    headline = app.metric[0]
    assert headline.label == "AUC (weighted) on the table's 344 labelled rows"
    assert 0.9 < float(headline.value) <= 1
    metrics = app.dataframe[0].value.set_index("Metric")["Value"]
    assert metrics.notna().all() and {"Accuracy", "Log loss"} <= set(metrics.index)


def test_per_row_contributions_are_added_when_asked(app, completed_run):
    goto(app, "predict")
    app.toggle(key=_state.PREDICT_EXPLAIN).set_value(True).run()
    score(app, csv_bytes(PENGUINS.drop(columns="species").head(20)))
    scored = app.dataframe[-1].value
    contributions = [c for c in scored.columns if c.startswith("contrib_")]
    assert {"contrib_bill_length_mm", "contrib_island"} <= set(contributions)
    assert len(scored) == 20 and np.isfinite(scored[contributions].to_numpy()).all()
    assert not app.metric  # no target column: no metrics


def test_a_missing_column_is_one_sentence_and_nothing_is_lost(app, completed_run):
    goto(app, "predict")
    score(app, csv_bytes(PENGUINS.drop(columns=["bill_length_mm"])))
    assert "bill_length_mm" in app.error[0].value and "missing" in app.error[0].value
    score(app, csv_bytes(PENGUINS.head(10)))  # the next good file scores as usual
    assert not app.error and len(app.dataframe[-1].value) == 10


def test_a_file_that_is_not_a_table_is_one_sentence(app, completed_run):
    goto(app, "predict")
    score(app, b"", name="empty.csv")
    assert "empty" in app.error[0].value.lower()


def test_japanese_page_has_every_part(app, completed_run):
    app.session_state[_state.LANG] = "ja"
    goto(app, "predict")
    page = texts(app)
    assert "予測とエクスポート" in page and "モデルを持ち出す" in page and "Score" not in page
