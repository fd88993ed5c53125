"""Predict & export: score an uploaded table with a model (predictions, probabilities, per-row
contributions, and metrics when the table has the target), and take the model away."""

import pandas as pd
import streamlit as st

from engine import leaderboard_frame, list_runs, load_table, model_bundle, score_table, \
    training_script
from pages import _state
from pages._i18n import metric_name, t
from pages._widgets import FILE_TYPES, call, model_name, run_picker, runs_dir, score_text

_state.require_app(__file__)
ROOT = str(runs_dir())
PREVIEW_ROWS = 1000

st.title(t("predict.title"))
runs = call(list_runs, ROOT)
if runs is None or runs.empty:
    st.info(t("board.no_runs"), icon=":material/play_circle:")
    st.page_link("pages/data.py", label=t("nav.data"), icon=":material/arrow_back:")
    st.stop()
selected = _state.selected_model()
run_col, model_col = st.columns(2)
run_id = run_picker(runs, selected[0] if selected else _state.watched_run(), run_col)
board = call(leaderboard_frame, run_id, ROOT)
if board is None or board.empty:
    st.info(t("board.empty"), icon=":material/hourglass_top:")
    st.stop()
names = {int(r.model_id): t("predict.model_option", model_id=r.model_id, score=score_text(r.score),
                            model=model_name(r.family, r.kind) + (" ★" if r.is_best else ""))
         for r in board.itertuples()}
best = int(board.loc[board["is_best"], "model_id"].iloc[0]) if board["is_best"].any() else None
default = selected[1] if selected and selected[0] == run_id else best
model_ids = list(names)
model_id = model_col.selectbox(t("predict.model"), model_ids, format_func=names.get,
                               index=model_ids.index(default) if default in names else 0)
row = board[board["model_id"] == model_id].iloc[0]

st.subheader(t("predict.score_title"))
upload = st.file_uploader(t("predict.upload"), type=FILE_TYPES, key=_state.PREDICT_UPLOAD,
                          help=t("predict.upload_help"))
explain = st.toggle(t("predict.explain"), key=_state.PREDICT_EXPLAIN, help=t("predict.explain_help"),
                    persist_state=_state.KEEP)
if st.button(t("predict.score"), type="primary", icon=":material/online_prediction:",
             disabled=upload is None):
    with st.spinner(t("predict.scoring")):
        table = call(load_table, upload, name=upload.name)
        scored = None if table is None else call(score_table, run_id, table.frame, runs_dir=ROOT,
                                                 model_id=model_id, explain=explain)
    _state.put(_state.SCORED, (run_id, model_id, upload.name, scored) if scored else None)

result = _state.get(_state.SCORED)
if result and result[:2] == (run_id, model_id):
    name, scored = result[2:]
    st.success(t("predict.done", rows=f"{len(scored.frame):,}", name=name,
                 seconds=f"{scored.seconds:.2f}"), icon=":material/check_circle:")
    if scored.metrics:
        primary = runs.loc[runs["run_id"] == run_id, "metric"].iloc[0]
        st.metric(t("predict.metrics", rows=f"{scored.n_labelled:,}", metric=metric_name(primary)),
                  score_text(scored.metrics.get(primary)))
        with st.expander(t("predict.all_metrics")):
            st.dataframe(pd.DataFrame({t("model.metric"): [metric_name(m) for m in scored.metrics],
                                       t("predict.value"): list(scored.metrics.values())}),
                         hide_index=True, height="content", column_config={
                             t("predict.value"): st.column_config.NumberColumn(format="%.4f")})
    preview = scored.frame.head(PREVIEW_ROWS)  # what was added first, then the table's own columns
    st.dataframe(preview[[*scored.added, *(c for c in preview if c not in scored.added)]],
                 hide_index=True, placeholder="—")
    if len(scored.frame) > PREVIEW_ROWS:
        st.caption(t("predict.preview", shown=f"{PREVIEW_ROWS:,}", rows=f"{len(scored.frame):,}"))
    st.download_button(t("predict.download_csv"), icon=":material/download:",
                       data=lambda: scored.frame.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"predictions-{run_id}-model-{model_id}.csv", mime="text/csv",
                       on_click="ignore")

st.subheader(t("predict.export_title"))
st.caption(t("predict.export_help"))
bundle_col, script_col = st.columns(2)
bundle_col.download_button(t("predict.download_model"), icon=":material/deployed_code:",
                           data=lambda: model_bundle(run_id, model_id, runs_dir=ROOT),
                           file_name=f"model-{run_id}-{model_id}.zip", mime="application/zip",
                           on_click="ignore")
if row["kind"] == "single":
    script_col.download_button(t("predict.download_script"), icon=":material/code:",
                               data=lambda: training_script(run_id, model_id, runs_dir=ROOT),
                               file_name=f"train_model_{run_id}_{model_id}.py",
                               mime="text/x-python", on_click="ignore")
else:
    script_col.caption(t("predict.no_script"))
