"""Plotly figures of the model report, drawn from the numbers of :mod:`engine.charts`.

Every ``figure_*`` takes its data, ``labels`` (overrides of the texts in ``TEXTS``: axis titles
``x``/``y``, ``title``, legend words; ``model`` and ``compare`` name the two models) and
optionally ``compare``, a second model's data of the same kind drawn dashed on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from engine.charts import MACRO, MICRO, Curve, CurveSet, PredictedVsTrueData, ResidualsData

if TYPE_CHECKING:
    import plotly.graph_objects as go

_COMMON = {"model": "", "compare": "compare", "this_model": "this model"}
TEXTS: dict[str, dict[str, str]] = {
    "confusion": {"x": "Predicted class", "y": "True class", "title": "Confusion matrix"},
    "roc": {"x": "False positive rate", "y": "True positive rate", "title": "ROC curve",
            "area": "AUC", "chance": "Chance"},
    "pr": {"x": "Recall", "y": "Precision", "title": "Precision-recall curve", "area": "AP",
           "chance": "Chance"},
    "gains": {"x": "Share of rows, highest scores first", "y": "Share of the class found",
              "title": "Cumulative gains", "chance": "Random", "ideal": "Ideal"},
    "lift": {"x": "Share of rows, highest scores first", "y": "Lift", "title": "Lift",
             "chance": "Random"},
    "calibration": {"x": "Mean predicted probability", "y": "Observed share of the class",
                    "title": "Calibration", "ideal": "Perfectly calibrated", "rows": "Rows"},
    "residuals": {"x": "Residual (predicted − true)", "y": "Rows", "title": "Residuals"},
    "predicted_vs_true": {"x": "True value", "y": "Predicted value",
                          "title": "Predicted vs true", "ideal": "Ideal (predicted = true)",
                          "points": "Rows", "median": "Median prediction",
                          "p25_p75": "25th–75th percentile", "p5_p95": "5th–95th percentile"},
    "residuals_vs_predicted": {"x": "Predicted value", "y": "Residual (predicted − true)",
                               "title": "Residuals vs predicted", "points": "Rows"},
    "threshold": {"x": "Threshold", "y": "Value", "title": "Metrics by threshold",
                  "precision": "Precision", "recall": "Recall", "f1": "F1",
                  "marker": "Chosen threshold"},
}
_AXIS_RANGES: dict[str, tuple[list[float] | None, list[float] | None]] = {
    "roc": ([0, 1], [0, 1.02]), "pr": ([0, 1], [0, 1.02]), "gains": ([0, 1], [0, 1.02]),
    "lift": ([0, 1], None), "calibration": ([0, 1], [0, 1.02]),
}
_AVERAGE_DASH = {MICRO: "dot", MACRO: "dashdot"}
_MAX_TICK_CHARS = 18


def _go() -> Any:
    import plotly.graph_objects as go  # lazy: pages that draw nothing never load plotly

    return go


def _texts(kind: str, labels: dict[str, str] | None) -> dict[str, str]:
    return {**_COMMON, **TEXTS[kind], **(labels or {})}


def _colors() -> list[str]:
    from plotly.colors import qualitative

    return qualitative.Plotly


def _who(text: dict[str, str], compared: bool) -> str:
    """Legend prefix: the compared model's name, or the main model's if it has one."""
    name = text["compare"] if compared else text["model"]
    return f"{name}: " if name else ""


def _figure(kind: str, text: dict[str, str]) -> go.Figure:
    fig = _go().Figure()
    x_range, y_range = _AXIS_RANGES.get(kind, (None, None))
    fig.update_layout(title=text["title"], template="plotly_white", hovermode="closest",
                      legend={"itemclick": "toggle"}, margin={"t": 60, "r": 20})
    fig.update_xaxes(title=text["x"], range=x_range)
    fig.update_yaxes(title=text["y"], range=y_range)
    return fig


def _line(fig: go.Figure, x: Any, y: Any, name: str, mode: str = "lines", **style: Any) -> None:
    fig.add_trace(_go().Scatter(x=x, y=y, name=name, mode=mode, **style))


# ---- curve sets ------------------------------------------------------------------------------


def _curve_name(curve: Curve, text: dict[str, str], compared: bool) -> str:
    area = f" ({text['area']} {curve.area:.3f})" if "area" in text and np.isfinite(
        curve.area) else ""
    return f"{_who(text, compared)}{curve.label}{area}"


def _draw_curves(fig: go.Figure, data: CurveSet, text: dict[str, str], compared: bool,
                 markers: bool = False) -> None:
    colors = _colors()
    for i, curve in enumerate(data.curves):
        dash = "dash" if compared else _AVERAGE_DASH.get(curve.label, "solid")
        hover = None if curve.count is None else [f"{text.get('rows', 'Rows')}: {c:,}"
                                                  for c in curve.count]
        _line(fig, curve.x, curve.y, _curve_name(curve, text, compared),
              mode="lines+markers" if markers else "lines", hovertext=hover,
              line={"color": colors[i % len(colors)], "dash": dash},
              opacity=0.75 if compared else 1.0)


def _curve_figure(kind: str, data: CurveSet, labels: dict[str, str] | None,
                  compare: CurveSet | None, markers: bool = False) -> tuple[go.Figure,
                                                                           dict[str, str]]:
    text = _texts(kind, labels)
    fig = _figure(kind, text)
    _draw_curves(fig, data, text, compared=False, markers=markers)
    if compare is not None:
        _draw_curves(fig, compare, text, compared=True, markers=markers)
    return fig, text


def _reference(fig: go.Figure, x: Any, y: Any, name: str, **style: Any) -> None:
    _line(fig, x, y, name, line={"color": "grey", "dash": "dot", "width": 1}, **style)


def figure_roc(data: CurveSet, labels: dict[str, str] | None = None,
               compare: CurveSet | None = None) -> go.Figure:
    """ROC curves per class and averaged, AUC in the legend, with the chance diagonal."""
    fig, text = _curve_figure("roc", data, labels, compare)
    _reference(fig, [0, 1], [0, 1], text["chance"])
    return fig


def figure_pr(data: CurveSet, labels: dict[str, str] | None = None,
              compare: CurveSet | None = None) -> go.Figure:
    """Precision-recall curves, AP in the legend; each class's chance level (its share of rows)
    can be switched on in the legend."""
    fig, text = _curve_figure("pr", data, labels, compare)
    for curve in data.curves:
        if np.isfinite(curve.baseline):
            _reference(fig, [0, 1], [curve.baseline] * 2, f"{text['chance']}: {curve.label}",
                       visible="legendonly")
    return fig


def figure_gains(data: CurveSet, labels: dict[str, str] | None = None,
                 compare: CurveSet | None = None) -> go.Figure:
    """Cumulative gains per class with the random diagonal; each class's ideal curve can be
    switched on in the legend."""
    fig, text = _curve_figure("gains", data, labels, compare)
    _reference(fig, [0, 1], [0, 1], text["chance"])
    for curve in data.curves:
        if curve.baseline > 0:
            _reference(fig, [0, curve.baseline, 1], [0, 1, 1], f"{text['ideal']}: {curve.label}",
                       visible="legendonly")
    return fig


def figure_lift(data: CurveSet, labels: dict[str, str] | None = None,
                compare: CurveSet | None = None) -> go.Figure:
    """Lift per class with the random level 1."""
    fig, text = _curve_figure("lift", data, labels, compare)
    _reference(fig, [0, 1], [1, 1], text["chance"])
    return fig


def figure_calibration(data: CurveSet, labels: dict[str, str] | None = None,
                       compare: CurveSet | None = None) -> go.Figure:
    """Reliability per class and macro, rows per bin on hover, with the ideal diagonal."""
    fig, text = _curve_figure("calibration", data, labels, compare, markers=True)
    _reference(fig, [0, 1], [0, 1], text["ideal"])
    return fig


# ---- confusion matrix ------------------------------------------------------------------------


def _short(name: str) -> str:
    return name if len(name) <= _MAX_TICK_CHARS else name[:_MAX_TICK_CHARS - 1] + "…"


def _heatmap(frame: pd.DataFrame, share: bool) -> go.Heatmap:
    names = [str(c) for c in frame.columns]
    return _go().Heatmap(
        z=frame.to_numpy(), x=names, y=[str(i) for i in frame.index], colorscale="Blues",
        zmin=0, zmax=1 if share else None, texttemplate="%{z:.1%}" if share else "%{z:,}",
        hovertemplate="%{y} → %{x}: %{z" + (":.1%" if share else ":,") + "}<extra></extra>",
        showscale=False)


def figure_confusion(data: pd.DataFrame, labels: dict[str, str] | None = None,
                     compare: pd.DataFrame | None = None) -> go.Figure:
    """Confusion matrix heat map (true classes down, predicted across), values in the cells;
    a normalized frame (floats within [0, 1]) is drawn as percentages. Long class names are
    shortened on the axes and shown in full on hover."""
    from plotly.subplots import make_subplots

    text = _texts("confusion", labels)
    frames = [data] if compare is None else [data, compare]
    titles = None if compare is None else [text["model"] or text["this_model"], text["compare"]]
    fig = make_subplots(rows=1, cols=len(frames), subplot_titles=titles,
                        horizontal_spacing=0.12)
    for col, frame in enumerate(frames, start=1):
        values = frame.to_numpy()
        share = bool(np.issubdtype(values.dtype, np.floating) and values.max(initial=0) <= 1)
        fig.add_trace(_heatmap(frame, share), row=1, col=col)
        names = [str(c) for c in frame.columns]
        ticks = {"type": "category", "tickvals": names, "ticktext": [_short(n) for n in names]}
        fig.update_xaxes(title=text["x"], **ticks, row=1, col=col)
        fig.update_yaxes(title=text["y"] if col == 1 else None, autorange="reversed",
                         **ticks, row=1, col=col)
    fig.update_layout(title=text["title"], template="plotly_white")
    return fig


# ---- regression ------------------------------------------------------------------------------


def figure_residuals(data: ResidualsData, labels: dict[str, str] | None = None,
                     compare: ResidualsData | None = None) -> go.Figure:
    """Histogram of residuals with a line at zero."""
    text = _texts("residuals", labels)
    fig = _figure("residuals", text)
    colors = _colors()
    for i, (hist, compared) in enumerate([(data, False), (compare, True)]):
        if hist is None:
            continue
        fig.add_trace(_go().Bar(
            x=(hist.edges[:-1] + hist.edges[1:]) / 2, y=hist.counts,
            width=np.diff(hist.edges), name=f"{_who(text, compared)}μ={hist.mean:.3g}, "
                                            f"σ={hist.std:.3g}",
            marker={"color": colors[i]}, opacity=0.6 if compare is not None else 1.0))
    fig.update_layout(barmode="overlay", bargap=0)
    fig.add_vline(x=0, line={"color": "grey", "dash": "dot", "width": 1})
    return fig


def _value_range(data: PredictedVsTrueData) -> list[float]:
    parts = [data.true, data.predicted]
    if data.bins is not None:
        parts += [data.bins["p5"].to_numpy(), data.bins["p95"].to_numpy()]
    values = np.concatenate(parts)
    return [float(np.nanmin(values)), float(np.nanmax(values))]


def _band(fig: go.Figure, bins: pd.DataFrame, low: str, high: str, name: str, color: str,
          opacity: float) -> None:
    go = _go()
    fig.add_trace(go.Scatter(x=bins["true_mean"], y=bins[high], mode="lines", line={"width": 0},
                             showlegend=False, hoverinfo="skip", legendgroup=name))
    fig.add_trace(go.Scatter(x=bins["true_mean"], y=bins[low], mode="lines", line={"width": 0},
                             fill="tonexty", fillcolor=color, opacity=opacity, name=name,
                             legendgroup=name))


def _draw_predicted(fig: go.Figure, data: PredictedVsTrueData, text: dict[str, str],
                    compared: bool, color: str) -> None:
    who = _who(text, compared)
    if data.bins is None:
        fig.add_trace(_go().Scatter(x=data.true, y=data.predicted, mode="markers",
                                    name=f"{who}{text['points']}",
                                    marker={"color": color, "size": 5, "opacity": 0.6}))
        return
    if not compared:
        _band(fig, data.bins, "p5", "p95", f"{who}{text['p5_p95']}", "rgba(99,110,250,0.15)", 1)
    _band(fig, data.bins, "p25", "p75", f"{who}{text['p25_p75']}",
          "rgba(239,85,59,0.2)" if compared else "rgba(99,110,250,0.3)", 1)
    _line(fig, data.bins["true_mean"], data.bins["p50"], f"{who}{text['median']}",
          mode="lines+markers", line={"color": color, "dash": "dash" if compared else "solid"})


def figure_predicted_vs_true(data: PredictedVsTrueData, labels: dict[str, str] | None = None,
                             compare: PredictedVsTrueData | None = None) -> go.Figure:
    """Predicted against true values with the ideal line y = x: points for small data,
    median and percentile bands per bin of true values for large data."""
    text = _texts("predicted_vs_true", labels)
    fig = _figure("predicted_vs_true", text)
    colors = _colors()
    _draw_predicted(fig, data, text, compared=False, color=colors[0])
    if compare is not None:
        _draw_predicted(fig, compare, text, compared=True, color=colors[1])
    ranges = [_value_range(d) for d in (data, compare) if d is not None]
    lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
    _reference(fig, [lo, hi], [lo, hi], text["ideal"])
    return fig


def figure_residuals_vs_predicted(data: PredictedVsTrueData, labels: dict[str, str] | None = None,
                                  compare: PredictedVsTrueData | None = None) -> go.Figure:
    """Residual (predicted − true) against the prediction, one marker per drawn row."""
    text = _texts("residuals_vs_predicted", labels)
    fig = _figure("residuals_vs_predicted", text)
    colors = _colors()
    for i, (points, compared) in enumerate([(data, False), (compare, True)]):
        if points is None:
            continue
        fig.add_trace(_go().Scatter(x=points.predicted, y=points.predicted - points.true,
                                    mode="markers", name=f"{_who(text, compared)}{text['points']}",
                                    marker={"color": colors[i], "size": 5, "opacity": 0.6}))
    fig.add_hline(y=0, line={"color": "grey", "dash": "dot", "width": 1})
    return fig


# ---- threshold tool --------------------------------------------------------------------------


def figure_threshold(data: pd.DataFrame, labels: dict[str, str] | None = None,
                     compare: pd.DataFrame | None = None,
                     marker: float | None = None) -> go.Figure:
    """Precision, recall and F1 against the threshold (a ``threshold_table``); ``marker`` draws
    a vertical line at a chosen threshold."""
    text = _texts("threshold", labels)
    fig = _figure("threshold", text)
    colors = _colors()
    for table, compared in [(data, False), (compare, True)]:
        if table is None:
            continue
        for i, column in enumerate(("precision", "recall", "f1")):
            _line(fig, table["threshold"], table[column], f"{_who(text, compared)}{text[column]}",
                  line={"color": colors[i], "dash": "dash" if compared else "solid"})
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    if marker is not None:
        fig.add_vline(x=marker, line={"color": "black", "dash": "dot", "width": 1},
                      annotation_text=f"{text['marker']}: {marker:.3f}")
    return fig
