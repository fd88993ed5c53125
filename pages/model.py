"""Model report: every metric and chart of one model on validation and test data, a second
model overlaid, the binary threshold and cost tool, and the report as one HTML file."""

import pandas as pd
import streamlit as st

from engine import (METRICS, REPORT_TEXTS, ModelReport, best_threshold, figure_confusion,
                    figure_threshold, has_test_set, leaderboard_frame, model_metrics_frame,
                    model_report, report_figures, report_html, report_splits, save_threshold,
                    saved_threshold, score_on_test, threshold_point)
from pages import _state
from pages._i18n import metric_name, t, task_name
from pages._widgets import attempt, call, model_name, runs_dir, score_text

_state.require_app(__file__)
ROOT = str(runs_dir())


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_report(run_id: str, model_id: int, split: str, root: str) -> ModelReport:
    return model_report(run_id, model_id, runs_dir=root, split=split)


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_figures(run_id: str, model_id: int, split: str, compare_id: int | None, root: str,
                   labels: dict, curves: tuple[str, ...] | None, names: tuple[str, str] | None,
                   ) -> dict:
    """The report's figures, built once per choice (st.plotly_chart does not change them)."""
    compare = None if names is None else cached_report(run_id, compare_id, split, root)
    return report_figures(cached_report(run_id, model_id, split, root), compare=compare,
                          labels=labels, curves=curves, names=names)


def split_name(split: str) -> str:
    return t("model.split_test") if split == "test" else t("model.split_validation")


def metrics_table(frame: pd.DataFrame) -> None:
    """Every metric on validation, its mean ± std across folds, and on test; missing as —."""
    table = frame.assign(
        metric=[("★ " if p else "") + metric_name(m) for m, p in zip(frame["metric"],
                                                                    frame["primary"])],
        folds=[f"{m:.4f} ± {s:.4f}" if pd.notna(m) else None for m, s in zip(frame["fold_mean"],
                                                                             frame["fold_std"])])
    number = st.column_config.NumberColumn
    config = {"metric": st.column_config.TextColumn(t("model.metric")),
              "validation": number(t("model.validation"), format="%.4f"),
              "folds": st.column_config.TextColumn(t("model.folds"), alignment="right"),
              "test": number(t("model.test"), format="%.4f")}
    shown = [c for c in config if table[c].notna().any()]
    st.dataframe(table[shown], column_config=config, hide_index=True, height="content",
                 placeholder="—")
    k = frame.attrs["folds"]
    st.caption(t("model.folds_note", k=k) if k > 1 else t("model.holdout_note"))


def find_best(run_id: str, model_id: int, key: str) -> None:
    point = call(best_threshold, run_id, model_id, cost_fp=st.session_state[_state.COST_FP],
                 cost_fn=st.session_state[_state.COST_FN], runs_dir=ROOT)
    if point is not None:
        st.session_state[key] = point.threshold


@st.fragment
def threshold_tool(run_id: str, model_id: int, report: ModelReport, labels: dict) -> None:
    """Slider, costs and save: a change reruns this part of the page only."""
    st.subheader(t("model.threshold_title"))
    st.caption(t("model.threshold_help", positive=report.classes[1]))
    key = _state.model_widget("threshold", run_id, model_id)
    saved = call(saved_threshold, run_id, model_id, runs_dir=ROOT)
    st.session_state.setdefault(key, 0.5 if saved is None else saved)
    for cost in (_state.COST_FP, _state.COST_FN):
        st.session_state.setdefault(cost, 1.0)
    fp_col, fn_col, best_col = st.columns(3, vertical_alignment="bottom")
    cost_fp = fp_col.number_input(t("model.cost_fp"), min_value=0.0, step=1.0, key=_state.COST_FP)
    cost_fn = fn_col.number_input(t("model.cost_fn"), min_value=0.0, step=1.0, key=_state.COST_FN)
    best_col.button(t("model.find_best"), on_click=find_best, args=(run_id, model_id, key),
                    icon=":material/savings:")
    threshold = st.slider(t("model.threshold"), 0.0, 1.0, step=0.001, format="%.3f", key=key)
    point = call(threshold_point, run_id, model_id, threshold, runs_dir=ROOT, cost_fp=cost_fp,
                 cost_fn=cost_fn)
    if point is None:
        return
    names = (t("model.precision"), t("model.recall"), t("model.f1"), t("model.cost"))
    for col, name, value in zip(st.columns(4), names, (point.precision, point.recall, point.f1,
                                                        point.cost)):
        col.metric(name, f"{value:.4f}")
    matrix_col, curve_col = st.columns(2)
    title = t("model.confusion_at", threshold=f"{threshold:.3f}")
    matrix_col.plotly_chart(figure_confusion(point.confusion, labels={**labels["confusion"],
                                                                      "title": title}))
    curve_col.plotly_chart(figure_threshold(report.charts["threshold"],
                                            labels=labels["threshold"], marker=threshold))
    save_col, reset_col = st.columns(2)
    if save_col.button(t("model.save_threshold", threshold=f"{threshold:.3f}"), type="primary",
                       icon=":material/save:"):
        attempt(save_threshold, run_id, model_id, threshold, ROOT)
    saved = call(saved_threshold, run_id, model_id, runs_dir=ROOT)
    if saved is not None and reset_col.button(t("model.reset_threshold"),
                                              icon=":material/restart_alt:"):
        saved = None if attempt(save_threshold, run_id, model_id, None, ROOT) else saved
    st.caption(t("model.saved_none") if saved is None else
               t("model.saved", threshold=f"{saved:.3f}"))


