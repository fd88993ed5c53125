"""The search's history: every trial's score in order and the best score found so far.

``search_history_frame`` computes the curve from ``trials_frame``; ``figure_search_history``
draws it with plotly (imported lazily, so importing this module stays cheap).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

DEFAULT_LABELS: dict[str, str] = {
    "trial": "Trial",
    "score": "Score",
    "trials": "Trial score",
    "pruned": "Stopped early",
    "best": "Best so far",
    "model": "Model",
}
SCORED_STATUSES = ("completed", "pruned")


def search_history_frame(trials: pd.DataFrame, *, greater_is_better: bool) -> pd.DataFrame:
    """The curve data of the search history.

    Args:
        trials: one row per trial in the order they ran, with at least ``status`` and ``score``
            (``trials_frame`` of a run); ``model_id`` and ``family`` are kept when present.
        greater_is_better: whether a higher score is a better model.

    Returns:
        One row per trial: ``trial`` (1-based position), ``model_id``, ``family``, ``status``,
        ``score`` (NaN unless the trial completed or was stopped early), ``best_so_far`` (the best
        completed score up to and including that trial; NaN before the first one) and
        ``is_new_best`` (the trial improved on every earlier one).
    """
    frame = pd.DataFrame({
        "trial": range(1, len(trials) + 1),
        "model_id": trials["model_id"].to_numpy() if "model_id" in trials else pd.NA,
        "family": trials["family"].to_numpy() if "family" in trials else "",
        "status": trials["status"].astype(str).to_numpy(),
    })
    scores = pd.to_numeric(pd.Series(trials["score"].to_numpy()), errors="coerce").astype(float)
    frame["score"] = scores.where(frame["status"].isin(SCORED_STATUSES))
    completed = frame["score"].where(frame["status"] == "completed")
    running_best = completed.cummax() if greater_is_better else completed.cummin()
    frame["best_so_far"] = running_best.ffill()
    previous = frame["best_so_far"].shift(1)
    frame["is_new_best"] = completed.notna() & (frame["best_so_far"] != previous)
    return frame


def figure_search_history(trials: pd.DataFrame, *, metric: str, greater_is_better: bool,
                          labels: dict[str, str] | None = None) -> go.Figure:
    """Trial scores as points and the best score so far as a step line.

    Args:
        trials: ``trials_frame`` of a run (see ``search_history_frame``).
        metric: the primary metric's name, shown on the y axis.
        greater_is_better: whether a higher score is a better model.
        labels: words shown on the chart (keys of ``DEFAULT_LABELS``), for translation.

    Returns:
        A plotly figure; empty axes when no trial has a score yet.
    """
    import plotly.graph_objects as go

    words = {**DEFAULT_LABELS, **(labels or {})}
    curve = search_history_frame(trials, greater_is_better=greater_is_better)
    fig = go.Figure()
    for status, name, style in (
        ("completed", words["trials"], {"color": "#4C78A8", "size": 8}),
        ("pruned", words["pruned"], {"color": "#BAB0AC", "size": 7, "symbol": "circle-open"}),
    ):
        points = curve[(curve["status"] == status) & curve["score"].notna()]
        if points.empty:
            continue
        fig.add_trace(go.Scatter(
            x=points["trial"], y=points["score"], mode="markers", name=name, marker=style,
            customdata=points[["family"]].astype(str).to_numpy(),
            hovertemplate=(f"{words['trial']} %{{x}}<br>{words['model']}: %{{customdata[0]}}"
                           f"<br>{metric}: %{{y:.4g}}<extra></extra>"),
        ))
    best = curve[curve["best_so_far"].notna() & (curve["status"] != "running")]
    if not best.empty:
        fig.add_trace(go.Scatter(
            x=best["trial"], y=best["best_so_far"], mode="lines", name=words["best"],
            line={"color": "#F58518", "width": 2.5, "shape": "hv"},
            hovertemplate=f"{words['best']}: %{{y:.4g}}<extra></extra>",
        ))
    fig.update_layout(
        xaxis_title=words["trial"], yaxis_title=metric, height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    n = max(len(curve), 1)
    fig.update_xaxes(range=[0.5, n + 0.5], dtick=max(1, math.ceil(n / 10)), tickformat="d")
    return fig
