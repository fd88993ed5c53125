"""A run's settings: one frozen dataclass, saved with the run and read back from it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from engine.errors import EngineError

TASKS = ("classification", "regression")


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """Everything a run needs besides its data.

    Attributes:
        target: the column to predict.
        task: ``classification`` or ``regression``.
        metric: primary metric id (see ``engine.metrics``); None picks the task's default.
        roles: role of every column except the target (``ignore`` drops one).
        validation: ``auto``, ``cv:K`` or ``holdout:F``; a validation file overrides it.
        time_budget: seconds for the whole run, final refit and writing included.
        max_trials: stop after this many trials.
        patience: stop after this many finished trials without improvement.
        models: model family keys to search (None: every family of the task).
        seed: seed of the split, the search and the models.
        test_fraction: share of rows held out as a test set, scored only at the end.
        ensembles: build voting and stacking ensembles at the end.
        n_jobs: threads per model fit (None: all cores but one, leaving one for the studio).
        featurization_off: featurization steps switched off (see ``FEATURIZATION_STEPS``).
    """

    target: str
    task: str
    metric: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    validation: str = "auto"
    time_budget: float = 300.0
    max_trials: int | None = None
    patience: int | None = None
    models: tuple[str, ...] | None = None
    seed: int = 0
    test_fraction: float | None = None
    ensembles: bool = True
    n_jobs: int | None = None
    featurization_off: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "RunSettings":
        """Settings read back from the store."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in values.items() if k in known}
        if values.get("models") is not None:
            values["models"] = tuple(values["models"])
        values["featurization_off"] = tuple(values.get("featurization_off") or ())
        return cls(**values)

    def checked(self) -> "RunSettings":
        """These settings with defaults filled in, or an EngineError saying what is wrong."""
        from engine.metrics import default_metric, get_metric
        from engine.models import get_model, models_for

        if self.task not in TASKS:
            raise EngineError(f"Unknown task '{self.task}'; choose classification or regression.")
        metric = self.metric or default_metric(self.task)
        if get_metric(metric).task != self.task:
            raise EngineError(f"The metric '{metric}' is not a {self.task} metric; choose one of "
                              f"the {self.task} metrics.")
        models = self.models or tuple(models_for(self.task))
        for key in models:
            if self.task not in get_model(key).tasks:
                raise EngineError(f"The model family '{key}' cannot do {self.task}; choose from: "
                                  f"{', '.join(models_for(self.task))}.")
        if self.time_budget <= 0:
            raise EngineError("The time budget must be a positive number of seconds.")
        if self.max_trials is not None and self.max_trials < 1:
            raise EngineError("The trial budget must be at least one trial.")
        from engine.featurize import FEATURIZATION_STEPS

        unknown = [step for step in self.featurization_off if step not in FEATURIZATION_STEPS]
        if unknown:
            raise EngineError(f"Unknown featurization step '{unknown[0]}'; choose from: "
                              f"{', '.join(FEATURIZATION_STEPS)}.")
        if self.test_fraction is not None and not 0 < self.test_fraction < 0.9:
            raise EngineError("The test fraction must be between 0 and 0.9, for example 0.2.")
        return dataclasses.replace(self, metric=metric, models=tuple(models))


def describe_validation(settings: RunSettings, n_rows: int, *,
                        has_validation_file: bool = False) -> str:
    """A sentence saying how the run's models will be validated."""
    from engine.validate import validation_sentence

    group = next((c for c, role in (settings.roles or {}).items() if role == "group"), None)
    return validation_sentence(settings.validation, n_rows, has_file=has_validation_file,
                               group=group)


STARTUP_SECONDS = 6.0
SECONDS_PER_CELL = 5e-6
SECONDS_PER_FIT = 0.6


def estimate_run_seconds(settings: RunSettings, n_rows: int, n_cols: int) -> float:
    """A rough wall time for the run: its time budget, or less when a trial budget ends it first."""
    if settings.max_trials is None:
        return float(settings.time_budget)
    from engine.validate import parse_validation

    kind, value = parse_validation(settings.validation, n_rows)
    fits = int(value) if kind == "cv" else 1
    per_trial = fits * (SECONDS_PER_FIT + SECONDS_PER_CELL * n_rows * max(n_cols, 1))
    return float(min(settings.time_budget, STARTUP_SECONDS + settings.max_trials * per_trial))
