"""Data guardrails: plain warnings about the training table, shown before and after a run."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

MIN_ROWS = 100
MIN_CLASS_SHARE = 0.05
MISSING_SHARE = 0.5
HIGH_CARDINALITY = 100
LEAK_CORRELATION = 0.98


def _present(frame: pd.DataFrame, roles: dict[str, str], *kinds: str) -> list[str]:
    """Columns of the frame (dropped ones are not in it), optionally of some roles only."""
    return [c for c, r in roles.items() if c in frame.columns and (not kinds or r in kinds)]


def _too_little_data(frame: pd.DataFrame, target: str, roles: dict[str, str], task: str) -> list[str]:
    if len(frame) < MIN_ROWS:
        return [f"Only {len(frame)} rows: scores will vary a lot; more data gives surer results."]
    return []


def _class_imbalance(frame: pd.DataFrame, target: str, roles: dict[str, str], task: str) -> list[str]:
    if task != "classification":
        return []
    shares = frame[target].value_counts(normalize=True)
    rare = shares[shares < MIN_CLASS_SHARE]
    return [f"Class '{label}' is only {share:.1%} of the rows: prefer AUC_weighted, "
            "balanced_accuracy or f1 over accuracy." for label, share in rare.items()]


def _missing_values(frame: pd.DataFrame, target: str, roles: dict[str, str], task: str) -> list[str]:
    share = frame[_present(frame, roles)].isna().mean()
    return [f"Column '{c}' is {s:.0%} missing; missing values are imputed and flagged."
            for c, s in share[share > MISSING_SHARE].items()]


def _high_cardinality(frame: pd.DataFrame, target: str, roles: dict[str, str], task: str) -> list[str]:
    cats = _present(frame, roles, "categorical")
    return [f"Column '{c}' has {n} distinct values; it is target-encoded inside each fold."
            for c in cats if (n := frame[c].nunique()) > HIGH_CARDINALITY]


def _dropped(frame: pd.DataFrame, target: str, roles: dict[str, str], task: str) -> list[str]:
    words = {"id": "looks like an identifier", "constant": "has a single value"}
    return [f"Column '{c}' {words[r]} and is not used." for c, r in roles.items() if r in words]


def _leakage(frame: pd.DataFrame, target: str, roles: dict[str, str], task: str) -> list[str]:
    y = frame[target]
    if task == "classification":
        y = pd.Series(pd.factorize(y)[0], index=y.index).astype(float)
    out = []
    for c in _present(frame, roles, "numeric", "boolean"):
        x = frame[c]
        if x.notna().sum() > 10 and x.std() > 0 and abs(np.corrcoef(
                x.fillna(x.median()), y)[0, 1]) > LEAK_CORRELATION:
            out.append(f"Column '{c}' predicts the target almost perfectly on its own: check it "
                       "is not known only after the fact (leakage).")
    return out


CHECKS: dict[str, Callable[[pd.DataFrame, str, dict[str, str], str], list[str]]] = {
    "too_little_data": _too_little_data,
    "class_imbalance": _class_imbalance,
    "missing_values": _missing_values,
    "high_cardinality": _high_cardinality,
    "dropped_columns": _dropped,
    "leakage": _leakage,
}


def guardrails(frame: pd.DataFrame, target: str, roles: dict[str, str], task: str) -> list[dict]:
    """Every guardrail that fires, as ``{"check": id, "message": sentence}``."""
    return [{"check": key, "message": m} for key, check in CHECKS.items()
            for m in check(frame, target, roles, task)]
