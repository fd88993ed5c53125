"""Model-agnostic explainers, for k-NN, ensembles and anything else that predicts.

``Mimic`` learns LightGBM surrogates of the model's predictions and explains them exactly
(fast, approximate; fidelity measured on held-out rows). ``Kernel`` runs SHAP's kernel
explainer on the uploaded columns themselves (slow, exact for the model up to sampling).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from engine.errors import EngineError
from engine.explain._explanation import PREDICTION, PROBABILITY, numeric_view
from engine.explain._model import ModelView, as_matrix, as_outputs
from engine.explain._settings import ExplainSettings, sample_rows
from engine.featurize import (NATIVE, build_featurizer, categorical_indices, feature_names,
                              feature_origins, plan_features)
from engine.models import REGRESSION

MIN_MIMIC_ROWS = 50
HELD_OUT = 5  # one row in five measures the surrogate's fidelity
TIMING_ROWS = 1000
SURROGATE = {"learning_rate": 0.1, "num_leaves": 7, "min_child_samples": 10, "subsample": 0.9,
             "subsample_freq": 1, "verbose": -1}
# Seconds per surrogate boosting round and thousand rows, and per explained row and surrogate,
# measured on the 2-core reference machine while a search shared it.
FIT_SECONDS_PER_ROUND = 2.5e-4
SURROGATE_SECONDS_PER_ROW = 3.0e-4


def _output_space(view: ModelView) -> str:
    return PREDICTION if view.task == REGRESSION else PROBABILITY


def _r2(truth: np.ndarray, pred: np.ndarray) -> float:
    """Variance-weighted R² over outputs; 1.0 when the model's output is constant and matched."""
    from sklearn.metrics import r2_score

    return float(r2_score(truth, pred, multioutput="variance_weighted"))


def _own_featurizer(view: ModelView, rows: pd.DataFrame) -> tuple[object, dict[str, str]]:
    """The pipeline's fitted featurizer, or a native one fitted here (ensembles have none)."""
    if view.featurizer is not None:
        return view.featurizer, view.roles
    roles = {c: r for c, r in view.roles.items() if c in rows.columns}
    return build_featurizer(rows, roles, style=NATIVE).fit(rows), roles


