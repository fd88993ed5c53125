"""The Run page: Start, live progress from the store, reattaching, cancel."""

import time

from engine import RunSettings, get_run, leaderboard_frame, load_sample, start_run
from pages import _state
from tests.pages.conftest import goto, texts, wait_until_done


def test_without_a_run_it_asks_for_setup(app, runs_dir):
    goto(app, "run")
    assert app.info and app.get("page_link")


def test_a_reload_reattaches_from_the_url(app, completed_run, shared_runs):
    app.query_params[_state.RUN_QUERY] = completed_run  # a new session: only the URL knows
    goto(app, "run")
    assert app.session_state[_state.RUN_ID] == completed_run
    assert app.success  # "The run is complete."
    labels = [m.label for m in app.metric]
    assert labels == ["Best score so far", "Trials done", "Failed trials", "Duration"]
    assert float(app.metric[0].value) > 0.9
    board = app.dataframe[0].value
    assert len(board) == len(leaderboard_frame(completed_run, shared_runs))
    assert board["best"].iloc[0] == "★"
    assert app.get("plotly_chart")  # the search history
    assert "Search history" in texts(app)


def test_an_unknown_run_is_one_sentence(app, runs_dir):
    app.query_params[_state.RUN_QUERY] = "no-such-run"
    goto(app, "run")
    assert not app.exception
    assert len(app.error) == 1 and "no-such-run" in app.error[0].value
    assert app.session_state[_state.RUN_ID] is None


def test_cancel_keeps_the_finished_models(app, runs_dir):
    settings = RunSettings(target="species", task="classification", metric="accuracy",
                           validation="cv:3", time_budget=120, models=("logistic_regression",),
                           ensembles=False)
    run_id = start_run(settings, load_sample("penguins"), runs_dir=runs_dir)
    app.query_params[_state.RUN_QUERY] = run_id
    goto(app, "run")
    end = time.time() + 60
    while leaderboard_frame(run_id, runs_dir).empty and time.time() < end:
        time.sleep(0.5)
    app.run()
    cancel = [b for b in app.button if b.label == "Cancel the run"]
    assert cancel, texts(app)
    cancel[0].click().run()
    assert not app.exception
    assert wait_until_done(run_id, runs_dir) == "cancelled"
    app.run()
    assert app.warning  # "The run was cancelled; its finished models are kept."
    assert len(app.dataframe[0].value) >= 1
    assert get_run(run_id, runs_dir).n_trials_done >= 1




def test_failed_trials_are_listed_with_their_reason(app, runs_dir):
    from engine import create_run, execute_run
    from engine.store import Store

    settings = RunSettings(target="species", task="classification", validation="holdout:0.2",
                           max_trials=1, models=("logistic_regression",), ensembles=False)
    run_id = create_run(settings, load_sample("penguins"), runs_dir=runs_dir)
    execute_run(run_id, runs_dir)
    Store(runs_dir).save_model_row(run_id, 99, family="knn", kind="single", status="failed",
                                   error="The fit ran out of memory.", duration=0.1)
    app.query_params[_state.RUN_QUERY] = run_id
    goto(app, "run")
    assert [e.label for e in app.expander if e.label.startswith("Failed")] == ["Failed trials (1)"]
    table = app.dataframe[-1].value
    assert list(table["error"]) == ["The fit ran out of memory."]
    assert list(table["model"]) == ["k-nearest neighbours"]
