"""Explanations stored with a run's models: planned before they start, computed by a background
process of their own, read back by pages, and written row by row for batch files.

Files in a run's folder (all written through the store)::

    explanations/<model>.json     the computation's state: queued, running, done or failed
    explanations/<model>.joblib   the global explanation of a sample of validation rows, and
                                  permutation importance once it is computed
    explainers/<model>.joblib     the fitted explainer (surrogate included) for local views
    explain.log                   what the background processes printed
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil

from engine.data import coerce_frame, load_table
from engine.errors import EngineError
from engine.explain import (ExplainSettings, Explainer, Explanation, build_explainer,
                            choose_method, estimate_seconds, permutation_importance_frame,
                            raw_contributions, seconds_per_prediction)
from engine.featurize import plan_features
from engine.fitted import load_model, load_problem, model_row
from engine.store import Store

RESULTS = "explanations"
EXPLAINERS = "explainers"
ENSEMBLES = ("voting", "stacking")
LIVE = ("queued", "running")
QUEUED_GRACE = 120.0  # seconds a queued computation may take to start its process
PROCESS_SECONDS = 2.0  # starting the background process and its imports
LOW_PRIORITY = 10  # niceness of a computation nobody is waiting for yet
PERMUTATION_ROWS = 1000
CHUNK_ROWS = 5000
ROOT = Path(__file__).resolve().parent.parent
STOPPED = "The explanation process stopped before it finished; start it again."


@dataclass(frozen=True)
class ExplainPlan:
    """What explaining a model will compute, known before it starts.

    Attributes:
        method: ``tree``, ``linear`` or ``mimic``; ``None`` when the model must be fitted again
            first (the method is chosen then).
        rows: validation rows the global views explain (a random sample when there are more).
        total_rows: validation rows of the run.
        permutation_rows: validation rows permutation importance is scored on.
        refit_seconds: fitting the model again first (0 when it is stored).
        first_seconds: until the global views can be shown, the background process's start
            included.
        seconds: everything, permutation importance included.
    """

    method: str | None
    rows: int
    total_rows: int
    permutation_rows: int
    refit_seconds: float
    first_seconds: float
    seconds: float

    @property
    def sampled(self) -> bool:
        """Whether the global views use a sample of the validation rows."""
        return self.rows < self.total_rows


@dataclass(frozen=True)
class ExplainStatus:
    """Where a model's explanation stands.

    Attributes:
        state: ``none`` (never started), ``queued``, ``running``, ``done`` or ``failed``.
        stage: what a live computation is doing: ``model``, ``explainer``, ``shap`` or
            ``permutation`` (the global views are ready during ``permutation``).
        ready: the global views can be shown.
        message: why it failed.
        started_at: when its process started (epoch seconds).
        version: changes whenever the stored results change (a cache key for pages).
        plan: what it computes, once its process has planned it.
        timings: seconds each finished stage took.
    """

    state: str
    stage: str | None = None
    ready: bool = False
    message: str = ""
    started_at: float | None = None
    version: str = ""
    plan: ExplainPlan | None = None
    timings: dict[str, float] | None = None

    @property
    def live(self) -> bool:
        """A process is (about to be) computing it."""
        return self.state in LIVE


@dataclass(frozen=True)
class StoredExplanation:
    """A model's global explanation as stored.

    Attributes:
        explanation: engineered-feature contributions on the sampled validation rows.
        permutation: permutation importance of the uploaded columns (``None`` while computed).
        plan: what was computed.
        timings: seconds of each stage.
    """

    explanation: Explanation
    permutation: pd.DataFrame | None
    plan: ExplainPlan
    timings: dict[str, float]

    def view(self, *, engineered: bool = False) -> Explanation:
        """Contributions per engineered feature, or summed back to the uploaded columns."""
        return self.explanation if engineered else raw_contributions(self.explanation)


@dataclass(frozen=True)
class ExplainRows:
    """A run's validation rows, for picking and editing one.

    Attributes:
        frame: the model's columns and then the target; the index is the row number in the
            run's training table.
        features: the columns the model learns from (the ones worth editing), with their roles.
        target: the target column.
        task: ``classification`` or ``regression``.
    """

    frame: pd.DataFrame
    features: dict[str, str]
    target: str
    task: str


# ---------------------------------------------------------------- plan


def _stored_model(store: Store, run_id: str, model_id: int, row: dict[str, Any]) -> Any | None:
    """The fitted model when it (or every member of an ensemble) is stored, else None."""
    ids = row["params"]["members"] if row["kind"] in ENSEMBLES else [model_id]
    if any(store.load_object(run_id, "models", str(m)) is None for m in ids):
        return None
    return load_model(store, run_id, model_id)[1]


def _refit_seconds(store: Store, run_id: str, row: dict[str, Any], folds: int) -> float:
    """Seconds to fit the model's missing parts again, from their fit times in the search."""
    ids = row["params"]["members"] if row["kind"] in ENSEMBLES else [row["model_id"]]
    missing = [model_row(store, run_id, m) for m in ids
               if store.load_object(run_id, "models", str(m)) is None]
    return sum((m["fit_time"] or 0.0) / max(folds - 1, 1) for m in missing)


