"""Exact explainers for the model's own structure: tree SHAP and linear SHAP.

Both work on the engineered matrix (SHAP cannot mask string columns), so they need a pipeline
with a ``features`` step. LightGBM computes its own tree SHAP values (``pred_contrib``), which
is exact, multi-threaded and handles its categorical splits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.explain._explanation import (LOG_ODDS, LOG_PREDICTION, PREDICTION, PROBABILITY,
                                         RAW_SCORE)
from engine.explain._model import ModelView, as_outputs
from engine.explain._settings import ExplainSettings, sample_rows
from engine.models import REGRESSION

LOG_LINK_OBJECTIVES = {"poisson", "gamma", "tweedie"}
LIGHTGBM = ("LGBMClassifier", "LGBMRegressor")
FORESTS = ("RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
           "ExtraTreesRegressor", "DecisionTreeClassifier", "DecisionTreeRegressor")
BOOSTED = ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor")
LINEAR = ("LogisticRegression", "ElasticNet", "Lasso", "Ridge", "LinearRegression")
# Seconds of tree SHAP per unit of work (leaves x depth² summed over trees), measured on the
# 2-core reference machine while a search shared it.
SHAP_TREE_SECONDS = 6.0e-10
LIGHTGBM_SECONDS = 1.0e-8
LINEAR_SECONDS = 2.0e-7  # per row, feature and output


def output_space(view: ModelView, *, averages_probabilities: bool = False) -> str:
    """Units of the estimator's raw output."""
    if view.task == REGRESSION:
        est = view.estimator
        objective = getattr(est, "objective_", None) or getattr(est, "loss", "")
        return LOG_PREDICTION if objective in LOG_LINK_OBJECTIVES else PREDICTION
    if averages_probabilities:
        return PROBABILITY
    return LOG_ODDS if len(view.classes) == 2 else RAW_SCORE


class LightGBMTree:
    """LightGBM's built-in tree SHAP on the engineered matrix."""

    method = "tree"
    fidelity = None

    def __init__(self, view: ModelView, n_jobs: int) -> None:
        self.view = view
        self.n_jobs = n_jobs
        self.feature_names, self.origins = view.names()
        self.output_space = output_space(view)

    @classmethod
    def fit(cls, view: ModelView, background: pd.DataFrame,
            settings: ExplainSettings) -> LightGBMTree:
        """Nothing to learn: LightGBM explains itself."""
        return cls(view, settings.n_jobs)

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contributions ``(n, f, k)``, bases ``(n, k)`` and engineered values ``(n, f)``."""
        model_input, matrix = self.view.engineered(X)
        raw = np.asarray(self.view.estimator.predict(model_input, pred_contrib=True,
                                                       num_threads=self.n_jobs), dtype=float)
        n, f = matrix.shape
        raw = raw.reshape(n, -1, f + 1)
        return raw[:, :, :f].transpose(0, 2, 1), raw[:, :, f], matrix

    def seconds_per_row(self) -> float:
        """Estimated seconds to explain one row."""
        return LIGHTGBM_SECONDS * lightgbm_work(self.view.estimator) / self.n_jobs


class ShapTree:
    """shap's TreeExplainer (path-dependent, no background needed) on the engineered matrix."""

    method = "tree"
    fidelity = None

    def __init__(self, view: ModelView, explainer: object) -> None:
        self.view = view
        self.explainer = explainer
        self.feature_names, self.origins = view.names()
        self.forest = type(view.estimator).__name__ in FORESTS
        self.output_space = output_space(view, averages_probabilities=self.forest)

    @classmethod
    def fit(cls, view: ModelView, background: pd.DataFrame, settings: ExplainSettings) -> ShapTree:
        """Read the trees into shap (no background: path-dependent tree SHAP)."""
        import shap

        return cls(view, shap.TreeExplainer(view.estimator))

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contributions ``(n, f, k)``, bases ``(n, k)`` and engineered values ``(n, f)``."""
        _, matrix = self.view.engineered(X)
        values = np.asarray(self.explainer.shap_values(matrix, check_additivity=False), float)
        values, base = as_outputs(values, self.explainer.expected_value, self.view,
                                  per_class_input=self.forest)
        return values, base, matrix

    def seconds_per_row(self) -> float:
        """Estimated seconds to explain one row (tree SHAP is O(leaves x depth²) per tree)."""
        return SHAP_TREE_SECONDS * tree_work(self.view.estimator)


def lightgbm_work(estimator: object) -> float:
    """Trees times leaves times squared typical depth (leaf-wise trees): LightGBM's tree SHAP
    cost for one row."""
    booster = estimator.booster_
    trees = booster.num_trees()
    best = getattr(estimator, "best_iteration_", 0) or 0
    if best:
        trees = min(trees, best * booster.num_model_per_iteration())
    grown = [t["num_leaves"] for t in booster.dump_model(num_iteration=best or None)["tree_info"]]
    leaves = float(np.mean(grown)) if grown else 1.0  # leaves the trees grew, not the cap
    return float(trees * leaves * (np.log2(leaves) + 1) ** 2)


def tree_work(estimator: object) -> float:
    """Leaves times squared depth times outputs, summed over trees: the cost of tree SHAP for
    one row."""
    trees = [e.tree_ for e in getattr(estimator, "estimators_", [])]
    trees += [estimator.tree_] if hasattr(estimator, "tree_") else []
    if trees:
        outputs = trees[0].value.shape[1] * trees[0].value.shape[2]
        return float(sum(t.n_leaves * t.max_depth ** 2 for t in trees) * outputs)
    work = 0.0
    for stage in getattr(estimator, "_predictors", []):
        for predictor in stage:
            nodes = predictor.nodes
            work += float(nodes["is_leaf"].sum()) * float(nodes["depth"].max()) ** 2
    return work


def shap_tree_supports(view: ModelView) -> bool:
    """shap reads this tree model exactly (histogram boosting with categorical splits it cannot)."""
    if view.featurizer is None:
        return False
    name = type(view.estimator).__name__
    if name in FORESTS:
        return True
    if name in BOOSTED:
        return not any(bool(p.nodes["is_categorical"].any())
                       for stage in view.estimator._predictors for p in stage)
    return False


class Linear:
    """shap's LinearExplainer (independent features) on the engineered matrix."""

    method = "linear"
    fidelity = None

    def __init__(self, view: ModelView, explainer: object) -> None:
        self.view = view
        self.explainer = explainer
        self.feature_names, self.origins = view.names()
        self.output_space = output_space(view)

    @classmethod
    def fit(cls, view: ModelView, background: pd.DataFrame, settings: ExplainSettings) -> Linear:
        """Take the engineered features' means over a background sample."""
        import shap

        _, matrix = view.engineered(sample_rows(background, settings.background_rows,
                                                settings.seed))
        masker = shap.maskers.Independent(matrix, max_samples=len(matrix))
        return cls(view, shap.LinearExplainer(view.estimator, masker))

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contributions ``(n, f, k)``, bases ``(n, k)`` and engineered values ``(n, f)``."""
        _, matrix = self.view.engineered(X)
        values = np.asarray(self.explainer.shap_values(matrix), dtype=float)
        values, base = as_outputs(values, self.explainer.expected_value, self.view,
                                  per_class_input=False)
        return values, base, matrix

    def seconds_per_row(self) -> float:
        """Estimated seconds to explain one row."""
        return LINEAR_SECONDS * len(self.feature_names) * self.view.n_outputs
