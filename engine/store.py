"""The run store: one SQLite database (run registry, models, Optuna's study) and per-run files.

This is the only module that touches the disk or the database. Layout of a runs directory::

    store.db                      runs, models, and Optuna's tables
    <run_id>/settings.json        the run's settings
    <run_id>/schema.json          roles, target, task, classes
    <run_id>/train.parquet        training rows (valid/test.parquet when given)
    <run_id>/oof/<model>.npy      out-of-fold validation predictions of each model
    <run_id>/test/<model>.npy     test predictions of a model (scored only at the end)
    <run_id>/models/<model>.joblib fitted models
    <run_id>/CANCEL               present once a cancel was asked for
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import joblib
import numpy as np
import pandas as pd

from engine.errors import EngineError

DB_NAME = "store.db"
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, created_at REAL, started_at REAL, ended_at REAL, status TEXT,
    task TEXT, target TEXT, metric TEXT, settings TEXT, best_model_id INTEGER, best_score REAL,
    pid INTEGER, pid_started REAL, message TEXT, report TEXT, n_rows INTEGER);
CREATE TABLE IF NOT EXISTS models (
    run_id TEXT, model_id INTEGER, family TEXT, kind TEXT, status TEXT, params TEXT,
    score REAL, score_std REAL, metrics TEXT, fold_metrics TEXT, test_metrics TEXT,
    fit_time REAL, predict_time REAL, error TEXT, started_at REAL, duration REAL, members TEXT,
    threshold REAL, refit_time REAL,
    PRIMARY KEY (run_id, model_id));
"""
RUN_FIELDS = ("run_id", "created_at", "started_at", "ended_at", "status", "task", "target",
              "metric", "settings", "best_model_id", "best_score", "pid", "pid_started",
              "message", "report", "n_rows")
JSON_FIELDS = {"settings", "report", "params", "metrics", "fold_metrics", "test_metrics",
               "members"}


def default_runs_dir() -> Path:
    """``AUTOML_RUNS_DIR`` when set, else ``./runs``."""
    return Path(os.environ.get("AUTOML_RUNS_DIR", "runs"))


