"""The Optuna-driven search over model families and their hyperparameters.

Each trial picks a family, then that family's hyperparameters (a conditional space), fits it on
every validation fold (featurizer fitted inside each fold), reports the running fold score to a
pruner, and stores its out-of-fold predictions and every metric. The test set never gets here.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from engine.metrics import compute_metrics, get_metric, score
from engine.models import MODELS, ModelSpec
from engine.store import Store
from engine.trainer import fit_family, predict_output
from engine.validate import Validation

optuna.logging.set_verbosity(optuna.logging.ERROR)
log = logging.getLogger(__name__)

SUGGEST: dict[type, Callable[[optuna.Trial, str, Any], Any]] = {
    FloatDistribution: lambda t, n, d: t.suggest_float(n, d.low, d.high, log=d.log, step=d.step),
    IntDistribution: lambda t, n, d: t.suggest_int(n, d.low, d.high, log=d.log, step=d.step),
    CategoricalDistribution: lambda t, n, d: t.suggest_categorical(n, d.choices),
}
KEEP_FITTED = 10  # fitted holdout models kept in memory for the final model and ensembles
ERROR_CHARS = 300
RUNG_MIN_ROWS = 10_000


@dataclass(frozen=True)
class Problem:
    """The training data of a run as the search sees it."""

    X: pd.DataFrame
    y: np.ndarray
    roles: dict[str, str]
    task: str
    n_classes: int
    metric: str
    validation: Validation
    seed: int
    n_jobs: int
    featurization_off: tuple[str, ...] = ()


@dataclass
class Budget:
    """When the search must stop. ``reserve`` returns seconds kept for what follows it."""

    deadline: float
    max_trials: int | None = None
    patience: int | None = None
    reserve: Callable[[], float] = lambda: 0.0

    def search_deadline(self) -> float:
        return self.deadline - self.reserve()


@dataclass
class Outcome:
    """A finished model of the search."""

    model_id: int
    family: str
    params: dict[str, Any]
    score: float
    oof: np.ndarray
    fit_time: float
    pipeline: Any = None


def suggest_params(trial: optuna.Trial, spec: ModelSpec, task: str) -> dict[str, Any]:
    """Sample one family's hyperparameters, named ``<family>.<name>`` in the study."""
    return {name: SUGGEST[type(dist)](trial, f"{spec.key}.{name}", dist)
            for name, dist in spec.space_for(task).items()}