st.title(t("model.title"))
selected = _state.selected_model()
board = call(leaderboard_frame, selected[0], ROOT) if selected else None
if selected is None or board is None or selected[1] not in set(board["model_id"]):
    st.info(t("model.none"), icon=":material/leaderboard:")
    st.page_link("pages/leaderboard.py", label=t("nav.leaderboard"), icon=":material/arrow_back:")
    st.stop()
run_id, model_id = selected
names = {int(r.model_id): t("model.name", model=model_name(r.family, r.kind), model_id=r.model_id)
         for r in board.itertuples()}
metrics = call(model_metrics_frame, run_id, model_id, runs_dir=ROOT)
splits = call(report_splits, run_id, model_id, runs_dir=ROOT)
if metrics is None or splits is None:
    st.stop()
primary = metrics[metrics["primary"]].iloc[0]
st.markdown(t("model.heading", model=names[model_id], run_id=run_id,
              metric=metric_name(primary["metric"]), score=score_text(primary["validation"])))

split_col, compare_col, curves_col = st.columns([1, 1, 2], vertical_alignment="bottom")
split = split_col.segmented_control(t("model.split"), splits, format_func=split_name,
                                    default="validation", required=True,
                                    key=_state.model_widget("split", run_id, model_id))
compare_id = compare_col.selectbox(
    t("model.compare"), [None, *(m for m in names if m != model_id)],
    format_func=lambda m: t("model.compare_none") if m is None else names[m],
    key=_state.model_widget("compare", run_id, model_id))
if "test" not in splits and call(has_test_set, run_id, runs_dir=ROOT):
    note_col, button_col = st.columns([3, 1], vertical_alignment="center")
    note_col.caption(t("model.not_scored"))
    if button_col.button(t("model.score_test"), icon=":material/quiz:"):
        with st.spinner(t("model.scoring")):
            if attempt(score_on_test, run_id, model_id, runs_dir=ROOT):
                st.rerun()
with st.spinner(t("model.computing")):  # shown only when it takes more than half a second
    report = call(cached_report, run_id, model_id, split, ROOT)
if report is None:
    st.stop()
compared = compare_id is not None and split in (call(report_splits, run_id, compare_id,
                                                     runs_dir=ROOT) or ())
if compare_id is not None and not compared:
    st.caption(t("model.compare_missing", model=names[compare_id]))
curves = None
if report.task == "classification":
    averages = {"micro": t("report.curve.micro"), "macro": t("report.curve.macro")}
    options = [*report.classes, *averages]
    curves = curves_col.multiselect(
        t("model.curves"), options, default=report.classes[1:] if report.is_binary else options,
        format_func=lambda c: averages.get(c, c), key=_state.model_widget("curves", run_id,
                                                                          model_id))

labels = {kind: {f: t(f"report.{kind + '.' + f}") for f in fields}
          for kind, fields in REPORT_TEXTS.items()}
labels |= {"metric": {m: metric_name(m) for m in METRICS}, "task": {report.task:
           task_name(report.task)}, "model": {str(m): name for m, name in names.items()}}
pair = (names[model_id], names[compare_id]) if compared else None
figs = call(cached_figures, run_id, model_id, split, compare_id, ROOT, labels,
            None if curves is None else tuple(curves), pair)
if figs is None:
    st.stop()

st.subheader(t("model.metrics"))
metrics_table(metrics)
st.subheader(t("model.charts"))
st.caption(t("model.rows", rows=f"{report.n_rows:,}", split=split_name(split)))
keys = [key for key in figs if key != "threshold"]
for start in range(0, len(keys), 2):
    for col, key in zip(st.columns(2), keys[start:start + 2]):
        col.plotly_chart(figs[key], key=f"chart_{key}")
if report.is_binary and split == "validation":
    threshold_tool(run_id, model_id, report, labels)

st.download_button(
    t("model.download"), data=lambda: report_html(run_id, model_id, runs_dir=ROOT,
                                                  compare_id=compare_id, labels=labels),
    file_name=f"report-{run_id}-model-{model_id}.html", mime="text/html", on_click="ignore",
    icon=":material/download:")
