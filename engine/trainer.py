"""Fitting one model family on training rows: featurize, fit (with early stopping), predict."""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from engine.featurize import build_featurizer, categorical_indices, fitted_pipeline
from engine.models import CLASSIFICATION, FitContext, ModelSpec

EARLY_STOP_FRACTION = 0.1
EARLY_STOP_ROUNDS = 50
ROUNDS_MARGIN = 1.1


@dataclass(frozen=True)
class Fitted:
    """A fitted pipeline and what its fit took."""

    pipeline: Pipeline
    fit_time: float
    rounds: int | None


def subsample(n_rows: int, limit: int | None, seed: int) -> np.ndarray:
    """Row positions of a seeded subsample of at most ``limit`` rows (all rows when None)."""
    if limit is None or n_rows <= limit:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=limit, replace=False))


def _deadline_callback(deadline: float):
    import lightgbm as lgb

    def callback(env: Any) -> None:
        if time.time() > deadline:
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list)
    callback.order = 40
    return callback


def _fit_boosted(model: Any, Xt: np.ndarray, y: np.ndarray, categorical: list[int], *,
                 task: str, seed: int, deadline: float | None) -> int:
    """Fit LightGBM with early stopping on an inner split of the training rows only."""
    import lightgbm as lgb

    rng = np.random.default_rng(seed)
    stop = rng.random(len(y)) < EARLY_STOP_FRACTION
    if task == CLASSIFICATION and len(np.unique(y[~stop])) < len(np.unique(y)):
        stop[:] = False
    callbacks = [_deadline_callback(deadline)] if deadline else []
    if stop.any():
        callbacks.append(lgb.early_stopping(EARLY_STOP_ROUNDS, verbose=False))
        model.fit(Xt[~stop], y[~stop], eval_X=(Xt[stop],), eval_y=(y[stop],),
                  categorical_feature=categorical or "auto", callbacks=callbacks)
        return max(1, int(round((model.best_iteration_ or model.n_estimators_) * ROUNDS_MARGIN)))
    model.fit(Xt, y, categorical_feature=categorical or "auto", callbacks=callbacks)
    return int(model.n_estimators_)


def _fit_in_steps(model: Any, Xt: np.ndarray, y: np.ndarray, param: str, step: int,
                  deadline: float) -> None:
    """Grow trees or boosting rounds with ``warm_start`` until the full size or the deadline."""
    target = int(model.get_params()[param])
    model.set_params(warm_start=True)
    size = 0
    with warnings.catch_warnings():  # the same rows every step: "balanced" weights stay right
        warnings.filterwarnings("ignore", message=".*not recommended for warm_start",
                                category=UserWarning)
        while size < target:
            size = min(target, size + step)
            model.set_params(**{param: size})
            model.fit(Xt, y)
            if getattr(model, "n_iter_", size) < size or time.time() > deadline:
                break  # boosting stopped early on its own, or time is up
    model.set_params(warm_start=False)


def fit_family(spec: ModelSpec, params: Mapping[str, Any], X: pd.DataFrame, y: np.ndarray, *,
               roles: dict[str, str], task: str, seed: int, n_jobs: int,
               deadline: float | None = None, featurization_off: tuple[str, ...] = ()) -> Fitted:
    """Featurize and fit one family on training rows (featurizer fitted on these rows only).

    LightGBM without a fixed ``n_estimators`` stops early on a random tenth of these rows and
    reports the number of rounds to use when refitting. Families with ``max_train_rows`` fit
    on a seeded subsample of that many rows.
    """
    start = time.perf_counter()
    rows = subsample(len(y), spec.max_train_rows, seed)
    if len(rows) < len(y):
        X, y = X.iloc[rows], y[rows]
    featurizer = build_featurizer(X, roles, style=spec.style, off=featurization_off)
    Xt = featurizer.fit_transform(X, y)
    categorical = categorical_indices(featurizer, roles) if spec.style == "native" else []
    ctx = FitContext(task=task, seed=seed, n_jobs=n_jobs, categorical=tuple(categorical),
                     n_features=Xt.shape[1])
    model = spec.factory(ctx, params)
    rounds = None
    if spec.early_stopping and "n_estimators" not in params:
        rounds = _fit_boosted(model, Xt, y, categorical, task=task, seed=seed, deadline=deadline)
    elif spec.early_stopping:
        model.fit(Xt, y, categorical_feature=categorical or "auto")
    elif spec.grows and deadline:
        _fit_in_steps(model, Xt, y, spec.grows, spec.grow_step, deadline)
    else:
        model.fit(Xt, y)
    return Fitted(fitted_pipeline(featurizer, model), time.perf_counter() - start, rounds)


def predict_output(model: Any, X: pd.DataFrame, *, task: str, n_classes: int) -> np.ndarray:
    """Class probabilities (n × k, every class present) or regression predictions (n)."""
    if task != CLASSIFICATION:
        return np.asarray(model.predict(X), dtype="float64")
    proba = np.asarray(model.predict_proba(X), dtype="float64")
    classes = np.asarray(getattr(model, "classes_", np.arange(proba.shape[1])), dtype=int)
    if proba.shape[1] == n_classes and (classes == np.arange(n_classes)).all():
        return proba
    full = np.zeros((len(X), n_classes))
    full[:, classes] = proba
    return full
