"""Scoring an uploaded table with a run's model: the table comes back with predictions, class
probabilities and, when asked, one contribution per column for every row; when the table holds
the target too, the model is measured on it with every metric of the task."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from engine.data import coerce_frame
from engine.errors import EngineError
from engine.explain_store import explain_frame
from engine.fitted import encode_target, predict_frame
from engine.metrics import compute_metrics
from engine.store import Store

MAX_EXPLAINED_ROWS = 20_000


@dataclass(frozen=True)
class Scored:
    """A scored table.

    Attributes:
        frame: the uploaded columns, then ``prediction``, ``proba_<class>`` per class and, when
            explained, ``output_space``, ``base_value`` and ``contrib_<column>`` per column.
            A name already taken by an uploaded column gets a ``scored_`` prefix.
        seconds: prediction time.
        metrics: every metric of the task that is defined on the rows whose target is known
            (empty without a target column).
        n_labelled: rows the metrics were computed on.
        added: the columns scoring added, in order.
    """

    frame: pd.DataFrame
    seconds: float
    metrics: dict[str, float] = field(default_factory=dict)
    n_labelled: int = 0
    added: tuple[str, ...] = ()


def _target_metrics(run_id: str, frame: pd.DataFrame, predictions: pd.DataFrame, *,
                    runs_dir: Path | str) -> tuple[dict[str, float], int]:
    """Metrics on the rows whose target value is known and a class of the model."""
    schema = Store(runs_dir).load_json(run_id, "schema")
    target, classes = schema["target"], list(schema["classes"])
    if target not in frame.columns:
        return {}, 0
    if classes:
        labels = coerce_frame(frame[[target]], {target: "categorical"})[target]
        known = labels.isin(classes).to_numpy()
        y = encode_target(labels[known], classes)
        out = predictions.loc[known, [f"proba_{c}" for c in classes]].to_numpy()
        key = "proba"
    else:
        values = pd.to_numeric(frame[target], errors="coerce")
        known = values.notna().to_numpy()
        y, out, key = values[known].to_numpy(dtype=float), predictions.loc[
            known, "prediction"].to_numpy(dtype=float), "y_pred"
    if known.sum() < 2 or (classes and len(np.unique(y)) < 2):
        return {}, int(known.sum())
    metrics = compute_metrics(schema["task"], y, **{key: out})
    return {m: v for m, v in metrics.items() if not math.isnan(v)}, int(known.sum())


def score_table(run_id: str, frame: pd.DataFrame, *, runs_dir: Path | str,
                model_id: int | None = None, explain: bool = False) -> Scored:
    """Score every row of ``frame`` with a run's model (the best one by default)."""
    if frame.empty:
        raise EngineError("The file has no rows to score.")
    if explain and len(frame) > MAX_EXPLAINED_ROWS:
        raise EngineError(f"Per-row explanations are limited to {MAX_EXPLAINED_ROWS:,} rows and "
                          f"the file has {len(frame):,}; score it without them, or split it.")
    frame = frame.reset_index(drop=True)
    predictions = predict_frame(run_id, frame, runs_dir=runs_dir, model_id=model_id)
    metrics, n_labelled = _target_metrics(run_id, frame, predictions, runs_dir=runs_dir)
    parts = [predictions]
    if explain:
        parts.append(explain_frame(run_id, frame, runs_dir=runs_dir, model_id=model_id)
                     .drop(columns="output"))
    added = pd.concat(parts, axis=1)
    added.columns = [f"scored_{c}" if c in frame.columns else c for c in added.columns]
    return Scored(pd.concat([frame, added], axis=1), predictions.attrs["predict_seconds"],
                  metrics, n_labelled, tuple(added.columns))
