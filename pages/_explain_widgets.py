"""Pieces of the Explanations page: its words, the model picker, the progress of a background
computation, the global charts and the local view with its what-if inputs."""

from __future__ import annotations

import math
import time
import zlib

import numpy as np
import pandas as pd
import streamlit as st

from engine import (LOG_ODDS, LOG_PREDICTION, PREDICTION, PROBABILITY, RAW_SCORE, ExplainPlan,
                    ExplainRows, ExplainStatus, Explanation, beeswarm_frame, dependence_frame,
                    explanation_status, figure_beeswarm, figure_dependence, figure_waterfall,
                    interaction_feature, leaderboard_frame, list_runs, load_explainer,
                    load_validation_rows, raw_contributions, start_explain, waterfall_frame,
                    whatif)
from pages import _state
from pages._i18n import engine_text, metric_name, status_name, t
from pages._widgets import attempt, call, model_name

MAX_TABLE_ROWS = 500
MAX_LEVELS = 500
INPUT_COLUMNS = 4
MAX_DECIMALS = 8
NUMBER_ROLES = ("numeric", "boolean")


def figure_words() -> dict[str, str]:
    """The words of the explanation figures in the interface's language."""
    return {"feature": t("explain.fig.feature"), "importance": t("explain.fig.importance"),
            "permutation": t("explain.fig.permutation"),
            "contribution": t("explain.fig.contribution"), "value": t("explain.fig.value"),
            "colour": t("explain.fig.colour"), "missing": t("explain.fig.missing"),
            "base": t("explain.fig.base"), "others": t("explain.fig.others"),
            "output": t("explain.fig.output")}


def method_text(method: str | None) -> str:
    names = {"tree": t("explain.method.tree"), "linear": t("explain.method.linear"),
             "mimic": t("explain.method.mimic"), "mimic+tree": t("explain.method.mimic"),
             "kernel": t("explain.method.kernel")}
    return names.get(method, t("explain.method.later"))


def space_text(space: str) -> str:
    return {PREDICTION: t("explain.space.prediction"),
            LOG_PREDICTION: t("explain.space.log_prediction"),
            LOG_ODDS: t("explain.space.log_odds"), RAW_SCORE: t("explain.space.raw_score"),
            PROBABILITY: t("explain.space.probability")}.get(space, space)


def stage_text(stage: str | None) -> str:
    return {"model": t("explain.stage.model"), "explainer": t("explain.stage.explainer"),
            "shap": t("explain.stage.shap"), "permutation": t("explain.stage.permutation"),
            }.get(stage, t("explain.stage.queued"))


def seconds_text(seconds: float) -> str:
    if seconds < 1:
        return t("explain.under_a_second")
    if seconds < 90:
        return t("explain.seconds", n=f"{seconds:.0f}")
    return t("explain.minutes", n=f"{seconds / 60:.1f}")


# ---------------------------------------------------------------- picking the model


def pick_model(root: str) -> tuple[str, int] | None:
    """Run and model selectboxes, starting from the model chosen on the leaderboard."""
    runs = call(list_runs, root)
    if runs is None or runs.empty:
        st.info(t("explain.no_runs"), icon=":material/play_circle:")
        return None
    ids = list(runs["run_id"])
    selected = _state.selected_model()
    wanted = selected[0] if selected else _state.watched_run()
    run_col, model_col = st.columns([2, 3])
    labels = {r.run_id: t("board.run_option", run_id=r.run_id, target=r.target,
                          metric=metric_name(r.metric), status=status_name(r.status))
              for r in runs.itertuples()}
    run_id = run_col.selectbox(t("explain.run"), ids, format_func=labels.get,
                               index=ids.index(wanted) if wanted in ids else 0)
    board = call(leaderboard_frame, run_id, root)
    if board is None or board.empty:
        st.info(t("explain.no_models"), icon=":material/hourglass_top:")
        return None
    models = [int(m) for m in board["model_id"]]
    best = [int(m) for m in board.loc[board["is_best"], "model_id"]]
    default = selected[1] if selected and selected[0] == run_id else (best or models)[0]
    names = {int(r.model_id): t("explain.model_option", model_id=r.model_id, model=model_name(
        r.family, r.kind), best=" ★" if r.is_best else "") for r in board.itertuples()}
    model_id = model_col.selectbox(t("explain.model"), models, format_func=names.get,
                                   index=models.index(default) if default in models else 0)
    _state.watch_run(run_id)
    _state.select_model(run_id, model_id)
    st.query_params[_state.MODEL_QUERY] = str(model_id)
    return run_id, model_id


