"""Run: start the run process, then follow it live from the store (it outlives this page)."""

import pandas as pd
import streamlit as st

from engine import RunInfo, cancel_run, get_run, leaderboard_frame, trials_frame
from pages import _state
from pages._i18n import engine_text, role_name, status_name, t
from pages._widgets import (
    attempt,
    call,
    duration_text,
    history_chart,
    leaderboard_table,
    model_name,
    runs_dir,
    score_text,
    start_button,
    summary,
)

_state.require_app(__file__)

POLL_SECONDS = 1.0
LIVE = ("queued", "running")
FINISHED = ("completed", "failed", "pruned")


def show_run(run_id: str, *, polling: bool) -> None:
    """Progress, best score, leaderboard so far, search history and failed trials of a run."""
    info = call(get_run, run_id, runs_dir())
    if info is None:
        return
    if polling and info.status not in LIVE:
        st.rerun()  # the run ended: draw it once more without polling
    settings = info.settings
    board = call(leaderboard_frame, run_id, runs_dir())
    trials = call(trials_frame, run_id, runs_dir())
    if trials is not None:  # the search's own trials; ensembles come after it
        trials = trials[trials["kind"] == "single"].reset_index(drop=True)
    done_trials = 0 if trials is None else int(trials["status"].isin(FINISHED).sum())
    st.caption(t("run.status_line", run_id=run_id, status=status_name(info.status),
                 target=settings.target))
    budget = settings.time_budget
    st.progress(min(info.elapsed_s / budget, 1.0),
                text=t("run.time_progress", elapsed=duration_text(info.elapsed_s),
                       budget=duration_text(budget)))
    if settings.max_trials:
        st.progress(min(done_trials / settings.max_trials, 1.0),
                    text=t("run.trial_progress", done=done_trials,
                           total=settings.max_trials))
    best, done, failed, left = st.columns(4)
    best.metric(t("run.best_score"), score_text(info.best_score))
    done.metric(t("run.trials_done"), done_trials)
    failed.metric(t("run.trials_failed"), info.n_failed)
    if info.status in LIVE:
        left.metric(t("run.time_left"), duration_text(max(budget - info.elapsed_s, 0.0)))
    else:
        left.metric(t("run.duration"), duration_text(info.elapsed_s))

    if info.status in LIVE:
        asked = run_id in _state.get(_state.CANCEL_ASKED, ())
        if not asked and st.button(t("run.cancel"), icon=":material/stop_circle:"):
            if asked := attempt(cancel_run, run_id, runs_dir()):
                _state.put(_state.CANCEL_ASKED, {*_state.get(_state.CANCEL_ASKED, ()), run_id})
        if asked:
            st.info(t("run.cancelling"), icon=":material/hourglass_top:")
    elif info.status == "completed":
        st.success(t("run.completed"), icon=":material/check_circle:")
    elif info.status == "cancelled":
        st.warning(t("run.cancelled"), icon=":material/stop_circle:")
    else:
        st.error(t("run.ended", status=status_name(info.status),
                   message=engine_text(info.message)))

    st.subheader(t("run.leaderboard"))
    if board is None or board.empty:
        st.caption(t("run.no_models_yet"))
    else:
        table, config = leaderboard_table(board, settings.metric, all_metrics=False)
        st.dataframe(table, column_config=config, hide_index=True, placeholder="—",
                     height=min(38 + 35 * len(table), 360))
        if info.status not in LIVE:
            st.page_link("pages/leaderboard.py", label=t("run.open_leaderboard"),
                         icon=":material/leaderboard:",
                         query_params={_state.RUN_QUERY: run_id})
    if trials is not None and not trials.empty:
        st.subheader(t("run.history"))
        history_chart(trials, settings.metric)
        failed_trials(trials[trials["status"] == "failed"])
    report(info)


def failed_trials(failures: pd.DataFrame) -> None:
    """Each failed trial with its model and the reason it failed."""
    if failures.empty:
        return
    with st.expander(t("run.failed_trials", n=len(failures))):
        table = pd.DataFrame({"model_id": failures["model_id"],
                              "model": [model_name(f, "single") for f in failures["family"]],
                              "error": [engine_text(e) for e in failures["error"]]})
        st.dataframe(table, hide_index=True, column_config={
            "model_id": st.column_config.NumberColumn(t("board.model_id")),
            "model": st.column_config.TextColumn(t("board.model")),
            "error": st.column_config.TextColumn(t("run.reason"), width="large")})


def report(info: RunInfo) -> None:
    """What the run did with the data: rows used, dropped rows and columns, data warnings."""
    values = info.report
    if not values:
        return
    roles = info.settings.roles
    lines = [t("run.report_rows", train=values.get("n_train", 0), valid=values.get("n_valid", 0),
               test=values.get("n_test", 0)),
             t("run.report_dropped_rows", n=values.get("dropped_missing_target", 0))]
    lines += [t("run.report_dropped_column", column=column,
                role=role_name(roles.get(column, "ignore")))
              for column in values.get("dropped_columns") or {}]
    with st.expander(t("run.report")):
        st.markdown("\n".join(f"- {line}" for line in lines))
        for warning in [*(values.get("warnings") or ()),
                        *(g["message"] for g in values.get("guardrails") or ())]:
            st.warning(engine_text(warning), icon=":material/shield:")


st.title(t("run.title"))
run_id = _state.watched_run()
if run_id is None:
    settings, frame = _state.get(_state.SETTINGS), _state.get(_state.DATA)
    if settings is None or frame is None:
        st.info(t("run.need_setup"), icon=":material/tune:")
        st.page_link("pages/setup.py", label=t("nav.setup"), icon=":material/arrow_back:")
        st.stop()
    summary(settings, frame, has_validation_file=bool(_state.get(_state.VALIDATION_DATA)),
            has_test_file=bool(_state.get(_state.TEST_DATA)))
    start_button(settings, frame)
    st.stop()

_state.watch_run(run_id)
first = call(get_run, run_id, runs_dir())
if first is None:
    _state.watch_run(None)
    st.stop()
if st.button(t("run.new"), icon=":material/add:", type="tertiary"):
    _state.watch_run(None)
    st.rerun()
if first.status in LIVE:
    st.fragment(run_every=POLL_SECONDS)(show_run)(run_id, polling=True)
else:
    show_run(run_id, polling=False)
