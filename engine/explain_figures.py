"""Plotly figures of explanations, drawn from the frames ``engine.explain`` computes.

Every figure takes ``labels`` to override the words it shows (axis titles, legend entries), so
a Japanese page passes its own. Keys and English defaults are in ``LABELS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

LABELS = {
    "feature": "Feature",
    "importance": "Mean |contribution|",
    "permutation": "Permutation importance (score drop)",
    "contribution": "Contribution",
    "value": "Value",
    "colour": "Feature value (rank, low to high)",
    "missing": "Not numeric / missing",
    "base": "Base value",
    "others": "{n} other features",
    "output": "Output",
}
COLOURS = "RdBu_r"
GREY = "#b0b0b0"
BAR = "#1f77b4"
SECOND_BAR = "#ff7f0e"


def _words(labels: dict[str, str] | None) -> dict[str, str]:
    return {**LABELS, **(labels or {})}


def figure_importance(importance: pd.DataFrame, permutation: pd.DataFrame | None = None, *,
                      top: int = 20, labels: dict[str, str] | None = None) -> go.Figure:
    """Horizontal bars of mean |contribution| (stacked by class when multiclass), with the
    permutation importance beside them when given.

    Args:
        importance: from ``importance_frame``.
        permutation: from ``permutation_importance_frame`` (uploaded columns).
        top: features shown, most important on top.
        labels: words to show instead of ``LABELS``.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    words = _words(labels)
    shown = importance.head(top).iloc[::-1]
    same = permutation is not None and set(shown["feature"]) <= set(permutation["feature"])
    columns = 1 if permutation is None else 2
    fig = make_subplots(rows=1, cols=columns, shared_yaxes=same, horizontal_spacing=0.08,
                        subplot_titles=None)
    class_columns = [c for c in shown.columns if c.startswith("class: ")]
    for column in class_columns or ["importance"]:
        share = shown[column] / (len(class_columns) or 1)  # the stack adds up to the mean
        name = column.removeprefix("class: ") if class_columns else words["importance"]
        fig.add_trace(go.Bar(x=share, y=shown["feature"], orientation="h", name=name,
                             marker_color=None if class_columns else BAR), row=1, col=1)
    fig.update_xaxes(title_text=words["importance"], row=1, col=1)
    if permutation is not None:
        perm = (permutation.set_index("feature").reindex(shown["feature"]).reset_index() if same
                else permutation.head(top).iloc[::-1])
        fig.add_trace(go.Bar(x=perm["importance"], y=perm["feature"], orientation="h",
                             error_x={"type": "data", "array": perm["std"]},
                             name=words["permutation"], marker_color=SECOND_BAR), row=1, col=2)
        fig.update_xaxes(title_text=words["permutation"], row=1, col=2)
    fig.update_layout(barmode="stack", showlegend=bool(class_columns),
                      height=max(300, 24 * len(shown) + 120), margin={"l": 10, "r": 10, "t": 30})
    fig.update_yaxes(title_text=words["feature"], row=1, col=1)
    return fig


