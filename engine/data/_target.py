"""The target: suggesting a task, checking the target column, and checking rows against folds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.data._roles import _as_labels, _to_numbers
from engine.errors import EngineError

CLASSIFICATION = "classification"
REGRESSION = "regression"


@dataclass(frozen=True, eq=False)
class Target:
    """The checked target: task, values on the kept rows and, for classification, the classes."""

    task: str
    y: pd.Series
    kept: pd.Series
    dropped_missing: int
    classes: tuple[str, ...] = ()


def suggest_task(series: pd.Series) -> str:
    """classification for labels, else regression.

    Labels are text, booleans, two whole numbers, or at most 20 whole numbers seen at least 5
    times each on average.
    """
    values = series.dropna()
    numbers = _to_numbers(values)
    if pd.api.types.is_bool_dtype(values) or numbers.notna().mean() < 0.95:
        return CLASSIFICATION
    numbers = numbers.dropna()
    distinct = numbers.nunique()
    whole = bool((numbers == np.round(numbers)).all())
    labels = distinct == 2 or (distinct <= 20 and len(numbers) >= 5 * distinct)
    return CLASSIFICATION if whole and labels else REGRESSION


def prepare_target(frame: pd.DataFrame, target: str, task: str | None) -> Target:
    """Check the target column and return its task, its values on the rows kept, and its classes.

    Rows whose target is missing are dropped (``kept`` marks the rest). ``task`` None means
    the suggestion of ``suggest_task``.
    """
    if target not in frame.columns:
        names = ", ".join(f"'{c}'" for c in list(frame.columns)[:5])
        raise EngineError(
            f"There is no column '{target}' to predict; "
            f"pick one of the table's columns such as {names}."
        )
    series = frame[target]
    present = series.notna()
    if not present.any():
        raise EngineError(
            f"The target column '{target}' is empty on every row; choose a column that has values."
        )
    task = task or suggest_task(series[present])
    builder = _TARGET_BUILDERS.get(task)
    if builder is None:
        raise EngineError(f"Unknown task '{task}'; use {CLASSIFICATION} or {REGRESSION}.")
    return builder(series, target)


def _classification_target(series: pd.Series, target: str) -> Target:
    labels = _as_labels(series)
    kept = labels.notna()
    values = series[kept].drop_duplicates()
    order = values.sort_values(key=lambda v: _to_numbers(v) if _all_numbers(v) else _as_labels(v))
    classes = tuple(dict.fromkeys(_as_labels(order)))
    if len(classes) < 2:
        raise EngineError(
            f"The target column '{target}' has a single class ('{classes[0]}'); "
            "classification needs at least two."
        )
    return Target(CLASSIFICATION, labels[kept], kept, int((~kept).sum()), classes)


def _regression_target(series: pd.Series, target: str) -> Target:
    numbers = _to_numbers(series)
    present = series.notna()
    if pd.api.types.is_datetime64_any_dtype(series) or numbers[present].notna().mean() < 0.95:
        raise EngineError(
            f"The target column '{target}' is not numeric, so it cannot be a regression target; "
            "choose classification or another column."
        )
    kept = numbers.notna()
    return Target(REGRESSION, numbers[kept], kept, int((~kept).sum()))


def _all_numbers(values: pd.Series) -> bool:
    return bool(_to_numbers(values).notna().all())


_TARGET_BUILDERS: dict[str, Callable[[pd.Series, str], Target]] = {
    CLASSIFICATION: _classification_target,
    REGRESSION: _regression_target,
}


def check_rows(n_rows: int, n_folds: int, *, class_counts: Mapping[str, int] | None = None) -> None:
    """Raise EngineError when there are fewer rows than folds, or a class has fewer rows."""
    if n_rows < n_folds:
        raise EngineError(
            f"The data has {n_rows} rows, fewer than the {n_folds} folds; "
            "add rows or choose fewer folds."
        )
    for label, count in sorted((class_counts or {}).items(), key=lambda item: item[1]):
        if count < n_folds:
            raise EngineError(
                f"The class '{label}' has only {count} rows, fewer than the {n_folds} folds; "
                "choose fewer folds or holdout validation, or add rows of that class."
            )
