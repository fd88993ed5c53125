"""The end of a run: ensembles, the best model fitted for use, its test score, the run closed."""

from __future__ import annotations

import time

import numpy as np

from engine import ensemble
from engine.explain_store import start_explain
from engine.fitted import assemble, refit, score_test
from engine.metrics import compute_metrics, score
from engine.search import Outcome, Search
from engine.settings import RunSettings
from engine.store import Store

WRITE_SECONDS = 1.5
WRITE_SHARE = 0.02
REFIT_SAFETY = 1.3
ENSEMBLE_SECONDS = 3.0
ENSEMBLE_SHARE = 0.03
STOP_MESSAGES = {
    "trials": "Stopped after the trial budget.",
    "time": "Stopped when the time budget ran out.",
    "patience": "Stopped early: no improvement for the set number of trials.",
    "cancelled": "Cancelled; every model finished before the cancel is kept.",
}


def _refit_seconds(search: Search, outcome: Outcome) -> float:
    """Expected seconds to make a model usable: none when its holdout fit is kept in memory."""
    folds = len(search.problem.validation.folds)
    if outcome.pipeline is not None or folds == 1:
        return 0.0
    return outcome.fit_time / (folds - 1) * REFIT_SAFETY


def _ranked(search: Search) -> list[Outcome]:
    return sorted(search.outcomes.values(), key=lambda o: o.score,
                  reverse=search.greater_is_better)


def reserve_seconds(search: Search, settings: RunSettings) -> float:
    """Seconds kept back from the search for ensembles, the refit, the test score and writing."""
    keep = WRITE_SECONDS + WRITE_SHARE * settings.time_budget
    ranked = _ranked(search)
    if not ranked:
        return keep
    if settings.ensembles:
        top = ranked[:ensemble.N_INIT + 3]
        ensembles = ENSEMBLE_SECONDS + ENSEMBLE_SHARE * settings.time_budget
        return keep + ensembles + sum(_refit_seconds(search, o) for o in top)
    return keep + _refit_seconds(search, ranked[0])


def _add_ensembles(search: Search, store: Store,
                   run_id: str) -> list[tuple[Outcome, ensemble.Recipe]]:
    """Build, score and store a voting and a stacking ensemble over the best models."""
    p = search.problem
    top = _ranked(search)[:ensemble.N_CANDIDATES]
    if len(top) < 2:
        return []
    y = p.y[p.validation.rows]
    folds = p.validation.fold_of_row
    key = "proba" if p.task == "classification" else "y_pred"
    out = []
    next_id = max(r["model_id"] for r in store.model_rows(run_id)) + 1
    for offset, kind in enumerate(("voting", "stacking")):
        start = time.perf_counter()
        recipe, oof = ensemble.build(kind, [o.model_id for o in top], [o.oof for o in top], y,
                                     folds, metric=p.metric, task=p.task, n_classes=p.n_classes,
                                     seed=p.seed)
        metrics = compute_metrics(p.task, y, **{key: oof})
        fold_scores = [score(p.metric, y[folds == k], **{key: oof[folds == k]})
                       for k in np.unique(folds)] if len(np.unique(folds)) > 1 else []
        model_id = next_id + offset
        members = [{"model_id": m, "weight": w} for m, w in zip(recipe.members, recipe.weights)]
        store.save_array(run_id, "oof", str(model_id), oof)
        if recipe.meta is not None:
            store.save_object(run_id, "meta", str(model_id), recipe.meta)
        member_rows = {o.model_id: o for o in top}
        store.save_model_row(
            run_id, model_id, family=kind, kind=kind, status="completed",
            params={"members": list(recipe.members), "weights": list(recipe.weights)},
            score=metrics[p.metric], score_std=float(np.std(fold_scores)) if fold_scores else None,
            metrics=metrics, fold_metrics=[{p.metric: f} for f in fold_scores],
            fit_time=sum(member_rows[m].fit_time for m in recipe.members),
            duration=time.perf_counter() - start, members=members, started_at=time.time())
        out.append((Outcome(model_id, kind, {}, metrics[p.metric], oof, 0.0), recipe))
    return out


def finish_run(search: Search, settings: RunSettings, *, store: Store, run_id: str,
               stop_reason: str, deadline: float,
               explain_best: bool = True) -> tuple[str, str]:
    """Build ensembles, fit and save the best model, score it on the test set.

    Returns (status, message). The best model is the best validation score among single models
    and ensembles whose members can still be fitted before the deadline.
    """
    if search.best_id is None:
        failures = [r["error"] for r in store.model_rows(run_id) if r["status"] == "failed"]
        why = f" The first failure: {failures[0]}" if failures else ""
        if stop_reason == "cancelled":
            return "cancelled", "Cancelled before any model finished." + why
        return "failed", ("No model finished within the budget; give the run more time or "
                          "choose other model families." + why)
    ensembles = _add_ensembles(search, store, run_id) if settings.ensembles else []
    options = [(o, None) for o in _ranked(search)[:1]] + ensembles
    options.sort(key=lambda pair: pair[0].score, reverse=search.greater_is_better)
    left = deadline - time.time() - WRITE_SECONDS
    for outcome, recipe in options:
        members = [search.outcomes[m] for m in (recipe.members if recipe else [outcome.model_id])]
        if sum(_refit_seconds(search, m) for m in members) <= left or recipe is None:
            break
    start = time.perf_counter()
    fitted = {}
    for m in members:
        fitted[m.model_id] = m.pipeline or refit(m.family, m.params, search.problem,
                                                 deadline=deadline)
        store.save_object(run_id, "models", str(m.model_id), fitted[m.model_id])
    model = assemble(recipe, fitted, search.problem) if recipe else fitted[outcome.model_id]
    store.update_model_row(run_id, outcome.model_id, refit_time=time.perf_counter() - start)
    score_test(store, run_id, outcome.model_id, model, search.problem)
    store.update_run(run_id, best_model_id=outcome.model_id, best_score=outcome.score)
    if explain_best:  # in the background, outside the run's budget
        start_explain(run_id, outcome.model_id, runs_dir=store.root, low_priority=True)
    status = "cancelled" if stop_reason == "cancelled" else "completed"
    return status, STOP_MESSAGES[stop_reason]
