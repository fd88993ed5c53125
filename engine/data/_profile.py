"""Profiling a table: one summary row per column for the data page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from engine.data._roles import _COERCE, BOOLEAN, CATEGORICAL, DATETIME, NUMERIC, _as_labels

PROFILE_SAMPLE = 100_000


def profile_frame(frame: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """One row per column: column, role, dtype, missing_pct, unique, example, histogram,
    histogram_edges (numeric, boolean, datetime) and top_values (the other roles, top 5 counts)."""
    sample = frame.sample(PROFILE_SAMPLE, random_state=0) if len(frame) > PROFILE_SAMPLE else frame
    return pd.DataFrame(
        [
            _profile_column(frame[c], sample[c], roles.get(str(c), CATEGORICAL))
            for c in frame.columns
        ],
        columns=[
            "column",
            "role",
            "dtype",
            "missing_pct",
            "unique",
            "example",
            "histogram",
            "histogram_edges",
            "top_values",
        ],
    )


def _profile_column(series: pd.Series, sample: pd.Series, role: str) -> dict[str, object]:
    present = series.dropna()
    row: dict[str, object] = {
        "column": str(series.name),
        "role": role,
        "dtype": str(series.dtype),
        "missing_pct": round(100 * (1 - len(present) / max(len(series), 1)), 2),
        "unique": int(present.nunique()),
        "example": str(present.iloc[0])[:60] if len(present) else "",
        "histogram": [],
        "histogram_edges": [],
        "top_values": {},
    }
    if role in (NUMERIC, BOOLEAN, DATETIME):
        row["histogram"], row["histogram_edges"] = _histogram(_COERCE[role](sample).dropna(), role)
    else:
        top = _as_labels(present).value_counts().head(5)
        row["top_values"] = {str(k): int(v) for k, v in top.items()}
    return row


def _histogram(values: pd.Series, role: str) -> tuple[list[int], list[object]]:
    numbers = (
        values.astype("int64").to_numpy(dtype="float64") if role == DATETIME else values.to_numpy()
    )
    numbers = numbers[np.isfinite(numbers)]
    if not len(numbers):
        return [], []
    counts, edges = np.histogram(
        numbers, bins=int(min(20, max(1, len(np.unique(numbers[:10_000])))))
    )
    labels = (
        [str(pd.Timestamp(int(e), unit="us")) for e in edges]
        if role == DATETIME
        else [float(f"{e:.6g}") for e in edges]
    )
    return [int(c) for c in counts], labels
