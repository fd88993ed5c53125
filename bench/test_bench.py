"""Unit tests of the benchmark's scorer and win/tie/loss rule (project venv, no peer venvs).

    .venv/bin/python -m pytest bench/test_bench.py -q
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402
from datasets import DATASETS, METRIC_BY_KIND  # noqa: E402


def test_catalogue_mixes_kinds():
    kinds = [d.kind for d in DATASETS.values()]
    assert len(DATASETS) >= 12
    assert {"binary", "multiclass", "regression"} <= set(kinds)
    for d in DATASETS.values():
        assert d.metric == METRIC_BY_KIND[d.kind]
        assert (d.pos_label is not None) == (d.kind == "binary")


def test_binary_auc_uses_the_positive_class_column():
    y = pd.Series(["no", "yes", "yes", "no"])
    pred = pd.DataFrame({"prediction": ["no", "yes", "no", "no"],
                         "proba_no": [0.9, 0.2, 0.6, 0.7], "proba_yes": [0.1, 0.8, 0.4, 0.3]})
    assert compare.score("binary", y, pred, ["no", "yes"], "yes") == pytest.approx(
        roc_auc_score([0, 1, 1, 0], [0.1, 0.8, 0.4, 0.3]))


def test_numeric_labels_match_float_spelled_columns():
    y = pd.Series(["0", "1", "1", "0"])
    pred = pd.DataFrame({"prediction": [0, 1, 1, 0], "proba_0.0": [0.8, 0.3, 0.1, 0.6],
                         "proba_1.0": [0.2, 0.7, 0.9, 0.4]})
    assert compare.score("binary", y, pred, ["0", "1"], "1") == 1.0


def test_multiclass_log_loss_renormalizes_and_orders_columns():
    y = pd.Series(["b", "a", "c"])
    P = np.array([[0.2, 0.6, 0.2], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    pred = pd.DataFrame({"prediction": ["b", "a", "c"], "proba_c": P[:, 2] * 2,
                         "proba_a": P[:, 0] * 2, "proba_b": P[:, 1] * 2})  # unnormalized, shuffled
    got = compare.score("multiclass", y, pred, ["a", "b", "c"], None)
    assert got == pytest.approx(log_loss(["b", "a", "c"], P, labels=["a", "b", "c"]))


def test_missing_class_column_or_row_count_is_an_error():
    y = pd.Series(["a", "b"])
    with pytest.raises(ValueError):
        compare.score("multiclass", y, pd.DataFrame({"prediction": ["a", "b"], "proba_a": [1, 0]}),
                      ["a", "b"], None)
    with pytest.raises(ValueError):
        compare.score("regression", pd.Series([1.0, 2.0]), pd.DataFrame({"prediction": [1.0]}),
                      None, None)


def test_regression_rmse():
    got = compare.score("regression", pd.Series([1.0, 2.0, 4.0]),
                        pd.DataFrame({"prediction": [1.0, 3.0, 4.0]}), None, None)
    assert got == pytest.approx(math.sqrt(1 / 3))


def test_win_tie_loss():
    ok = lambda s: {"status": "ok", "score": s}  # noqa: E731
    assert compare.compare_pair(ok(0.90), ok(0.80), "roc_auc", 0.005) == "win"
    assert compare.compare_pair(ok(0.800), ok(0.803), "roc_auc", 0.005) == "tie"
    assert compare.compare_pair(ok(1.0), ok(0.9), "rmse", 0.005) == "loss"
    assert compare.compare_pair({"status": "failed", "score": ""}, ok(1.0), "rmse", 0.005) == "loss"
    assert compare.compare_pair(ok(1.0), {"status": "timeout", "score": ""}, "rmse", 0.005) == "win"
    assert compare.compare_pair({"status": "failed"}, {"status": "failed"}, "rmse", 0.005) is None
