"""LightGBM gradient boosting, with native categoricals and early stopping."""

from collections.abc import Mapping
from typing import Any

from optuna.distributions import CategoricalDistribution as Cat
from optuna.distributions import FloatDistribution as Float
from optuna.distributions import IntDistribution as Int

from engine.models._spec import CLASSIFICATION, REGRESSION, FitContext, ModelSpec

MAX_ROUNDS = 3000


def build(ctx: FitContext, params: Mapping[str, Any]) -> Any:
    import lightgbm as lgb

    cls = lgb.LGBMClassifier if ctx.task == CLASSIFICATION else lgb.LGBMRegressor
    params = dict(params)
    return cls(n_estimators=int(params.pop("n_estimators", MAX_ROUNDS)), subsample_freq=1,
               random_state=ctx.seed, n_jobs=ctx.n_jobs, verbose=-1, **params)


SPEC = ModelSpec(
    key="lightgbm",
    label="LightGBM",
    tasks=(CLASSIFICATION, REGRESSION),
    style="native",
    factory=build,
    space={
        "learning_rate": Float(0.01, 0.3, log=True),
        "num_leaves": Int(4, 256, log=True),
        "min_child_samples": Int(2, 100, log=True),
        "subsample": Float(0.5, 1.0),
        "colsample_bytree": Float(0.3, 1.0),
        "reg_lambda": Float(1e-3, 10.0, log=True),
        "reg_alpha": Float(1e-3, 10.0, log=True),
    },
    class_space={"class_weight": Cat([None, "balanced"])},
    defaults={"learning_rate": 0.1, "num_leaves": 31, "min_child_samples": 20, "subsample": 0.9,
              "colsample_bytree": 0.8, "reg_lambda": 1e-3, "reg_alpha": 1e-3,
              "class_weight": None},
    early_stopping=True,
    portfolio=(
        {"learning_rate": 0.03, "num_leaves": 128, "min_child_samples": 3,
         "colsample_bytree": 0.9},
        {"learning_rate": 0.05, "num_leaves": 8, "min_child_samples": 40, "colsample_bytree": 0.5,
         "reg_lambda": 1.0},
    ),
)