# ---------------------------------------------------------------- computing


def plan_lines(plan: ExplainPlan) -> list[str]:
    """What will be (or is being) computed, in sentences."""
    lines = [t("explain.plan.method", method=method_text(plan.method)),
             t("explain.plan.sample", rows=f"{plan.rows:,}", total=f"{plan.total_rows:,}")
             if plan.sampled else t("explain.plan.all", rows=f"{plan.rows:,}"),
             t("explain.plan.permutation", rows=f"{plan.permutation_rows:,}")]
    if plan.refit_seconds:
        lines.append(t("explain.plan.refit", time=seconds_text(plan.refit_seconds)))
    lines.append(t("explain.plan.time", first=seconds_text(plan.first_seconds),
                   total=seconds_text(plan.seconds)))
    return lines


@st.fragment(run_every=1.0)
def follow(run_id: str, model_id: int, root: str, version: str, plan: ExplainPlan | None) -> None:
    """The progress of a background computation; the whole page reruns when it moves on."""
    status = call(explanation_status, run_id, model_id, runs_dir=root)
    if status is None:
        return
    if status.version != version:
        st.rerun()
    plan = status.plan or plan
    elapsed = time.time() - status.started_at if status.started_at else 0.0
    expected = (plan.seconds if status.ready else plan.first_seconds) if plan else 10.0
    st.progress(min(elapsed / max(expected, 0.5), 0.99),
                text=t("explain.progress", stage=stage_text(status.stage),
                       elapsed=seconds_text(elapsed)))


def computing(run_id: str, model_id: int, root: str, status: ExplainStatus,
              plan: ExplainPlan | None) -> None:
    """What will be computed and how long it takes; a start button, or its progress."""
    with st.container(border=True):
        st.markdown(f"**{t('explain.plan.title')}**")
        if plan is not None:
            st.markdown("\n".join(f"- {line}" for line in plan_lines(plan)))
        if status.state == "failed":
            st.error(engine_text(status.message), icon=":material/error:")
        if status.live:
            follow(run_id, model_id, root, status.version, plan)
            return
        label = t("explain.retry") if status.state == "failed" else t("explain.start")
        if st.button(label, type="primary", icon=":material/psychology:"):
            if attempt(start_explain, run_id, model_id, runs_dir=root):
                st.rerun()


# ---------------------------------------------------------------- global views


def sample_caption(plan: ExplainPlan, expl: Explanation, timings: dict[str, float]) -> str:
    rows = (t("explain.on_sample", rows=f"{plan.rows:,}", total=f"{plan.total_rows:,}")
            if plan.sampled else t("explain.on_all", rows=f"{plan.rows:,}"))
    took = sum(v for k, v in timings.items() if k != "permutation")
    return t("explain.global_caption", rows=rows, method=method_text(expl.method),
             space=space_text(expl.output_space), time=seconds_text(took))


def fidelity(expl: Explanation) -> None:
    if expl.fidelity is not None:
        st.metric(t("explain.fidelity"), f"{expl.fidelity:.3f}", help=t("explain.fidelity_help"))


def beeswarm(expl: Explanation, words: dict[str, str]) -> None:
    st.markdown(f"**{t('explain.beeswarm')}**")
    st.caption(t("explain.beeswarm_help"))
    st.plotly_chart(figure_beeswarm(beeswarm_frame(expl), labels=words), key="explain_beeswarm")