def _plan(store: Store, run_id: str, model_id: int,
          settings: ExplainSettings) -> tuple[ExplainPlan, Any | None, Any]:
    """The plan, the stored model (or None) and the run's problem."""
    row = model_row(store, run_id, model_id)
    problem = load_problem(store, run_id)
    valid = problem.X.iloc[problem.validation.rows]
    n = len(valid)
    columns = [c for c in plan_features(problem.roles).used if c in valid.columns]
    outputs = problem.n_classes if problem.n_classes > 2 else 1
    model = _stored_model(store, run_id, model_id, row)
    classes = store.load_json(run_id, "schema")["classes"]
    if model is None:
        refit, method = _refit_seconds(store, run_id, row, len(problem.validation.folds)), None
        spp = (row["predict_time"] or 0.0) / max(n, 1)
    else:
        refit, spp = 0.0, seconds_per_prediction(model, valid)
        method = choose_method(model, task=problem.task, roles=problem.roles, classes=classes,
                               settings=settings)
    rows, perm_rows = min(n, settings.global_rows), min(n, PERMUTATION_ROWS)
    first = PROCESS_SECONDS + refit + estimate_seconds(
        method or "mimic", rows, len(columns), n_outputs=outputs, model=model,
        seconds_per_prediction=spp, n_background=n, settings=settings)
    perm = estimate_seconds("permutation", perm_rows, len(columns), seconds_per_prediction=spp)
    return ExplainPlan(method, rows, n, perm_rows, refit, first, first + perm), model, problem


def plan_explanation(run_id: str, model_id: int, *, runs_dir: Path | str,
                     settings: ExplainSettings = ExplainSettings()) -> ExplainPlan:
    """What explaining a model will compute, on how many rows and about how long it takes."""
    return _plan(Store(runs_dir), run_id, int(model_id), settings)[0]


# ---------------------------------------------------------------- status


def _status_name(model_id: int) -> str:
    return f"{RESULTS}/{model_id}"


def _read_status(store: Store, run_id: str, model_id: int) -> dict[str, Any] | None:
    for attempt in range(5):
        try:
            return store.load_json(run_id, _status_name(model_id))
        except FileNotFoundError:
            return None
        except ValueError:  # the writer is halfway through the file
            time.sleep(0.05 * (attempt + 1))
    return {"state": "running", "pid": None, "queued_at": time.time()}


def _alive(raw: dict[str, Any]) -> bool:
    if raw.get("pid") is None:
        return time.time() - raw.get("queued_at", 0.0) < QUEUED_GRACE
    try:
        proc = psutil.Process(raw["pid"])
        return abs(proc.create_time() - raw["pid_started"]) < 1 and proc.status() != "zombie"
    except psutil.Error:
        return False


def explanation_status(run_id: str, model_id: int, *, runs_dir: Path | str) -> ExplainStatus:
    """Where the explanation of one model stands (a computation whose process died failed)."""
    store = Store(runs_dir)
    store.run_row(run_id)
    raw = _read_status(store, run_id, int(model_id))
    if raw is None:
        return ExplainStatus("none")
    if raw["state"] in LIVE and not _alive(raw):
        raw = {**raw, "state": "failed", "message": STOPPED}
    plan = raw.get("plan")
    return ExplainStatus(
        state=raw["state"], stage=raw.get("stage"), ready=bool(raw.get("ready")),
        message=raw.get("message") or "", started_at=raw.get("started_at"),
        version=f"{raw.get('started_at')}:{raw.get('ready')}:{raw['state']}",
        plan=None if plan is None else ExplainPlan(**plan), timings=raw.get("timings") or {})


