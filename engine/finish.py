"""The end of a run: the best model fitted for use, scored on the test set, the run closed."""

from __future__ import annotations

import time

from engine.fitted import refit, score_test
from engine.search import Search
from engine.settings import RunSettings
from engine.store import Store

WRITE_SECONDS = 1.5
WRITE_SHARE = 0.02
REFIT_SAFETY = 1.3
STOP_MESSAGES = {
    "trials": "Stopped after the trial budget.",
    "time": "Stopped when the time budget ran out.",
    "patience": "Stopped early: no improvement for the set number of trials.",
    "cancelled": "Cancelled; every model finished before the cancel is kept.",
}


def reserve_seconds(search: Search, settings: RunSettings) -> float:
    """Seconds kept back from the search for the refit, the test score and writing."""
    keep = WRITE_SECONDS + WRITE_SHARE * settings.time_budget
    folds = len(search.problem.validation.folds)
    if search.best_id is None or folds == 1:
        return keep
    fold = search.fold_seconds.get(search.outcomes[search.best_id].family, 0.0)
    return keep + fold * folds / (folds - 1) * REFIT_SAFETY


def finish_run(search: Search, settings: RunSettings, *, store: Store, run_id: str,
               stop_reason: str, deadline: float) -> tuple[str, str]:
    """Fit and save the best model, score it on the test set; returns (status, message)."""
    if search.best_id is None:
        failures = [r["error"] for r in store.model_rows(run_id) if r["status"] == "failed"]
        why = f" The first failure: {failures[0]}" if failures else ""
        if stop_reason == "cancelled":
            return "cancelled", "Cancelled before any model finished." + why
        return "failed", ("No model finished within the budget; give the run more time or "
                          "choose other model families." + why)
    best = search.outcomes[search.best_id]
    start = time.perf_counter()
    model = best.pipeline or refit(best.family, best.params, search.problem, deadline=deadline)
    store.save_object(run_id, "models", str(best.model_id), model)
    store.update_model_row(run_id, best.model_id, refit_time=time.perf_counter() - start)
    score_test(store, run_id, best.model_id, model, search.problem)
    store.update_run(run_id, best_model_id=best.model_id, best_score=best.score)
    status = "cancelled" if stop_reason == "cancelled" else "completed"
    return status, STOP_MESSAGES[stop_reason]
