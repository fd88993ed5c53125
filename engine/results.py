"""Reading runs back: the run list, one run's state, its leaderboard and its trials."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import psutil

from engine.metrics import get_metric, metrics_for
from engine.models import MODELS
from engine.settings import RunSettings
from engine.store import Store

LIVE = ("queued", "running")
ENSEMBLE_LABELS = {"voting": "Voting ensemble", "stacking": "Stacking ensemble"}


@dataclass(frozen=True)
class RunInfo:
    """One run as the studio and the CLI show it."""

    run_id: str
    status: str
    settings: RunSettings
    created_at: float
    started_at: float | None
    ended_at: float | None
    elapsed_s: float
    n_trials_done: int
    n_failed: int
    best_score: float | None
    best_model_id: int | None
    message: str
    report: dict[str, Any]

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


def _alive(row: dict[str, Any]) -> bool:
    if row["pid"] is None:
        return row["status"] == "queued" and time.time() - row["created_at"] < 60
    try:
        proc = psutil.Process(row["pid"])
        return abs(proc.create_time() - (row["pid_started"] or 0)) < 1 and proc.status() != "zombie"
    except psutil.NoSuchProcess:
        return False


def _checked_row(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    """A run row, marked interrupted if its process died while it was live."""
    if row["status"] in LIVE and not _alive(row):
        store.update_run(row["run_id"], status="interrupted", ended_at=time.time(),
                         message="The run's process stopped unexpectedly; its finished models "
                                 "are kept.")
        row = store.run_row(row["run_id"])
    return row


def get_run(run_id: str, runs_dir: Path | str) -> RunInfo:
    """The state of one run (a run whose process died is marked interrupted)."""
    store = Store(runs_dir)
    row = _checked_row(store, store.run_row(run_id))
    models = store.model_rows(run_id)
    end = row["ended_at"] or time.time()
    return RunInfo(
        run_id=run_id, status=row["status"], settings=RunSettings.from_dict(row["settings"]),
        created_at=row["created_at"], started_at=row["started_at"], ended_at=row["ended_at"],
        elapsed_s=end - row["created_at"],
        n_trials_done=sum(m["status"] in ("completed", "failed", "pruned") and m["kind"] == "single"
                          for m in models),
        n_failed=sum(m["status"] == "failed" for m in models), best_score=row["best_score"],
        best_model_id=row["best_model_id"], message=row["message"] or "",
        report=row["report"] or {})


def list_runs(runs_dir: Path | str) -> pd.DataFrame:
    """Every run in the store, newest first."""
    store = Store(runs_dir)
    rows = [_checked_row(store, r) for r in store.run_rows()]
    counts = {r["run_id"]: sum(m["status"] == "completed" for m in store.model_rows(r["run_id"]))
              for r in rows}
    return pd.DataFrame([{
        "run_id": r["run_id"], "status": r["status"], "task": r["task"], "target": r["target"],
        "metric": r["metric"], "best_score": r["best_score"], "best_model": r["best_model_id"],
        "started_at": pd.Timestamp(r["created_at"], unit="s"),
        "duration_s": (r["ended_at"] or time.time()) - r["created_at"],
        "n_models": counts[r["run_id"]]} for r in rows],
        columns=["run_id", "status", "task", "target", "metric", "best_score", "best_model",
                 "started_at", "duration_s", "n_models"])


def _label(row: dict[str, Any]) -> str:
    if row["kind"] in ENSEMBLE_LABELS:
        return ENSEMBLE_LABELS[row["kind"]]
    return MODELS[row["family"]].label if row["family"] in MODELS else row["family"]


def leaderboard_frame(run_id: str, runs_dir: Path | str) -> pd.DataFrame:
    """Every completed model of a run with every metric, best first."""
    store = Store(runs_dir)
    run = store.run_row(run_id)
    ids = metrics_for(run["task"])
    rows = []
    for m in store.model_rows(run_id):
        if m["status"] != "completed":
            continue
        metrics = m["metrics"] or {}
        test = m["test_metrics"] or {}
        rows.append({
            "model_id": m["model_id"], "model": _label(m), "family": m["family"],
            "kind": m["kind"], "score": m["score"], "score_std": m["score_std"],
            **{k: metrics.get(k) for k in ids},
            "test_score": test.get(run["metric"]),
            "fit_time_s": m["fit_time"], "predict_time_s": m["predict_time"],
            "params": json.dumps(m["params"] or {}, ensure_ascii=False, sort_keys=True),
            "members": json.dumps(m["members"]) if m["members"] else "",
            "is_best": m["model_id"] == run["best_model_id"]})
    columns = ["model_id", "model", "family", "kind", "score", "score_std", *ids, "test_score",
               "fit_time_s", "predict_time_s", "params", "members", "is_best"]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    ascending = not get_metric(run["metric"]).greater_is_better
    return frame.sort_values(["score", "model_id"], ascending=[ascending, True],
                             na_position="last").reset_index(drop=True)


def trials_frame(run_id: str, runs_dir: Path | str) -> pd.DataFrame:
    """Every trial of a run in the order it started."""
    store = Store(runs_dir)
    return pd.DataFrame([{
        "model_id": m["model_id"], "family": m["family"], "kind": m["kind"],
        "status": m["status"], "score": m["score"], "error": m["error"] or "",
        "duration_s": m["duration"]} for m in store.model_rows(run_id)],
        columns=["model_id", "family", "kind", "status", "score", "error", "duration_s"])


COMPARED = ("status", "target", "task", "metric", "validation", "n_rows", "time_budget",
            "max_trials", "models", "ensembles", "seed", "best_model", "best_score",
            "test_score", "n_models", "duration_s")


def runs_comparison_frame(run_ids: list[str], runs_dir: Path | str) -> pd.DataFrame:
    """Runs side by side: one row per setting or result (index ``COMPARED``), one column per run.

    ``best_model`` is the best model's family key (its kind for an ensemble), ``best_score`` its validation score on the run's
    primary metric and ``test_score`` its test score on that metric (None without a test set).
    """
    store = Store(runs_dir)
    columns = {}
    for run_id in run_ids:
        info = get_run(run_id, runs_dir)
        board = leaderboard_frame(run_id, runs_dir)
        best = board[board["is_best"]]
        s = info.settings
        columns[run_id] = {
            "status": info.status, "target": s.target, "task": s.task, "metric": s.metric,
            "validation": info.report.get("validation", s.validation),
            "n_rows": store.run_row(run_id)["n_rows"], "time_budget": s.time_budget,
            "max_trials": s.max_trials, "models": tuple(s.models or ()), "ensembles": s.ensembles,
            "seed": s.seed, "best_model": None if best.empty else (
                best["family"].iloc[0] if best["kind"].iloc[0] == "single" else best["kind"].iloc[0]),
            "best_score": info.best_score,
            "test_score": None if best.empty else _number(best["test_score"].iloc[0]),
            "n_models": len(board), "duration_s": info.elapsed_s}
    return pd.DataFrame(columns, index=list(COMPARED), dtype=object)


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def delete_run(run_id: str, runs_dir: Path | str) -> None:
    """Delete a run that is not live (cancel it first)."""
    store = Store(runs_dir)
    row = _checked_row(store, store.run_row(run_id))
    if row["status"] in LIVE:
        from engine.errors import EngineError
        raise EngineError("This run is still going; cancel it before deleting it.")
    store.delete_run(run_id)