def start_explain(run_id: str, model_id: int, *, runs_dir: Path | str,
                  low_priority: bool = False) -> ExplainStatus:
    """Launch a background process that explains one model, unless one is computing it or it
    is done; returns where it stands. The process outlives its caller.

    Args:
        low_priority: the process yields the CPU to everything else (at the end of a run,
            when nobody waits for it and other runs may be searching).
    """
    store = Store(runs_dir)
    model_id = int(model_id)
    model_row(store, run_id, model_id)
    status = explanation_status(run_id, model_id, runs_dir=runs_dir)
    if status.live or status.state == "done":
        return status
    store.save_json(run_id, _status_name(model_id), {"state": "queued", "pid": None,
                                                     "queued_at": time.time()})
    log = open(store.run_dir(run_id) / "explain.log", "ab")
    subprocess.Popen([sys.executable, "-m", "engine", "explain-worker", run_id, str(model_id),
                      "--runs-dir", str(Path(runs_dir).resolve()),
                      "--nice", str(LOW_PRIORITY if low_priority else 0)],
                     stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
                     cwd=ROOT)
    log.close()
    return explanation_status(run_id, model_id, runs_dir=runs_dir)


# ---------------------------------------------------------------- compute


def _sample(n: int, k: int, seed: int) -> np.ndarray:
    return np.arange(n) if n <= k else np.sort(np.random.default_rng(seed).choice(n, k, False))


def _compute(store: Store, run_id: str, model_id: int, settings: ExplainSettings,
             status: dict[str, Any]) -> StoredExplanation:
    clock = time.perf_counter()

    def stage(name: str, **extra: Any) -> None:
        nonlocal clock
        now = time.perf_counter()
        status["timings"][status["stage"]] = now - clock
        clock = now
        status.update(stage=name, **extra)
        store.save_json(run_id, _status_name(model_id), status)

    plan, model, problem = _plan(store, run_id, model_id, settings)
    status["plan"] = asdict(plan)
    if model is None:
        model = load_model(store, run_id, model_id)[1]
    rows = problem.validation.rows
    valid, y_valid = problem.X.iloc[rows], problem.y[rows]
    classes = store.load_json(run_id, "schema")["classes"]
    stage("explainer")
    explainer = build_explainer(model, task=problem.task, roles=problem.roles, background=valid,
                                classes=classes, settings=settings)
    store.save_object(run_id, EXPLAINERS, str(model_id), explainer)
    if plan.method is None:
        plan = ExplainPlan(**{**asdict(plan), "method": explainer.method})
        status["plan"] = asdict(plan)
    stage("shap")
    explanation = explainer.explain(valid.iloc[_sample(len(valid), plan.rows, settings.seed)])
    result = {"explanation": explanation, "permutation": None, "plan": asdict(plan)}
    store.save_object(run_id, RESULTS, str(model_id), {**result, "timings": status["timings"]})
    stage("permutation", ready=True)
    permutation = permutation_importance_frame(
        model, valid, y_valid, task=problem.task, roles=problem.roles,
        n_classes=problem.n_classes, max_rows=plan.permutation_rows, seed=settings.seed)
    stage("done")
    result["permutation"] = permutation
    store.save_object(run_id, RESULTS, str(model_id), {**result, "timings": status["timings"]})
    status.update(state="done", ended_at=time.time())
    store.save_json(run_id, _status_name(model_id), status)
    return StoredExplanation(explanation, permutation, plan, dict(status["timings"]))


def explain_model(run_id: str, model_id: int, *, runs_dir: Path | str,
                  settings: ExplainSettings = ExplainSettings()) -> StoredExplanation:
    """Explain one model in this process and store the result with it: the explainer, the
    contributions of a sample of validation rows (global views) and permutation importance.

    The state is stored at every stage, so pages can follow a background computation.

    Raises:
        EngineError: an unknown run or model, or a model that cannot be explained.
    """
    store = Store(runs_dir)
    model_id = int(model_id)
    model_row(store, run_id, model_id)
    status: dict[str, Any] = {"state": "running", "stage": "model", "ready": False,
                              "pid": os.getpid(), "pid_started": psutil.Process().create_time(),
                              "started_at": time.time(), "timings": {}}
    store.save_json(run_id, _status_name(model_id), status)
    try:
        return _compute(store, run_id, model_id, settings, status)
    except Exception as error:  # the state says why; the caller still sees the error
        message = (str(error) if isinstance(error, EngineError) else
                   f"The explanation stopped on an unexpected error ({error}).")
        store.save_json(run_id, _status_name(model_id), {**status, "state": "failed",
                                                         "ready": False, "message": message})
        raise


# ---------------------------------------------------------------- read back


def load_explanation(run_id: str, model_id: int, *,
                     runs_dir: Path | str) -> StoredExplanation | None:
    """A model's stored global explanation, or None when it has not been computed."""
    stored = Store(runs_dir).load_object(run_id, RESULTS, str(int(model_id)))
    if stored is None:
        return None
    return StoredExplanation(stored["explanation"], stored["permutation"],
                             ExplainPlan(**stored["plan"]), dict(stored["timings"]))


