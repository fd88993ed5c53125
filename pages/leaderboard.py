"""Leaderboard: every model of a run with every metric, times and hyperparameters; pick one."""

import json

import pandas as pd
import streamlit as st

from engine import get_run, leaderboard_frame, list_runs
from pages import _state
from pages._i18n import kind_name, metric_name, t
from pages._widgets import (
    call,
    leaderboard_table,
    members,
    model_link,
    model_name,
    run_picker,
    runs_dir,
    score_text,
)

_state.require_app(__file__)

KINDS = ("single", "voting", "stacking")


def compared(rows: pd.DataFrame, config: dict) -> None:
    """The chosen models side by side: every metric and time, one column per model."""
    fields = [c for c in rows.columns if c not in ("best", "model_id", "model", "kind", "params")]
    side = pd.DataFrame(
        {f"#{r.model_id} {r.model}": [rows.loc[i, f] for f in fields]
         for i, r in zip(rows.index, rows.itertuples())},
        index=[config[f]["label"] for f in fields])
    st.subheader(t("board.compare_title", n=len(rows)))
    st.dataframe(side.map(lambda v: "—" if pd.isna(v) else f"{v:.4f}"), height="content",
                 column_config={"_index": st.column_config.TextColumn(width="medium")})
    st.caption(t("board.compare_hint"))

st.title(t("board.title"))
runs = call(list_runs, runs_dir())
if runs is None or runs.empty:
    st.info(t("board.no_runs"), icon=":material/play_circle:")
    st.page_link("pages/data.py", label=t("nav.data"), icon=":material/arrow_back:")
    st.stop()

run_id = run_picker(runs, _state.watched_run())
_state.watch_run(run_id)
info = call(get_run, run_id, runs_dir())
board = call(leaderboard_frame, run_id, runs_dir())
if info is None or board is None:
    st.stop()
if board.empty:
    st.info(t("board.empty"), icon=":material/hourglass_top:")
    st.stop()

metric = info.settings.metric
best = board[board["is_best"]]
st.caption(t("board.summary", n=len(board), metric=metric_name(metric),
             best=model_name(*best[["family", "kind"]].iloc[0]) if len(best) else "—",
             score=score_text(best["score"].iloc[0] if len(best) else None)))
present = [k for k in KINDS if k in set(board["kind"])]
if _state.get(_state.KINDS) is None or not set(_state.get(_state.KINDS)) <= set(present):
    _state.put(_state.KINDS, present)
filter_col, params_col = st.columns([3, 1], vertical_alignment="bottom")
kinds = filter_col.multiselect(t("board.filter_kinds"), present, format_func=kind_name,
                               key=_state.KINDS, persist_state=_state.KEEP)
show_params = params_col.toggle(t("board.show_params"), key=_state.SHOW_PARAMS,
                                persist_state=_state.KEEP)
shown = board[board["kind"].isin(kinds)].reset_index(drop=True)
table, config = leaderboard_table(shown, metric, all_metrics=True, params=show_params)
st.caption(t("board.hint"))
event = st.dataframe(table, column_config=config, hide_index=True, placeholder="—",
                     on_select="rerun",
                     selection_mode="multi-row",
                     key=_state.leaderboard_table(run_id, table["model_id"]),
                     height=min(38 + 35 * len(table), 520))
rows = event.selection.rows
if len(rows) > 1:
    compared(table.iloc[rows], config)
    st.stop()
if rows:
    _state.select_model(run_id, int(shown["model_id"].iloc[rows[0]]))
selected = _state.selected_model()
if selected is None or selected[0] != run_id or selected[1] not in set(board["model_id"]):
    st.stop()

row = board[board["model_id"] == selected[1]].iloc[0]
with st.container(border=True):
    st.markdown(t("board.selected", model_id=int(row["model_id"]),
                  model=model_name(row["family"], row["kind"]), metric=metric_name(metric),
                  score=score_text(row["score"])))
    model_link(run_id, int(row["model_id"]))
    if row["kind"] != "single":
        names = dict(zip(board["model_id"], board["family"]))
        weighted = row["kind"] == "voting"  # a stacking's meta-model has no member weights
        st.markdown(t("board.members", members=t("summary.joiner").join(
            f"#{i} {model_name(names[i])}" + (f" ({w:.0%})" if weighted else "")
            for i, w in members(row["members"]) if i in names)))
    with st.expander(t("board.params")):
        st.json(json.loads(row["params"] or "{}"))
