"""How long an explanation will take, known before it starts (so pages can say so).

Constants were measured on the 2-core reference machine while a search shared it, so the
figures lean long on an idle machine.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from engine.errors import EngineError
from engine.explain._exact import (LIGHTGBM, LIGHTGBM_SECONDS, LINEAR_SECONDS, SHAP_TREE_SECONDS,
                                   lightgbm_work, tree_work)
from engine.explain._settings import ExplainSettings
from engine.explain._surrogate import (FIT_SECONDS_PER_ROUND, SURROGATE_SECONDS_PER_ROW,
                                       kernel_samples)

SHAP_IMPORT_SECONDS = 1.5  # the first use of shap in a process
FEATURIZE_SECONDS_PER_ROW = 2e-5
DEFAULT_PREDICTION_SECONDS = 2e-5
PREDICT_CALL_SECONDS = 0.01  # a pipeline's fixed cost per predict call
PERMUTATION_REPEATS = 3
DEFAULT_FOREST_WORK = 300 * 1000 * 15 ** 2  # 300 trees of 1000 leaves, depth 15
TIMED_ROWS = 500


def _shap_import() -> float:
    return 0.0 if "shap" in sys.modules else SHAP_IMPORT_SECONDS


def _tree(n_rows: int, n_features: int, n_outputs: int, model: object, spp: float,
          settings: ExplainSettings) -> float:
    featurize = FEATURIZE_SECONDS_PER_ROW * n_rows
    if type(model).__name__ in LIGHTGBM:
        return featurize + LIGHTGBM_SECONDS * lightgbm_work(model) / settings.n_jobs * n_rows
    work = DEFAULT_FOREST_WORK if model is None else tree_work(model)
    return _shap_import() + featurize + SHAP_TREE_SECONDS * work * n_rows


def _linear(n_rows: int, n_features: int, n_outputs: int, model: object, spp: float,
            settings: ExplainSettings) -> float:
    per_row = FEATURIZE_SECONDS_PER_ROW + LINEAR_SECONDS * max(n_features, 1) * n_outputs
    return _shap_import() + per_row * (n_rows + settings.background_rows)


def _mimic(n_rows: int, n_features: int, n_outputs: int, model: object, spp: float,
           settings: ExplainSettings) -> float:
    rows = settings.mimic_rows
    fit = (FIT_SECONDS_PER_ROUND * settings.mimic_rounds * n_outputs * max(rows / 1000, 0.2)
           / settings.n_jobs)
    explain = (FEATURIZE_SECONDS_PER_ROW + SURROGATE_SECONDS_PER_ROW * n_outputs
               / settings.n_jobs) * n_rows
    return rows * (spp + FEATURIZE_SECONDS_PER_ROW) + fit + explain


def _kernel(n_rows: int, n_features: int, n_outputs: int, model: object, spp: float,
            settings: ExplainSettings) -> float:
    samples = kernel_samples(max(n_features, 1), settings)
    return _shap_import() + n_rows * samples * settings.kernel_background * spp


def _permutation(n_rows: int, n_features: int, n_outputs: int, model: object, spp: float,
                 settings: ExplainSettings) -> float:
    calls = max(n_features, 1) * PERMUTATION_REPEATS + 1
    return calls * (PREDICT_CALL_SECONDS + n_rows * spp)


COSTS: dict[str, Callable[..., float]] = {
    "tree": _tree, "linear": _linear, "mimic": _mimic, "kernel": _kernel,
    "permutation": _permutation,
}


def estimate_seconds(method: str, n_rows: int, n_features: int, *, n_outputs: int = 1,
                     model: object | None = None,
                     seconds_per_prediction: float = DEFAULT_PREDICTION_SECONDS,
                     n_background: int | None = None,
                     settings: ExplainSettings = ExplainSettings()) -> float:
    """Seconds to build an explainer and explain ``n_rows`` rows (or, for ``permutation``, to
    compute permutation importance on ``n_rows`` rows with the default repeats).

    Args:
        method: ``tree``, ``linear``, ``mimic``, ``kernel`` or ``permutation``.
        n_rows: rows to explain.
        n_features: uploaded columns the model uses (kernel and permutation costs grow with
            them; engineered features for ``linear``).
        n_outputs: 1, or the number of classes of a multiclass task.
        model: the fitted pipeline or estimator, to size tree SHAP from its trees.
        seconds_per_prediction: the model's prediction time per row (mimic, kernel,
            permutation); see :func:`seconds_per_prediction`.
        n_background: background rows that will be passed (they cap the samples taken).
        settings: the sample sizes the explainer will use.
    """
    if n_background is not None:
        settings = replace(settings, mimic_rows=min(settings.mimic_rows, n_background),
                           background_rows=min(settings.background_rows, n_background),
                           kernel_background=min(settings.kernel_background, n_background))
    if method not in COSTS:
        raise EngineError(f"Unknown explanation method '{method}'; choose from: "
                          f"{', '.join(COSTS)}.")
    estimator = getattr(model, "named_steps", {}).get("model", model)
    return COSTS[method](n_rows, n_features, n_outputs, estimator, seconds_per_prediction,
                         settings)


def seconds_per_prediction(model: object, X: pd.DataFrame) -> float:
    """The model's prediction time per row, timed on up to 500 rows of ``X`` (rows repeat when
    ``X`` is shorter)."""
    rows = X.iloc[[i % len(X) for i in range(TIMED_ROWS)]]
    predict = getattr(model, "predict_proba", None) or model.predict
    start = time.perf_counter()
    predict(rows)
    return (time.perf_counter() - start) / TIMED_ROWS