@st.fragment
def dependence(expl: Explanation, ranked: list[str], words: dict[str, str], key: str) -> None:
    """A dependence plot of the chosen feature, coloured by the feature it interacts with most."""
    st.markdown(f"**{t('explain.dependence')}**")
    pick_col, note_col = st.columns([1, 2], vertical_alignment="bottom")
    feature = pick_col.selectbox(t("explain.dependence_feature"), ranked, key=key)
    partner = interaction_feature(expl, feature)
    note_col.caption(t("explain.dependence_partner", feature=partner) if partner else
                     t("explain.dependence_alone"))
    frame = dependence_frame(expl, feature, colour_by=partner)
    st.plotly_chart(figure_dependence(frame, feature=feature, colour_by=partner, labels=words),
                    key="explain_dependence")


# ---------------------------------------------------------------- local view


@st.cache_resource(max_entries=8, show_spinner=False)
def cached_rows(run_id: str, root: str) -> ExplainRows:
    return load_validation_rows(run_id, runs_dir=root)


@st.cache_resource(max_entries=8, show_spinner=False)
def cached_explainer(run_id: str, model_id: int, root: str, version: str):
    return load_explainer(run_id, model_id, runs_dir=root)


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_row(run_id: str, model_id: int, root: str, version: str, number: int, _explainer,
               _row: pd.DataFrame):
    """The prediction and explanation of a row as it is (edits are explained afresh)."""
    return whatif(_explainer, _row)


def _matches(frame: pd.DataFrame, query: str) -> pd.Series:
    text = frame.astype(str)
    return text.apply(lambda c: c.str.contains(query, case=False, regex=False)).any(axis=1)


def pick_row(rows: ExplainRows, key: str) -> int | None:
    """A row from the searchable, filterable table of validation rows, or by its number."""
    frame = rows.frame
    search_col, filter_col = st.columns([3, 2])
    query = search_col.text_input(t("explain.search"), key=f"{key}:search",
                                  placeholder=t("explain.search_hint"))
    shown = frame[_matches(frame, query)] if query else frame
    if rows.task == "classification":
        labels = sorted(frame[rows.target].astype(str).unique())
        only = filter_col.multiselect(t("explain.filter_target", target=rows.target), labels,
                                      key=f"{key}:filter", placeholder=t("explain.filter_any"))
        shown = shown[shown[rows.target].astype(str).isin(only)] if only else shown
    st.caption(t("explain.rows_shown", shown=f"{min(len(shown), MAX_TABLE_ROWS):,}",
                 matches=f"{len(shown):,}", total=f"{len(frame):,}"))
    table = shown.head(MAX_TABLE_ROWS).rename_axis(t("explain.row"))
    signature = zlib.crc32(repr((query, len(shown))).encode())
    event = st.dataframe(table, on_select="rerun", selection_mode="single-row", height=240,
                         placeholder="—", key=f"{key}:table:{signature}")
    number_key, picked_key = f"{key}:row", f"{key}:picked"
    st.session_state.setdefault(number_key, int(frame.index[0]))
    if event.selection.rows:
        picked = int(table.index[event.selection.rows[0]])
        if st.session_state.get(picked_key) != (signature, picked):
            st.session_state[picked_key] = (signature, picked)
            st.session_state[number_key] = picked
    number = st.number_input(t("explain.row_number"), min_value=int(frame.index.min()),
                             max_value=int(frame.index.max()), step=1, key=number_key)
    if number not in frame.index:
        st.info(t("explain.not_validation", row=number), icon=":material/info:")
        return None
    return int(number)


def _number_format(value: float) -> tuple[str, float]:
    """A display format and step that show the value as the data has it (up to 8 decimals)."""
    if not math.isfinite(value) or float(value).is_integer():
        return "%.0f", 1.0
    digits = np.format_float_positional(value, trim="-").partition(".")[2]
    decimals = min(len(digits), MAX_DECIMALS)
    return f"%.{decimals}f", 10.0 ** -decimals


def _input(column: str, role: str, value: object, values: pd.Series, key: str) -> object:
    """One what-if input fitting the column's role, starting at the row's value."""
    missing = pd.isna(value)
    if role in NUMBER_ROLES:
        number = None if missing else float(value)
        fmt, step = _number_format(number if number is not None else 1.0)
        return st.number_input(column, value=number, format=fmt, step=step, key=key,
                               placeholder=t("explain.missing"))
    if role == "categorical":
        levels = [str(v) for v in values.dropna().astype(str).value_counts().index[:MAX_LEVELS]]
        if not missing and str(value) not in levels:
            levels.append(str(value))
        return st.selectbox(column, levels, index=None if missing else levels.index(str(value)),
                            accept_new_options=True, key=key, placeholder=t("explain.missing"))
    text = st.text_input(column, value="" if missing else str(value), key=key,
                         placeholder=t("explain.missing"))
    return text or None