def _clean(value: Any) -> Any:
    """JSON-safe values: NaN becomes None, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _encode(field: str, value: Any) -> Any:
    return json.dumps(_clean(value), ensure_ascii=False) if field in JSON_FIELDS else _clean(value)


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    return {k: (json.loads(row[k]) if k in JSON_FIELDS and row[k] is not None else row[k])
            for k in row.keys()}


class Store:
    """A runs directory and its database."""

    def __init__(self, runs_dir: Path | str) -> None:
        self.root = Path(runs_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)

    @property
    def optuna_url(self) -> str:
        """SQLAlchemy URL of Optuna's study storage (the same database file)."""
        return f"sqlite:///{(self.root / DB_NAME).resolve()}"

    def optuna_storage(self, attempts: int = 10) -> Any:
        """Optuna's storage in this database; retried while another process creates its tables."""
        import optuna
        import sqlalchemy.exc

        for attempt in range(attempts):
            try:
                return optuna.storages.RDBStorage(
                    self.optuna_url, engine_kwargs={"connect_args": {"timeout": 60}})
            except sqlalchemy.exc.SQLAlchemyError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 + 0.3 * attempt)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.root / DB_NAME, timeout=60)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        try:
            with db:
                yield db
        finally:
            db.close()

    # runs ---------------------------------------------------------------------------------
    def insert_run(self, **fields: Any) -> None:
        """Register a new run."""
        keys = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        with self._db() as db:
            db.execute(f"INSERT INTO runs ({keys}) VALUES ({marks})",
                       [_encode(k, v) for k, v in fields.items()])

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Change some fields of a run."""
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._db() as db:
            db.execute(f"UPDATE runs SET {sets} WHERE run_id = ?",
                       [*(_encode(k, v) for k, v in fields.items()), run_id])

    def run_row(self, run_id: str) -> dict[str, Any]:
        """One run's registry row; an unknown id is a user error."""
        with self._db() as db:
            row = db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise EngineError(f"There is no run '{run_id}' in {self.root}; list runs with "
                              "'python -m engine runs'.")
        return _decode(row)

    def run_rows(self) -> list[dict[str, Any]]:
        """All runs, newest first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM runs ORDER BY created_at DESC").fetchall()
        return [_decode(r) for r in rows]

    def delete_run(self, run_id: str) -> None:
        """Remove a run, its models, its study and its files."""
        self.run_row(run_id)
        with self._db() as db:
            db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
            db.execute("DELETE FROM models WHERE run_id = ?", (run_id,))
        try:
            import optuna

            optuna.delete_study(study_name=run_id, storage=self.optuna_storage())
        except KeyError:
            pass
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)

    # models -------------------------------------------------------------------------------
    def save_model_row(self, run_id: str, model_id: int, **fields: Any) -> None:
        """Insert or replace one model's row."""
        fields = {"run_id": run_id, "model_id": model_id, **fields}
        keys = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        with self._db() as db:
            db.execute(f"INSERT OR REPLACE INTO models ({keys}) VALUES ({marks})",
                       [_encode(k, v) for k, v in fields.items()])

    def update_model_row(self, run_id: str, model_id: int, **fields: Any) -> None:
        """Change some fields of one model's row."""
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._db() as db:
            db.execute(f"UPDATE models SET {sets} WHERE run_id = ? AND model_id = ?",
                       [*(_encode(k, v) for k, v in fields.items()), run_id, model_id])

    def model_rows(self, run_id: str) -> list[dict[str, Any]]:
        """Every model row of a run, in model id order."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM models WHERE run_id = ? ORDER BY model_id",
                              (run_id,)).fetchall()
        return [_decode(r) for r in rows]

    # files --------------------------------------------------------------------------------
    def run_dir(self, run_id: str) -> Path:
        """The folder of one run's files."""
        return self.root / run_id

    def save_json(self, run_id: str, name: str, value: Any) -> None:
        """Write ``<run>/<name>.json``."""
        path = self.run_dir(run_id) / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_clean(value), ensure_ascii=False, indent=1), encoding="utf-8")

    def load_json(self, run_id: str, name: str) -> Any:
        """Read ``<run>/<name>.json``."""
        return json.loads((self.run_dir(run_id) / f"{name}.json").read_text(encoding="utf-8"))

    def save_frame(self, run_id: str, name: str, frame: pd.DataFrame) -> None:
        """Write ``<run>/<name>.parquet``."""
        path = self.run_dir(run_id) / f"{name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)

    def load_frame(self, run_id: str, name: str) -> pd.DataFrame | None:
        """Read ``<run>/<name>.parquet``, or None when the run has no such frame."""
        path = self.run_dir(run_id) / f"{name}.parquet"
        return pd.read_parquet(path) if path.exists() else None

    def save_array(self, run_id: str, kind: str, name: str, values: np.ndarray) -> None:
        """Write ``<run>/<kind>/<name>.npy``."""
        path = self.run_dir(run_id) / kind / f"{name}.npy"
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, values, allow_pickle=False)

    def load_array(self, run_id: str, kind: str, name: str) -> np.ndarray | None:
        """Read ``<run>/<kind>/<name>.npy``, or None when absent."""
        path = self.run_dir(run_id) / kind / f"{name}.npy"
        return np.load(path, allow_pickle=False) if path.exists() else None

    def save_object(self, run_id: str, kind: str, name: str, value: Any) -> None:
        """Write a Python object (a fitted model) to ``<run>/<kind>/<name>.joblib``."""
        path = self.run_dir(run_id) / kind / f"{name}.joblib"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        joblib.dump(value, tmp)
        tmp.replace(path)

    def load_object(self, run_id: str, kind: str, name: str) -> Any | None:
        """Read ``<run>/<kind>/<name>.joblib``, or None when absent."""
        path = self.run_dir(run_id) / kind / f"{name}.joblib"
        return joblib.load(path) if path.exists() else None

    def request_cancel(self, run_id: str) -> None:
        """Leave the cancel mark the run process looks for between trials and folds."""
        path = self.run_dir(run_id) / "CANCEL"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(time.time()))

    def cancel_requested(self, run_id: str) -> bool:
        """Whether a cancel was asked for."""
        return (self.run_dir(run_id) / "CANCEL").exists()
