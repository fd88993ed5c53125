"""How long explanations take: the first global view and one local explanation.

Run: ``.venv/bin/python bench/bench_explain.py`` (about two minutes, most of it fitting).

Cases (goal on the 2-core reference machine: global < 10 s, local < 1 s):
- LightGBM (studio defaults, early stopping) on 100,000 rows x 50 columns (45 numeric,
  5 categorical); exact tree SHAP of a sample sized by the explainer to fit 6 seconds.
- k-NN on 10,000 rows x 20 numeric columns: mimic surrogate (5,000 rows, a fifth held out for
  fidelity), then 1,000 rows explained; the kernel explainer per row for comparison.
- Logistic regression on the same table: exact linear SHAP of 1,000 rows.

The global view is: build the explainer, explain the sample, sum to uploaded columns, rank.
The local view is ``whatif`` on one row (coercion, prediction, explanation).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from engine.explain import (ExplainSettings, build_explainer, estimate_seconds, importance_frame,
                            permutation_importance_frame, raw_contributions, whatif)
from engine.models import MODELS
from engine.trainer import fit_family

GLOBAL_SECONDS = 6.0
LOCAL_REPEATS = 20


def table(n: int, n_numeric: int, n_categorical: int,
          seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Numbers and categories with a nonlinear signal in a few of them; binary target."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, n_numeric)), columns=[f"num{i}" for i in range(n_numeric)])
    for i in range(n_categorical):
        X[f"cat{i}"] = pd.Series(rng.choice([f"level{j}" for j in range(8 + i)], n), dtype="str")
    signal = X["num0"] * 2 + np.sin(X["num1"] * 2) + X["num2"] * X["num3"]
    if n_categorical:
        signal = signal + (X["cat0"] == "level1") * 1.5
    y = (signal + rng.logistic(size=n) > 0).astype(int).to_numpy()
    return X, y


def timed(step):
    start = time.perf_counter()
    out = step()
    return out, time.perf_counter() - start


def local_seconds(explainer, X: pd.DataFrame) -> float:
    times = []
    for i in range(LOCAL_REPEATS):
        row = X.iloc[[i]].copy()
        row.iloc[0, 0] = float(row.iloc[0, 0]) + 0.5  # an edit
        times.append(timed(lambda: whatif(explainer, row))[1])
    return float(np.median(times)), float(np.max(times))


def case(name: str, family: str, X: pd.DataFrame, y: np.ndarray, *, rows: int | None,
         settings: ExplainSettings, method: str = "auto") -> None:
    roles = {c: ("numeric" if c.startswith("num") else "categorical") for c in X.columns}
    train, held = X.iloc[: int(len(X) * 0.8)], X.iloc[int(len(X) * 0.8):]
    fitted, fit_s = timed(lambda: fit_family(MODELS[family], MODELS[family].defaults_for(
        "classification"), train, y[: len(train)], roles=roles, task="classification", seed=0,
        n_jobs=2))
    model = fitted.pipeline
    print(f"\n== {name}: {len(X):,} rows x {X.shape[1]} columns, {family} fitted in {fit_s:.1f} s")
    background = held  # rows the model did not learn from
    explainer, build_s = timed(lambda: build_explainer(
        model, task="classification", roles=roles, background=background, classes=("no", "yes"),
        method=method, settings=settings))
    n = rows or min(explainer.rows_within(GLOBAL_SECONDS - build_s), settings.global_rows * 2)
    sample = held.sample(n=min(n, len(held)), random_state=0)
    guess = estimate_seconds(explainer.method.split("+")[0], len(sample), X.shape[1], model=model,
                             settings=settings)
    expl, explain_s = timed(lambda: explainer.explain(sample))
    ranking, rank_s = timed(lambda: importance_frame(raw_contributions(expl)))
    total = build_s + explain_s + rank_s
    fidelity = "" if expl.fidelity is None else f", surrogate fidelity R2 {expl.fidelity:.3f}"
    print(f"method {expl.method}{fidelity}; {len(expl.feature_names)} engineered features")
    print(f"global view: {total:.2f} s  (build {build_s:.2f} s + explain {len(sample):,} rows "
          f"{explain_s:.2f} s + rank {rank_s:.2f} s; estimated beforehand {guess:.1f} s)")
    print(f"  top columns: {', '.join(ranking['feature'].head(4))}")
    median, worst = local_seconds(explainer, held)
    print(f"local what-if: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
          f"of {LOCAL_REPEATS}")
    perm, perm_s = timed(lambda: permutation_importance_frame(
        model, held, y[len(train):], task="classification", roles=roles, n_classes=2,
        max_rows=1000, n_repeats=2))
    print(f"permutation importance ({X.shape[1]} columns x 2 repeats, 1,000 rows): {perm_s:.2f} s;"
          f" top {perm['feature'].iloc[0]}")


def main() -> None:
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at start")
    big, y_big = table(100_000, 45, 5)
    case("LightGBM", "lightgbm", big, y_big, rows=None, settings=ExplainSettings())
    case("LightGBM, 2 threads", "lightgbm", big, y_big, rows=None,
         settings=ExplainSettings(n_jobs=2))
    mid, y_mid = table(10_000, 20, 0)
    case("k-NN", "knn", mid, y_mid, rows=1000, settings=ExplainSettings())
    case("Logistic regression", "logistic_regression", mid, y_mid, rows=1000,
         settings=ExplainSettings())
    roles = {c: "numeric" for c in mid.columns}
    knn = fit_family(MODELS["knn"], MODELS["knn"].defaults_for("classification"), mid.iloc[:8000],
                     y_mid[:8000], roles=roles, task="classification", seed=0, n_jobs=2).pipeline
    kernel = build_explainer(knn, task="classification", roles=roles, background=mid.iloc[8000:],
                             classes=("no", "yes"), method="kernel")
    _, seconds = timed(lambda: kernel.explain(mid.iloc[8000:8003]))
    print(f"\n== k-NN, kernel explainer ({kernel.impl.samples} coalitions x 20 background rows): "
          f"{seconds / 3:.2f} s per row (estimated {kernel.seconds_per_row():.2f} s)")
    print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
