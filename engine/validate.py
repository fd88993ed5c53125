"""Validation splits: k-fold cross-validation, a holdout, or a user-supplied validation file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold, StratifiedShuffleSplit

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


def validation_sentence(spec: str, n_rows: int, *, has_file: bool = False) -> str:
    """A sentence saying how models will be validated."""
    if has_file:
        return "Validation on the uploaded validation file."
    kind, value = parse_validation(spec, n_rows)
    auto = " (chosen automatically for this number of rows)" if spec == "auto" else ""
    if kind == "cv":
        return f"{int(value)}-fold cross-validation{auto}."
    return f"A holdout of {value:.0%} of the rows{auto}."


def make_validation(spec: str, y: np.ndarray, *, task: str, seed: int,
                    n_valid_file: int = 0) -> Validation:
    """Folds over ``y`` (the last ``n_valid_file`` rows, if any, are the validation file)."""
    n = len(y)
    if n_valid_file:
        train = np.arange(n - n_valid_file)
        return Validation("file", ((train, np.arange(n - n_valid_file, n)),),
                          validation_sentence(spec, n, has_file=True))
    kind, value = parse_validation(spec, n)
    stratify = task == "classification"
    if kind == "cv":
        k = int(value)
        if n < k:
            raise EngineError(f"The table has {n} rows, fewer than the {k} folds asked for; "
                              "use fewer folds or more rows.")
        if stratify and np.bincount(y).min() < k:
            splitter = KFold(k, shuffle=True, random_state=seed)
        else:
            splitter = (StratifiedKFold if stratify else KFold)(k, shuffle=True, random_state=seed)
    else:
        cls = StratifiedShuffleSplit if stratify and np.bincount(y).min() >= 2 else ShuffleSplit
        splitter = cls(n_splits=1, test_size=value, random_state=seed)
    folds = tuple((tr, va) for tr, va in splitter.split(np.zeros(n), y))
    return Validation(kind, folds, validation_sentence(spec, n))


def split_test(y: np.ndarray, fraction: float, *, task: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (train, test) for a test fraction held out before anything is chosen."""
    stratify = task == "classification" and np.bincount(y).min() >= 2
    cls = StratifiedShuffleSplit if stratify else ShuffleSplit
    splitter = cls(n_splits=1, test_size=fraction, random_state=seed + 7919)
    train, test = next(splitter.split(np.zeros(len(y)), y))
    return np.sort(train), np.sort(test)