def default_trial(spec: ModelSpec, task: str,
                  overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The study parameters of a family's defaults (with overrides), to enqueue."""
    config = spec.config_for(task, overrides or {})
    return {"model": spec.key, **{f"{spec.key}.{k}": v for k, v in config.items()}}


def starting_trials(families: tuple[str, ...], task: str) -> list[dict[str, Any]]:
    """Every family's defaults first, in registry order, then each family's portfolio."""
    specs = [MODELS[key] for key in families]
    firsts = [default_trial(spec, task) for spec in specs]
    return firsts + [default_trial(spec, task, dict(extra)) for spec in specs
                     for extra in spec.portfolio]


def rung_sizes(n_train: int, limit: int | None) -> tuple[int, ...]:
    """Training-row counts one holdout trial is fitted on, smallest first, the last one full.

    Successive halving on rows: a trial on a large holdout is fitted on a ninth, then a third of
    the training rows, and the pruner stops it at a rung where it is behind earlier trials at the
    same rung, so weak configurations cost a fraction of a full fit. Rungs smaller than
    ``RUNG_MIN_ROWS`` (too noisy to judge by) or as large as the family's own row cap are left out.
    """
    full = n_train if limit is None else min(n_train, limit)
    return (*(size for size in (n_train // 9, n_train // 3) if RUNG_MIN_ROWS <= size < full), full)


@dataclass(frozen=True)
class Step:
    """One fit of a trial: training and validation rows; ``final`` fits give its predictions."""

    train: np.ndarray
    val: np.ndarray
    fold: int
    final: bool
    pruned: str


class TrialStopped(optuna.TrialPruned):
    """A trial ended before its last fold; the reason is stored with it."""


@dataclass
class Search:
    """One run's search: call ``run`` with a study, read ``outcomes`` afterwards."""

    problem: Problem
    budget: Budget
    families: tuple[str, ...]
    store: Store
    run_id: str
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    best_id: int | None = None
    stop_reason: str = ""
    seconds_per_row: dict[str, float] = field(default_factory=dict)
    _since_best: int = 0
    _plans: dict[str, tuple[Step, ...]] = field(default_factory=dict)
    _started: float = field(default_factory=time.time)

    @property
    def greater_is_better(self) -> bool:
        return get_metric(self.problem.metric).greater_is_better

    def better(self, a: float, b: float | None) -> bool:
        if b is None or math.isnan(b):
            return not math.isnan(a)
        return a > b if self.greater_is_better else a < b

    @property
    def best_score(self) -> float | None:
        return None if self.best_id is None else self.outcomes[self.best_id].score

    def run(self, study: optuna.Study) -> str:
        """Run trials until a budget ends or a cancel is asked for; returns why it stopped."""
        for params in starting_trials(self.families, self.problem.task):
            study.enqueue_trial(params)
        study.optimize(self._objective, n_trials=self.budget.max_trials,
                       callbacks=[self._after_trial], gc_after_trial=False)
        return self.stop_reason or "trials"

    # one trial ------------------------------------------------------------------------------
    def _objective(self, trial: optuna.Trial) -> float:
        family = trial.suggest_categorical("model", list(self.families))
        spec = MODELS[family]
        params = suggest_params(trial, spec, self.problem.task)
        model_id = trial.number
        started = time.time()
        self.store.save_model_row(self.run_id, model_id, family=family, kind="single",
                                  status="running", params=params, started_at=started)
        try:
            outcome = self._evaluate(trial, spec, params, model_id, started)
        except TrialStopped as stopped:
            self.store.update_model_row(self.run_id, model_id, status="pruned",
                                        error=str(stopped), duration=time.time() - started)
            raise
        except Exception as error:  # a model that crashes fails its trial, never the run
            log.warning("trial %s failed", model_id, exc_info=True)
            reason = f"{type(error).__name__}: {error}"[:ERROR_CHARS]
            self.store.update_model_row(self.run_id, model_id, status="failed", error=reason,
                                        duration=time.time() - started)
            return float("nan")
        self._record(outcome)
        return outcome.score

    def _evaluate(self, trial: optuna.Trial, spec: ModelSpec, params: dict[str, Any],
                  model_id: int, started: float) -> Outcome:
        p = self.problem
        n_val = sum(len(va) for _, va in p.validation.folds)
        oof = np.full((n_val, p.n_classes) if p.task == "classification" else n_val, np.nan)
        folds, rounds, fit_time, predict_time, offset = [], [], 0.0, 0.0, 0
        last = None
        steps = self._steps(spec)
        for i, step in enumerate(steps):
            self._check_time(spec.key, len(step.train))
            fold_start = time.perf_counter()
            fitted = fit_family(spec, params, p.X.iloc[step.train], p.y[step.train],
                                roles=p.roles, task=p.task, seed=p.seed + step.fold,
                                n_jobs=p.n_jobs, deadline=self.budget.search_deadline(),
                                featurization_off=p.featurization_off)
            t = time.perf_counter()
            out = predict_output(fitted.pipeline, p.X.iloc[step.val], task=p.task,
                                 n_classes=p.n_classes)
            value = self._primary(p.y[step.val], out)
            self._note_fold_time(spec.key, time.perf_counter() - fold_start, len(step.train))
            if step.final:
                predict_time += time.perf_counter() - t
                fit_time += fitted.fit_time
                oof[offset:offset + len(step.val)] = out
                offset += len(step.val)
                folds.append(value)
                rounds.append(fitted.rounds)
                last = fitted.pipeline
                value = float(np.nanmean(folds))
            trial.report(value, step=i)
            if i < len(steps) - 1 and trial.should_prune():  # a finished model is never thrown away
                raise TrialStopped(step.pruned)
        if rounds[0] is not None:
            params = {**params, "n_estimators": int(np.median(rounds))}
        metrics = self._metrics(p.y[p.validation.rows], oof)
        value = metrics[p.metric]
        std = float(np.nanstd(folds)) if len(folds) > 1 else float("nan")
        self.store.save_array(self.run_id, "oof", str(model_id), oof)
        self.store.update_model_row(
            self.run_id, model_id, status="completed", params=params, score=value,
            score_std=std, metrics=metrics, fold_metrics=[{p.metric: f} for f in folds],
            fit_time=fit_time,
            predict_time=predict_time, duration=time.time() - started)
        keep = last if len(p.validation.folds) == 1 else None
        return Outcome(model_id, spec.key, params, value, oof, fit_time, keep)

    def _steps(self, spec: ModelSpec) -> tuple[Step, ...]:
        """The fits of one trial: every fold, or the rungs of a large holdout (then all rows)."""
        if spec.key not in self._plans:
            self._plans[spec.key] = self._plan(spec)
        return self._plans[spec.key]

    def _plan(self, spec: ModelSpec) -> tuple[Step, ...]:
        folds = self.problem.validation.folds
        if len(folds) > 1:
            return tuple(Step(tr, va, i, True, f"pruned after fold {i + 1} of {len(folds)}: "
                              "its score was behind earlier trials") for i, (tr, va) in enumerate(folds))
        train, val = folds[0]
        sizes = rung_sizes(len(train), spec.max_train_rows)
        rungs = tuple(Step(np.sort(np.random.default_rng(self.problem.seed + r).choice(
                               train, size=size, replace=False)), val, 0, False,
                           f"pruned after a fit on {size:,} of {len(train):,} training rows: its "
                           "score was behind earlier trials at that size")
                      for r, size in enumerate(sizes[:-1]))
        return (*rungs, Step(train, val, 0, True, ""))

    def _key(self) -> str:
        return "proba" if self.problem.task == "classification" else "y_pred"

    def _primary(self, y_true: np.ndarray, out: np.ndarray) -> float:
        return score(self.problem.metric, y_true, **{self._key(): out})

    def _metrics(self, y_true: np.ndarray, out: np.ndarray) -> dict[str, float]:
        """Every metric on the pooled out-of-fold predictions (the ones charts are drawn from)."""
        return compute_metrics(self.problem.task, y_true, **{self._key(): out})

    # budgets --------------------------------------------------------------------------------
    def _note_fold_time(self, family: str, seconds: float, rows: int) -> None:
        rate = seconds / max(rows, 1)
        old = self.seconds_per_row.get(family)
        self.seconds_per_row[family] = rate if old is None else 0.5 * (old + rate)

    def _estimate(self, family: str, rows: int) -> float | None:
        """Seconds one fit of a family on this many rows is expected to take (None: unknown)."""
        rate = self.seconds_per_row.get(family)
        return None if rate is None else rate * rows

    def _check_time(self, family: str, rows: int) -> None:
        if self.store.cancel_requested(self.run_id):
            self.stop_reason = "cancelled"
            raise TrialStopped("stopped: the run was cancelled")
        now, end = time.time(), self.budget.search_deadline()
        estimate = self._estimate(family, rows)
        if not self.outcomes:
            fits = True  # the first model always finishes: a run never ends empty-handed
        elif estimate is None:
            fits = now < end - 0.3 * (end - self._started)
        else:
            fits = now + estimate <= end
        if not fits:
            raise TrialStopped("skipped: not enough time left in the budget for this model")

    def _record(self, outcome: Outcome) -> None:
        self.outcomes[outcome.model_id] = outcome
        if self.better(outcome.score, self.best_score):
            self.best_id = outcome.model_id
            self._since_best = 0
            self.store.update_run(self.run_id, best_model_id=outcome.model_id,
                                  best_score=outcome.score)
        else:
            self._since_best += 1
        kept = sorted((o for o in self.outcomes.values() if o.pipeline is not None),
                      key=lambda o: o.score, reverse=self.greater_is_better)
        for old in kept[KEEP_FITTED:]:
            old.pipeline = None

    def _after_trial(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        reason = self._stop_reason()
        if reason:
            self.stop_reason = reason
            study.stop()

    def _stop_reason(self) -> str:
        if self.stop_reason == "cancelled" or self.store.cancel_requested(self.run_id):
            return "cancelled"
        if self.budget.patience and self._since_best >= self.budget.patience:
            return "patience"
        now, end = time.time(), self.budget.search_deadline()
        cheapest = min((self._estimate(f, len(self._steps(MODELS[f])[0].train)) or 0.0
                        for f in self.families), default=0.0)
        if now + cheapest > end:
            return "time"
        return ""
