"""What a model family declares: its estimator, its search space, its defaults."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from optuna.distributions import BaseDistribution

CLASSIFICATION = "classification"
REGRESSION = "regression"


@dataclass(frozen=True)
class FitContext:
    """Facts about one fit that a factory needs beyond its hyperparameters."""

    task: str
    seed: int
    n_jobs: int
    categorical: tuple[int, ...] = ()
    n_features: int = 0


@dataclass(frozen=True)
class ModelSpec:
    """One model family of the registry.

    Attributes:
        key: registry key, also the CLI's ``--models`` name.
        label: name shown on the leaderboard.
        tasks: tasks the family can do.
        style: featurization style it needs (``native`` or ``dense``).
        factory: builds an unfitted estimator from a context and hyperparameters.
        space: Optuna distributions of its hyperparameters.
        defaults: strong starting hyperparameters, tried first.
        class_space: extra distributions used for classification only.
        early_stopping: the estimator exposes boosting rounds tuned by early stopping.
        portfolio: further starting configurations (overrides of ``defaults``), tried after
            every family's defaults and before sampling; generic, from published AutoML
            portfolios, not tuned on any table we report.
        grows: a size parameter (trees, boosting rounds) that can be fitted in steps with
            ``warm_start``, ``grow_step`` at a time, so a fit can stop at a deadline with a
            usable model.
        max_train_rows: trials and refits of the family use a seeded subsample of at most
            this many training rows (bounds the cost of slow families on large tables).
    """

    key: str
    label: str
    tasks: tuple[str, ...]
    style: str
    factory: Callable[[FitContext, Mapping[str, Any]], Any]
    space: Mapping[str, BaseDistribution]
    defaults: Mapping[str, Any]
    class_space: Mapping[str, BaseDistribution] = field(default_factory=dict)
    early_stopping: bool = False
    portfolio: tuple[Mapping[str, Any], ...] = ()
    grows: str | None = None
    grow_step: int = 25
    max_train_rows: int | None = None

    def space_for(self, task: str) -> dict[str, BaseDistribution]:
        """The search space for one task."""
        return {**self.space, **(self.class_space if task == CLASSIFICATION else {})}

    def defaults_for(self, task: str) -> dict[str, Any]:
        """The default hyperparameters for one task, limited to its space."""
        return self.config_for(task, {})

    def config_for(self, task: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults with some values replaced, limited to the task's space."""
        space = self.space_for(task)
        return {k: v for k, v in {**self.defaults, **overrides}.items() if k in space}