def whatif_inputs(original: pd.DataFrame, rows: ExplainRows, key: str) -> pd.DataFrame:
    """The row with the user's edits (each input starts at the row's own value)."""
    edited = original.astype(object)
    keys = [f"{key}:{column}" for column in rows.features]
    columns = st.columns(INPUT_COLUMNS)
    for i, ((column, role), widget) in enumerate(zip(rows.features.items(), keys)):
        with columns[i % INPUT_COLUMNS]:
            value = _input(column, role, original[column].iloc[0], rows.frame[column], widget)
        edited[column] = [np.nan if value is None else value]
    st.button(t("explain.reset"), icon=":material/restart_alt:", on_click=_forget, args=(keys,))
    return edited


def _forget(keys: list[str]) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def _single(expl: Explanation, engineered: bool, label: object) -> Explanation:
    expl = expl if engineered else raw_contributions(expl)
    return expl.for_class(label) if expl.output_classes else expl


def _shown(prediction: object, classes: tuple, label: object) -> float:
    return float(prediction) if np.ndim(prediction) == 0 else float(
        prediction[classes.index(label)])


@st.fragment
def local_view(run_id: str, model_id: int, root: str, version: str, engineered: bool,
               label: object, words: dict[str, str]) -> None:
    """Pick a row; its prediction, base value and waterfall, and what-if edits of its values."""
    rows = call(cached_rows, run_id, root)
    explainer = call(cached_explainer, run_id, model_id, root, version)
    if rows is None or explainer is None:
        return
    key = f"explain_local:{run_id}:{model_id}"
    number = pick_row(rows, key)
    if number is None:
        return
    original = rows.frame.loc[[number]].drop(columns=[rows.target])
    st.markdown(f"**{t('explain.whatif')}**")
    st.caption(t("explain.whatif_help", row=number))
    edited = whatif_inputs(original, rows, f"{key}:{number}")
    start = time.perf_counter()
    before = call(cached_row, run_id, model_id, root, version, number, explainer, original)
    after = call(whatif, explainer, edited)
    if before is None or after is None:
        return
    seconds = time.perf_counter() - start
    expl = _single(after[1], engineered, label)
    classes = after[1].classes
    was, now = _shown(before[0], classes, label), _shown(after[0], classes, label)
    fmt = "{:.1%}" if classes else "{:.4g}"
    heading = t("explain.probability_of", label=label) if classes else t("explain.prediction")
    st.markdown(f"**{heading}**")
    cols = st.columns(4)
    cols[0].metric(t("explain.prediction_row"), fmt.format(was))
    delta = (t("explain.points", n=f"{(now - was) * 100:+.1f}") if classes
             else f"{now - was:+.4g}")
    cols[1].metric(t("explain.prediction_whatif"), fmt.format(now),
                   delta=None if now == was else delta)
    cols[2].metric(t("explain.base_value"), f"{float(expl.base_values[0]):.4g}")
    cols[3].metric(t("explain.output"), f"{float(expl.output[0]):.4g}",
                   help=t("explain.output_help", space=space_text(expl.output_space)))
    st.caption(t("explain.local_caption", space=space_text(expl.output_space),
                 ms=f"{seconds * 1000:.0f}"))
    if expl.fidelity is not None:
        st.caption(t("explain.surrogate_note", fidelity=f"{expl.fidelity:.3f}"))
    frame = waterfall_frame(expl, 0)
    figure = figure_waterfall(frame, labels=words)
    steps = np.cumsum(frame["contribution"].where(frame["kind"] != "output", 0.0))
    low, high = min(0.0, steps.min()), max(0.0, steps.max())
    pad = 0.15 * (high - low or 1.0)  # room for the numbers outside the bars
    figure.update_xaxes(range=[low - pad, high + pad])
    st.plotly_chart(figure, key="explain_waterfall")
