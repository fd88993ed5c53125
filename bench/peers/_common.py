"""Shared argument parsing and I/O for the peer runners (pandas only; runs in every venv).

Protocol: a runner reads ``--train`` (features + target) and ``--test`` (features only), fits
within ``--budget`` seconds on ``--cpus`` cores, and writes ``--out``: a CSV with one row per
test row, column ``prediction`` and, for classification, ``proba_<class>`` for every class seen
in training. It may print anything; compare.py judges it by its exit code and its output file.
"""
from __future__ import annotations

# pandas is imported inside the functions: run_engine.py uses only parse_args and must not
# pay pandas' import time inside the engine's measured wall time.

import argparse
import os


def parse_args(description: str) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True, help="features only")
    ap.add_argument("--target", required=True)
    ap.add_argument("--kind", required=True, choices=["binary", "multiclass", "regression"])
    ap.add_argument("--budget", type=float, required=True, help="seconds")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--workdir", required=True, help="scratch directory (deleted by the caller)")
    a = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(a.cpus))
    return a


def read(a: argparse.Namespace):
    import pandas as pd

    dtype = {a.target: str} if a.kind != "regression" else None
    train = pd.read_csv(a.train, dtype=dtype)
    test = pd.read_csv(a.test)
    y = train.pop(a.target)
    return train, y, test[train.columns]


def as_category(train, test):
    """Non-numeric columns -> pandas category with the training categories (unseen -> NaN)."""
    import pandas as pd

    train, test = train.copy(), test.copy()
    for c in train.columns:
        if not pd.api.types.is_numeric_dtype(train[c]) or pd.api.types.is_bool_dtype(train[c]):
            cats = pd.Index(sorted(train[c].dropna().astype(str).unique()))
            train[c] = pd.Categorical(_text(train[c]), categories=cats)
            test[c] = pd.Categorical(_text(test[c]), categories=cats)
    return train, test


def _text(s) -> list:
    import pandas as pd

    return [v if pd.isna(v) else str(v) for v in s]


def write(a: argparse.Namespace, prediction, proba=None, classes=None) -> None:
    import pandas as pd

    out = pd.DataFrame({"prediction": list(prediction)})
    if proba is not None:
        for i, c in enumerate(classes):
            out[f"proba_{c}"] = [row[i] for row in proba] if not hasattr(proba, "shape") else proba[:, i]
    out.to_csv(a.out, index=False)
