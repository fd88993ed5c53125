"""Plot-ready tables from an explanation: beeswarm, dependence, waterfall (numbers, no drawing)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.errors import EngineError
from engine.explain._explanation import Explanation, importance_frame

MISSING = "(missing)"
MIN_INTERACTION_ROWS = 10
DEPENDENCE_BINS = 10


def _single(expl: Explanation) -> Explanation:
    if expl.per_class:
        raise EngineError("This chart shows one class at a time; pick a class first.")
    return expl


def _display(expl: Explanation, j: int) -> list[str]:
    """A feature's values as text: the uploaded values when the feature is a whole uploaded
    column, else the engineered numbers."""
    name = expl.feature_names[j]
    if name == expl.origins[j] and name in expl.rows.columns:
        column = expl.rows[name]
        return [MISSING if pd.isna(v) else str(v) for v in column.tolist()]
    return [MISSING if np.isnan(v) else f"{v:.4g}" for v in expl.data[:, j].tolist()]


def _position(expl: Explanation, feature: str) -> int:
    if feature not in expl.feature_names:
        raise EngineError(f"'{feature}' is not a feature of this explanation.")
    return expl.feature_names.index(feature)


def _percentile(column: np.ndarray) -> np.ndarray:
    """Values as their rank in 0..1 (NaN stays NaN), so one outlier does not wash out colours."""
    return pd.Series(column).rank(pct=True).to_numpy()


def beeswarm_frame(expl: Explanation, *, max_features: int = 12, max_rows: int = 1000,
                   seed: int = 0) -> pd.DataFrame:
    """One point per row and feature for the most important features.

    Returns:
        Columns ``feature`` (most important first), ``contribution``, ``colour`` (the value's
        rank within its feature, 0..1, NaN when not numeric) and ``value`` (as text).
    """
    expl = _single(expl)
    if len(expl.output) > max_rows:
        expl = expl.take(np.sort(np.random.default_rng(seed).choice(len(expl.output), max_rows,
                                                                    replace=False)))
    top = importance_frame(expl)["feature"].head(max_features)
    parts = []
    for feature in top:
        j = _position(expl, feature)
        parts.append(pd.DataFrame({
            "feature": feature, "contribution": expl.values[:, j],
            "colour": _percentile(expl.data[:, j]),
            "value": _display(expl, j)}))
    return pd.concat(parts, ignore_index=True)


def _bins(x: np.ndarray) -> list[np.ndarray]:
    """Row positions in about ``DEPENDENCE_BINS`` groups of similar ``x`` (one group when ``x``
    is not numeric)."""
    finite = np.flatnonzero(np.isfinite(x))
    if len(finite) < MIN_INTERACTION_ROWS * 2:
        return [np.arange(len(x))]
    ordered = finite[np.argsort(x[finite], kind="stable")]
    return [part for part in np.array_split(ordered, DEPENDENCE_BINS) if len(part)]


def interaction_feature(expl: Explanation, feature: str) -> str | None:
    """The feature whose values best explain the vertical spread of ``feature``'s dependence plot.

    Within groups of rows with similar values of ``feature``, the contributions of ``feature``
    are correlated with every other numeric feature; the one with the largest size-weighted
    absolute correlation wins. ``None`` when no numeric feature varies.
    """
    expl = _single(expl)
    j = _position(expl, feature)
    phi = expl.values[:, j]
    best, best_score = None, 0.0
    groups = _bins(expl.data[:, j])
    for k, other in enumerate(expl.feature_names):
        if k == j:
            continue
        column, score = expl.data[:, k], 0.0
        for rows in groups:
            ok = rows[np.isfinite(column[rows])]
            if len(ok) < MIN_INTERACTION_ROWS or np.ptp(column[ok]) == 0 or np.ptp(phi[ok]) == 0:
                continue
            score += len(ok) * abs(float(np.corrcoef(phi[ok], column[ok])[0, 1]))
        if score > best_score:
            best, best_score = other, score
    return best


def dependence_frame(expl: Explanation, feature: str, *,
                     colour_by: str | None = None) -> pd.DataFrame:
    """Contribution of ``feature`` against its value, for a dependence plot.

    Args:
        expl: a single-output explanation.
        feature: the feature on the x axis.
        colour_by: the feature colouring the points (see :func:`interaction_feature`); ``None``
            for no colour.

    Returns:
        Columns ``value`` (numbers, or text for non-numeric columns), ``contribution``,
        ``colour`` (values of ``colour_by``, NaN when none).
    """
    expl = _single(expl)
    j = _position(expl, feature)
    x = expl.data[:, j]
    if not np.isfinite(x).any():
        x = _display(expl, j)
    colour = (expl.data[:, _position(expl, colour_by)] if colour_by is not None
              else np.full(len(expl.output), np.nan))
    return pd.DataFrame({"value": x, "contribution": expl.values[:, j], "colour": colour})


def waterfall_frame(expl: Explanation, row: int = 0, *, max_features: int = 10) -> pd.DataFrame:
    """One row's output built up from the base value, largest contributions first.

    Returns:
        Columns ``kind`` (``base``, ``feature``, ``others``, ``output``), ``feature``,
        ``value`` (the feature's value as text; the count of features for ``others``) and
        ``contribution`` (the base value and the output on their own rows). Base plus the
        ``feature`` and ``others`` contributions equals the output.
    """
    expl = _single(expl)
    if not 0 <= row < len(expl.output):
        raise EngineError(f"Row {row} is not among the {len(expl.output)} rows explained.")
    phi = expl.values[row]
    order = np.argsort(-np.abs(phi), kind="stable")
    shown, rest = order[:max_features], order[max_features:]
    one = expl.take([row])
    records = [("base", "", "", float(expl.base_values[row]))]
    records += [("feature", expl.feature_names[j], _display(one, j)[0], float(phi[j]))
                for j in shown]
    if len(rest):
        records.append(("others", "", str(len(rest)), float(phi[rest].sum())))
    records.append(("output", "", "", float(expl.output[row])))
    return pd.DataFrame(records, columns=["kind", "feature", "value", "contribution"])
