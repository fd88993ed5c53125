"""Choosing, building and running an explanation method for one fitted model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.errors import EngineError
from engine.explain._cost import FEATURIZE_SECONDS_PER_ROW, estimate_seconds
from engine.explain._exact import (BOOSTED, FORESTS, LIGHTGBM, LINEAR, Linear, LightGBMTree,
                                   ShapTree, shap_tree_supports)
from engine.explain._explanation import Explanation
from engine.explain._model import Method, ModelView, view_model
from engine.explain._settings import ExplainSettings
from engine.explain._surrogate import Kernel, Mimic

AUTO = "auto"

# The exact explainer of each estimator class (by class name); everything else is mimicked.
EXACT: dict[str, tuple[str, type]] = {
    **{name: ("tree", LightGBMTree) for name in LIGHTGBM},
    **{name: ("tree", ShapTree) for name in FORESTS + BOOSTED},
    **{name: ("linear", Linear) for name in LINEAR},
}
AGNOSTIC: dict[str, type] = {"mimic": Mimic, "kernel": Kernel}
METHODS = (AUTO, "tree", "linear", *AGNOSTIC)


class Explainer:
    """One model's explanation method, fitted once (surrogate, background), then fast per row.

    Build it with :func:`build_explainer`; pages keep it cached for what-if edits.
    """

    def __init__(self, view: ModelView, impl: Method, n_jobs: int) -> None:
        self.view = view
        self.impl = impl
        self.n_jobs = n_jobs

    @property
    def method(self) -> str:
        """``tree``, ``linear``, ``mimic+tree`` or ``kernel``."""
        return self.impl.method

    @property
    def fidelity(self) -> float | None:
        """R² of the surrogate against the model on held-out rows (surrogates only)."""
        return self.impl.fidelity

    def explain(self, X: pd.DataFrame) -> Explanation:
        """Contributions of every feature to the model's output for each row of ``X``."""
        from threadpoolctl import threadpool_limits

        if len(X) == 0:
            raise EngineError("There are no rows to explain.")
        with threadpool_limits(limits=self.n_jobs):
            values, base, data = self.impl.contributions(X)
        output = base + values.sum(axis=1)
        if values.shape[2] == 1:
            values, base, output = values[:, :, 0], base[:, 0], output[:, 0]
        return Explanation(
            values=values, base_values=base, output=output, output_space=self.impl.output_space,
            feature_names=self.impl.feature_names, origins=self.impl.origins, method=self.method,
            data=data, rows=X, output_classes=self.view.output_classes,
            classes=self.view.classes, fidelity=self.fidelity)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The model's class probabilities ``(n, k)`` or predictions ``(n,)``."""
        return self.view.predict(X)

    def seconds_per_row(self) -> float:
        """Estimated seconds to explain each further row."""
        return self.impl.seconds_per_row() + FEATURIZE_SECONDS_PER_ROW

    def rows_within(self, seconds: float) -> int:
        """How many rows can be explained in ``seconds`` (at least one)."""
        return max(1, int(seconds / self.seconds_per_row()))


def _exact_for(view: ModelView) -> tuple[str, type] | None:
    """The exact explainer this model supports, if any."""
    entry = EXACT.get(type(view.estimator).__name__)
    if entry is None or view.featurizer is None or not view.knows_every_class:
        return None
    if entry[1] is ShapTree and not shap_tree_supports(view):
        return None
    return entry


def choose_method(model: object, *, task: str, roles: dict[str, str],
                  classes: tuple[object, ...] | list[object] = (),
                  settings: ExplainSettings = ExplainSettings()) -> str:
    """The method ``auto`` picks: exact tree or linear SHAP when the model allows it and a
    global view fits the time budget, else the mimic surrogate."""
    view = view_model(model, task=task, roles=roles, classes=classes)
    exact = _exact_for(view)
    if exact is None:
        return "mimic"
    seconds = estimate_seconds(exact[0], settings.global_rows, 0, model=view.estimator,
                               n_outputs=view.n_outputs, settings=settings)
    return exact[0] if seconds <= settings.budget_seconds else "mimic"


def build_explainer(model: object, *, task: str, roles: dict[str, str],
                    background: pd.DataFrame, classes: tuple[object, ...] | list[object] = (),
                    method: str = AUTO, settings: ExplainSettings = ExplainSettings()) -> Explainer:
    """Fit an explanation method to a model.

    Args:
        model: a fitted pipeline (``features`` then ``model``), or any object with
            ``predict``/``predict_proba`` over uploaded rows (ensembles).
        task: ``classification`` or ``regression``.
        roles: the column roles the model was trained with.
        background: training rows (uploaded columns), sampled as the reference data.
        classes: class labels in model order (models learn codes 0..k-1).
        method: ``auto``, ``tree``, ``linear``, ``mimic`` or ``kernel``.
        settings: sample sizes and budgets.

    Raises:
        EngineError: an unknown method, or an exact method the model does not support.
    """
    if method not in METHODS:
        raise EngineError(f"Unknown explanation method '{method}'; choose from: "
                          f"{', '.join(METHODS)}.")
    view = view_model(model, task=task, roles=roles, classes=classes)
    if method == AUTO:
        method = choose_method(model, task=task, roles=roles, classes=view.classes,
                               settings=settings)
    exact = _exact_for(view)
    builders = {**AGNOSTIC, **({exact[0]: exact[1]} if exact else {})}
    if method not in builders:
        raise EngineError(f"The {method} explainer does not fit a {type(view.estimator).__name__} "
                          "model; use 'mimic' or 'kernel' instead.")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=settings.n_jobs):
        impl = builders[method].fit(view, background, settings)
    return Explainer(view, impl, settings.n_jobs)


def explain(model: object, X: pd.DataFrame, *, task: str, roles: dict[str, str],
            background: pd.DataFrame, classes: tuple[object, ...] | list[object] = (),
            method: str = AUTO, settings: ExplainSettings = ExplainSettings()) -> Explanation:
    """Build an explainer (see :func:`build_explainer`) and explain the rows of ``X``."""
    return build_explainer(model, task=task, roles=roles, background=background, classes=classes,
                           method=method, settings=settings).explain(X)


def whatif(explainer: Explainer, row: pd.DataFrame) -> tuple[float | np.ndarray, Explanation]:
    """The prediction and explanation of one edited row (fast for tree, linear and mimic).

    The row's values are coerced to the types of their column roles first, as at predict time.

    Returns:
        The model's prediction (class probabilities for classification) and the explanation.
    """
    from engine.data import coerce_frame

    if len(row) != 1:
        raise EngineError("What-if works on exactly one row.")
    row = coerce_frame(row, explainer.view.roles)
    prediction = explainer.predict(row)[0]
    return (float(prediction) if np.ndim(prediction) == 0 else prediction), explainer.explain(row)
