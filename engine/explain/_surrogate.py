"""Model-agnostic explainers, for k-NN, ensembles and anything else that predicts.

``Mimic`` learns a LightGBM surrogate of the model's predictions and explains the surrogate
exactly (fast, approximate; its fidelity is measured on held-out rows). ``Kernel`` runs SHAP's
kernel explainer on the uploaded columns themselves (slow, model-exact up to sampling).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from engine.errors import EngineError
from engine.explain._explanation import PREDICTION, PROBABILITY, numeric_view
from engine.explain._model import ModelView, as_outputs
from engine.explain._settings import ExplainSettings, sample_rows
from engine.featurize import (NATIVE, build_featurizer, categorical_indices, feature_names,
                              feature_origins, plan_features)
from engine.models import REGRESSION

MIN_MIMIC_ROWS = 50
TIMING_ROWS = 1000
SURROGATE_LEAVES = 7
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


class Mimic:
    """LightGBM surrogates (one per output) of the model's predictions, explained exactly."""

    method = "mimic+tree"

    def __init__(self, view: ModelView, background: pd.DataFrame, settings: ExplainSettings) -> None:
        import lightgbm as lgb

        rows = sample_rows(background, settings.mimic_rows, settings.seed)
        if len(rows) < MIN_MIMIC_ROWS:
            raise EngineError(f"Explaining this model needs at least {MIN_MIMIC_ROWS} background "
                              "rows; pass more training rows.")
        self.view = view
        self.n_jobs = settings.n_jobs
        self.output_space = _output_space(view)
        start = time.perf_counter()
        target = view.explained_output(rows)
        self.prediction_seconds = (time.perf_counter() - start) / len(rows)
        self.featurizer, roles = self._featurizer(view, rows)
        self.feature_names = tuple(feature_names(self.featurizer))
        self.origins = tuple(feature_origins(self.featurizer, roles))
        matrix = self._matrix(rows)
        cats = categorical_indices(self.featurizer, roles) if view.featurizer is None else []
        order = np.random.default_rng(settings.seed).permutation(len(rows))
        held, learn = order[: len(rows) // 5], order[len(rows) // 5:]
        self.surrogates = []
        for k in range(target.shape[1]):
            surrogate = lgb.LGBMRegressor(
                n_estimators=settings.mimic_rounds, learning_rate=0.1,
                num_leaves=SURROGATE_LEAVES, min_child_samples=10, subsample=0.9, subsample_freq=1, random_state=settings.seed,
                n_jobs=settings.n_jobs, verbose=-1)
            surrogate.fit(matrix[learn], target[learn, k], categorical_feature=cats or "auto")
            self.surrogates.append(surrogate)
        fitted = np.column_stack([s.predict(matrix[held]) for s in self.surrogates])
        self.fidelity = _r2(target[held], fitted)

    @staticmethod
    def _featurizer(view: ModelView, rows: pd.DataFrame) -> tuple[object, dict[str, str]]:
        """The pipeline's own featurizer, or a native one fitted here (ensembles have none)."""
        if view.featurizer is not None:
            return view.featurizer, view.roles
        roles = {c: r for c, r in view.roles.items() if c in rows.columns}
        return build_featurizer(rows, roles, style=NATIVE).fit(rows), roles

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        out = self.featurizer.transform(X)
        return out.to_numpy(dtype=float) if hasattr(out, "to_numpy") else np.asarray(out, float)

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contributions ``(n, f, k)``, bases ``(n, k)`` and engineered values ``(n, f)``."""
        matrix = self._matrix(X)
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
    """SHAP's kernel explainer over the uploaded columns, encoded as codes of their values."""

    method = "kernel"
    fidelity = None

    def __init__(self, view: ModelView, background: pd.DataFrame, settings: ExplainSettings) -> None:
        self.view = view
        self.output_space = _output_space(view)
        self.feature_names = tuple(c for c in plan_features(view.roles).used
                                   if c in background.columns)
        self.origins = self.feature_names
        self.background = sample_rows(background, settings.kernel_background, settings.seed)
        self.samples = kernel_samples(len(self.feature_names), settings)
        batch = self.background.iloc[np.arange(TIMING_ROWS) % len(self.background)]
        start = time.perf_counter()
        view.predict(batch)
        self.prediction_seconds = (time.perf_counter() - start) / TIMING_ROWS

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contributions ``(n, f, k)``, bases ``(n, k)`` and uploaded values ``(n, f)``."""
        import shap

        columns = list(self.feature_names)
        both = pd.concat([self.background, X], ignore_index=True)
        codes = np.empty((len(both), len(columns)))
        uniques = []
        for j, column in enumerate(columns):
            codes[:, j], levels = pd.factorize(both[column], use_na_sentinel=False)
            uniques.append(levels)
        template = X.iloc[[0]]

        def predict(coded: np.ndarray) -> np.ndarray:
            frame = template.iloc[np.zeros(len(coded), dtype=int)].reset_index(drop=True)
            for j, column in enumerate(columns):
                frame[column] = uniques[j].take(coded[:, j].astype(int))
            out = self.view.explained_output(frame)
            return out[:, 0] if out.shape[1] == 1 else out

        nb = len(self.background)
        explainer = shap.KernelExplainer(predict, codes[:nb], link="identity")
        values = explainer.shap_values(codes[nb:], nsamples=self.samples, l1_reg=False, silent=True)
        values, base = as_outputs(np.asarray(values, dtype=float), explainer.expected_value,
                                  self.view, per_class_input=False)
        return values, base, numeric_view(X, self.feature_names)

    def seconds_per_row(self) -> float:
        """Estimated seconds to explain one row: every coalition is predicted on the background."""
        return self.samples * len(self.background) * self.prediction_seconds