def _swarm_offsets(contribution: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vertical jitter that widens where points are dense, like a beeswarm."""
    if len(contribution) < 2 or np.ptp(contribution) == 0:
        return rng.uniform(-0.3, 0.3, len(contribution))
    counts, edges = np.histogram(contribution, bins=40)
    density = counts[np.clip(np.digitize(contribution, edges[1:-1]), 0, 39)] / counts.max()
    return rng.uniform(-0.4, 0.4, len(contribution)) * np.sqrt(density)


def figure_beeswarm(frame: pd.DataFrame, *, labels: dict[str, str] | None = None,
                    seed: int = 0) -> go.Figure:
    """One dot per row and feature: its contribution across, coloured by the feature's value.

    Args:
        frame: from ``beeswarm_frame`` (most important feature first).
        labels: words to show instead of ``LABELS``.
        seed: seed of the jitter.
    """
    import plotly.graph_objects as go

    words = _words(labels)
    rng = np.random.default_rng(seed)
    features = list(dict.fromkeys(frame["feature"]))
    position = {f: len(features) - 1 - i for i, f in enumerate(features)}
    y = np.empty(len(frame))
    for feature, rows in frame.groupby("feature", sort=False).indices.items():
        y[rows] = position[feature] + _swarm_offsets(frame["contribution"].to_numpy()[rows], rng)
    coloured = frame["colour"].notna().to_numpy()
    fig = go.Figure()
    fig.add_trace(go.Scattergl(
        x=frame["contribution"][~coloured], y=y[~coloured], mode="markers",
        marker={"color": GREY, "size": 5}, name=words["missing"],
        text=frame["value"][~coloured], hovertemplate="%{text}<extra></extra>"))
    fig.add_trace(go.Scattergl(
        x=frame["contribution"][coloured], y=y[coloured], mode="markers",
        marker={"color": frame["colour"][coloured], "colorscale": COLOURS, "cmin": 0, "cmax": 1,
                "size": 5, "colorbar": {"title": {"text": words["colour"]}}},
        text=frame["value"][coloured], hovertemplate="%{text}<extra></extra>", showlegend=False))
    fig.update_layout(height=max(300, 40 * len(features) + 120), showlegend=False,
                      margin={"l": 10, "r": 10, "t": 30})
    fig.update_yaxes(tickvals=list(position.values()), ticktext=list(position),
                     title_text=words["feature"], range=[-0.6, len(features) - 0.4])
    fig.update_xaxes(title_text=words["contribution"], zeroline=True)
    return fig


def figure_dependence(frame: pd.DataFrame, *, feature: str, colour_by: str | None = None,
                      labels: dict[str, str] | None = None) -> go.Figure:
    """A feature's contribution against its value, coloured by the feature it interacts with.

    Args:
        frame: from ``dependence_frame``.
        feature: the feature on the x axis (its name is the axis title).
        colour_by: the colouring feature's name (colour bar title), or ``None``.
        labels: words to show instead of ``LABELS``.
    """
    import plotly.graph_objects as go

    words = _words(labels)
    marker: dict[str, object] = {"size": 6, "color": BAR}
    if colour_by is not None and frame["colour"].notna().any():
        marker = {"size": 6, "color": frame["colour"], "colorscale": COLOURS,
                  "colorbar": {"title": {"text": colour_by}}}
    fig = go.Figure(go.Scattergl(x=frame["value"], y=frame["contribution"], mode="markers",
                                 marker=marker, hovertemplate="%{x}: %{y:.4g}<extra></extra>"))
    fig.update_xaxes(title_text=feature)
    fig.update_yaxes(title_text=f"{words['contribution']}: {feature}")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30})
    return fig


def figure_waterfall(frame: pd.DataFrame, *, labels: dict[str, str] | None = None) -> go.Figure:
    """One row's output from the base value down, step by step, largest contributions first.

    Args:
        frame: from ``waterfall_frame``.
        labels: words to show instead of ``LABELS`` (``others`` may use ``{n}``).
    """
    import plotly.graph_objects as go

    words = _words(labels)
    names = {"base": lambda r: words["base"],
             "feature": lambda r: f"{r.feature} = {r.value}",
             "others": lambda r: words["others"].format(n=r.value),
             "output": lambda r: words["output"]}
    measures = {"base": "absolute", "feature": "relative", "others": "relative",
                "output": "absolute"}
    signed = {"base": "{:.4g}", "feature": "{:+.4g}", "others": "{:+.4g}", "output": "{:.4g}"}
    rows = list(frame.itertuples(index=False))
    fig = go.Figure(go.Waterfall(
        orientation="h", y=[names[r.kind](r) for r in rows],
        measure=[measures[r.kind] for r in rows], x=[r.contribution for r in rows],
        text=[signed[r.kind].format(r.contribution) for r in rows], textposition="outside"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=words["contribution"])
    fig.update_layout(height=max(300, 28 * len(rows) + 120), margin={"l": 10, "r": 10, "t": 30},
                      showlegend=False)
    return fig
