"""A run: checked and written to the store, then executed by a process of its own."""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import sys
import time
import traceback
import warnings as pywarnings
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import psutil
from threadpoolctl import threadpool_limits

from engine.data import coerce_frame, group_column, infer_roles, prepare_target
from engine.errors import EngineError
from engine.featurize import plan_features
from engine.finish import finish_run, reserve_seconds
from engine.fitted import default_n_jobs, encode_target, load_problem
from engine.guardrails import guardrails
from engine.metrics import get_metric
from engine.search import Budget, Search
from engine.settings import RunSettings
from engine.store import Store
from engine.validate import group_values, make_validation, split_test


def new_run_id() -> str:
    """A sortable, unique run id."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"


def resolve_roles(frame: pd.DataFrame, settings: RunSettings) -> dict[str, str]:
    """Roles of every non-target column: the user's where given, inferred elsewhere."""
    unknown = [c for c in settings.roles if c not in frame.columns]
    if unknown:
        raise EngineError(f"The column '{unknown[0]}' given a role is not in the table; "
                          "check the column names.")
    inferred = infer_roles(frame.drop(columns=[settings.target]))
    return {c: settings.roles.get(c, inferred[c]) for c in frame.columns if c != settings.target}


def _labelled(frame: pd.DataFrame, settings: RunSettings, roles: dict[str, str],
              classes: tuple[str, ...], what: str) -> pd.DataFrame:
    """A coerced frame with a clean target column, rows with a missing target dropped."""
    target = prepare_target(frame, settings.target, settings.task)
    if classes and not set(target.classes) <= set(classes):
        extra = sorted(set(target.classes) - set(classes))[:3]
        raise EngineError(f"The {what} has classes that the training data lacks ({', '.join(extra)});"
                          " every class must appear in the training data.")
    out = coerce_frame(frame[target.kept], roles)
    out[settings.target] = target.y.to_numpy() if classes == () else target.y.astype(str).to_numpy()
    return out.reset_index(drop=True)


def create_run(settings: RunSettings, data: pd.DataFrame, *, runs_dir: Path | str,
               validation_data: pd.DataFrame | None = None,
               test_data: pd.DataFrame | None = None, created_at: float | None = None,
               warnings: tuple[str, ...] = ()) -> str:
    """Check a run's settings and data and write them to the store; returns the run id.

    Bad settings or data raise EngineError before anything is written.
    """
    created_at = created_at or time.time()
    target = prepare_target(data, settings.target, settings.task)
    settings = dataclasses.replace(settings, task=target.task).checked()
    roles = resolve_roles(data, settings)
    settings = dataclasses.replace(settings, roles=roles)
    plan = plan_features(roles)
    group = group_column(roles)
    if not plan.used:
        raise EngineError("No column is left to learn from: mark at least one column as a feature.")
    classes = target.classes
    train = _labelled(data, settings, roles, classes, "table")
    frames = {"train": train}
    if validation_data is not None:
        frames["valid"] = _labelled(validation_data, settings, roles, classes, "validation file")
    if test_data is not None:
        frames["test"] = _labelled(test_data, settings, roles, classes, "test file")
    elif settings.test_fraction:
        y = encode_target(train[settings.target], classes)
        keep, test = split_test(y, settings.test_fraction, task=settings.task, seed=settings.seed,
                                groups=group_values(train, group), group=group)
        frames = {"train": train.iloc[keep].reset_index(drop=True),
                  "test": train.iloc[test].reset_index(drop=True)}
    y_train = encode_target(frames["train"][settings.target], classes)
    n_valid = len(frames["valid"]) if "valid" in frames else 0
    validation = make_validation(settings.validation, np.concatenate(
        [y_train, encode_target(frames["valid"][settings.target], classes)]) if n_valid else y_train,
        task=settings.task, seed=settings.seed, n_valid_file=n_valid,
        groups=None if n_valid else group_values(frames["train"], group), group=group)
    report = {
        "validation": validation.description,
        "dropped_missing_target": int(target.dropped_missing),
        "dropped_columns": plan.dropped,
        "warnings": list(warnings),
        "n_train": len(frames["train"]),
        "n_valid": n_valid,
        "n_test": len(frames["test"]) if "test" in frames else 0,
        "guardrails": guardrails(frames["train"], settings.target, roles, settings.task),
    }
    store = Store(runs_dir)
    run_id = new_run_id()
    for name, frame in frames.items():
        store.save_frame(run_id, name, frame)
    store.save_json(run_id, "settings", settings.to_dict())
    store.save_json(run_id, "schema", {"target": settings.target, "task": settings.task,
                                       "roles": roles, "classes": list(classes)})
    store.insert_run(run_id=run_id, created_at=created_at, status="queued", task=settings.task,
                     target=settings.target, metric=settings.metric, settings=settings.to_dict(),
                     report=report, n_rows=len(frames["train"]) + n_valid)
    return run_id