class Mimic:
    """LightGBM surrogates (one per output) of the model's predictions, explained exactly."""

    method = "mimic+tree"

    def __init__(self, view: ModelView, featurizer: object, surrogates: list[object],
                 origins: tuple[str, ...], fidelity: float, n_jobs: int) -> None:
        self.view = view
        self.featurizer = featurizer
        self.surrogates = surrogates
        self.feature_names = tuple(feature_names(featurizer))
        self.origins = origins
        self.fidelity = fidelity
        self.n_jobs = n_jobs
        self.output_space = _output_space(view)

    @classmethod
    def fit(cls, view: ModelView, background: pd.DataFrame, settings: ExplainSettings) -> Mimic:
        """Learn the model's outputs on a background sample; a fifth is held out for fidelity."""
        import lightgbm as lgb

        rows = sample_rows(background, settings.mimic_rows, settings.seed)
        if len(rows) < MIN_MIMIC_ROWS:
            raise EngineError(f"Explaining this model needs at least {MIN_MIMIC_ROWS} background "
                              "rows; pass more training rows.")
        target = view.explained_output(rows)
        featurizer, roles = _own_featurizer(view, rows)
        matrix = as_matrix(featurizer.transform(rows))
        cats = categorical_indices(featurizer, roles) if view.featurizer is None else []
        order = np.random.default_rng(settings.seed).permutation(len(rows))
        held, learn = order[: len(rows) // HELD_OUT], order[len(rows) // HELD_OUT:]
        surrogates = [lgb.LGBMRegressor(n_estimators=settings.mimic_rounds,
                                        random_state=settings.seed, n_jobs=settings.n_jobs,
                                        **SURROGATE)
                      .fit(matrix[learn], target[learn, k], categorical_feature=cats or "auto")
                      for k in range(target.shape[1])]
        fitted = np.column_stack([s.predict(matrix[held]) for s in surrogates])
        return cls(view, featurizer, surrogates, tuple(feature_origins(featurizer, roles)),
                   _r2(target[held], fitted), settings.n_jobs)

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contributions ``(n, f, k)``, bases ``(n, k)`` and engineered values ``(n, f)``."""
        matrix = as_matrix(self.featurizer.transform(X))
        f = matrix.shape[1]
        raw = np.stack([s.predict(matrix, pred_contrib=True, num_threads=self.n_jobs)
                        for s in self.surrogates], axis=2)
        return raw[:, :f, :], raw[:, f, :], matrix

    def seconds_per_row(self) -> float:
        """Estimated seconds to explain one row."""
        return SURROGATE_SECONDS_PER_ROW * len(self.surrogates) / self.n_jobs


def kernel_samples(n_columns: int, settings: ExplainSettings) -> int:
    """Coalitions evaluated per row (shap enumerates all of them when there are few)."""
    wanted = settings.kernel_samples or 2 * n_columns + 512
    return min(wanted, 2 ** n_columns - 2) if n_columns < 30 else wanted


class Kernel:
    """SHAP's kernel explainer over the uploaded columns, each encoded as codes of its values
    (so text, categories and dates are masked as whole columns, whatever the model is)."""

    method = "kernel"
    fidelity = None

    def __init__(self, view: ModelView, background: pd.DataFrame, columns: tuple[str, ...],
                 samples: int, prediction_seconds: float) -> None:
        self.view = view
        self.background = background
        self.feature_names = self.origins = columns
        self.samples = samples
        self.prediction_seconds = prediction_seconds
        self.output_space = _output_space(view)

    @classmethod
    def fit(cls, view: ModelView, background: pd.DataFrame, settings: ExplainSettings) -> Kernel:
        """Sample the background and time the model's predictions (for estimates)."""
        rows = sample_rows(background, settings.kernel_background, settings.seed)
        columns = tuple(c for c in plan_features(view.roles).used if c in background.columns)
        batch = rows.iloc[np.arange(TIMING_ROWS) % len(rows)]
        start = time.perf_counter()
        view.predict(batch)
        seconds = (time.perf_counter() - start) / TIMING_ROWS
        return cls(view, rows, columns, kernel_samples(len(columns), settings), seconds)

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contributions ``(n, f, k)``, bases ``(n, k)`` and uploaded values ``(n, f)``."""
        import shap

        columns = list(self.feature_names)
        both = pd.concat([self.background, X], ignore_index=True)
        codes = np.empty((len(both), len(columns)))
        levels = []
        for j, column in enumerate(columns):
            codes[:, j], uniques = pd.factorize(both[column], use_na_sentinel=False)
            levels.append(uniques)
        template = X.iloc[[0]]

        def predict(coded: np.ndarray) -> np.ndarray:
            frame = template.iloc[np.zeros(len(coded), dtype=int)].reset_index(drop=True)
            for j, column in enumerate(columns):
                frame[column] = levels[j].take(coded[:, j].astype(int))
            out = self.view.explained_output(frame)
            return out[:, 0] if out.shape[1] == 1 else out

        nb = len(self.background)
        explainer = shap.KernelExplainer(predict, codes[:nb], link="identity")
        values = explainer.shap_values(codes[nb:], nsamples=self.samples, l1_reg=False,
                                       silent=True)
        values, base = as_outputs(np.asarray(values, dtype=float), explainer.expected_value,
                                  self.view, per_class_input=False)
        return values, base, numeric_view(X, self.feature_names)

    def seconds_per_row(self) -> float:
        """Estimated seconds to explain one row: every coalition is predicted on the background."""
        return self.samples * len(self.background) * self.prediction_seconds
