"""Runs: every run in the store; open one, or delete it after a confirmation."""

import pandas as pd
import streamlit as st

from engine import MODELS, delete_run, list_runs, runs_comparison_frame
from pages import _state
from pages._i18n import engine_text, family_name, kind_name, metric_name, status_name, t, \
    task_name
from pages._widgets import attempt, call, duration_text, runs_dir, score_text

_state.require_app(__file__)

LIVE = ("queued", "running")
SHOWN = {  # how each compared field reads; the others show as they are
    "status": status_name, "task": task_name, "metric": metric_name, "validation": engine_text,
    "n_rows": "{:,}".format, "time_budget": duration_text, "best_score": score_text,
    "test_score": score_text, "duration_s": duration_text,
    "models": lambda keys: ", ".join(map(family_name, keys)) or t("runs.every_model"),
    "ensembles": lambda on: t("runs.yes") if on else t("runs.no"),
    "best_model": lambda key: family_name(key) if key in MODELS else kind_name(key),
}


def comparison(run_ids: list[str]) -> None:
    """The chosen runs side by side, one row per setting or result."""
    frame = call(runs_comparison_frame, run_ids, runs_dir())
    if frame is None:
        return
    shown = pd.DataFrame({run_id: ["—" if v is None else str(SHOWN.get(field, str)(v))
                                   for field, v in frame[run_id].items()] for run_id in frame},
                         index=[t(f"runs.field.{field}") for field in frame.index])
    st.subheader(t("runs.compare_title", n=len(run_ids)))
    st.dataframe(shown, height="content",
                 column_config={"_index": st.column_config.TextColumn(width="medium")})

st.title(t("runs.title"))
runs = call(list_runs, runs_dir())
if runs is None:
    st.stop()
if runs.empty:
    st.info(t("runs.empty"), icon=":material/history:")
    st.page_link("pages/data.py", label=t("nav.data"), icon=":material/arrow_back:")
    st.stop()

timezone = st.context.timezone or "UTC"
started = pd.to_datetime(runs["started_at"]).dt.tz_localize("UTC").dt.tz_convert(timezone)
table = pd.DataFrame({
    "run_id": runs["run_id"],
    "status": runs["status"].map(status_name),
    "task": runs["task"].map(task_name),
    "target": runs["target"],
    "metric": runs["metric"].map(metric_name),
    "best_score": runs["best_score"],
    "best_model": runs["best_model"].map(lambda m: "" if pd.isna(m) else f"#{int(m)}"),
    "n_models": runs["n_models"],
    "started_at": started.dt.strftime("%Y-%m-%d %H:%M"),
    "duration": runs["duration_s"].map(duration_text),
})
st.caption(t("runs.hint", n=len(table)))
event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="multi-row",
                     key=_state.runs_table(runs["run_id"]), column_config={
                         "run_id": st.column_config.TextColumn(t("runs.run_id")),
                         "status": st.column_config.TextColumn(t("runs.status")),
                         "task": st.column_config.TextColumn(t("runs.task")),
                         "target": st.column_config.TextColumn(t("runs.target")),
                         "metric": st.column_config.TextColumn(t("runs.metric")),
                         "best_score": st.column_config.NumberColumn(t("runs.best_score"),
                                                                     format="%.4f"),
                         "best_model": st.column_config.TextColumn(t("runs.best_model")),
                         "n_models": st.column_config.NumberColumn(t("runs.n_models")),
                         "started_at": st.column_config.TextColumn(t("runs.started_at")),
                         "duration": st.column_config.TextColumn(t("runs.duration")),
                     })
rows = event.selection.rows
if len(rows) > 1:
    comparison([runs["run_id"].iloc[i] for i in rows])
if len(rows) != 1:
    st.stop()

run = runs.iloc[rows[0]]
run_id = run["run_id"]
live = run["status"] in LIVE
st.markdown(t("runs.selected", run_id=run_id, status=status_name(run["status"])))
open_col, delete_col, _ = st.columns([1, 1, 4])
if open_col.button(t("runs.open"), type="primary", icon=":material/open_in_new:"):
    _state.watch_run(run_id)
    st.switch_page("pages/run.py" if live else "pages/leaderboard.py",
                   query_params={_state.RUN_QUERY: run_id})
if delete_col.button(t("runs.delete"), icon=":material/delete:", disabled=live,
                     help=t("runs.delete_live") if live else None):
    _state.put(_state.DELETE_CANDIDATE, run_id)

if _state.get(_state.DELETE_CANDIDATE) == run_id:
    st.warning(t("runs.delete_confirm", run_id=run_id), icon=":material/warning:")
    yes, no, _ = st.columns([1, 1, 4])
    if yes.button(t("runs.delete_yes"), type="primary"):
        _state.put(_state.DELETE_CANDIDATE, None)
        if attempt(delete_run, run_id, runs_dir()):
            if _state.get(_state.RUN_ID) == run_id:
                _state.watch_run(None)
            st.toast(t("runs.deleted", run_id=run_id), icon=":material/delete:")
            st.rerun()
    if no.button(t("runs.delete_no")):
        _state.put(_state.DELETE_CANDIDATE, None)
        st.rerun()
