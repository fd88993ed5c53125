"""UI pieces more than one page shows: engine calls with their errors, the settings summary,
the Start button, score and time formats, the leaderboard table and the search history chart."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from engine import (
    METRICS,
    EngineError,
    RunSettings,
    default_runs_dir,
    describe_validation,
    estimate_run_seconds,
    start_run,
)
from engine.history import figure_search_history
from pages import _state
from pages._i18n import engine_text, family_name, kind_name, metric_name, status_name, t, \
    task_name

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
MODEL_PAGE = "pages/model.py"
FILE_TYPES = ["csv", "tsv", "txt", "parquet", "xlsx", "xls"]  # what the uploaders take


def runs_dir() -> Path:
    return default_runs_dir()


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``fn(...)``, or None after showing its EngineError as one sentence."""
    try:
        return fn(*args, **kwargs)
    except EngineError as error:
        st.error(engine_text(str(error)), icon=":material/error:")
        return None


def attempt(fn: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
    """Whether ``fn(...)`` succeeded; its EngineError is shown as one sentence."""
    try:
        fn(*args, **kwargs)
    except EngineError as error:
        st.error(engine_text(str(error)), icon=":material/error:")
        return False
    return True


def score_text(value: Any) -> str:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return "—" if missing else f"{value:.4f}"


def duration_text(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "—"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def model_name(family: str, kind: str = "single") -> str:
    return family_name(family) if kind == "single" else kind_name(kind)


def dtype_name(dtype: str) -> str:
    """A column's storage type in plain words (integer, decimal, date/time, ...)."""
    kinds = (("int", "integer"), ("float", "decimal"), ("bool", "boolean"),
             ("datetime", "datetime"), ("date", "datetime"))
    return t(f"dtype.{next((k for prefix, k in kinds if dtype.startswith(prefix)), 'text')}")


def members(members_json: str) -> list[tuple[int, float]]:
    """(model id, weight) of an ensemble's members, from a leaderboard row's ``members``."""
    return [(int(m["model_id"]), float(m["weight"])) for m in json.loads(members_json or "[]")]


def ensemble_name(members_json: str) -> str:
    ids = t("summary.joiner").join(f"#{i}" for i, _ in members(members_json))
    return t("board.ensemble_of", ids=ids)


def validation_text(settings: RunSettings, n_rows: int, *, has_file: bool) -> str:
    """The validation sentence in the interface's language."""
    return engine_text(describe_validation(settings, n_rows, has_validation_file=has_file))


def summary(settings: RunSettings, frame: pd.DataFrame, *, has_validation_file: bool,
            has_test_file: bool) -> None:
    """What will run: data, target, task, metric, validation, test, budget, models, estimate."""
    n_rows, n_cols = frame.shape
    estimate = call(estimate_run_seconds, settings, n_rows, n_cols)
    if has_test_file:
        test = t("summary.test_file")
    elif settings.test_fraction:
        test = t("summary.test_fraction", pct=f"{settings.test_fraction:.0%}")
    else:
        test = t("summary.test_none")
    limits = [t("summary.budget_minutes", minutes=f"{settings.time_budget / 60:g}")]
    if settings.max_trials:
        limits.append(t("summary.budget_trials", n=settings.max_trials))
    if settings.patience:
        limits.append(t("summary.budget_patience", n=settings.patience))
    models = t("summary.joiner").join(family_name(m) for m in settings.models or ())
    lines = [
        t("summary.data", name=_state.get(_state.DATA_NAME, ""), rows=n_rows, cols=n_cols),
        t("summary.target", target=settings.target, task=task_name(settings.task)),
        t("summary.metric", metric=metric_name(settings.metric)),
        t("summary.validation", text=validation_text(settings, n_rows,
                                                     has_file=has_validation_file)),
        t("summary.test", text=test),
        t("summary.budget", text=t("summary.joiner").join(limits)),
        t("summary.models", models=models or t("summary.models_all")),
        t("summary.ensembles_on") if settings.ensembles else t("summary.ensembles_off"),
        t("summary.featurization_off", steps=t("summary.joiner").join(
            t(f"featurize.{step}") for step in settings.featurization_off))
        if settings.featurization_off else t("summary.featurization_all"),
        t("summary.seed", seed=settings.seed),
    ]
    if estimate is not None:
        lines.append(t("summary.estimate", time=duration_text(estimate)))
    with st.container(border=True):
        st.markdown(f"**{t('summary.title')}**")
        st.markdown("\n".join(f"- {line}" for line in lines))


def start_button(settings: RunSettings, frame: pd.DataFrame) -> None:
    """Start: launch the run process, follow it, and go to the Run page."""
    if not st.button(t("run.start"), type="primary", icon=":material/play_arrow:"):
        return
    valid = _state.get(_state.VALIDATION_DATA)
    test = _state.get(_state.TEST_DATA)
    run_id = call(start_run, settings, frame, runs_dir=runs_dir(),
                  validation_data=valid[1] if valid else None,
                  test_data=test[1] if test else None)
    if run_id is not None:
        _state.watch_run(run_id)
        st.switch_page("pages/run.py", query_params={_state.RUN_QUERY: run_id})


def leaderboard_table(board: pd.DataFrame, metric: str, *, all_metrics: bool,
                      params: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The display frame and column config of a leaderboard (best marked, names translated)."""
    table = pd.DataFrame({
        "best": board["is_best"].map({True: "★", False: ""}),
        "model_id": board["model_id"],
        "model": [model_name(f, k) if k == "single" else ensemble_name(m)
                  for f, k, m in zip(board["family"], board["kind"], board["members"])],
        "kind": board["kind"].map(kind_name),
        "score": board["score"],
        "score_std": board["score_std"],
    })
    config: dict[str, Any] = {
        "best": st.column_config.TextColumn(t("board.best"), width=40),
        "model_id": st.column_config.NumberColumn(t("board.model_id"), format="%d", width=50),
        "model": st.column_config.TextColumn(t("board.model")),
        "kind": st.column_config.TextColumn(t("board.kind")),
        "score": st.column_config.NumberColumn(metric_name(metric), format="%.4f",
                                               help=t("board.score_help")),
        "score_std": st.column_config.NumberColumn(t("board.score_std"), format="%.4f"),
    }
    if all_metrics:
        for metric_id in (m for m in METRICS if m in board.columns and m != metric
                          and board[m].notna().any()):
            table[metric_id] = board[metric_id]
            config[metric_id] = st.column_config.NumberColumn(metric_name(metric_id),
                                                              format="%.4f")
    table["fit_time_s"] = board["fit_time_s"]
    table["predict_time_s"] = board["predict_time_s"]
    config["fit_time_s"] = st.column_config.NumberColumn(t("board.fit_time"), format="%.2f s")
    config["predict_time_s"] = st.column_config.NumberColumn(t("board.predict_time"),
                                                             format="%.3f s")
    if params:
        table["params"] = board["params"]
        config["params"] = st.column_config.TextColumn(t("board.params"), width="large")
    return table.reset_index(drop=True), config


def history_chart(trials: pd.DataFrame, metric: str) -> None:
    """The search history: trial scores and the best score so far."""
    named = trials.assign(family=[model_name(f, k) for f, k in zip(trials["family"],
                                                                    trials["kind"])])
    figure = figure_search_history(
        named, metric=metric_name(metric), greater_is_better=METRICS[metric].greater_is_better,
        labels={k: t(f"history.{k}") for k in ("trial", "trials", "pruned", "best", "model")})
    st.plotly_chart(figure, config={"displayModeBar": False})


def run_picker(runs: pd.DataFrame, watched: str | None, where: Any = st) -> str:
    """A selectbox over the runs, starting on ``watched`` when it is one of them."""
    ids = list(runs["run_id"])
    labels = {r.run_id: t("board.run_option", run_id=r.run_id, target=r.target,
                          metric=metric_name(r.metric), status=status_name(r.status))
              for r in runs.itertuples()}
    return where.selectbox(t("board.run"), ids, index=ids.index(watched) if watched in ids else 0,
                           format_func=labels.get)


def model_link(run_id: str, model_id: int) -> None:
    """A link to the model's report page, once that page exists."""
    if (ROOT / MODEL_PAGE).exists():
        st.page_link(MODEL_PAGE, label=t("board.open_model", model_id=model_id),
                     icon=":material/insights:",
                     query_params={_state.RUN_QUERY: run_id, _state.MODEL_QUERY: str(model_id)})
    else:
        st.caption(t("board.model_page_soon"))


def distribution_chart(profile_row: pd.Series, *, title: str) -> None:
    """A column's distribution from its profile: a histogram, or counts of its top values."""
    import plotly.graph_objects as go

    counts = list(profile_row["histogram"])
    if counts:
        edges = list(profile_row["histogram_edges"])
        labels = [f"{a:.4g}–{b:.4g}" if isinstance(a, float) else str(a)
                  for a, b in zip(edges[:-1], edges[1:])]
    else:
        labels, counts = list(profile_row["top_values"]), list(profile_row["top_values"].values())
    figure = go.Figure(go.Bar(x=labels, y=counts, marker_color="#4C78A8"))
    figure.update_layout(title=title, height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         xaxis_title=str(profile_row["column"]), yaxis_title=t("data.count"))
    st.plotly_chart(figure, config={"displayModeBar": False})
