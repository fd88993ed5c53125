"""Time the model report: all metrics, all chart data and all figures on synthetic predictions.

Run: ``.venv/bin/python bench/bench_report.py`` from the repository root.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import charts, figures  # noqa: E402
from engine.metrics import compute_metrics  # noqa: E402

CASES = [("binary", 2, 10_000), ("binary", 2, 1_000_000), ("multiclass", 3, 10_000)]
REGRESSION_ROWS = [10_000, 1_000_000]


def _predictions(k: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.0
    proba = np.exp(logits)
    return y, proba / proba.sum(axis=1, keepdims=True)


def _timed(step: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def _classification(k: int, n: int) -> dict[str, float]:
    y, proba = _predictions(k, n)
    classes = [f"class {c}" for c in range(k)]
    y_pred = proba.argmax(axis=1)
    times: dict[str, float] = {}
    _, times["metrics"] = _timed(lambda: compute_metrics("classification", y, proba=proba))
    curve_steps = {
        "roc": (charts.roc_curve_data, figures.figure_roc),
        "pr": (charts.pr_curve_data, figures.figure_pr),
        "gains": (charts.gains_curve_data, figures.figure_gains),
        "lift": (charts.lift_curve_data, figures.figure_lift),
        "calibration": (charts.calibration_data, figures.figure_calibration),
    }
    drawn = []
    for name, (compute, draw) in curve_steps.items():
        data, times[name] = _timed(lambda compute=compute: compute(y, proba, classes))
        drawn.append((draw, data))
    matrix, times["confusion"] = _timed(
        lambda: (charts.confusion_frame(y, y_pred, classes, normalize=False),
                 charts.confusion_frame(y, y_pred, classes, normalize=True)))
    drawn += [(figures.figure_confusion, frame) for frame in matrix]
    if k == 2:
        table, times["threshold"] = _timed(lambda: charts.threshold_table(y, proba[:, 1]))
        _, times["best_cost"] = _timed(lambda: charts.best_cost_threshold(y, proba[:, 1], 1, 5))
        drawn.append((figures.figure_threshold, table))
    _, times["figures"] = _timed(lambda: [draw(data) for draw, data in drawn])
    return times


def _regression(n: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    y = rng.gamma(2.0, 3.0, n)
    y_pred = np.abs(y + rng.normal(0, 1.5, n))
    times: dict[str, float] = {}
    _, times["metrics"] = _timed(lambda: compute_metrics("regression", y, y_pred=y_pred))
    hist, times["residuals"] = _timed(lambda: charts.residuals_data(y, y_pred))
    points, times["pred_vs_true"] = _timed(lambda: charts.predicted_vs_true_data(y, y_pred))
    _, times["figures"] = _timed(lambda: (figures.figure_residuals(hist),
                                          figures.figure_predicted_vs_true(points),
                                          figures.figure_residuals_vs_predicted(points)))
    return times


def _print(title: str, times: dict[str, float]) -> None:
    parts = "  ".join(f"{step} {seconds * 1000:.0f}" for step, seconds in times.items())
    print(f"{title:<24} total {sum(times.values()):6.2f} s   (ms: {parts})")


def _best(run: Callable[[], dict[str, float]], repeats: int) -> dict[str, float]:
    """Per step, the fastest of ``repeats`` runs (the machine may be busy with other work)."""
    runs = [run() for _ in range(repeats)]
    return {step: min(r[step] for r in runs) for step in runs[0]}


def main() -> None:
    _classification(2, 200), _classification(3, 200), _regression(200)  # warm lazy imports
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          "best of 3 runs for 10k rows, one run for 1M")
    for task, k, n in CASES:
        _print(f"{task} {n:,} rows", _best(lambda k=k, n=n: _classification(k, n),
                                           3 if n <= 100_000 else 1))
    for n in REGRESSION_ROWS:
        _print(f"regression {n:,} rows",
               _best(lambda n=n: _regression(n), 3 if n <= 100_000 else 1))


if __name__ == "__main__":
    main()
