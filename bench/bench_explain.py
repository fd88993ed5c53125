"""How long explanations take: the first global view and one local (what-if) explanation.

Run: ``.venv/bin/python bench/bench_explain.py`` (a few minutes, most of it fitting LightGBM).

Cases (goal on the 2-core reference machine: global view < 10 s, local < 1 s):
- LightGBM (studio defaults, early stopping) on 100,000 rows x 50 columns (45 numeric,
  5 categorical), trained on 80,000 rows; exact tree SHAP of a held-out sample the explainer
  sizes to fit 6 seconds (at most 2,000 rows), with 1 and with 2 LightGBM threads.
- k-NN on 10,000 rows x 20 numeric columns, trained on 8,000: mimic surrogate learnt from the
  2,000 held-out rows (a fifth of them kept back for fidelity), then 1,000 rows explained;
  the kernel explainer per row for comparison.
- Logistic regression on the same table: exact linear SHAP of 1,000 rows.

The global view is: build the explainer, explain the sample, sum to uploaded columns, rank.
The local view is ``whatif`` on one edited row (coercion, prediction, explanation).
Permutation importance (1,000 rows, 3 repeats) is timed on its own.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.explain import (ExplainSettings, build_explainer, estimate_seconds,  # noqa: E402
                            importance_frame, permutation_importance_frame, raw_contributions,
                            seconds_per_prediction, whatif)
from engine.models import MODELS  # noqa: E402
from engine.trainer import fit_family  # noqa: E402

GLOBAL_SECONDS = 6.0
MAX_GLOBAL_ROWS = 2000
LOCAL_REPEATS = 20
PERMUTATION_ROWS = 1000
CLASSES = ("no", "yes")


def table(n: int, n_numeric: int, n_categorical: int,
          seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
    """Numbers and categories, a nonlinear signal in a few of them, a binary target."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, n_numeric)),
                     columns=[f"num{i}" for i in range(n_numeric)])
    for i in range(n_categorical):
        X[f"cat{i}"] = pd.Series(rng.choice([f"level{j}" for j in range(8 + i)], n), dtype="str")
    signal = X["num0"] * 2 + np.sin(X["num1"] * 2) + X["num2"] * X["num3"]
    if n_categorical:
        signal = signal + (X["cat0"] == "level1") * 1.5
    y = (signal + rng.logistic(size=n) > 0).astype(int).to_numpy()
    roles = {c: ("numeric" if c.startswith("num") else "categorical") for c in X.columns}
    return X, y, roles


def timed(step: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = step()
    return out, time.perf_counter() - start


def fit(family: str, X: pd.DataFrame, y: np.ndarray, roles: dict[str, str]) -> tuple[Any, float]:
    fitted, seconds = timed(lambda: fit_family(
        MODELS[family], MODELS[family].defaults_for("classification"), X, y, roles=roles,
        task="classification", seed=0, n_jobs=2))
    return fitted.pipeline, seconds


def global_view(name: str, model: Any, held: pd.DataFrame, roles: dict[str, str], *,
                rows: int | None, settings: ExplainSettings) -> Any:
    """Build, explain a sample, sum to uploaded columns, rank; print the times."""
    explainer, build_s = timed(lambda: build_explainer(
        model, task="classification", roles=roles, background=held, classes=CLASSES,
        settings=settings))
    n = rows or min(explainer.rows_within(GLOBAL_SECONDS - build_s), MAX_GLOBAL_ROWS)
    sample = held.sample(n=min(n, len(held)), random_state=0)
    guess = estimate_seconds(explainer.method.split("+")[0], len(sample), held.shape[1],
                             model=model, n_background=len(held), settings=settings,
                             seconds_per_prediction=seconds_per_prediction(model, held))
    expl, explain_s = timed(lambda: explainer.explain(sample))
    ranking, rank_s = timed(lambda: importance_frame(raw_contributions(expl)))
    fidelity = "" if expl.fidelity is None else f", surrogate fidelity R2 {expl.fidelity:.3f}"
    print(f"[{name}] method {expl.method}{fidelity}, {settings.n_jobs} thread(s)")
    print(f"  global view {build_s + explain_s + rank_s:.2f} s = build {build_s:.2f} s + explain "
          f"{len(sample):,} rows {explain_s:.2f} s + rank {rank_s:.2f} s "
          f"(estimated beforehand {guess:.1f} s); top: {', '.join(ranking['feature'].head(4))}")
    times = []
    for i in range(LOCAL_REPEATS):
        row = held.iloc[[i]].copy()
        row["num0"] = row["num0"] + 0.5  # an edit
        times.append(timed(lambda: whatif(explainer, row))[1])
    print(f"  local what-if median {np.median(times) * 1000:.0f} ms, worst "
          f"{np.max(times) * 1000:.0f} ms of {LOCAL_REPEATS}")
    return explainer


def permutation(model: Any, held: pd.DataFrame, y: np.ndarray, roles: dict[str, str]) -> None:
    perm, seconds = timed(lambda: permutation_importance_frame(
        model, held, y, task="classification", roles=roles, n_classes=2,
        max_rows=PERMUTATION_ROWS))
    guess = estimate_seconds("permutation", PERMUTATION_ROWS, held.shape[1],
                             seconds_per_prediction=seconds_per_prediction(model, held))
    print(f"  permutation importance {held.shape[1]} columns x 3 repeats x "
          f"{PERMUTATION_ROWS:,} rows: {seconds:.2f} s (estimated {guess:.1f} s); "
          f"top {perm['feature'].iloc[0]}")


def main() -> None:
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at start")
    X, y, roles = table(100_000, 45, 5)
    cut = 80_000
    model, seconds = fit("lightgbm", X.iloc[:cut], y[:cut], roles)
    print(f"\n== LightGBM, 100,000 x 50: {model[-1].booster_.num_trees()} trees, "
          f"fitted in {seconds:.0f} s")
    for threads in (1, 2):
        global_view("LightGBM", model, X.iloc[cut:], roles, rows=None,
                    settings=ExplainSettings(n_jobs=threads))
    permutation(model, X.iloc[cut:], y[cut:], roles)

    X, y, roles = table(10_000, 20, 0)
    cut = 8_000
    for family in ("knn", "logistic_regression"):
        model, seconds = fit(family, X.iloc[:cut], y[:cut], roles)
        print(f"\n== {family}, 10,000 x 20: fitted in {seconds:.1f} s")
        global_view(family, model, X.iloc[cut:], roles, rows=1000, settings=ExplainSettings())
        permutation(model, X.iloc[cut:], y[cut:], roles)
        if family == "knn":
            kernel = build_explainer(model, task="classification", roles=roles,
                                     background=X.iloc[cut:], classes=CLASSES, method="kernel")
            _, seconds = timed(lambda: kernel.explain(X.iloc[cut:cut + 3]))
            print(f"[knn] kernel explainer ({kernel.impl.samples} coalitions x "
                  f"{len(kernel.impl.background)} background rows): {seconds / 3:.2f} s per row "
                  f"(estimated {kernel.seconds_per_row():.2f} s)")
    print(f"\nload average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
