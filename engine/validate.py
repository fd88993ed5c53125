"""Validation splits: k-fold cross-validation, a holdout, or a user-supplied validation file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    ShuffleSplit,
    StratifiedGroupKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
)

from engine.errors import EngineError

AUTO_CV_MAX_ROWS = 20_000
AUTO_FOLDS = 5
AUTO_HOLDOUT = 0.1


@dataclass(frozen=True)
class Validation:
    """The folds of a run: train and validation row positions, and a sentence saying what."""

    kind: str
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]
    description: str

    @property
    def rows(self) -> np.ndarray:
        """Positions of every validation row, in the order out-of-fold predictions are kept."""
        return np.concatenate([val for _, val in self.folds])

    @property
    def fold_of_row(self) -> np.ndarray:
        """The fold number of each validation row, aligned with ``rows``."""
        return np.concatenate([np.full(len(val), i) for i, (_, val) in enumerate(self.folds)])


def group_values(frame: pd.DataFrame, column: str | None) -> np.ndarray | None:
    """The group of every row (missing values form one group); None without a group column."""
    if column is None:
        return None
    return frame[column].fillna("(missing)").astype(str).to_numpy(dtype=object)


def parse_validation(spec: str, n_rows: int) -> tuple[str, float]:
    """``auto``/``cv:K``/``holdout:F`` as (kind, value); auto resolved by the number of rows."""
    if spec == "auto":
        return ("cv", AUTO_FOLDS) if n_rows <= AUTO_CV_MAX_ROWS else ("holdout", AUTO_HOLDOUT)
    kind, _, value = spec.partition(":")
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if kind == "cv" and number == int(number) and 2 <= number <= 20:
        return "cv", int(number)
    if kind == "holdout" and 0 < number < 1:
        return "holdout", number
    raise EngineError(f"Validation '{spec}' is not understood; use auto, cv:K with K from 2 to 20, "
                      "or holdout:F with F between 0 and 1 (for example cv:5 or holdout:0.2).")


def validation_sentence(spec: str, n_rows: int, *, has_file: bool = False,
                        group: str | None = None) -> str:
    """A sentence saying how models will be validated."""
    if has_file:
        return "Validation on the uploaded validation file."
    kind, value = parse_validation(spec, n_rows)
    auto = " (chosen automatically for this number of rows)" if spec == "auto" else ""
    sentence = (f"{int(value)}-fold cross-validation{auto}." if kind == "cv" else
                f"A holdout of {value:.0%} of the rows{auto}.")
    return sentence + (f" Rows of one '{group}' stay on one side of every split." if group else "")


def _splitter(kind: str, value: float, y: np.ndarray, *, stratify: bool, grouped: bool,
              seed: int) -> object:
    """The scikit-learn splitter of a validation kind; stratified where every class allows it."""
    if kind == "cv":
        k = int(value)
        stratify = stratify and np.bincount(y).min() >= k
        if grouped:
            return (StratifiedGroupKFold(k, shuffle=True, random_state=seed) if stratify
                    else GroupKFold(k, shuffle=True, random_state=seed))
        return (StratifiedKFold if stratify else KFold)(k, shuffle=True, random_state=seed)
    if grouped:
        return GroupShuffleSplit(n_splits=1, test_size=value, random_state=seed)
    stratify = stratify and np.bincount(y).min() >= 2
    cls = StratifiedShuffleSplit if stratify else ShuffleSplit
    return cls(n_splits=1, test_size=value, random_state=seed)


def _split(splitter: object, y: np.ndarray, groups: np.ndarray | None,
           group: str | None) -> list[tuple[np.ndarray, np.ndarray]]:
    if groups is None:
        return list(splitter.split(np.zeros(len(y)), y))
    try:
        return list(splitter.split(np.zeros(len(y)), y, groups))
    except ValueError as error:  # fewer groups than folds, or one group only
        n = len(np.unique(groups))
        raise EngineError(f"The group column '{group}' has {n} groups, too few for this split; "
                          "use fewer folds or a column with more groups.") from error


def make_validation(spec: str, y: np.ndarray, *, task: str, seed: int, n_valid_file: int = 0,
                    groups: np.ndarray | None = None, group: str | None = None) -> Validation:
    """Folds over ``y`` (the last ``n_valid_file`` rows, if any, are the validation file).

    With ``groups`` (the values of the group column ``group``), every group's rows fall on one
    side of each split: group k-fold (stratified where the classes allow) or a group holdout.
    """
    n = len(y)
    if n_valid_file:
        train = np.arange(n - n_valid_file)
        return Validation("file", ((train, np.arange(n - n_valid_file, n)),),
                          validation_sentence(spec, n, has_file=True))
    kind, value = parse_validation(spec, n)
    if kind == "cv" and n < int(value):
        raise EngineError(f"The table has {n} rows, fewer than the {int(value)} folds asked for; "
                          "use fewer folds or more rows.")
    grouped = groups is not None
    splitter = _splitter(kind, value, y, stratify=task == "classification", grouped=grouped,
                         seed=seed)
    folds = tuple((tr, va) for tr, va in _split(splitter, y, groups, group))
    return Validation(kind, folds, validation_sentence(spec, n, group=group if grouped else None))


def split_test(y: np.ndarray, fraction: float, *, task: str, seed: int,
               groups: np.ndarray | None = None, group: str | None = None,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (train, test) for a test fraction held out before anything is chosen
    (whole groups go to one side when ``groups`` is given)."""
    splitter = _splitter("holdout", fraction, y, stratify=task == "classification",
                         grouped=groups is not None, seed=seed + 7919)
    train, test = _split(splitter, y, groups, group)[0]
    return np.sort(train), np.sort(test)
