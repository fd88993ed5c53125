"""The Setup page: suggested task, metric with its explanation, validation, budget, summary."""

import pytest

from engine import get_run
from pages import _state
from tests.pages.conftest import ROOT, goto, texts, wait_until_done


def with_sample(app, key):
    app.button(key=f"{_state.SAMPLE_BUTTON}{key}").click().run()
    return goto(app, "setup")


def test_needs_data_first(app, runs_dir):
    goto(app, "setup")
    assert app.info and app.get("page_link")


@pytest.mark.parametrize(("sample", "task", "metric"), [
    ("penguins", "classification", "AUC_weighted"),
    ("diabetes", "regression", "normalized_root_mean_squared_error"),
])
def test_task_is_suggested_with_its_default_metric(app, runs_dir, sample, task, metric):
    with_sample(app, sample)
    assert app.session_state[_state.TASK] == task
    assert app.selectbox(key=_state.METRIC).value == metric
    assert "robust default" in texts(app)  # the chosen metric's one-line explanation


def test_task_can_be_overridden(app, runs_dir):
    with_sample(app, "diabetes")
    app.segmented_control(key=_state.TASK).set_value("classification").run()
    assert app.selectbox(key=_state.METRIC).value == "AUC_weighted"


def test_summary_names_validation_budget_and_estimate(app, runs_dir):
    with_sample(app, "penguins")
    app.radio(key=_state.VALIDATION).set_value("cv").run()
    app.number_input(key=_state.FOLDS).set_value(3).run()
    app.number_input(key=_state.MAX_TRIALS).set_value(10).run()
    summary = texts(app)
    assert "3-fold cross-validation" in summary
    assert "at most 10 trials" in summary and "Estimated time" in summary
    settings = app.session_state[_state.SETTINGS]
    assert (settings.validation, settings.max_trials) == ("cv:3", 10)


def test_settings_survive_a_visit_to_another_page(app, runs_dir):
    with_sample(app, "penguins")
    app.number_input(key=_state.BUDGET_MINUTES).set_value(2.0).run()
    goto(app, "data")
    goto(app, "setup")
    assert app.number_input(key=_state.BUDGET_MINUTES).value == 2.0


def test_an_engine_error_is_one_sentence(app, runs_dir):
    app.button(key=f"{_state.SAMPLE_BUTTON}penguins").click().run()
    roles = app.session_state[_state.ROLES]
    app.session_state[_state.ROLES] = {c: "ignore" for c in roles}
    goto(app, "setup")
    [b for b in app.button if b.label == "Start"][0].click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "No column is left to learn from: mark at least one column as a feature."]


def test_start_launches_a_run_and_follows_it(app, runs_dir):
    with_sample(app, "penguins")
    app.number_input(key=_state.MAX_TRIALS).set_value(2).run()
    app.multiselect(key=_state.MODELS).set_value(["logistic_regression"]).run()
    start = [b for b in app.button if b.label == "Start"][0]
    start.click().run()
    assert not app.exception and not app.error
    run_id = app.session_state[_state.RUN_ID]
    assert app.query_params[_state.RUN_QUERY] == run_id
    assert get_run(run_id, runs_dir).settings.max_trials == 2
    assert wait_until_done(run_id, runs_dir) == "completed"


def test_validation_and_test_files_are_read_once_and_summarised(app, runs_dir):
    with_sample(app, "penguins")
    csv = (ROOT / "assets" / "datasets" / "penguins.csv").read_bytes()
    app.radio(key=_state.VALIDATION).set_value("file").run()
    assert "Upload the validation file" in texts(app)  # no Start until it is there
    app.file_uploader(key=_state.VALIDATION_UPLOAD).set_value(("valid.csv", csv, "text/csv")).run()
    app.radio(key=_state.TEST_MODE).set_value("fraction").run()
    assert not app.exception and not app.error
    summary = texts(app)
    assert "on the uploaded validation file" in summary
    assert "10% of the rows, scored at the end" in summary
    assert len(app.session_state[_state.VALIDATION_DATA][1]) == 344
    assert app.session_state[_state.SETTINGS].test_fraction == 0.1


def test_featurization_steps_taken_out_reach_the_settings_and_the_summary(app, runs_dir):
    with_sample(app, "penguins")
    assert app.session_state[_state.SETTINGS].featurization_off == ()
    assert "Featurization: every step" in texts(app)
    app.multiselect(key=_state.FEATURIZATION).unselect("scaling").unselect("one_hot").run()
    assert app.session_state[_state.SETTINGS].featurization_off == ("scaling", "one_hot")
    assert "every step but Scaling, One-hot encoding" in texts(app)
    app.session_state[_state.LANG] = "ja"
    app.run()
    assert "標準化、ワンホットエンコーディング 以外" in texts(app)


def test_a_group_column_is_named_in_the_validation_summary(app, runs_dir):
    with_sample(app, "penguins")
    app.session_state[_state.ROLES] = {**app.session_state[_state.ROLES], "island": "group"}
    app.run()
    assert "Rows of one 'island' stay on one side of every split." in texts(app)
    app.session_state[_state.LANG] = "ja"
    app.run()
    assert "「island」が同じ行は" in texts(app)
