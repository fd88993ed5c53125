"""A run's fitted models: its training problem read back, models loaded or refitted on demand,
test scores, and predictions on new data."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.data import coerce_frame, group_column
from engine.ensemble import EnsembleModel, Recipe
from engine.errors import EngineError
from engine.featurize import plan_features
from engine.metrics import compute_metrics
from engine.models import MODELS
from engine.search import Problem
from engine.settings import RunSettings
from engine.store import Store
from engine.trainer import fit_family, predict_output
from engine.validate import group_values, make_validation


def encode_target(labels: pd.Series, classes: tuple[str, ...] | list[str]) -> np.ndarray:
    """Class labels as positions in ``classes``; regression targets as floats."""
    if not classes:
        return labels.to_numpy(dtype="float64")
    return np.searchsorted(np.asarray(classes, dtype=object), labels.astype(str).to_numpy(
        dtype=object)).astype(int)


def default_n_jobs() -> int:
    """All cores but one: the studio keeps a core, and threads never outnumber cores."""
    return max(1, (os.cpu_count() or 2) - 1)


def load_problem(store: Store, run_id: str) -> Problem:
    """The training rows, target and folds of a run, exactly as its search saw them."""
    settings = load_settings(store, run_id)
    classes = tuple(store.load_json(run_id, "schema")["classes"])
    frames = [store.load_frame(run_id, "train"), store.load_frame(run_id, "valid")]
    train = pd.concat([f for f in frames if f is not None], ignore_index=True)
    y = encode_target(train[settings.target], classes)
    group = group_column(settings.roles)
    validation = make_validation(settings.validation, y, task=settings.task, seed=settings.seed,
                                 n_valid_file=0 if frames[1] is None else len(frames[1]),
                                 groups=group_values(train, group) if frames[1] is None else None,
                                 group=group)
    return Problem(X=train[list(plan_features(settings.roles).used)], y=y, roles=settings.roles, task=settings.task,
                   n_classes=len(classes), metric=settings.metric, validation=validation,
                   seed=settings.seed, n_jobs=settings.n_jobs or default_n_jobs(),
                   featurization_off=settings.featurization_off)


def load_settings(store: Store, run_id: str) -> RunSettings:
    """A run's settings."""
    return RunSettings.from_dict(store.run_row(run_id)["settings"])


def refit_rows(problem: Problem) -> np.ndarray:
    """Rows a final model is trained on: all of them after cross-validation, else the training
    part of the single split (so the model is the one its validation score describes)."""
    folds = problem.validation.folds
    return np.arange(len(problem.y)) if len(folds) > 1 else folds[0][0]


def refit(family: str, params: dict[str, Any], problem: Problem,
          deadline: float | None = None) -> Any:
    """Fit one family with fixed hyperparameters on the final training rows."""
    rows = refit_rows(problem)
    return fit_family(MODELS[family], params, problem.X.iloc[rows], problem.y[rows],
                      roles=problem.roles, task=problem.task, seed=problem.seed,
                      n_jobs=problem.n_jobs, deadline=deadline,
                      featurization_off=problem.featurization_off).pipeline


def model_row(store: Store, run_id: str, model_id: int) -> dict[str, Any]:
    """One completed model's row; an unknown or unfinished model is a user error."""
    rows = {r["model_id"]: r for r in store.model_rows(run_id) if r["status"] == "completed"}
    if model_id not in rows:
        raise EngineError(f"Run {run_id} has no finished model {model_id}; see its leaderboard "
                          "for the model ids.")
    return rows[model_id]


def load_model(store: Store, run_id: str, model_id: int | None = None) -> tuple[int, Any]:
    """(model id, fitted model): the run's best model by default; refitted once if needed."""
    best = store.run_row(run_id)["best_model_id"]
    if model_id is None:
        model_id = best
        if model_id is None:
            raise EngineError(f"Run {run_id} has no best model yet; wait for it to finish a model.")
    model = store.load_object(run_id, "models", str(model_id))
    if model is not None:
        return model_id, model
    row = model_row(store, run_id, model_id)
    problem = load_problem(store, run_id)
    if row["kind"] in ("voting", "stacking"):
        recipe = Recipe(row["kind"], tuple(row["params"]["members"]),
                        tuple(row["params"]["weights"]), store.load_object(run_id, "meta",
                                                                          str(model_id)))
        members = {m: load_model(store, run_id, m)[1] for m in recipe.members}
        return model_id, assemble(recipe, members, problem)
    model = refit(row["family"], row["params"], problem)
    store.save_object(run_id, "models", str(model_id), model)
    return model_id, model


def assemble(recipe: Recipe, members: dict[int, Any], problem: Problem) -> EnsembleModel:
    """A usable ensemble from its recipe and its fitted members."""
    return EnsembleModel(recipe, [members[m] for m in recipe.members], task=problem.task,
                         n_classes=problem.n_classes)


def score_test(store: Store, run_id: str, model_id: int, model: Any, problem: Problem) -> dict:
    """Score a model on the run's test set (only ever after the search) and store the result."""
    test = store.load_frame(run_id, "test")
    if test is None:
        return {}
    target = load_settings(store, run_id).target
    classes = tuple(store.load_json(run_id, "schema")["classes"])
    out = predict_output(model, test[list(problem.X.columns)], task=problem.task,
                         n_classes=problem.n_classes)
    y = encode_target(test[target], classes)
    key = "proba" if problem.task == "classification" else "y_pred"
    metrics = compute_metrics(problem.task, y, **{key: out})
    store.save_array(run_id, "test", str(model_id), out)
    store.save_array(run_id, "test", "y", y)
    store.update_model_row(run_id, model_id, test_metrics=metrics)
    return metrics


def predict_frame(run_id: str, frame: pd.DataFrame, *, runs_dir: Path | str,
                  model_id: int | None = None) -> pd.DataFrame:
    """Predictions for new rows, one per input row in order: ``prediction`` and, for
    classification, ``proba_<class>`` for every class."""
    store = Store(runs_dir)
    model_id, model = load_model(store, run_id, model_id)
    schema = store.load_json(run_id, "schema")
    X = coerce_frame(frame, schema["roles"])
    start = time.perf_counter()
    out = predict_output(model, X, task=schema["task"], n_classes=len(schema["classes"]))
    classes = np.asarray(schema["classes"], dtype=object)
    if schema["task"] != "classification":
        result = pd.DataFrame({"prediction": out})
    else:
        threshold = model_row(store, run_id, model_id).get("threshold")
        labels = (out[:, 1] >= threshold).astype(int) if threshold is not None and len(
            classes) == 2 else out.argmax(axis=1)
        result = pd.DataFrame({"prediction": classes[labels]})
        for i, label in enumerate(classes):
            result[f"proba_{label}"] = out[:, i]
    result.attrs["predict_seconds"] = time.perf_counter() - start
    return result
