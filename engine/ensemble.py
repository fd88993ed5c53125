"""Ensembles over the search's out-of-fold predictions.

Voting: Caruana's greedy ensemble selection with replacement (sorted initialization), giving
weights. Stacking: a logistic-regression (classification) or elastic-net (regression) meta-model
on the members' out-of-fold predictions. Both are scored honestly: the weights or meta-model used
to predict a validation fold are chosen on the other folds only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.metrics import get_metric, score

N_CANDIDATES = 8
N_INIT = 2
N_ROUNDS = 20
MAX_SELECTION_ROWS = 5_000
HONEST_HALVES = 2
EPS = 1e-6


def _score(metric: str, y: np.ndarray, out: np.ndarray, task: str) -> float:
    key = "proba" if task == "classification" else "y_pred"
    return score(metric, y, **{key: out})


def _loss(metric: str, y: np.ndarray, out: np.ndarray, task: str) -> float:
    value = _score(metric, y, out, task)
    if np.isnan(value):
        return np.inf
    return -value if get_metric(metric).greater_is_better else value


def caruana_weights(oofs: Sequence[np.ndarray], y: np.ndarray, *, metric: str, task: str,
                    rounds: int = N_ROUNDS, n_init: int = N_INIT) -> np.ndarray:
    """Weights of greedy ensemble selection with replacement, candidates sorted best first."""
    counts = np.zeros(len(oofs))
    counts[:min(n_init, len(oofs))] = 1
    total = sum(oofs[i] for i in range(len(oofs)) if counts[i])
    for _ in range(rounds):
        n = counts.sum()
        losses = [_loss(metric, y, (total + o) / (n + 1), task) for o in oofs]
        best = int(np.argmin(losses))
        counts[best] += 1
        total = total + oofs[best]
    return counts / counts.sum()


def _stack_features(oofs: Sequence[np.ndarray], task: str) -> np.ndarray:
    if task != "classification":
        return np.column_stack(oofs)
    return np.column_stack([np.log(np.clip(o, EPS, 1 - EPS)) for o in oofs])


def fit_meta(oofs: Sequence[np.ndarray], y: np.ndarray, *, task: str, seed: int) -> Any:
    """The stacking meta-model fitted on out-of-fold predictions."""
    from sklearn.linear_model import ElasticNetCV, LogisticRegression

    Z = _stack_features(oofs, task)
    if task == "classification":
        return LogisticRegression(C=1.0, max_iter=2000).fit(Z, y)
    return ElasticNetCV(l1_ratio=[0.1, 0.5, 0.9, 1.0], cv=3, positive=True,
                        random_state=seed).fit(Z, y)


def meta_output(meta: Any, oofs: Sequence[np.ndarray], *, task: str, n_classes: int) -> np.ndarray:
    """The meta-model's probabilities (every class) or predictions."""
    Z = _stack_features(oofs, task)
    if task != "classification":
        return meta.predict(Z)
    full = np.zeros((len(Z), n_classes))
    full[:, meta.classes_.astype(int)] = meta.predict_proba(Z)
    return full


@dataclass(frozen=True)
class Recipe:
    """What an ensemble is made of: member model ids with weights, or a meta-model."""

    kind: str
    members: tuple[int, ...]
    weights: tuple[float, ...]
    meta: Any = None


def _select(oofs: list[np.ndarray], y: np.ndarray, kind: str, metric: str, task: str,
            seed: int, rows: np.ndarray) -> tuple[np.ndarray, Any]:
    sub = [o[rows] for o in oofs]
    if kind == "voting":
        return caruana_weights(sub, y[rows], metric=metric, task=task), None
    return np.full(len(oofs), 1 / len(oofs)), fit_meta(sub, y[rows], task=task, seed=seed)


def _apply(oofs: list[np.ndarray], weights: np.ndarray, meta: Any, rows: np.ndarray,
           task: str, n_classes: int) -> np.ndarray:
    sub = [o[rows] for o in oofs]
    if meta is not None:
        return meta_output(meta, sub, task=task, n_classes=n_classes)
    return sum(w * o for w, o in zip(weights, sub))


def _cap(rows: np.ndarray, seed: int) -> np.ndarray:
    if len(rows) <= MAX_SELECTION_ROWS:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, MAX_SELECTION_ROWS, replace=False))


def build(kind: str, ids: Sequence[int], oofs: list[np.ndarray], y: np.ndarray,
          folds: np.ndarray, *, metric: str, task: str, n_classes: int,
          seed: int) -> tuple[Recipe, np.ndarray]:
    """An ensemble's recipe and its cross-fitted out-of-fold output.

    The reported output is cross-fitted over two halves of the rows (by validation fold when
    there are several), so that no row's score comes from weights chosen on that row.
    """
    keys = np.unique(folds)
    if len(keys) > 1:
        halves = np.isin(folds, keys[::2]).astype(int)
    else:
        halves = np.random.default_rng(seed).integers(0, HONEST_HALVES, len(y))
    out = np.zeros_like(oofs[0])
    for half in range(HONEST_HALVES):
        other = _cap(np.flatnonzero(halves != half), seed)
        weights, meta = _select(oofs, y, kind, metric, task, seed, other)
        rows = np.flatnonzero(halves == half)
        out[rows] = _apply(oofs, weights, meta, rows, task, n_classes)
    weights, meta = _select(oofs, y, kind, metric, task, seed, _cap(np.arange(len(y)), seed))
    keep = weights > 0
    recipe = Recipe(kind, tuple(int(i) for i, k in zip(ids, keep) if k),
                    tuple(float(w) for w in weights[keep]), meta)
    return recipe, out


class EnsembleModel:
    """A fitted ensemble: predicts from the raw (coerced) frame like any pipeline."""

    def __init__(self, recipe: Recipe, models: Sequence[Any], *, task: str, n_classes: int) -> None:
        self.recipe = recipe
        self.models = list(models)
        self.task = task
        self.n_classes = n_classes
        self.classes_ = np.arange(n_classes)

    def _outputs(self, X: Any) -> list[np.ndarray]:
        from engine.trainer import predict_output

        return [predict_output(m, X, task=self.task, n_classes=self.n_classes) for m in self.models]

    def _combine(self, X: Any) -> np.ndarray:
        outs = self._outputs(X)
        if self.recipe.meta is not None:
            return meta_output(self.recipe.meta, outs, task=self.task, n_classes=self.n_classes)
        return sum(w * o for w, o in zip(self.recipe.weights, outs))

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._combine(X)

    def predict(self, X: Any) -> np.ndarray:
        out = self._combine(X)
        return out.argmax(axis=1) if self.task == "classification" else out