def start_run(settings: RunSettings, data: pd.DataFrame, *, runs_dir: Path | str,
              validation_data: pd.DataFrame | None = None,
              test_data: pd.DataFrame | None = None, warnings: tuple[str, ...] = ()) -> str:
    """Create a run and launch its own background process (it outlives the caller)."""
    run_id = create_run(settings, data, runs_dir=runs_dir, validation_data=validation_data,
                        test_data=test_data, warnings=warnings)
    store = Store(runs_dir)
    logfile = open(store.run_dir(run_id) / "worker.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "engine", "worker", run_id, "--runs-dir",
                             str(Path(runs_dir).resolve())], stdout=logfile, stderr=logfile,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            cwd=Path(__file__).resolve().parent.parent)
    logfile.close()
    store.update_run(run_id, pid=proc.pid, pid_started=psutil.Process(proc.pid).create_time())
    return run_id


def execute_run(run_id: str, runs_dir: Path | str, *, explain_best: bool = True) -> str:
    """Run the search and the final stage of a created run in this process; returns its status.

    With ``explain_best`` the best model is then explained by a detached low-priority process.
    """
    store = Store(runs_dir)
    row = store.run_row(run_id)
    settings = RunSettings.from_dict(row["settings"])
    store.update_run(run_id, status="running", started_at=time.time(), pid=os.getpid(),
                     pid_started=psutil.Process().create_time())
    try:
        with threadpool_limits(limits=settings.n_jobs or default_n_jobs()):
            status, message = _execute(store, run_id, settings, explain_best=explain_best,
                                       deadline=row["created_at"] + settings.time_budget)
    except EngineError as error:
        status, message = "failed", str(error)
    except Exception as error:  # the run ends as failed with a reason; trials stay stored
        traceback.print_exc()
        status, message = "failed", f"The run stopped on an unexpected error ({error})."
    store.update_run(run_id, status=status, message=message, ended_at=time.time())
    return status


def _execute(store: Store, run_id: str, settings: RunSettings, *, deadline: float,
             explain_best: bool) -> tuple[str, str]:
    problem = load_problem(store, run_id)
    validation = problem.validation
    store.save_array(run_id, "oof", "rows", validation.rows)
    store.save_array(run_id, "oof", "folds", validation.fold_of_row)
    store.save_array(run_id, "oof", "y", problem.y[validation.rows])
    budget = Budget(deadline=deadline, max_trials=settings.max_trials, patience=settings.patience)
    search = Search(problem=problem, budget=budget, families=tuple(settings.models or ()),
                    store=store, run_id=run_id)
    budget.reserve = lambda: reserve_seconds(search, settings)
    pywarnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    direction = "maximize" if get_metric(settings.metric).greater_is_better else "minimize"
    study = optuna.create_study(
        study_name=run_id, storage=store.optuna_storage(),
        direction=direction, load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=settings.seed, multivariate=True, group=True,
                                           n_startup_trials=10),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0))
    reason = search.run(study)
    return finish_run(search, settings, store=store, run_id=run_id, stop_reason=reason,
                      deadline=deadline, explain_best=explain_best)


def cancel_run(run_id: str, runs_dir: Path | str) -> None:
    """Ask a running run to stop; it keeps every finished model and still picks a best one."""
    store = Store(runs_dir)
    store.run_row(run_id)
    store.request_cancel(run_id)
