"""The model as explainers see it: a featurizer (if any), a final estimator, its outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from engine.errors import EngineError
from engine.featurize import feature_names, feature_origins
from engine.models import CLASSIFICATION, REGRESSION


@dataclass(frozen=True)
class ModelView:
    """A fitted model split for explaining.

    Attributes:
        model: what predicts on uploaded rows (pipeline, ensemble or bare model).
        featurizer: the pipeline's fitted ``features`` step, or ``None`` (ensembles).
        estimator: the pipeline's final step, or ``model`` itself.
        task: ``classification`` or ``regression``.
        classes: class labels in model order (models learn codes 0..k-1).
        roles: the column roles the featurizer was built from.
    """

    model: object
    featurizer: object | None
    estimator: object
    task: str
    classes: tuple[object, ...]
    roles: dict[str, str]

    @property
    def n_outputs(self) -> int:
        """Outputs explained: one for regression and binary tasks, one per class otherwise."""
        return len(self.classes) if len(self.classes) > 2 else 1

    @property
    def knows_every_class(self) -> bool:
        """The estimator saw every class (a training fold may miss a rare one)."""
        seen = getattr(self.estimator, "classes_", None)
        return self.task == REGRESSION or (
            seen is not None and list(seen) == list(range(len(self.classes))))

    @property
    def output_classes(self) -> tuple[object, ...]:
        """The class of each explained output (the second class for a binary task)."""
        if self.task == REGRESSION:
            return ()
        return self.classes if len(self.classes) > 2 else (self.classes[1],)

    def engineered(self, X: pd.DataFrame) -> tuple[object, np.ndarray]:
        """Rows as the estimator takes them, and the same as a float matrix."""
        out = self.featurizer.transform(X)
        return out, as_matrix(out)

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Engineered feature names and their uploaded origins."""
        return (tuple(feature_names(self.featurizer)),
                tuple(feature_origins(self.featurizer, self.roles)))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """What the model says: class probabilities ``(n, k)``, or predictions ``(n,)``."""
        from engine.trainer import predict_output

        out = predict_output(self.model, X, task=self.task, n_classes=len(self.classes))
        return out if self.task == CLASSIFICATION else out.reshape(-1)

    def explained_output(self, X: pd.DataFrame) -> np.ndarray:
        """The predictions in the shape explanations use: ``(n, n_outputs)`` probabilities or
        predictions (the second class's probability for a binary task)."""
        pred = self.predict(X)
        if self.task == REGRESSION:
            return pred.reshape(-1, 1)
        return pred[:, 1:] if pred.shape[1] == 2 else pred


class Method(Protocol):
    """What every explanation method gives the explainer."""

    method: str
    output_space: str
    feature_names: tuple[str, ...]
    origins: tuple[str, ...]
    fidelity: float | None

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contributions ``(n, f, k)``, bases ``(n, k)`` and feature values ``(n, f)``."""

    def seconds_per_row(self) -> float:
        """Estimated seconds to explain one more row."""


def as_matrix(out: object) -> np.ndarray:
    """A featurizer's output (array or frame) as a float matrix."""
    return out.to_numpy(dtype=float) if hasattr(out, "to_numpy") else np.asarray(out, float)


def view_model(model: object, *, task: str, roles: dict[str, str],
               classes: tuple[object, ...] | list[object] = ()) -> ModelView:
    """Split a fitted pipeline (``features`` then ``model``) or take an ensemble as a whole."""
    if task not in (CLASSIFICATION, REGRESSION):
        raise EngineError(f"Explanations are for classification or regression, not '{task}'.")
    steps = getattr(model, "named_steps", {})
    featurizer = steps.get("features") if len(steps) == 2 else None
    estimator = model[-1] if featurizer is not None else model
    labels = tuple(classes)
    if task == CLASSIFICATION and not labels:
        labels = tuple(getattr(estimator, "classes_", ()))
    if task == CLASSIFICATION and len(labels) < 2:
        raise EngineError("Pass the class labels of a classification model to explain it.")
    return ModelView(model=model, featurizer=featurizer, estimator=estimator, task=task,
                     classes=labels if task == CLASSIFICATION else (), roles=dict(roles))


def as_outputs(values: np.ndarray, base: np.ndarray, view: ModelView,
               per_class_input: bool) -> tuple[np.ndarray, np.ndarray]:
    """Contributions ``(n, f, k)`` and bases ``(n, k)`` from an explainer's arrays.

    Args:
        values: ``(n, f)`` or ``(n, f, m)`` contributions as the library returned them.
        base: scalar or ``(m,)`` expected values.
        view: the model, for the number of classes.
        per_class_input: the library returned one output per class even for a binary task
            (random forests: probabilities of both classes); the second is kept.
    """
    values = values if values.ndim == 3 else values[:, :, None]
    base = np.broadcast_to(np.atleast_1d(np.asarray(base, dtype=float)),
                           (values.shape[0], values.shape[2])).copy()
    if per_class_input and values.shape[2] == 2 and view.n_outputs == 1:
        values, base = values[:, :, 1:], base[:, 1:]
    return values, base
