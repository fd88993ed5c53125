"""Permutation importance of the uploaded columns, through the whole pipeline."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from engine.errors import EngineError
from engine.featurize import plan_features
from engine.models import CLASSIFICATION, REGRESSION

Scorer = Callable[[object, pd.DataFrame, np.ndarray], float]


class _OnColumns(BaseEstimator):
    """The model seen through some uploaded columns; the others keep the sample's values."""

    def __init__(self, model: object, sample: pd.DataFrame, n_classes: int) -> None:
        self.model = model
        self.sample = sample
        self.n_classes = n_classes

    def fit(self, X: pd.DataFrame, y: object = None) -> "_OnColumns":
        raise EngineError("This wrapper only scores an already fitted model.")

    def _full(self, X: pd.DataFrame) -> pd.DataFrame:
        full = self.sample.copy()
        for column in X.columns:
            full[column] = pd.Series(X[column].array, index=full.index)
        return full

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict(self._full(X)))


class _Classifier(ClassifierMixin, _OnColumns):
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict_proba(self._full(X)), dtype=float)

    @property
    def classes_(self) -> np.ndarray:
        return np.arange(self.n_classes)


class _Regressor(RegressorMixin, _OnColumns):
    pass


def _neg_log_loss(n_classes: int) -> Scorer:
    from sklearn.metrics import log_loss

    def score(estimator: object, X: pd.DataFrame, y: np.ndarray) -> float:
        return -log_loss(y, estimator.predict_proba(X), labels=np.arange(n_classes))
    return score


def _r2(estimator: object, X: pd.DataFrame, y: np.ndarray) -> float:
    from sklearn.metrics import r2_score

    return float(r2_score(y, estimator.predict(X)))


def permutation_importance_frame(model: object, X: pd.DataFrame, y: np.ndarray | pd.Series, *,
                                 task: str, roles: dict[str, str], n_classes: int = 0,
                                 scoring: str | Scorer | None = None, n_repeats: int = 3,
                                 max_rows: int = 1000, seed: int = 0) -> pd.DataFrame:
    """How much the score drops when one uploaded column is shuffled, per used column.

    Args:
        model: a fitted pipeline or ensemble predicting on uploaded rows.
        X: held-out uploaded rows; ``y``: their targets (class codes 0..k-1 for classification).
        task: ``classification`` or ``regression``.
        roles: column roles; only featurized columns are shuffled.
        n_classes: number of classes (classification).
        scoring: a scikit-learn scorer name or ``scorer(estimator, X, y)``, higher is better;
            default negative log-loss (classification) or R² (regression).
        n_repeats: shuffles per column.
        max_rows: rows sampled from ``X``.
        seed: seed of the sample and the shuffles.

    Returns:
        Columns ``feature``, ``importance`` (mean score drop), ``std``; largest first.
    """
    from sklearn.inspection import permutation_importance

    if task == CLASSIFICATION and n_classes < 2:
        raise EngineError("Pass the number of classes to compute permutation importance.")
    columns = [c for c in plan_features(roles).used if c in X.columns]
    if not columns:
        raise EngineError("No featurized column is left to shuffle.")
    y = np.asarray(y)
    if len(X) > max_rows:
        pos = np.random.default_rng(seed).choice(len(X), size=max_rows, replace=False)
        X, y = X.iloc[np.sort(pos)], y[np.sort(pos)]
    sample = X.reset_index(drop=True)
    wrapper = (_Classifier(model, sample, n_classes) if task == CLASSIFICATION
               else _Regressor(model, sample, n_classes))
    default = {CLASSIFICATION: lambda: _neg_log_loss(n_classes), REGRESSION: lambda: _r2}
    scorer = scoring if scoring is not None else default[task]()
    result = permutation_importance(wrapper, sample[columns], y, scoring=scorer,
                                    n_repeats=n_repeats, random_state=seed, n_jobs=1)
    frame = pd.DataFrame({"feature": columns, "importance": result.importances_mean,
                          "std": result.importances_std})
    return frame.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
