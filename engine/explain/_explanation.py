"""What an explanation holds, and the views derived from it without the model."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from engine.errors import EngineError

PREDICTION = "prediction"
LOG_PREDICTION = "log of prediction"
LOG_ODDS = "log-odds"
RAW_SCORE = "raw score"
PROBABILITY = "probability"
# What the other class of a binary task looks like in each output space: (sign, offset).
_OTHER_CLASS = {LOG_ODDS: (-1.0, 0.0), PROBABILITY: (-1.0, 1.0)}


@dataclass(frozen=True, eq=False)
class Explanation:
    """Additive contributions of features to one model output per row.

    For every row, ``base_values + values.sum(axis=1) == output`` to float precision.

    Attributes:
        values: contributions, ``(n_rows, n_features)``; ``(n_rows, n_features, n_outputs)``
            with one output per class for multiclass tasks.
        base_values: the output when no feature is known, ``(n_rows,)`` or ``(n_rows, n_outputs)``.
        output: what base and contributions add up to, same shape as ``base_values``.
        output_space: units of ``output``: ``prediction``, ``log of prediction``, ``log-odds``
            (binary), ``raw score`` (softmax scores, multiclass) or ``probability``.
        feature_names: one name per feature (engineered features, or uploaded columns).
        origins: the uploaded column each feature comes from.
        method: how the values were computed: ``tree``, ``linear``, ``mimic+tree``, ``kernel``.
        data: the feature values, ``(n_rows, n_features)`` floats, NaN where not numeric.
        rows: the uploaded rows explained, in the same order.
        output_classes: the class label of each output (one label for a binary task, none for
            regression).
        classes: every class label of the task, in model order.
        fidelity: for surrogate explanations, R² of the surrogate's output against the model's
            on rows the surrogate did not learn from; ``None`` for exact methods.
    """

    values: np.ndarray
    base_values: np.ndarray
    output: np.ndarray
    output_space: str
    feature_names: tuple[str, ...]
    origins: tuple[str, ...]
    method: str
    data: np.ndarray
    rows: pd.DataFrame
    output_classes: tuple[object, ...] = ()
    classes: tuple[object, ...] = ()
    fidelity: float | None = None

    @property
    def per_class(self) -> bool:
        """Whether ``values`` has a class axis (multiclass)."""
        return self.values.ndim == 3

    def output_label(self) -> str:
        """The output in words, e.g. ``log-odds of class 'yes'`` (single-output explanations)."""
        if self.per_class:
            return f"{self.output_space} of each class"
        if self.output_classes:
            return f"{self.output_space} of class '{self.output_classes[0]}'"
        return self.output_space

    def for_class(self, label: object) -> Explanation:
        """The single-output explanation of one class (exact for either class of a binary task).

        Raises:
            EngineError: for regression, or a label that is not one of the classes.
        """
        if not self.output_classes:
            raise EngineError("A regression model has no classes to choose from.")
        if self.per_class:
            if label not in self.output_classes:
                raise EngineError(f"'{label}' is not a class of this model; choose one of "
                                  f"{', '.join(map(str, self.output_classes))}.")
            k = self.output_classes.index(label)
            return replace(self, values=self.values[:, :, k], base_values=self.base_values[:, k],
                           output=self.output[:, k], output_classes=(label,))
        if label == self.output_classes[0]:
            return self
        if label not in self.classes or self.output_space not in _OTHER_CLASS:
            raise EngineError(f"'{label}' is not a class of this model; choose one of "
                              f"{', '.join(map(str, self.classes))}.")
        sign, offset = _OTHER_CLASS[self.output_space]
        return replace(self, values=sign * self.values,
                       base_values=offset + sign * self.base_values,
                       output=offset + sign * self.output, output_classes=(label,))

    def take(self, positions: list[int] | np.ndarray) -> Explanation:
        """The explanation of some rows only, by position."""
        pos = np.asarray(positions, dtype=int)
        return replace(self, values=self.values[pos], base_values=self.base_values[pos],
                       output=self.output[pos], data=self.data[pos], rows=self.rows.iloc[pos])


def numeric_view(rows: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """Uploaded columns as floats for colouring: numbers as they are, dates as days since 1970,
    everything else NaN."""
    out = np.full((len(rows), len(columns)), np.nan)
    for j, column in enumerate(columns):
        col = rows[column]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            out[:, j] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        elif pd.api.types.is_datetime64_any_dtype(col):
            days = (col - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0
            out[:, j] = days.to_numpy(dtype=float, na_value=np.nan)
    return out


def raw_contributions(expl: Explanation) -> Explanation:
    """Engineered contributions summed back to the uploaded columns they come from, in the
    order of the uploaded table.

    Sums are preserved exactly (up to float rounding): every engineered feature has one origin.
    """
    origins = set(expl.origins)
    uploaded = [c for c in expl.rows.columns if c in origins]
    columns = tuple(uploaded + [c for c in dict.fromkeys(expl.origins) if c not in uploaded])
    if columns == expl.feature_names:
        return expl
    origins = np.asarray(expl.origins, dtype=object)
    values = np.stack([expl.values[:, origins == c].sum(axis=1) for c in columns], axis=1)
    return replace(expl, values=values, feature_names=columns, origins=columns,
                   data=numeric_view(expl.rows, columns))


def importance_frame(expl: Explanation) -> pd.DataFrame:
    """Mean absolute contribution per feature, largest first.

    Columns: ``feature``, ``origin``, ``importance``; a multiclass explanation adds one column
    ``class: <label>`` per class, and ``importance`` is their mean.
    """
    mean_abs = np.abs(expl.values).mean(axis=0)
    frame = pd.DataFrame({"feature": list(expl.feature_names), "origin": list(expl.origins)})
    if expl.per_class:
        frame["importance"] = mean_abs.mean(axis=1)
        for k, label in enumerate(expl.output_classes):
            frame[f"class: {label}"] = mean_abs[:, k]
    else:
        frame["importance"] = mean_abs
    return frame.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
