"""scikit-learn's histogram gradient boosting, with its own inner early stopping."""

from collections.abc import Mapping
from typing import Any

from optuna.distributions import CategoricalDistribution as Cat
from optuna.distributions import FloatDistribution as Float
from optuna.distributions import IntDistribution as Int

from engine.models._spec import CLASSIFICATION, REGRESSION, FitContext, ModelSpec


MAX_ITER = 1000


def build(ctx: FitContext, params: Mapping[str, Any]) -> Any:
    from sklearn import ensemble

    cls = (ensemble.HistGradientBoostingClassifier if ctx.task == CLASSIFICATION
           else ensemble.HistGradientBoostingRegressor)
    mask = [i in ctx.categorical for i in range(ctx.n_features)] if ctx.categorical else None
    return cls(max_iter=MAX_ITER, early_stopping=True, validation_fraction=0.1, n_iter_no_change=20,
               categorical_features=mask, random_state=ctx.seed, **params)


SPEC = ModelSpec(
    key="hist_gradient_boosting",
    label="Histogram gradient boosting",
    tasks=(CLASSIFICATION, REGRESSION),
    style="native",
    factory=build,
    grows="max_iter",
    grow_step=200,  # each step bins the data again: few, large steps
    space={
        "learning_rate": Float(0.01, 0.3, log=True),
        "max_leaf_nodes": Int(4, 128, log=True),
        "min_samples_leaf": Int(2, 100, log=True),
        "l2_regularization": Float(1e-4, 10.0, log=True),
    },
    class_space={"class_weight": Cat([None, "balanced"])},
    defaults={"learning_rate": 0.1, "max_leaf_nodes": 31, "min_samples_leaf": 20,
              "l2_regularization": 1e-4, "class_weight": None},
    portfolio=({"learning_rate": 0.05, "max_leaf_nodes": 63, "min_samples_leaf": 10,
                "l2_regularization": 1.0},),
)
