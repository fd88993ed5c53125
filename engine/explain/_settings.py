"""How much work explanations do, in one frozen settings object."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class ExplainSettings:
    """How much work explanations do.

    Attributes:
        background_rows: background rows for the linear explainer's feature means.
        mimic_rows: rows the surrogate learns from; a fifth of them is held out for fidelity.
        mimic_rounds: boosting rounds of each surrogate.
        kernel_background: background rows the kernel explainer averages over.
        kernel_samples: feature coalitions per row for the kernel explainer
            (``None``: ``2 * n_columns + 512``).
        budget_seconds: the automatic choice falls back to the surrogate when exact tree SHAP
            of ``global_rows`` rows would take longer than this.
        global_rows: rows a global view explains (the page samples this many).
        seed: seed of every sample and surrogate.
        n_jobs: threads for LightGBM and for the OpenMP/BLAS pools while explaining. One by
            default: a run's search usually shares the machine, and OpenMP threads slow down
            many times over when cores are oversubscribed.
    """

    background_rows: int = 1000
    mimic_rows: int = 5000
    mimic_rounds: int = 400
    kernel_background: int = 20
    kernel_samples: int | None = None
    budget_seconds: float = 8.0
    global_rows: int = 1000
    seed: int = 0
    n_jobs: int = 1


def sample_rows(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """At most ``n`` rows of ``frame``, drawn without replacement."""
    return frame if len(frame) <= n else frame.sample(n=n, random_state=seed)
