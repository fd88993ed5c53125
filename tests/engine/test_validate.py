"""Validation splits and data guardrails."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine import EngineError
from engine.guardrails import guardrails
from engine.validate import make_validation, parse_validation, split_test


@pytest.mark.parametrize("spec, n, expected", [
    ("auto", 500, ("cv", 5)), ("auto", 50_000, ("holdout", 0.1)), ("cv:3", 10, ("cv", 3)),
    ("holdout:0.25", 10, ("holdout", 0.25)),
])
def test_validation_specs(spec, n, expected):
    assert parse_validation(spec, n) == expected


@pytest.mark.parametrize("spec", ["cv:1", "cv:2.5", "holdout:1.5", "kfold", "holdout:x"])
def test_bad_validation_specs_are_user_errors(spec):
    with pytest.raises(EngineError, match="not understood"):
        parse_validation(spec, 100)


def test_cv_folds_partition_the_rows_and_are_stratified():
    y = np.array([0] * 80 + [1] * 20)
    validation = make_validation("cv:5", y, task="classification", seed=0)
    assert sorted(validation.rows) == list(range(100))
    assert all(y[val].sum() == 4 for _, val in validation.folds)
    assert all(len(np.intersect1d(tr, val)) == 0 for tr, val in validation.folds)


def test_fewer_rows_than_folds_is_a_user_error():
    with pytest.raises(EngineError, match="fewer than the 5 folds"):
        make_validation("cv:5", np.arange(3.0), task="regression", seed=0)


def test_a_validation_file_is_the_only_fold():
    validation = make_validation("auto", np.zeros(30), task="regression", seed=0, n_valid_file=10)
    (train, val), = validation.folds
    assert list(val) == list(range(20, 30)) and list(train) == list(range(20))


def test_test_split_is_disjoint_and_seeded():
    y = np.array([0, 1] * 50)
    a, b = split_test(y, 0.2, task="classification", seed=1), split_test(y, 0.2,
                                                                         task="classification",
                                                                         seed=1)
    assert len(a[1]) == 20 and not set(a[0]) & set(a[1]) and (a[1] == b[1]).all()


def test_guardrails_fire_on_the_problems_they_name():
    rng = np.random.default_rng(0)
    n = 60
    frame = pd.DataFrame({"leak": np.r_[np.zeros(58), np.ones(2)], "gappy": np.where(
        rng.random(n) < 0.7, np.nan, 1.0), "code": [f"c{i}" for i in range(n)],
        "y": ["a"] * 58 + ["b"] * 2})
    roles = {"leak": "numeric", "gappy": "numeric", "code": "id"}
    checks = {g["check"] for g in guardrails(frame, "y", roles, "classification")}
    assert checks == {"too_little_data", "class_imbalance", "missing_values", "dropped_columns",
                      "leakage"}


def _groups(n: int, size: int) -> np.ndarray:
    return np.repeat([f"g{i}" for i in range(n // size)], size)


@pytest.mark.parametrize(("spec", "task"), [("cv:5", "classification"), ("cv:4", "regression"),
                                            ("holdout:0.25", "classification")])
def test_a_group_never_spans_both_sides_of_a_split(spec, task):
    groups = _groups(200, 4)
    y = np.arange(200) % 2 if task == "classification" else np.linspace(0, 1, 200)
    validation = make_validation(spec, y, task=task, seed=0, groups=groups, group="患者")
    for train, val in validation.folds:
        assert not set(groups[train]) & set(groups[val])
    assert sorted(np.concatenate([v for _, v in validation.folds])) == (
        list(range(200)) if spec.startswith("cv") else sorted(validation.rows))
    assert "Rows of one '患者' stay on one side of every split." in validation.description


def test_the_test_split_keeps_groups_whole():
    groups = _groups(300, 3)
    train, test = split_test(np.arange(300) % 3, 0.2, task="classification", seed=1,
                             groups=groups, group="store")
    assert not set(groups[train]) & set(groups[test]) and 40 <= len(test) <= 80


def test_too_few_groups_is_a_user_error():
    with pytest.raises(EngineError, match="has 3 groups, too few"):
        make_validation("cv:5", np.arange(30) % 2, task="classification", seed=0,
                        groups=_groups(30, 10), group="site")