def load_explainer(run_id: str, model_id: int | None = None, *, runs_dir: Path | str,
                   settings: ExplainSettings = ExplainSettings()) -> Explainer:
    """A model's stored explainer (the run's best model by default); built and stored first
    when there is none."""
    store = Store(runs_dir)
    model_id, model = load_model(store, run_id, model_id)
    explainer = store.load_object(run_id, EXPLAINERS, str(model_id))
    if explainer is not None:
        return explainer
    problem = load_problem(store, run_id)
    explainer = build_explainer(model, task=problem.task, roles=problem.roles,
                                background=problem.X.iloc[problem.validation.rows],
                                classes=store.load_json(run_id, "schema")["classes"],
                                settings=settings)
    store.save_object(run_id, EXPLAINERS, str(model_id), explainer)
    return explainer


def load_validation_rows(run_id: str, *, runs_dir: Path | str) -> ExplainRows:
    """A run's validation rows with their target, numbered as in its training table."""
    store = Store(runs_dir)
    problem = load_problem(store, run_id)
    schema = store.load_json(run_id, "schema")
    rows = problem.validation.rows
    frame = problem.X.iloc[rows].copy()
    y = problem.y[rows]
    frame[schema["target"]] = np.asarray(schema["classes"], dtype=object)[y] if schema[
        "classes"] else y
    frame.index = pd.Index(rows, name="row")
    features = {c: problem.roles[c] for c in plan_features(problem.roles).used
                if c in problem.X.columns}
    return ExplainRows(frame.sort_index(), features, schema["target"], problem.task)


# ---------------------------------------------------------------- batch


def _one_output(expl: Explanation, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                    np.ndarray, list[str]]:
    """Contributions, bases, outputs and output-space words of one output per row: the only
    output, or the predicted class's for a multiclass model."""
    if not expl.per_class:
        return expl.values, expl.base_values, expl.output, [expl.output_label()] * len(
            expl.output)
    k = predicted.argmax(axis=1)
    n = np.arange(len(k))
    words = [f"{expl.output_space} of class '{expl.output_classes[i]}'" for i in k]
    return expl.values[n, :, k], expl.base_values[n, k], expl.output[n, k], words


def explain_frame(run_id: str, frame: pd.DataFrame, *, runs_dir: Path | str,
                  model_id: int | None = None, engineered: bool = False) -> pd.DataFrame:
    """Per-row explanations of new rows, one row per input row in order.

    Columns: ``output`` (what the contributions add up to), ``output_space`` (what it is: the
    prediction, a probability or log-odds of a named class; for a multiclass model, the
    predicted class's output), ``base_value``, then one ``contrib_<column>`` per column of the
    run's table (0 for columns the model does not use), or per engineered feature.
    """
    store = Store(runs_dir)
    model_id = load_model(store, run_id, model_id)[0]
    explainer = load_explainer(run_id, model_id, runs_dir=runs_dir)
    X = coerce_frame(frame, store.load_json(run_id, "schema")["roles"]).reset_index(drop=True)
    if X.empty:
        raise EngineError("The file has no rows to explain.")
    parts = []
    for start in range(0, len(X), CHUNK_ROWS):
        chunk = X.iloc[start:start + CHUNK_ROWS]
        expl = explainer.explain(chunk)
        expl = expl if engineered else raw_contributions(expl)
        values, base, output, words = _one_output(expl, np.atleast_2d(explainer.predict(chunk)))
        names = list(expl.feature_names) if engineered else list(X.columns)
        contrib = pd.DataFrame(0.0, index=chunk.index, columns=[f"contrib_{c}" for c in names])
        for j, name in enumerate(expl.feature_names):
            contrib[f"contrib_{name}"] = values[:, j]
        parts.append(pd.concat([pd.DataFrame({"output": output, "output_space": words,
                                              "base_value": base}, index=chunk.index),
                                contrib], axis=1))
    return pd.concat(parts).reset_index(drop=True)


# ---------------------------------------------------------------- command line


def cmd_explain(args: argparse.Namespace) -> int:
    """``python -m engine explain``: per-row explanations of a file, written as CSV."""
    frame = load_table(args.data).frame
    explain_frame(args.run_id, frame, runs_dir=args.runs_dir, model_id=args.model,
                  engineered=args.engineered).to_csv(args.out, index=False)
    print(f"explanations written to {args.out}", file=sys.stderr)
    return 0


def cmd_explain_worker(args: argparse.Namespace) -> int:
    """The background process of :func:`start_explain`."""
    if args.nice:
        os.nice(args.nice)
    explain_model(args.run_id, args.model_id, runs_dir=args.runs_dir)
    return 0
